package tests

import (
	"net"
	"net/http"
	"testing"
	"time"

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

func loopbackTransport(from string) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 10 * time.Second}).DialContext
	tr.MaxIdleConnsPerHost = 100
	return tr
}
