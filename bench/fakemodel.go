package main

import (
	"errors"
	"strings"
	"time"

	"github.com/ollama/ollama/api"

	"frontdesk/internal/llm/ollamatest"
)

// replyWords are the fake model's words: plain, so no Frontdesk guard ever mistakes a
// reply for a leak of its prompt.
var replyWords = strings.Fields(`Thanks for asking our front desk can help with that today and
	the team will be glad to see you soon`)

// fakeModel is Ollama's /api/chat at its wire protocol (internal/llm/ollamatest) with a
// fixed time to first token and pace, so the latency the model itself contributes is
// known and the same whether Frontdesk or the benchmark calls it.
type fakeModel struct {
	*ollamatest.Server
	chunks []string
}

// startFakeModel listens on a loopback port and serves replies of tokens chunks.
func startFakeModel(ttft, pace time.Duration, tokens int) *fakeModel {
	f := &fakeModel{}
	for i := range max(tokens, 1) {
		f.chunks = append(f.chunks, replyWords[i%len(replyWords)]+" ")
	}
	f.Server = ollamatest.Start(func(api.ChatRequest) ollamatest.Reply {
		return ollamatest.Reply{Chunks: f.chunks, FirstTokenDelay: ttft, ChunkDelay: pace}
	})
	return f
}

// reply is the whole text of every reply, which Frontdesk must pass on unchanged.
func (f *fakeModel) reply() string { return strings.Join(f.chunks, "") }

// errNoRequest means the warm-up turn never reached the model, so there is no request
// shape to replay.
var errNoRequest = errors.New("the fake model received no chat request during warm-up")
