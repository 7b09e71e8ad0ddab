package llm

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"frontdesk/internal/llm/ollamatest"
)

// The chunks below are what /v1/chat/completions streams with "stream": true.
const (
	openAIPrefix = `data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,`
	openAIRole   = openAIPrefix + `"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}` + "\n\n"
	openAIStop   = openAIPrefix + `"delta":{},"logprobs":null,"finish_reason":"stop"}]}` + "\n\n"
	openAIDone   = "data: [DONE]\n\n"
)

func openAIText(s string) string {
	return openAIPrefix + `"delta":{"content":"` + s + `"},"logprobs":null,"finish_reason":null}]}` + "\n\n"
}

// fakeOpenAI serves handle under /v1 and returns a provider pointed at it.
func fakeOpenAI(t *testing.T, c *captured, handle func(w http.ResponseWriter, r *http.Request, call int)) *OpenAI {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		call := c.record(r)
		switch r.URL.Path {
		case "/v1/chat/completions":
			w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		case "/v1/embeddings":
			w.Header().Set("Content-Type", "application/json")
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("x-request-id", "req_7a1c0d5e9b2f4c3a8e6d")
		handle(w, r, call)
	}))
	t.Cleanup(srv.Close)
	p, err := NewOpenAI("sk-proj-test", srv.URL+"/v1", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOpenAIStreamsText(t *testing.T) {
	c := &captured{}
	p := fakeOpenAI(t, c, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, openAIRole)
		for _, s := range []string{"We open", " at 8", " tomorrow."} {
			writeFlush(w, openAIText(s))
		}
		writeFlush(w, openAIStop+openAIDone)
	})
	assertStreamsSample(t, p, "gpt-4.1-mini", 300)
	if got := c.header.Get("Authorization"); got != "Bearer sk-proj-test" {
		t.Errorf("Authorization = %q", got)
	}
	body := c.json(t)
	assertJSON(t, "model", body["model"], `"gpt-4.1-mini"`)
	assertJSON(t, "stream", body["stream"], `true`)
	// Not api.openai.com: the widely understood max_tokens.
	assertJSON(t, "max_tokens", body["max_tokens"], `300`)
	assertJSON(t, "messages", body["messages"], `[
		{"role":"system","content":"You are the front desk."},
		{"role":"user","content":"Hi, can I book a cleaning?"},
		{"role":"assistant","content":"Sure.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"save_lead","arguments":"{\"name\":\"Ann\"}"}}]},
		{"role":"tool","content":"saved","tool_call_id":"call_1"},
		{"role":"user","content":"Thanks!"}]`)
	assertJSON(t, "tools", body["tools"], `[{"type":"function","function":{
		"name":"save_lead","description":"Save the visitor's contact details.",
		"parameters":{"type":"object","required":["name"],"properties":{
			"name":{"type":"string","description":"Full name"},"phone":{"type":"string"}}}}}]`)
}

func TestOpenAIToolCallAcrossChunks(t *testing.T) {
	p := fakeOpenAI(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, openAIPrefix+`"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"save_lead","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}]}`+"\n\n")
		for _, part := range []string{`{\"`, `name\":\"Ann`, ` Lee\",\"phone`, `\":\"555-0100\"}`} {
			writeFlush(w, openAIPrefix+`"delta":{"tool_calls":[{"index":0,"function":{"arguments":"`+part+`"}}]},"logprobs":null,"finish_reason":null}]}`+"\n\n")
		}
		writeFlush(w, openAIPrefix+`"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"save_lead","arguments":"{\"name\":"}}]},"logprobs":null,"finish_reason":null}]}`+"\n\n")
		writeFlush(w, openAIPrefix+`"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\"Bo\"}"}}]},"logprobs":null,"finish_reason":null}]}`+"\n\n")
		writeFlush(w, openAIPrefix+`"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}`+"\n\n"+openAIDone)
	})
	rec := &recorder{}
	if err := p.Chat(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "I'm Ann"}}, Tools: sampleTools}, rec.emit); err != nil {
		t.Fatal(err)
	}
	if len(rec.calls) != 2 {
		t.Fatalf("got %d tool calls, want 2", len(rec.calls))
	}
	if c := rec.calls[0]; c.ID != "call_DdmO9pD3xa9XTPNJ32zg2hcA" || c.Name != "save_lead" {
		t.Errorf("call = %+v", c)
	}
	assertArgs(t, rec.calls[0], map[string]any{"name": "Ann Lee", "phone": "555-0100"})
	if rec.calls[1].ID != "call_2" {
		t.Errorf("second call = %+v", rec.calls[1])
	}
	assertArgs(t, rec.calls[1], map[string]any{"name": "Bo"})
}

func TestOpenAIErrorMidStream(t *testing.T) {
	p := fakeOpenAI(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, openAIRole+openAIText("We open"))
		writeFlush(w, `data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}`+"\n\n")
	})
	rec := &recorder{}
	err := p.Chat(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "hours?"}}}, rec.emit)
	if err == nil || !strings.Contains(err.Error(), "Sorry about that") {
		t.Fatalf("err = %v, want the server's error", err)
	}
	if rec.text() != "We open" {
		t.Errorf("text = %q", rec.text())
	}
}

func TestOpenAIBrokenStream(t *testing.T) {
	p := fakeOpenAI(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, openAIRole+openAIText("We open"))
		panic(http.ErrAbortHandler) // the connection drops before finish_reason and [DONE]
	})
	rec := &recorder{}
	err := p.Chat(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "hours?"}}}, rec.emit)
	if err == nil {
		t.Fatal("a broken stream returned no error")
	}
	if rec.text() != "We open" {
		t.Errorf("text = %q", rec.text())
	}
}

func TestOpenAISlowFirstToken(t *testing.T) {
	p := fakeOpenAI(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, openAIRole) // the role arrives, the words do not
		if ollamatest.Wait(r, 500*time.Millisecond) {
			writeFlush(w, openAIText("late")+openAIStop+openAIDone)
		}
	})
	assertFirstTokenTimeout(t, p)
}

func TestOpenAIRetries503BeforeFirstToken(t *testing.T) {
	c := &captured{}
	p := fakeOpenAI(t, c, func(w http.ResponseWriter, r *http.Request, call int) {
		if call == 1 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			writeFlush(w, `{"error":{"message":"The engine is currently overloaded, please try again later.","type":"server_error","param":null,"code":null}}`)
			return
		}
		writeFlush(w, openAIRole+openAIText("Hello")+openAIStop+openAIDone)
	})
	assertRetriedOnce(t, p, c)
}

func TestOpenAIRateLimitRetriedThenGivesUp(t *testing.T) {
	c := &captured{}
	p := fakeOpenAI(t, c, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		writeFlush(w, `{"error":{"message":"Rate limit reached for gpt-4o-mini.","type":"requests","param":null,"code":"rate_limit_exceeded"}}`)
	})
	err := WithTimeouts(p, 5*time.Second, 10*time.Second).Chat(context.Background(),
		Request{Messages: []Message{{Role: RoleUser, Content: "hi"}}}, (&recorder{}).emit)
	if err == nil || !strings.Contains(err.Error(), "429") {
		t.Fatalf("err = %v, want the 429", err)
	}
	if n := c.calls.Load(); n != 3 {
		t.Errorf("%d calls, want 3 (one and two retries)", n)
	}
}

func TestOpenAINoRetryAfterFirstToken(t *testing.T) {
	c := &captured{}
	p := fakeOpenAI(t, c, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, openAIRole+openAIText("Hello"))
		panic(http.ErrAbortHandler)
	})
	assertNoRetryAfterFirstToken(t, p, c)
}

func TestOpenAIClientDisconnects(t *testing.T) {
	serverSawDone := make(chan struct{})
	p := fakeOpenAI(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, openAIRole+openAIText("We"))
		<-r.Context().Done()
		close(serverSawDone)
	})
	assertCancelReachesServer(t, p, serverSawDone)
}

func TestOpenAIEmbed(t *testing.T) {
	c := &captured{}
	p := fakeOpenAI(t, c, func(w http.ResponseWriter, r *http.Request, _ int) {
		// Out of order on purpose: the index, not the position, says which text.
		writeFlush(w, `{"object":"list","data":[
			{"object":"embedding","index":1,"embedding":[0.25,0.5,-1]},
			{"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292,0.015797347]}],
			"model":"text-embedding-3-small","usage":{"prompt_tokens":5,"total_tokens":5}}`)
	})
	vecs, err := p.Embed(context.Background(), "", []string{"opening hours", "insurance"})
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != 2 || vecs[0][0] != float32(0.0023064255) || vecs[1][2] != -1 {
		t.Errorf("vectors = %v", vecs)
	}
	if got := c.header.Get("Authorization"); got != "Bearer sk-proj-test" {
		t.Errorf("Authorization = %q", got)
	}
	body := c.json(t)
	assertJSON(t, "model", body["model"], `"text-embedding-3-small"`)
	assertJSON(t, "input", body["input"], `["opening hours","insurance"]`)
	assertJSON(t, "encoding_format", body["encoding_format"], `"float"`)
}

func TestOpenAIOfficialEndpoint(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	if _, err := NewOpenAI("", "", nil); err == nil {
		t.Error("NewOpenAI for api.openai.com without a key succeeded")
	}
	if _, err := NewOpenAI("", "http://127.0.0.1:8080/v1", nil); err != nil {
		t.Errorf("a keyless local endpoint: %v", err)
	}
	p, err := NewOpenAI("sk-proj-test", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := tokenLimitField(t, p, "gpt-4o-mini"); got != "max_completion_tokens" {
		t.Errorf("api.openai.com got %s, want max_completion_tokens", got)
	}
	// A compatible server relaying a reasoning model gets max_completion_tokens,
	// which the client insists on for those models; others keep max_tokens.
	local, err := NewOpenAI("", "http://127.0.0.1:8080/v1", nil)
	if err != nil {
		t.Fatal(err)
	}
	for model, want := range map[string]string{"o3-mini": "max_completion_tokens", "gpt-5-mini": "max_completion_tokens", "llama3.2": "max_tokens"} {
		if got := tokenLimitField(t, local, model); got != want {
			t.Errorf("%s got %s, want %s", model, got, want)
		}
	}
}

// tokenLimitField is the one field of the request body that carries the
// reply's token limit for model.
func tokenLimitField(t *testing.T, p *OpenAI, model string) string {
	t.Helper()
	params, err := p.params(Request{Model: model, MaxTokens: 100})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, f := range []string{"max_tokens", "max_completion_tokens"} {
		if body[f] == float64(100) {
			fields = append(fields, f)
		}
	}
	return strings.Join(fields, "+")
}
