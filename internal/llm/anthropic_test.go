package llm

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"frontdesk/internal/llm/ollamatest"
)

// The events below are what the Messages API streams, as its docs show them.
const (
	anthropicStart = "event: message_start\n" +
		`data: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2}}}` + "\n\n"
	anthropicPing = "event: ping\n" +
		`data: {"type": "ping"}` + "\n\n"
	anthropicEnd = "event: message_delta\n" +
		`data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}` + "\n\n" +
		"event: message_stop\n" +
		`data: {"type":"message_stop"}` + "\n\n"
	anthropicOverloaded = `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`
)

func anthropicTextStart(index int) string {
	return "event: content_block_start\n" +
		`data: {"type":"content_block_start","index":` + itoa(index) + `,"content_block":{"type":"text","text":""}}` + "\n\n"
}

func anthropicText(index int, text string) string {
	return "event: content_block_delta\n" +
		`data: {"type":"content_block_delta","index":` + itoa(index) + `,"delta":{"type":"text_delta","text":"` + text + `"}}` + "\n\n"
}

func anthropicStop(index int) string {
	return "event: content_block_stop\n" +
		`data: {"type":"content_block_stop","index":` + itoa(index) + `}` + "\n\n"
}

func itoa(i int) string { return strconv.Itoa(i) }

// fakeAnthropic serves handle at /v1/messages and returns a provider pointed at it.
func fakeAnthropic(t *testing.T, c *captured, handle func(w http.ResponseWriter, r *http.Request, call int)) *Anthropic {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		call := c.record(r)
		if r.URL.Path != "/v1/messages" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy")
		handle(w, r, call)
	}))
	t.Cleanup(srv.Close)
	p, err := NewAnthropic("sk-ant-test", srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAnthropicStreamsText(t *testing.T) {
	c := &captured{}
	p := fakeAnthropic(t, c, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, anthropicStart+anthropicTextStart(0)+anthropicPing)
		for _, s := range []string{"We open", " at 8", " tomorrow."} {
			writeFlush(w, anthropicText(0, s))
		}
		writeFlush(w, anthropicStop(0)+anthropicEnd)
	})
	assertStreamsSample(t, p, "claude-haiku-4-5", 300)
	if got := c.header.Get("X-Api-Key"); got != "sk-ant-test" {
		t.Errorf("x-api-key = %q", got)
	}
	if c.header.Get("Anthropic-Version") == "" {
		t.Error("no anthropic-version header")
	}
	body := c.json(t)
	assertJSON(t, "model", body["model"], `"claude-haiku-4-5"`)
	assertJSON(t, "stream", body["stream"], `true`)
	assertJSON(t, "max_tokens", body["max_tokens"], `300`)
	assertJSON(t, "system", body["system"], `[{"type":"text","text":"You are the front desk."}]`)
	// The tool result and the next user text share one user turn.
	assertJSON(t, "messages", body["messages"], `[
		{"role":"user","content":[{"type":"text","text":"Hi, can I book a cleaning?"}]},
		{"role":"assistant","content":[
			{"type":"text","text":"Sure."},
			{"type":"tool_use","id":"call_1","name":"save_lead","input":{"name":"Ann"}}]},
		{"role":"user","content":[
			{"type":"tool_result","tool_use_id":"call_1","content":[{"type":"text","text":"saved"}],"is_error":false},
			{"type":"text","text":"Thanks!"}]}]`)
	assertJSON(t, "tools", body["tools"], `[{"name":"save_lead","description":"Save the visitor's contact details.",
		"input_schema":{"type":"object","required":["name"],"properties":{
			"name":{"type":"string","description":"Full name"},"phone":{"type":"string"}}}}]`)
}

func TestAnthropicDefaults(t *testing.T) {
	c := &captured{}
	p := fakeAnthropic(t, c, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, anthropicStart+anthropicTextStart(0)+anthropicText(0, "Hi")+anthropicStop(0)+anthropicEnd)
	})
	if err := p.Chat(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "hi"}}}, (&recorder{}).emit); err != nil {
		t.Fatal(err)
	}
	body := c.json(t)
	assertJSON(t, "model", body["model"], `"`+DefaultModel(NameAnthropic)+`"`)
	assertJSON(t, "max_tokens", body["max_tokens"], `1024`)
	if _, ok := body["system"]; ok {
		t.Error("an empty system prompt was sent")
	}
}

func TestAnthropicDropsOpeningGreeting(t *testing.T) {
	p, err := NewAnthropic("sk-ant-test", "http://127.0.0.1:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	params, err := p.params(Request{Messages: []Message{
		{Role: RoleAssistant, Content: "Hi! How can we help?"},
		{Role: RoleUser, Content: "Are you open Saturday?"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "messages", params.Messages, `[{"role":"user","content":[{"type":"text","text":"Are you open Saturday?"}]}]`)
}

func TestAnthropicToolCall(t *testing.T) {
	p := fakeAnthropic(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, anthropicStart+anthropicTextStart(0)+anthropicText(0, "Let me note that.")+anthropicStop(0))
		writeFlush(w, "event: content_block_start\n"+
			`data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"save_lead","input":{}}}`+"\n\n")
		for _, part := range []string{``, `{\"name\": \"Ann`, ` Lee\", \"ph`, `one\": \"555-0100\"}`} {
			writeFlush(w, "event: content_block_delta\n"+
				`data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"`+part+`"}}`+"\n\n")
		}
		writeFlush(w, anthropicStop(1)+"event: message_delta\n"+
			`data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}`+"\n\n"+
			"event: message_stop\n"+`data: {"type":"message_stop"}`+"\n\n")
	})
	rec := &recorder{}
	if err := p.Chat(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "I'm Ann"}}, Tools: sampleTools}, rec.emit); err != nil {
		t.Fatal(err)
	}
	if rec.text() != "Let me note that." {
		t.Errorf("text = %q", rec.text())
	}
	if len(rec.calls) != 1 {
		t.Fatalf("got %d tool calls, want 1", len(rec.calls))
	}
	if c := rec.calls[0]; c.ID != "toolu_01T1x1fJ34qAmk2tNTrN7Up6" || c.Name != "save_lead" {
		t.Errorf("call = %+v", c)
	}
	assertArgs(t, rec.calls[0], map[string]any{"name": "Ann Lee", "phone": "555-0100"})
}

func TestAnthropicErrorEventMidStream(t *testing.T) {
	p := fakeAnthropic(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, anthropicStart+anthropicTextStart(0)+anthropicText(0, "We open"))
		writeFlush(w, "event: error\n"+`data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}`+"\n\n")
	})
	rec := &recorder{}
	err := p.Chat(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "hours?"}}}, rec.emit)
	if err == nil || !strings.Contains(err.Error(), "Overloaded") {
		t.Fatalf("err = %v, want the overloaded error", err)
	}
	if rec.text() != "We open" {
		t.Errorf("text = %q", rec.text())
	}
}

func TestAnthropicTruncatedStreamIsAnError(t *testing.T) {
	p := fakeAnthropic(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, anthropicStart+anthropicTextStart(0)+anthropicText(0, "We open"))
		panic(http.ErrAbortHandler)
	})
	err := p.Chat(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "hours?"}}}, (&recorder{}).emit)
	if err == nil {
		t.Fatal("a stream cut before message_stop returned no error")
	}
}

func TestAnthropicSlowFirstToken(t *testing.T) {
	p := fakeAnthropic(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		// The message starts at once, but the model takes long to say anything.
		writeFlush(w, anthropicStart+anthropicTextStart(0))
		if ollamatest.Wait(r, 500*time.Millisecond) {
			writeFlush(w, anthropicText(0, "late")+anthropicStop(0)+anthropicEnd)
		}
	})
	assertFirstTokenTimeout(t, p)
}

func TestAnthropicRetriesOverloadBeforeFirstToken(t *testing.T) {
	c := &captured{}
	p := fakeAnthropic(t, c, func(w http.ResponseWriter, r *http.Request, call int) {
		if call == 1 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(529) // Anthropic's "overloaded"
			writeFlush(w, anthropicOverloaded)
			return
		}
		writeFlush(w, anthropicStart+anthropicTextStart(0)+anthropicText(0, "Hello")+anthropicStop(0)+anthropicEnd)
	})
	assertRetriedOnce(t, p, c)
}

func TestAnthropicOverloadEventBeforeTextRetried(t *testing.T) {
	c := &captured{}
	p := fakeAnthropic(t, c, func(w http.ResponseWriter, r *http.Request, call int) {
		if call == 1 {
			// The stream opened with 200, then the API ran out of capacity.
			writeFlush(w, anthropicStart+"event: error\n"+`data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}`+"\n\n")
			return
		}
		writeFlush(w, anthropicStart+anthropicTextStart(0)+anthropicText(0, "Hello")+anthropicStop(0)+anthropicEnd)
	})
	assertRetriedOnce(t, p, c)
}

func TestAnthropicBadRequestNotRetried(t *testing.T) {
	c := &captured{}
	p := fakeAnthropic(t, c, func(w http.ResponseWriter, r *http.Request, call int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		writeFlush(w, `{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}}`)
	})
	err := WithTimeouts(p, 5*time.Second, 10*time.Second).Chat(context.Background(),
		Request{Messages: []Message{{Role: RoleUser, Content: "hi"}}}, (&recorder{}).emit)
	if err == nil || c.calls.Load() != 1 {
		t.Fatalf("err = %v after %d calls, want an error after 1", err, c.calls.Load())
	}
}

func TestAnthropicNoRetryAfterFirstToken(t *testing.T) {
	c := &captured{}
	p := fakeAnthropic(t, c, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, anthropicStart+anthropicTextStart(0)+anthropicText(0, "Hello"))
		writeFlush(w, "event: error\n"+`data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}`+"\n\n")
	})
	assertNoRetryAfterFirstToken(t, p, c)
}

func TestAnthropicClientDisconnects(t *testing.T) {
	serverSawDone := make(chan struct{})
	p := fakeAnthropic(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, anthropicStart+anthropicTextStart(0)+anthropicText(0, "We"))
		<-r.Context().Done()
		close(serverSawDone)
	})
	assertCancelReachesServer(t, p, serverSawDone)
}

func TestAnthropicHasNoEmbeddings(t *testing.T) {
	p, err := NewAnthropic("sk-ant-test", "http://127.0.0.1:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Embed(context.Background(), "", []string{"x"}); !errors.Is(err, ErrNoEmbeddings) {
		t.Errorf("err = %v, want ErrNoEmbeddings", err)
	}
}

func TestAnthropicNeedsAKey(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "")
	if _, err := NewAnthropic("", "", nil); err == nil {
		t.Error("NewAnthropic without a key succeeded")
	}
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-env")
	if _, err := NewAnthropic("", "", nil); err != nil {
		t.Errorf("NewAnthropic with ANTHROPIC_API_KEY: %v", err)
	}
}
