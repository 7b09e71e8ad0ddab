package tests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// FakeOpenAI is an httptest server speaking the OpenAI chat completions streaming
// protocol (SSE chunks ending in data: [DONE]); it records each request body.
type FakeOpenAI struct {
	*httptest.Server

	mu     sync.Mutex
	bodies []string
}

// OpenAIToolCall is a tool call the fake streams, its arguments split in two chunks.
type OpenAIToolCall struct {
	Name      string
	Arguments string
}

// Bodies returns the raw JSON request bodies received.
func (f *FakeOpenAI) Bodies() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies...)
}

// NewFakeOpenAI answers the first request with calls (if any) and every other with text.
func NewFakeOpenAI(t testing.TB, text string, calls ...OpenAIToolCall) *FakeOpenAI {
	f := &FakeOpenAI{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var raw json.RawMessage
		_ = json.NewDecoder(r.Body).Decode(&raw)
		f.mu.Lock()
		f.bodies = append(f.bodies, string(raw))
		n := len(f.bodies)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		chunk := func(delta string, finish string) {
			fin := "null"
			if finish != "" {
				fin = `"` + finish + `"`
			}
			fmt.Fprintf(w, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}\n\n", delta, fin)
			w.(http.Flusher).Flush()
		}
		if n == 1 && len(calls) > 0 {
			for i, c := range calls {
				half := len(c.Arguments) / 2
				first, _ := json.Marshal(c.Arguments[:half])
				second, _ := json.Marshal(c.Arguments[half:])
				chunk(fmt.Sprintf(`{"role":"assistant","tool_calls":[{"index":%d,"id":"call_%d","type":"function","function":{"name":%q,"arguments":%s}}]}`, i, i, c.Name, first), "")
				chunk(fmt.Sprintf(`{"tool_calls":[{"index":%d,"function":{"arguments":%s}}]}`, i, second), "")
			}
			chunk(`{}`, "tool_calls")
		} else {
			b, _ := json.Marshal(text)
			chunk(fmt.Sprintf(`{"role":"assistant","content":%s}`, b), "")
			chunk(`{}`, "stop")
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(f.Close)
	return f
}
