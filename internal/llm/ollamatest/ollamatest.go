// Package ollamatest is a fake Ollama at its wire protocol (/api/chat NDJSON streams and
// /api/embed), so the production Ollama provider is what tests and the load benchmark
// run against. Replies are scripted per request: chunks, tool calls, delays, failures.
package ollamatest

import (
	"encoding/json"
	"hash/fnv"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ollama/ollama/api"
)

// Reply is what the fake streams for one /api/chat request.
type Reply struct {
	Chunks          []string
	ToolCalls       []api.ToolCall
	FirstTokenDelay time.Duration
	ChunkDelay      time.Duration
	// FailAfter > 0 breaks the stream with an error line after that many chunks.
	FailAfter int
	// Status, if set, answers with this HTTP status and an error body instead.
	Status int
	// BeforeChunk, if set, is called before each chunk after the first, with its index.
	BeforeChunk func(i int)
}

// Words is a reply that streams the words of text one by one, each with the space
// after it.
func Words(text string) Reply {
	chunks := strings.SplitAfter(text, " ")
	if chunks[len(chunks)-1] == "" {
		chunks = chunks[:len(chunks)-1]
	}
	return Reply{Chunks: chunks}
}

// Server is the fake: an httptest server that records what it is asked.
type Server struct {
	*httptest.Server

	// Calls counts chat requests; Conns counts TCP connections accepted (a client that
	// doesn't reuse connections opens one per reply).
	Calls, Conns atomic.Int64

	reply func(api.ChatRequest) Reply

	mu       sync.Mutex
	bodies   [][]byte // every chat request body, as received
	embedded []string // every text /api/embed was asked for
	timing   bool
	ttfts    []time.Duration
}

// Start starts the fake on a loopback port; reply decides each answer from the request.
// Close it when done.
func Start(reply func(req api.ChatRequest) Reply) *Server {
	s := &Server{reply: reply}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.Conns.Add(1)
		}
	}
	s.Server.Start()
	return s
}

// Close ends the streams still open, then stops the server.
func (s *Server) Close() {
	s.CloseClientConnections()
	s.Server.Close()
}

// Requests returns the chat requests received so far.
func (s *Server) Requests() []api.ChatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]api.ChatRequest, 0, len(s.bodies))
	for _, b := range s.bodies {
		var req api.ChatRequest
		_ = json.Unmarshal(b, &req)
		out = append(out, req)
	}
	return out
}

// FirstBody returns the first chat request's body as it was sent, or nil.
func (s *Server) FirstBody() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.bodies) == 0 {
		return nil
	}
	return s.bodies[0]
}

// Embedded returns the texts /api/embed was asked to embed so far.
func (s *Server) Embedded() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.embedded...)
}

// TimeFirstTokens starts collecting the fake's own time to first token per call (from
// the request's arrival to its first line flushed), so a caller's share of the time
// to first token can be told from the model's under the same machine load.
func (s *Server) TimeFirstTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timing, s.ttfts = true, nil
}

// FirstTokenTimes stops collecting and returns what was collected.
func (s *Server) FirstTokenTimes() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timing = false
	return s.ttfts
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	switch {
	case r.URL.Path == "/api/embed":
		s.embed(w, r)
		return
	case r.URL.Path != "/api/chat" || r.Method != http.MethodPost:
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	var body json.RawMessage
	var req api.ChatRequest
	err := json.NewDecoder(r.Body).Decode(&body)
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
		return
	}
	s.Calls.Add(1)
	s.mu.Lock()
	s.bodies = append(s.bodies, body)
	s.mu.Unlock()
	rep := s.reply(req)
	if rep.Status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rep.Status)
		_, _ = w.Write([]byte(`{"error":"model is unavailable"}`))
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	flusher, _ := w.(http.Flusher)
	enc := json.NewEncoder(w)
	send := func(v any) bool {
		if enc.Encode(v) != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		return true
	}
	message := func(m api.Message, done bool) api.ChatResponse {
		resp := api.ChatResponse{Model: req.Model, CreatedAt: time.Now().UTC(), Message: m, Done: done}
		if done {
			resp.DoneReason = "stop"
		}
		return resp
	}
	if !Wait(r, rep.FirstTokenDelay) {
		return
	}
	for i, c := range rep.Chunks {
		if rep.FailAfter > 0 && i == rep.FailAfter {
			send(map[string]string{"error": "an error was encountered while running the model"})
			return
		}
		if i > 0 && !Wait(r, rep.ChunkDelay) {
			return
		}
		if i > 0 && rep.BeforeChunk != nil {
			rep.BeforeChunk(i)
		}
		if !send(message(api.Message{Role: "assistant", Content: c}, false)) {
			return
		}
		if i == 0 {
			s.mu.Lock()
			if s.timing {
				s.ttfts = append(s.ttfts, time.Since(arrived))
			}
			s.mu.Unlock()
		}
	}
	if len(rep.ToolCalls) > 0 {
		send(message(api.Message{Role: "assistant", ToolCalls: rep.ToolCalls}, false))
	}
	send(message(api.Message{Role: "assistant"}, true))
}

// embed answers /api/embed with deterministic bag-of-words vectors: texts sharing words
// are close, so fused rankings behave as with a real embedding model.
func (s *Server) embed(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model string `json:"model"`
		Input any    `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
		return
	}
	var texts []string
	switch in := req.Input.(type) {
	case string:
		texts = []string{in}
	case []any:
		for _, t := range in {
			text, _ := t.(string)
			texts = append(texts, text)
		}
	}
	s.mu.Lock()
	s.embedded = append(s.embedded, texts...)
	s.mu.Unlock()
	resp := api.EmbedResponse{Model: req.Model}
	for _, t := range texts {
		v := make([]float32, 64)
		for _, word := range strings.Fields(strings.ToLower(t)) {
			h := fnv.New32a()
			h.Write([]byte(strings.Trim(word, ".,!?;:()")))
			v[h.Sum32()%64]++
		}
		resp.Embeddings = append(resp.Embeddings, v)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// Wait waits d unless the caller hangs up first, so a slow fake never holds up its
// server's Close; it reports whether to go on.
func Wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
