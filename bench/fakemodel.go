package main

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ollama/ollama/api"
)

// replyWords are the fake model's words: plain, so no Frontdesk guard ever mistakes a
// reply for a leak of its prompt.
var replyWords = strings.Fields(`Thanks for asking our front desk can help with that today and
	the team will be glad to see you soon`)

// fakeModel speaks Ollama's /api/chat wire protocol (one api.ChatResponse JSON per line,
// done:true last) with a fixed time to first token and pace, so the latency the model
// itself contributes is known and the same whether Frontdesk or the benchmark calls it.
type fakeModel struct {
	// URL is the base URL to hand to OLLAMA_HOST or api.NewClient.
	URL string

	ttft, pace time.Duration
	chunks     []string
	srv        *http.Server

	// calls and conns count chat requests and TCP connections accepted: a client that
	// doesn't reuse connections opens one per reply.
	calls, conns atomic.Int64

	mu        sync.Mutex
	firstBody []byte // the first chat request received, replayed by the direct phase
	recording bool
	ttfts     []time.Duration // the model's own TTFT per call while recording
}

// record starts collecting the model's own time to first token per call (from the
// request's arrival to its first line flushed), so Frontdesk's share of the TTFT can be
// told from the model's under the same machine load.
func (f *fakeModel) record() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recording, f.ttfts = true, nil
}

// recorded stops collecting and returns what was collected.
func (f *fakeModel) recorded() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recording = false
	return f.ttfts
}

// startFakeModel listens on a loopback port and serves replies of tokens chunks.
func startFakeModel(ttft, pace time.Duration, tokens int) (*fakeModel, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &fakeModel{URL: "http://" + ln.Addr().String(), ttft: ttft, pace: pace}
	for i := range max(tokens, 1) {
		f.chunks = append(f.chunks, replyWords[i%len(replyWords)]+" ")
	}
	f.srv = &http.Server{
		Handler:           http.HandlerFunc(f.serveChat),
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				f.conns.Add(1)
			}
		},
	}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

// reply is the whole text of every reply, which Frontdesk must pass on unchanged.
func (f *fakeModel) reply() string { return strings.Join(f.chunks, "") }

// requestBody returns the first chat request body the fake received, if any.
func (f *fakeModel) requestBody() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.firstBody
}

// close stops the server and ends the streams still open.
func (f *fakeModel) close() { _ = f.srv.Close() }

func (f *fakeModel) serveChat(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	if r.URL.Path != "/api/chat" || r.Method != http.MethodPost {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(r.Body)
	var req api.ChatRequest
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
		return
	}
	f.calls.Add(1)
	f.mu.Lock()
	if f.firstBody == nil {
		f.firstBody = body
	}
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/x-ndjson")
	flusher, _ := w.(http.Flusher)
	enc := json.NewEncoder(w)
	send := func(resp api.ChatResponse) error {
		resp.Model, resp.CreatedAt = req.Model, time.Now().UTC()
		if err := enc.Encode(resp); err != nil {
			return err
		}
		if flusher != nil {
			flusher.Flush()
		}
		return nil
	}
	if !sleep(r, f.ttft) {
		return
	}
	for i, c := range f.chunks {
		if i > 0 && !sleep(r, f.pace) {
			return
		}
		if send(api.ChatResponse{Message: api.Message{Role: "assistant", Content: c}}) != nil {
			return
		}
		if i == 0 {
			f.mu.Lock()
			if f.recording {
				f.ttfts = append(f.ttfts, time.Since(arrived))
			}
			f.mu.Unlock()
		}
	}
	_ = send(api.ChatResponse{Message: api.Message{Role: "assistant"}, Done: true, DoneReason: "stop"})
}

// sleep waits d unless the caller hangs up first; it reports whether to go on.
func sleep(r *http.Request, d time.Duration) bool {
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

// errNoRequest means the warm-up turn never reached the model, so there is no request
// shape to replay.
var errNoRequest = errors.New("the fake model received no chat request during warm-up")
