package chat_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/practice"
	"frontdesk/internal/llm"
	"frontdesk/models"
	"frontdesk/tests"
)

// Keys the operator set in the environment; they must reach no base URL a practice chose.
const (
	envAnthropicKey = "sk-ant-operator-environment-key"
	envOpenAIKey    = "sk-operator-environment-key"
)

// practiceModel is a server a practice admin controls, speaking both Anthropic's Messages
// and OpenAI's chat completions streams; it keeps the headers of every request.
type practiceModel struct {
	*httptest.Server
	mu      sync.Mutex
	headers []http.Header
}

const practiceModelReply = "Answer from the practice's own model."

func newPracticeModel(t *testing.T) *practiceModel {
	t.Helper()
	m := &practiceModel{}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.headers = append(m.headers, r.Header.Clone())
		m.mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		switch {
		case strings.HasSuffix(r.URL.Path, "/chat/completions"):
			fmt.Fprintf(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":%q},\"finish_reason\":null}]}\n\n", practiceModelReply)
			fmt.Fprint(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
		case strings.HasSuffix(r.URL.Path, "/v1/messages"):
			fmt.Fprint(w, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"m\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n")
			fmt.Fprint(w, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n")
			fmt.Fprintf(w, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":%q}}\n\n", practiceModelReply)
			fmt.Fprint(w, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n")
			fmt.Fprint(w, "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(m.Close)
	return m
}

func (m *practiceModel) requests() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.headers)
}

// sawSecret reports whether any request carried one of secrets in any header.
func (m *practiceModel) sawSecret(secrets ...string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, h := range m.headers {
		for _, vs := range h {
			for _, v := range vs {
				for _, s := range secrets {
					if strings.Contains(v, s) {
						return true
					}
				}
			}
		}
	}
	return false
}

func setEnvironmentKeys(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", envAnthropicKey)
	t.Setenv("OPENAI_API_KEY", envOpenAIKey)
	t.Setenv("ANTHROPIC_BASE_URL", "")
	t.Setenv("OPENAI_BASE_URL", "")
}

// patchDemo changes the demo practice's settings through the API as api's user.
func patchDemo(t *testing.T, app core.App, api func(string, string, any) *httptest.ResponseRecorder, data map[string]any) {
	t.Helper()
	b, _ := app.FindFirstRecordByData(models.BusinessesCollection, "slug", practice.DemoSlug)
	if rec := api("PATCH", "/api/collections/businesses/records/"+b.Id, data); rec.Code != http.StatusOK {
		t.Fatalf("patch %v: %d %s", data, rec.Code, rec.Body.String())
	}
}

func TestPracticeBaseURLNeverGetsTheEnvironmentKey(t *testing.T) {
	setEnvironmentKeys(t)
	model := newPracticeModel(t)
	v := tests.NewVisitor(t, tests.Options{AllowPrivateNetworks: true}) // the practice's server is on loopback
	admin := tests.AsStaff(t, v.App, v.H, "admin")
	id, token := v.Start()

	patchDemo(t, v.App, admin, map[string]any{"llm_provider": "openai", "llm_base_url": model.URL + "/v1"})
	if _, events := v.Send(id, token, "what are your opening hours?"); !strings.Contains(tests.Text(events), practiceModelReply) {
		t.Fatalf("the practice's OpenAI-compatible server was not used: %q", tests.Text(events))
	}
	patchDemo(t, v.App, admin, map[string]any{"llm_provider": "anthropic", "llm_base_url": model.URL})
	if _, events := v.Send(id, token, "what are your opening hours?"); len(events) == 0 || events[len(events)-1].Name != "done" {
		t.Fatalf("no answer with a keyless Anthropic base URL: %v", events)
	}
	if model.requests() == 0 {
		t.Fatal("the practice's server was never called")
	}
	if model.sawSecret(envAnthropicKey, envOpenAIKey) {
		t.Fatal("the environment's API key was sent to a base URL the practice chose")
	}
}

func TestOperatorConfiguredKeyStaysWithTheOperatorsBaseURL(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	operator, model := newPracticeModel(t), newPracticeModel(t)
	v := tests.NewVisitor(t, tests.Options{AllowPrivateNetworks: true, LLM: &llm.Config{Provider: "openai", BaseURL: operator.URL + "/v1", APIKey: envOpenAIKey}})
	admin := tests.AsStaff(t, v.App, v.H, "admin")
	id, token := v.Start()
	patchDemo(t, v.App, admin, map[string]any{"llm_base_url": model.URL + "/v1"})
	v.Send(id, token, "what are your opening hours?")
	if model.requests() == 0 || model.sawSecret(envOpenAIKey) {
		t.Fatalf("practice server: %d requests, operator's key sent: %v", model.requests(), model.sawSecret(envOpenAIKey))
	}
	if operator.requests() != 0 {
		t.Fatal("the operator's server was called for a practice with its own base URL")
	}
}

func TestStoredKeyIsClearedWhenTheBaseURLChanges(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	model := newPracticeModel(t)
	v := tests.NewVisitor(t, tests.Options{AllowPrivateNetworks: true})
	admin := tests.AsStaff(t, v.App, v.H, "admin")
	su := tests.AsSuperuser(t, v.App, v.H)
	storedKey := func() string {
		t.Helper()
		var raw string
		if err := v.App.DB().NewQuery("SELECT llm_api_key FROM businesses WHERE slug = 'demo'").Row(&raw); err != nil {
			t.Fatal(err)
		}
		return raw
	}
	const practiceKey = "sk-stored-for-the-practice"
	patchDemo(t, v.App, su, map[string]any{"llm_provider": "openai", "llm_base_url": "https://api.openai.com/v1", "llm_api_key": practiceKey})
	if storedKey() == "" {
		t.Fatal("the key given with a base URL was not stored")
	}
	// An unrelated change keeps it.
	patchDemo(t, v.App, admin, map[string]any{"greeting": "Hello there!"})
	if storedKey() == "" {
		t.Fatal("an unrelated change cleared the key")
	}
	// A new base URL without a new key: the key was stored for the old one.
	patchDemo(t, v.App, admin, map[string]any{"llm_base_url": model.URL + "/v1"})
	if storedKey() != "" {
		t.Fatal("the stored key outlived a change of base URL")
	}
	id, token := v.Start()
	v.Send(id, token, "what are your opening hours?")
	if model.requests() == 0 || model.sawSecret(practiceKey) {
		t.Fatalf("practice server: %d requests, stored key sent: %v", model.requests(), model.sawSecret(practiceKey))
	}
	// A new key with the new base URL is kept, and used there.
	patchDemo(t, v.App, su, map[string]any{"llm_base_url": model.URL + "/v1/", "llm_api_key": "sk-new-key"})
	if storedKey() == "" {
		t.Fatal("a key given with the new base URL was cleared")
	}
	v.Send(id, token, "what are your opening hours?")
	if !model.sawSecret("sk-new-key") {
		t.Fatal("the key stored with the base URL was not sent there")
	}
	// A change of provider moves the key to another service: cleared too.
	patchDemo(t, v.App, admin, map[string]any{"llm_provider": "anthropic"})
	if storedKey() != "" {
		t.Fatal("the stored key outlived a change of provider")
	}
}

func TestPracticeBaseURLOnLoopbackIsNeverDialled(t *testing.T) {
	setEnvironmentKeys(t)
	model := newPracticeModel(t)
	_, port, _ := net.SplitHostPort(model.Listener.Addr().String())
	v := tests.NewVisitor(t, tests.Options{})
	admin := tests.AsStaff(t, v.App, v.H, "admin")
	id, token := v.Start()
	for _, s := range []struct{ provider, url string }{
		{"openai", model.URL + "/v1"},
		{"openai", "http://localhost:" + port + "/v1"},
		{"anthropic", "http://[::ffff:127.0.0.1]:" + port},
		{"ollama", model.URL},
	} {
		patchDemo(t, v.App, admin, map[string]any{"llm_provider": s.provider, "llm_base_url": s.url, "llm_model": "m"})
		_, events := v.Send(id, token, "what are your opening hours?")
		if len(events) == 0 || events[len(events)-1].Name != "done" || strings.Contains(tests.Text(events), practiceModelReply) {
			t.Fatalf("%s at %s: %q", s.provider, s.url, tests.Text(events))
		}
	}
	if n := model.requests(); n != 0 {
		t.Fatalf("a practice's base URL on loopback was dialled %d times", n)
	}
}

func TestEnvironmentBaseURLOnLoopbackIsTrusted(t *testing.T) {
	operator := newPracticeModel(t)
	t.Setenv("OPENAI_API_KEY", envOpenAIKey)
	t.Setenv("OPENAI_BASE_URL", operator.URL+"/v1")
	v := tests.NewVisitor(t, tests.Options{LLM: &llm.Config{Provider: "openai"}})
	admin := tests.AsStaff(t, v.App, v.H, "admin")
	id, token := v.Start()
	if _, events := v.Send(id, token, "what are your opening hours?"); !strings.Contains(tests.Text(events), practiceModelReply) {
		t.Fatalf("the environment's model on loopback was not used: %q", tests.Text(events))
	}
	// A practice naming the environment's own base URL is sent there too.
	patchDemo(t, v.App, admin, map[string]any{"llm_base_url": operator.URL + "/v1/"})
	if _, events := v.Send(id, token, "what are your opening hours?"); !strings.Contains(tests.Text(events), practiceModelReply) {
		t.Fatalf("the environment's base URL named by the practice was refused: %q", tests.Text(events))
	}
	if operator.requests() != 2 || !operator.sawSecret(envOpenAIKey) {
		t.Fatalf("the environment's server got %d requests, its key: %v", operator.requests(), operator.sawSecret(envOpenAIKey))
	}
}
