package llm

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// wireFake answers Anthropic's /v1/messages and OpenAI's /v1/chat/completions with a
// one-word reply, recording the last request.
func wireFake(t *testing.T, c *captured) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.record(r)
		w.Header().Set("Content-Type", "text/event-stream")
		switch r.URL.Path {
		case "/v1/messages":
			writeFlush(w, anthropicStart+anthropicTextStart(0)+anthropicText(0, "Hi")+anthropicStop(0)+anthropicEnd)
		case "/v1/chat/completions":
			writeFlush(w, openAIRole+openAIText("Hi")+openAIStop+openAIDone)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func chatOnce(t *testing.T, p Provider) {
	t.Helper()
	if err := p.Chat(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "hi"}}}, (&recorder{}).emit); err != nil {
		t.Fatal(err)
	}
}

// sentKey reports whether any header of the last request carries key.
func (c *captured) sentKey(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, vs := range c.header {
		for _, v := range vs {
			if strings.Contains(v, key) {
				return true
			}
		}
	}
	return false
}

func TestEnvironmentKeysGoOnlyToTheEnvironmentsBaseURL(t *testing.T) {
	const anthropicEnvKey, openAIEnvKey = "sk-ant-from-the-environment", "sk-from-the-environment"
	env, other := &captured{}, &captured{}
	envSrv, otherSrv := wireFake(t, env), wireFake(t, other)
	t.Setenv("ANTHROPIC_API_KEY", anthropicEnvKey)
	t.Setenv("OPENAI_API_KEY", openAIEnvKey)
	t.Setenv("ANTHROPIC_BASE_URL", envSrv.URL)
	t.Setenv("OPENAI_BASE_URL", envSrv.URL+"/v1")

	// Another base URL without a key of its own: Anthropic refuses to build,
	// OpenAI-compatible servers are called without a key.
	if _, err := New(Config{Provider: NameAnthropic, BaseURL: otherSrv.URL}, nil); err == nil || !strings.Contains(err.Error(), "set an API key for this base URL") {
		t.Errorf("anthropic at another base URL without a key: err = %v", err)
	}
	p, err := New(Config{Provider: NameOpenAI, BaseURL: otherSrv.URL + "/v1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	chatOnce(t, p)
	if other.calls.Load() != 1 || other.sentKey(openAIEnvKey) || other.header.Get("Authorization") != "" {
		t.Errorf("openai at another base URL: %d calls, Authorization %q", other.calls.Load(), other.header.Get("Authorization"))
	}

	// With a key of its own, that key alone goes there.
	for _, cfg := range []Config{
		{Provider: NameAnthropic, BaseURL: otherSrv.URL, APIKey: "sk-practice"},
		{Provider: NameOpenAI, BaseURL: otherSrv.URL + "/v1", APIKey: "sk-practice"},
	} {
		p, err := New(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		chatOnce(t, p)
		if !other.sentKey("sk-practice") || other.sentKey(anthropicEnvKey) || other.sentKey(openAIEnvKey) {
			t.Errorf("%s with its own key: headers %v", cfg.Provider, other.header)
		}
	}

	// The environment's own base URL, given or not, gets the environment's key.
	for _, cfg := range []Config{
		{Provider: NameAnthropic},
		{Provider: NameAnthropic, BaseURL: envSrv.URL + "/"},
		{Provider: NameOpenAI},
		{Provider: NameOpenAI, BaseURL: strings.ToUpper(envSrv.URL[:4]) + envSrv.URL[4:] + "/v1/"},
	} {
		p, err := New(cfg, nil)
		if err != nil {
			t.Fatalf("%+v: %v", cfg, err)
		}
		chatOnce(t, p)
		want := anthropicEnvKey
		if cfg.Provider == NameOpenAI {
			want = openAIEnvKey
		}
		if !env.sentKey(want) {
			t.Errorf("%+v: the environment's key was not sent to its own base URL", cfg)
		}
	}
}

func TestEnvironmentKeysStayWithTheDefaultEndpoints(t *testing.T) {
	other := &captured{}
	otherSrv := wireFake(t, other)
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-from-the-environment")
	t.Setenv("OPENAI_API_KEY", "sk-from-the-environment")
	t.Setenv("ANTHROPIC_BASE_URL", "")
	t.Setenv("OPENAI_BASE_URL", "")
	if _, err := NewAnthropic("", otherSrv.URL, nil); err == nil {
		t.Error("the environment's Anthropic key was offered to another base URL")
	}
	p, err := NewOpenAI("", otherSrv.URL+"/v1", nil)
	if err != nil {
		t.Fatal(err)
	}
	chatOnce(t, p)
	if other.sentKey("sk-from-the-environment") {
		t.Error("the environment's OpenAI key went to another base URL")
	}
	// The public APIs, named explicitly, are the environment's endpoints.
	if _, err := NewAnthropic("", "https://api.anthropic.com", nil); err != nil {
		t.Errorf("api.anthropic.com: %v", err)
	}
	if _, err := NewOpenAI("", "https://api.openai.com/v1/", nil); err != nil {
		t.Errorf("api.openai.com: %v", err)
	}
}

func TestSameBaseURL(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"https://api.anthropic.com/", "https://api.anthropic.com", true},
		{"HTTPS://API.openai.com/v1", "https://api.openai.com:443/v1/", true},
		{"http://127.0.0.1:11434", "http://127.0.0.1:11434/", true},
		{"http://gpu-box", "http://gpu-box:80", true},
		{"https://api.openai.com/v1", "http://api.openai.com/v1", false},
		{"https://api.openai.com/v1", "https://api.openai.com/v2", false},
		{"https://api.openai.com/v1", "https://api.openai.com.evil.example/v1", false},
		{"https://api.anthropic.com", "https://user@api.anthropic.com", false},
		{"http://127.0.0.1:11434", "http://127.0.0.1:11435", false},
		{"", "https://api.anthropic.com", false},
		{"::", "::", false},
	} {
		if got := SameBaseURL(tc.a, tc.b); got != tc.same {
			t.Errorf("SameBaseURL(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}
