package tests

import (
	"encoding/json"
	"hash/fnv"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ollama/ollama/api"
)

// OllamaReply is what the fake Ollama streams for one /api/chat request.
type OllamaReply struct {
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

// FakeOllama is an httptest server speaking Ollama's /api/chat NDJSON protocol and its
// /api/embed JSON, so the production Ollama provider is what a test runs. It records
// every request.
type FakeOllama struct {
	*httptest.Server

	mu       sync.Mutex
	requests []api.ChatRequest
	embedded []string // every text /api/embed was asked for
}

// Embedded returns the texts /api/embed was asked to embed so far.
func (f *FakeOllama) Embedded() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.embedded...)
}

// embed answers /api/embed with deterministic bag-of-words vectors: texts sharing words
// are close, so fused rankings behave as with a real embedding model.
func (f *FakeOllama) embed(w http.ResponseWriter, r *http.Request) {
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
			s, _ := t.(string)
			texts = append(texts, s)
		}
	}
	f.mu.Lock()
	f.embedded = append(f.embedded, texts...)
	f.mu.Unlock()
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

// Requests returns the chat requests received so far.
func (f *FakeOllama) Requests() []api.ChatRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]api.ChatRequest(nil), f.requests...)
}

// NewFakeOllama starts the fake; reply decides each answer from the request.
func NewFakeOllama(t testing.TB, reply func(req api.ChatRequest) OllamaReply) *FakeOllama {
	t.Helper()
	f := &FakeOllama{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/embed" {
			f.embed(w, r)
			return
		}
		if r.URL.Path != "/api/chat" {
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
			return
		}
		var req api.ChatRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.requests = append(f.requests, req)
		f.mu.Unlock()
		rep := reply(req)
		if rep.Status != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(rep.Status)
			_, _ = w.Write([]byte(`{"error":"model is unavailable"}`))
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		flusher, _ := w.(http.Flusher)
		enc := json.NewEncoder(w)
		wait := func(d time.Duration) bool {
			if d == 0 {
				return true
			}
			select {
			case <-time.After(d):
				return true
			case <-r.Context().Done():
				return false
			}
		}
		if !wait(rep.FirstTokenDelay) {
			return
		}
		for i, c := range rep.Chunks {
			if rep.FailAfter > 0 && i == rep.FailAfter {
				_ = enc.Encode(map[string]string{"error": "an error was encountered while running the model"})
				return
			}
			if i > 0 && !wait(rep.ChunkDelay) {
				return
			}
			if i > 0 && rep.BeforeChunk != nil {
				rep.BeforeChunk(i)
			}
			_ = enc.Encode(api.ChatResponse{Model: req.Model, CreatedAt: time.Now().UTC(), Message: api.Message{Role: "assistant", Content: c}})
			if flusher != nil {
				flusher.Flush()
			}
		}
		if len(rep.ToolCalls) > 0 {
			_ = enc.Encode(api.ChatResponse{Model: req.Model, CreatedAt: time.Now().UTC(), Message: api.Message{Role: "assistant", ToolCalls: rep.ToolCalls}})
		}
		_ = enc.Encode(api.ChatResponse{Model: req.Model, CreatedAt: time.Now().UTC(), Message: api.Message{Role: "assistant"}, Done: true, DoneReason: "stop"})
	}))
	t.Cleanup(f.Close)
	return f
}

// Words is a reply that streams the words of text one by one.
func Words(text string) OllamaReply {
	var chunks []string
	start := 0
	for i, r := range text {
		if r == ' ' {
			chunks = append(chunks, text[start:i+1])
			start = i + 1
		}
	}
	if start < len(text) {
		chunks = append(chunks, text[start:])
	}
	return OllamaReply{Chunks: chunks}
}

func loopbackTransport(from string) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 10 * time.Second}).DialContext
	tr.MaxIdleConnsPerHost = 100
	return tr
}
