package llm

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestNewChoosesProvider(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-env")
	t.Setenv("OPENAI_API_KEY", "sk-env")
	t.Setenv("FRONTDESK_MODEL", "")
	for _, tc := range []struct {
		env, name, want string
	}{
		{"", "", NameOffline},
		{"ollama", "", NameOllama},
		{"", "anthropic", NameAnthropic},
		{"ollama", "OpenAI", NameOpenAI},
		{"", "offline", NameOffline},
	} {
		t.Setenv("FRONTDESK_LLM", tc.env)
		p, err := New(Config{Provider: tc.name}, nil)
		if err != nil {
			t.Fatalf("New(%q) with FRONTDESK_LLM=%q: %v", tc.name, tc.env, err)
		}
		if p.Name() != tc.want {
			t.Errorf("New(%q) with FRONTDESK_LLM=%q = %s, want %s", tc.name, tc.env, p.Name(), tc.want)
		}
	}
	if _, err := New(Config{Provider: "gemini"}, nil); err == nil {
		t.Error("an unknown provider was accepted")
	}
}

func TestNewFillsFromEnvironment(t *testing.T) {
	c := &captured{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.record(r)
		w.Header().Set("Content-Type", "application/x-ndjson")
		writeFlush(w, ollamaLine("Hi")+ollamaDone)
	}))
	defer srv.Close()
	t.Setenv("OLLAMA_HOST", srv.URL)
	t.Setenv("FRONTDESK_MODEL", "gemma3:4b")
	p, err := New(Config{Provider: "ollama"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	if err := p.Chat(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "hi"}}}, rec.emit); err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "model", c.json(t)["model"], `"gemma3:4b"`)

	// An explicit model wins over FRONTDESK_MODEL.
	p, err = New(Config{Provider: "ollama", Model: "llama3.1:8b"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Chat(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "hi"}}}, rec.emit); err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "model", c.json(t)["model"], `"llama3.1:8b"`)
}

func TestDefaultModel(t *testing.T) {
	t.Setenv("FRONTDESK_MODEL", "")
	for provider, want := range map[string]string{
		NameOllama: "llama3.2", NameAnthropic: "claude-sonnet-4-5", NameOpenAI: "gpt-4o-mini", NameOffline: "",
	} {
		if got := DefaultModel(provider); got != want {
			t.Errorf("DefaultModel(%s) = %q, want %q", provider, got, want)
		}
	}
	t.Setenv("FRONTDESK_MODEL", "mistral")
	if got := DefaultModel(NameOllama); got != "mistral" {
		t.Errorf("with FRONTDESK_MODEL: %q", got)
	}
}

func TestHosted(t *testing.T) {
	for name, want := range map[string]bool{NameAnthropic: true, NameOpenAI: true, NameOllama: false, NameOffline: false} {
		if Hosted(name) != want {
			t.Errorf("Hosted(%s) = %v", name, !want)
		}
	}
}
