package llm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recorder collects what a provider emits.
type recorder struct {
	mu     sync.Mutex
	texts  []string
	calls  []ToolCall
	onText func(string) // optional hook, run after a text event is recorded
}

func (r *recorder) emit(ev Event) error {
	r.mu.Lock()
	if ev.ToolCall != nil {
		r.calls = append(r.calls, *ev.ToolCall)
	}
	if ev.Text != "" {
		r.texts = append(r.texts, ev.Text)
	}
	hook := r.onText
	r.mu.Unlock()
	if ev.Text != "" && hook != nil {
		hook(ev.Text)
	}
	return nil
}

func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.texts, "")
}

func (r *recorder) deltas() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.texts...)
}

// captured is what a fake server saw of the last request.
type captured struct {
	mu     sync.Mutex
	calls  atomic.Int32
	header http.Header
	path   string
	body   []byte
}

// record stores r and returns which call this is, counting from 1.
func (c *captured) record(r *http.Request) int {
	b, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.header, c.path, c.body = r.Header.Clone(), r.URL.Path, b
	c.mu.Unlock()
	return int(c.calls.Add(1))
}

func (c *captured) json(t *testing.T) map[string]any {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var m map[string]any
	if err := json.Unmarshal(c.body, &m); err != nil {
		t.Fatalf("request body is not JSON: %v\n%s", err, c.body)
	}
	return m
}

// writeFlush writes s and flushes it, so the client sees it as its own chunk.
func writeFlush(w http.ResponseWriter, s string) {
	_, _ = io.WriteString(w, s)
	w.(http.Flusher).Flush()
}

// assertJSON fails unless got, re-encoded, equals the JSON text want.
func assertJSON(t *testing.T, what string, got any, want string) {
	t.Helper()
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	var g, w any
	_ = json.Unmarshal(b, &g)
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad want JSON: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, b, want)
	}
}

// assertArgs fails unless the tool call arguments decode to want.
func assertArgs(t *testing.T, call ToolCall, want map[string]any) {
	t.Helper()
	var got map[string]any
	if err := json.Unmarshal(call.Arguments, &got); err != nil {
		t.Fatalf("arguments %s: %v", call.Arguments, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("arguments = %v, want %v", got, want)
	}
}

// chatUntilCancelled runs Chat, cancelling its context on the first text
// event, and returns Chat's error; it fails the test if Chat does not return.
func chatUntilCancelled(t *testing.T, p Provider, req Request) (*recorder, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{onText: func(string) { cancel() }}
	errc := make(chan error, 1)
	go func() { errc <- p.Chat(ctx, req, rec.emit) }()
	select {
	case err := <-errc:
		return rec, err
	case <-time.After(5 * time.Second):
		t.Fatal("Chat did not return after its context was cancelled")
		return nil, nil
	}
}

// waitClosed fails the test unless ch closes; a guard against hangs, not a timing.
func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not happen", what)
	}
}

// sampleTools is one tool, as the chat hook would declare it.
var sampleTools = []Tool{{
	Name:        "save_lead",
	Description: "Save the visitor's contact details.",
	Parameters: map[string]any{
		"type": "object",
		"properties": map[string]any{
			"name":  map[string]any{"type": "string", "description": "Full name"},
			"phone": map[string]any{"type": "string"},
		},
		"required": []any{"name"},
	},
}}

// sampleConversation has every kind of turn: a tool call and its result.
var sampleConversation = []Message{
	{Role: RoleUser, Content: "Hi, can I book a cleaning?"},
	{Role: RoleAssistant, Content: "Sure.", ToolCalls: []ToolCall{{ID: "call_1", Name: "save_lead", Arguments: json.RawMessage(`{"name":"Ann"}`)}}},
	{Role: RoleTool, ToolCallID: "call_1", Name: "save_lead", Content: "saved"},
	{Role: RoleUser, Content: "Thanks!"},
}

// assertRetriedOnce runs one chat through WithTimeouts and checks that it answered
// "Hello" on the server's second call: the first failed before any text and was retried.
func assertRetriedOnce(t *testing.T, p Provider, c *captured) {
	t.Helper()
	rec := &recorder{}
	err := WithTimeouts(p, 5*time.Second, 10*time.Second).Chat(context.Background(),
		Request{Messages: []Message{{Role: RoleUser, Content: "hi"}}}, rec.emit)
	if err != nil {
		t.Fatal(err)
	}
	if rec.text() != "Hello" || c.calls.Load() != 2 {
		t.Errorf("text %q after %d calls, want Hello after 2", rec.text(), c.calls.Load())
	}
}

// assertFirstTokenTimeout checks that p, whose server is slower to its first word than
// the first-token timeout, fails with ErrFirstTokenTimeout and emits nothing after it.
func assertFirstTokenTimeout(t *testing.T, p Provider) {
	t.Helper()
	rec := &recorder{}
	err := WithTimeouts(p, 50*time.Millisecond, 5*time.Second).Chat(context.Background(),
		Request{Messages: []Message{{Role: RoleUser, Content: "hi"}}}, rec.emit)
	if !errors.Is(err, ErrFirstTokenTimeout) {
		t.Fatalf("err = %v, want ErrFirstTokenTimeout", err)
	}
	if rec.text() != "" {
		t.Errorf("emitted %q after the timeout", rec.text())
	}
}

// assertStreamsSample sends the sample conversation with its tools to p, whose server
// streams "We open", " at 8", " tomorrow.", and checks those deltas arrive as they were.
func assertStreamsSample(t *testing.T, p Provider, model string, maxTokens int) {
	t.Helper()
	rec := &recorder{}
	err := p.Chat(context.Background(), Request{
		Model:     model,
		System:    "You are the front desk.",
		Messages:  sampleConversation,
		Tools:     sampleTools,
		MaxTokens: maxTokens,
	}, rec.emit)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rec.deltas(), "|"), "We open| at 8| tomorrow."; got != want {
		t.Errorf("deltas = %q, want %q", got, want)
	}
}

// assertNoRetryAfterFirstToken checks that p, whose server fails after its first word
// ("Hello"), reports the failure without calling the server again.
func assertNoRetryAfterFirstToken(t *testing.T, p Provider, c *captured) {
	t.Helper()
	rec := &recorder{}
	err := WithTimeouts(p, 5*time.Second, 10*time.Second).Chat(context.Background(),
		Request{Messages: []Message{{Role: RoleUser, Content: "hi"}}}, rec.emit)
	if err == nil {
		t.Fatal("want an error")
	}
	if c.calls.Load() != 1 || rec.text() != "Hello" {
		t.Errorf("text %q after %d calls, want Hello after 1", rec.text(), c.calls.Load())
	}
}

// assertCancelReachesServer checks that cancelling a reply mid-stream ends the call with
// context.Canceled and ends the request the server sees (closing serverSawDone).
func assertCancelReachesServer(t *testing.T, p Provider, serverSawDone chan struct{}) {
	t.Helper()
	_, err := chatUntilCancelled(t, p, Request{Messages: []Message{{Role: RoleUser, Content: "hi"}}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	waitClosed(t, serverSawDone, "the server seeing the request end")
}
