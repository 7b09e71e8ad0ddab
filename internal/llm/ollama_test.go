package llm

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"frontdesk/internal/llm/ollamatest"
)

// The lines below are what Ollama's /api/chat writes, one api.ChatResponse per line.
const (
	ollamaDone = `{"model":"llama3.2","created_at":"2025-06-01T10:00:01.523456Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":26,"prompt_eval_duration":342546000,"eval_count":12,"eval_duration":4535599000}` + "\n"
	ollamaBusy = `{"error":"server busy, please try again.  maximum pending requests exceeded"}`
)

func ollamaLine(text string) string {
	return `{"model":"llama3.2","created_at":"2025-06-01T10:00:00.123456Z","message":{"role":"assistant","content":"` + text + `"},"done":false}` + "\n"
}

// fakeOllama serves handle at Ollama's paths and returns a provider pointed at it.
func fakeOllama(t *testing.T, c *captured, handle func(w http.ResponseWriter, r *http.Request, call int)) *Ollama {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		call := c.record(r)
		if r.URL.Path == "/api/chat" {
			w.Header().Set("Content-Type", "application/x-ndjson")
		} else {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		}
		handle(w, r, call)
	}))
	t.Cleanup(srv.Close)
	p, err := NewOllama(srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOllamaStreamsText(t *testing.T) {
	c := &captured{}
	p := fakeOllama(t, c, func(w http.ResponseWriter, r *http.Request, _ int) {
		for _, s := range []string{"We open", " at 8", " tomorrow."} {
			writeFlush(w, ollamaLine(s))
		}
		writeFlush(w, ollamaDone)
	})
	assertStreamsSample(t, p, "llama3.2:3b", 200)
	if c.path != "/api/chat" {
		t.Errorf("path = %s", c.path)
	}
	body := c.json(t)
	assertJSON(t, "model", body["model"], `"llama3.2:3b"`)
	assertJSON(t, "stream", body["stream"], `true`)
	assertJSON(t, "options", body["options"], `{"num_predict":200}`)
	assertJSON(t, "messages", body["messages"], `[
		{"role":"system","content":"You are the front desk."},
		{"role":"user","content":"Hi, can I book a cleaning?"},
		{"role":"assistant","content":"Sure.","tool_calls":[{"id":"call_1","function":{"index":0,"name":"save_lead","arguments":{"name":"Ann"}}}]},
		{"role":"tool","content":"saved","tool_name":"save_lead","tool_call_id":"call_1"},
		{"role":"user","content":"Thanks!"}]`)
	assertJSON(t, "tools", body["tools"], `[{"type":"function","function":{
		"name":"save_lead","description":"Save the visitor's contact details.",
		"parameters":{"type":"object","required":["name"],"properties":{
			"name":{"type":"string","description":"Full name"},"phone":{"type":"string"}}}}}]`)
}

// Tools are converted to Ollama's types once and reused; a tool with another schema
// under the same name is converted anew.
func TestOllamaToolsConvertedOnceEach(t *testing.T) {
	c := &captured{}
	p := fakeOllama(t, c, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, ollamaLine("Hi"))
		writeFlush(w, ollamaDone)
	})
	other := []Tool{{Name: "save_lead", Description: "Save the visitor's contact details.", Parameters: map[string]any{
		"type": "object", "properties": map[string]any{"email": map[string]any{"type": "string"}}}}}
	want := map[string]string{
		"sample": `[{"type":"function","function":{"name":"save_lead","description":"Save the visitor's contact details.",
			"parameters":{"type":"object","required":["name"],"properties":{
			"name":{"type":"string","description":"Full name"},"phone":{"type":"string"}}}}}]`,
		"other": `[{"type":"function","function":{"name":"save_lead","description":"Save the visitor's contact details.",
			"parameters":{"type":"object","properties":{"email":{"type":"string"}}}}}]`,
	}
	for _, step := range []struct {
		name  string
		tools []Tool
	}{{"sample", sampleTools}, {"sample", sampleTools}, {"other", other}, {"sample", sampleTools}} {
		if err := p.Chat(context.Background(), Request{Messages: sampleConversation, Tools: step.tools}, (&recorder{}).emit); err != nil {
			t.Fatal(err)
		}
		assertJSON(t, step.name+" tools", c.json(t)["tools"], want[step.name])
	}
	if len(p.tools) != 2 {
		t.Fatalf("%d tools converted, want 2", len(p.tools))
	}
}

func TestOllamaDefaultModel(t *testing.T) {
	c := &captured{}
	p := fakeOllama(t, c, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, ollamaLine("Hi"))
		writeFlush(w, ollamaDone)
	})
	p.Model = "qwen3:4b"
	if err := p.Chat(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "hi"}}}, (&recorder{}).emit); err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "model", c.json(t)["model"], `"qwen3:4b"`)
}

func TestOllamaToolCall(t *testing.T) {
	p := fakeOllama(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		// Ollama sends each tool call whole; older servers send no id.
		writeFlush(w, `{"model":"llama3.2","created_at":"2025-06-01T10:00:00.1Z","message":{"role":"assistant","content":"","tool_calls":[{"id":"call_x9h2kq1d","function":{"index":0,"name":"save_lead","arguments":{"name":"Ann Lee","phone":"555-0100"}}}]},"done":false}`+"\n")
		writeFlush(w, `{"model":"llama3.2","created_at":"2025-06-01T10:00:00.2Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"index":1,"name":"save_lead","arguments":{"name":"Bo"}}}]},"done":false}`+"\n")
		writeFlush(w, ollamaDone)
	})
	rec := &recorder{}
	if err := p.Chat(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "I'm Ann"}}, Tools: sampleTools}, rec.emit); err != nil {
		t.Fatal(err)
	}
	if len(rec.calls) != 2 {
		t.Fatalf("got %d tool calls, want 2", len(rec.calls))
	}
	if c := rec.calls[0]; c.ID != "call_x9h2kq1d" || c.Name != "save_lead" {
		t.Errorf("call = %+v", c)
	}
	assertArgs(t, rec.calls[0], map[string]any{"name": "Ann Lee", "phone": "555-0100"})
	if c := rec.calls[1]; !strings.HasPrefix(c.ID, "call_") || c.ID == rec.calls[0].ID {
		t.Errorf("call without id got id %q, want a fresh call_ id", c.ID)
	}
	assertArgs(t, rec.calls[1], map[string]any{"name": "Bo"})
}

func TestOllamaErrorMidStream(t *testing.T) {
	p := fakeOllama(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, ollamaLine("We open"))
		writeFlush(w, `{"error":"an error was encountered while running the model: unexpected EOF"}`+"\n")
	})
	rec := &recorder{}
	err := p.Chat(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "hours?"}}}, rec.emit)
	if err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Fatalf("err = %v, want the model's error", err)
	}
	if rec.text() != "We open" {
		t.Errorf("text = %q", rec.text())
	}
}

func TestOllamaTruncatedStreamIsAnError(t *testing.T) {
	p := fakeOllama(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, ollamaLine("We open"))
		panic(http.ErrAbortHandler) // the connection drops before done:true
	})
	err := p.Chat(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "hours?"}}}, (&recorder{}).emit)
	if err == nil {
		t.Fatal("a stream cut before done:true returned no error")
	}
}

func TestOllamaSlowFirstToken(t *testing.T) {
	p := fakeOllama(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		if ollamatest.Wait(r, 500*time.Millisecond) {
			writeFlush(w, ollamaLine("late"))
			writeFlush(w, ollamaDone)
		}
	})
	assertFirstTokenTimeout(t, p)
}

func TestOllamaRetriesBusyServerBeforeFirstToken(t *testing.T) {
	c := &captured{}
	p := fakeOllama(t, c, func(w http.ResponseWriter, r *http.Request, call int) {
		if call == 1 {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			writeFlush(w, ollamaBusy)
			return
		}
		writeFlush(w, ollamaLine("Hello"))
		writeFlush(w, ollamaDone)
	})
	assertRetriedOnce(t, p, c)
}

func TestOllamaNoRetryAfterFirstToken(t *testing.T) {
	c := &captured{}
	p := fakeOllama(t, c, func(w http.ResponseWriter, r *http.Request, call int) {
		writeFlush(w, ollamaLine("Hello"))
		panic(http.ErrAbortHandler)
	})
	assertNoRetryAfterFirstToken(t, p, c)
}

func TestOllamaClientDisconnects(t *testing.T) {
	serverSawDone := make(chan struct{})
	p := fakeOllama(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, ollamaLine("We"))
		<-r.Context().Done()
		close(serverSawDone)
	})
	assertCancelReachesServer(t, p, serverSawDone)
}

func TestOllamaEmbed(t *testing.T) {
	c := &captured{}
	p := fakeOllama(t, c, func(w http.ResponseWriter, r *http.Request, _ int) {
		writeFlush(w, `{"model":"nomic-embed-text","embeddings":[[0.010071029,-0.0017594862,0.05007221],[0.25,0.5,-1]],"total_duration":14143917,"load_duration":1019500,"prompt_eval_count":8}`)
	})
	vecs, err := p.Embed(context.Background(), "", []string{"opening hours", "insurance"})
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != 2 || len(vecs[0]) != 3 || vecs[0][0] != float32(0.010071029) || vecs[1][2] != -1 {
		t.Errorf("vectors = %v", vecs)
	}
	if c.path != "/api/embed" {
		t.Errorf("path = %s", c.path)
	}
	body := c.json(t)
	assertJSON(t, "model", body["model"], `"nomic-embed-text"`)
	assertJSON(t, "input", body["input"], `["opening hours","insurance"]`)
}

func TestOllamaEmbedMissingModel(t *testing.T) {
	p := fakeOllama(t, &captured{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.WriteHeader(http.StatusNotFound)
		writeFlush(w, `{"error":"model \"nomic-embed-text\" not found, try pulling it first"}`)
	})
	_, err := p.Embed(context.Background(), "", []string{"x"})
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("err = %v", err)
	}
	if retryable(err) {
		t.Error("a missing model must not be retried")
	}
}

func TestOllamaURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "http://127.0.0.1:11434",
		"gpu-box":                   "http://gpu-box:11434",
		"10.0.0.5:8080":             "http://10.0.0.5:8080",
		"https://ollama.example":    "https://ollama.example",
		"http://localhost:11434/":   "http://localhost:11434/",
		"http://[::1]:11434/ollama": "http://[::1]:11434/ollama",
	} {
		u, err := ollamaURL(in)
		if err != nil || u.String() != want {
			t.Errorf("ollamaURL(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
}
