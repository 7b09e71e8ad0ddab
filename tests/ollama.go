package tests

import (
	"testing"

	"github.com/ollama/ollama/api"

	"frontdesk/internal/llm/ollamatest"
)

// NewFakeOllama starts a fake Ollama (see internal/llm/ollamatest) that reply scripts,
// closed when the test ends.
func NewFakeOllama(t testing.TB, reply func(req api.ChatRequest) ollamatest.Reply) *ollamatest.Server {
	t.Helper()
	f := ollamatest.Start(reply)
	t.Cleanup(f.Close)
	return f
}
