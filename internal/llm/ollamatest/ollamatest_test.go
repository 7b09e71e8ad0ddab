package ollamatest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"frontdesk/internal/llm"
	"frontdesk/internal/llm/ollamatest"
)

func TestWordsJoinBackIntoTheText(t *testing.T) {
	for _, text := range []string{"", "one", "one two  three ", "trailing "} {
		if got := strings.Join(ollamatest.Words(text).Chunks, ""); got != text {
			t.Errorf("Words(%q) joins into %q", text, got)
		}
	}
}

// The production Ollama provider reads the fake's stream as it reads Ollama's.
func TestTheOllamaProviderReadsTheFake(t *testing.T) {
	f := ollamatest.Start(func(req api.ChatRequest) ollamatest.Reply {
		r := ollamatest.Words("We open at nine.")
		r.ChunkDelay = time.Millisecond
		return r
	})
	defer f.Close()
	p, err := llm.New(llm.Config{Provider: llm.NameOllama, BaseURL: f.URL, Model: "m"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.TimeFirstTokens()
	var got strings.Builder
	err = p.Chat(context.Background(), llm.Request{Model: "m", Messages: []llm.Message{{Role: llm.RoleUser, Content: "When do you open?"}}}, func(ev llm.Event) error {
		got.WriteString(ev.Text)
		return nil
	})
	if err != nil || got.String() != "We open at nine." {
		t.Fatalf("reply %q, error %v", got.String(), err)
	}
	if reqs := f.Requests(); len(reqs) != 1 || reqs[0].Messages[len(reqs[0].Messages)-1].Content != "When do you open?" || f.FirstBody() == nil {
		t.Fatalf("requests %v", reqs)
	}
	if n := len(f.FirstTokenTimes()); n != 1 || f.Calls.Load() != 1 || f.Conns.Load() != 1 {
		t.Fatalf("%d first-token times, %d calls, %d connections", n, f.Calls.Load(), f.Conns.Load())
	}
}
