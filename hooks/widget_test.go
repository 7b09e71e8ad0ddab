package hooks_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ollama/ollama/api"

	"frontdesk/internal/llm/ollamatest"
	"frontdesk/models"
	"frontdesk/tests"
)

func TestWidgetConfig(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	rec := v.Do("GET", "/api/widget/demo/config", "", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("config: %d %s", rec.Code, rec.Body.String())
	}
	m := tests.Decode(t, rec)
	if m["name"] != "Bright Smile Dental" || m["color"] != "#0f766e" || m["greeting"] == "" {
		t.Fatalf("config = %v", m)
	}
	if svcs, _ := m["services"].([]any); len(svcs) < 6 {
		t.Fatalf("services = %v, want 6 or more", m["services"])
	}
	for _, hidden := range []string{"llm_api_key", "allowed_origins", "token"} {
		if _, ok := m[hidden]; ok {
			t.Fatalf("config leaks %s", hidden)
		}
	}
	tests.AssertError(t, v.Do("GET", "/api/widget/nobody/config", "", nil), 404, "not_found")
}

func TestCreateConversation(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	id, token := v.Start()
	r, err := v.App.FindRecordById("conversations", id)
	if err != nil {
		t.Fatal(err)
	}
	if r.GetString("status") != "open" || r.GetString("visitor_id") != "v-123" {
		t.Fatalf("stored conversation %v", r.PublicExport())
	}
	if h := r.GetString("token_hash"); h == "" || strings.Contains(h, token) {
		t.Fatalf("token must be stored hashed, got %q", h)
	}
	before, _ := v.App.CountRecords("conversations")
	for _, tc := range []struct{ name, body, field string }{
		{"not json", `{`, ""},
		{"bad page url", `{"page_url":"javascript:alert(1)"}`, "page_url"},
		{"bad visitor id", `{"visitor_id":"<script>"}`, "visitor_id"},
		{"long locale", `{"locale":"` + strings.Repeat("x", 30) + `"}`, "locale"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tests.AssertError(t, v.Do("POST", "/api/widget/demo/conversations", tc.body, nil), 400, "invalid_input")
			if tc.field != "" {
				if f, _ := m["fields"].(map[string]any); f[tc.field] == nil {
					t.Fatalf("fields = %v, want %s", m["fields"], tc.field)
				}
			}
		})
	}
	tests.AssertError(t, v.Do("POST", "/api/widget/nobody/conversations", `{}`, nil), 404, "not_found")
	tests.AssertError(t, v.Do("POST", "/api/widget/demo/conversations", `{"page_url":"`+strings.Repeat("a", 20<<10)+`"}`, nil), 413, "too_long")
	if after, _ := v.App.CountRecords("conversations"); after != before {
		t.Fatalf("bad input created conversations: %d -> %d", before, after)
	}
}

func TestConversationTokenAndHistory(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	id, token := v.Start()
	tests.AssertError(t, v.Do("GET", "/api/widget/demo/conversations/"+id, "", nil), 403, "bad_token")
	tests.AssertError(t, v.Do("GET", "/api/widget/demo/conversations/"+id, "", map[string]string{"X-Conversation-Token": "wrong"}), 403, "bad_token")
	tests.AssertError(t, v.Do("GET", "/api/widget/demo/conversations/nope", "", map[string]string{"X-Conversation-Token": token}), 404, "not_found")
	// Another practice can't reach the conversation through its own slug.
	other := v.Do("GET", "/api/widget/demo/config", "", nil)
	_ = other
	if _, err := v.App.FindFirstRecordByData("businesses", "slug", "demo"); err != nil {
		t.Fatal(err)
	}
	b := tests.NewRecord(t, v.App, models.BusinessesCollection, map[string]any{"slug": "other", "name": "Other", "timezone": "UTC"})
	if err := v.App.Save(b); err != nil {
		t.Fatal(err)
	}
	tests.AssertError(t, v.Do("GET", "/api/widget/other/conversations/"+id, "", map[string]string{"X-Conversation-Token": token}), 404, "not_found")

	if _, events := v.Send(id, token, "What are your opening hours?"); len(events) == 0 {
		t.Fatal("no events")
	}
	rec := v.Do("GET", "/api/widget/demo/conversations/"+id, "", map[string]string{"X-Conversation-Token": token})
	if rec.Code != 200 {
		t.Fatalf("history: %d %s", rec.Code, rec.Body.String())
	}
	var h struct {
		Status   string `json:"status"`
		Messages []struct{ ID, Role, Text string }
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &h)
	if h.Status != "open" || len(h.Messages) != 2 || h.Messages[0].Role != "visitor" || h.Messages[0].Text != "What are your opening hours?" || h.Messages[1].Role != "assistant" {
		t.Fatalf("history = %+v", h)
	}
}

func TestMessageOfflineAnswersFromFAQ(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	id, token := v.Start()
	rec, events := v.Send(id, token, "what are your opening hours?")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if got := strings.Join(tests.Names(events), ","); got != "message,delta,done" {
		t.Fatalf("events %s", got)
	}
	done := events[len(events)-1].Data
	if done["text"] != tests.Text(events) {
		t.Fatalf("done text %q != deltas %q", done["text"], tests.Text(events))
	}
	msgs := v.Messages(id)
	if len(msgs) != 2 || msgs[0]["id"] != events[0].Data["id"] || msgs[1]["id"] != done["id"] || msgs[1]["text"] != done["text"] {
		t.Fatalf("stored %v, events %v", msgs, events)
	}
}

func TestMessageStreamsFromOllama(t *testing.T) {
	fake := tests.NewFakeOllama(t, func(req api.ChatRequest) ollamatest.Reply {
		return ollamatest.Words("We are open Monday to Saturday. Would you like to leave your details?")
	})
	v := tests.NewVisitor(t, tests.Options{OllamaURL: fake.URL})
	id, token := v.Start()
	_, events := v.Send(id, token, "When are you open?")
	if got := strings.Join(tests.Names(events), ","); got != "message,delta,done" {
		t.Fatalf("events %s", got)
	}
	if n := countEvents(events, "delta"); n < 5 {
		t.Fatalf("%d deltas, want the reply streamed in pieces", n)
	}
	if tests.Text(events) != "We are open Monday to Saturday. Would you like to leave your details?" {
		t.Fatalf("text %q", tests.Text(events))
	}
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d model requests", len(reqs))
	}
	sys, last := reqs[0].Messages[0], reqs[0].Messages[len(reqs[0].Messages)-1]
	if sys.Role != "system" || !strings.Contains(sys.Content, "Bright Smile Dental") || !strings.Contains(sys.Content, "Delta Dental") || !strings.Contains(sys.Content, "Never invent prices") {
		t.Fatalf("system prompt lacks the practice's facts or rules: %.300s", sys.Content)
	}
	if last.Role != "user" || last.Content != "When are you open?" {
		t.Fatalf("last message %+v", last)
	}
	if len(reqs[0].Tools) != 2 {
		t.Fatalf("tools %v", reqs[0].Tools)
	}
}

func countEvents(events []tests.Event, name string) int {
	n := 0
	for _, e := range events {
		if e.Name == name {
			n++
		}
	}
	return n
}

func TestMessageValidation(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	id, token := v.Start()
	hdr := map[string]string{"X-Conversation-Token": token}
	path := "/api/widget/demo/conversations/" + id + "/messages"
	tests.AssertError(t, v.Do("POST", path, `{"text":"`+strings.Repeat("a", 2001)+`"}`, hdr), 413, "too_long")
	tests.AssertError(t, v.Do("POST", path, `{"text":"   "}`, hdr), 400, "invalid_input")
	tests.AssertError(t, v.Do("POST", path, `{"text":`, hdr), 400, "invalid_input")
	tests.AssertError(t, v.Do("POST", path, `{"text":"hi"}`, nil), 403, "bad_token")
	tests.AssertError(t, v.Do("POST", "/api/widget/demo/conversations/missing/messages", `{"text":"hi"}`, hdr), 404, "not_found")
	if n := len(v.Messages(id)); n != 0 {
		t.Fatalf("bad input stored %d messages", n)
	}
	// Exactly 2,000 characters (multi-byte) is fine.
	if rec, _ := v.Send(id, token, strings.Repeat("é", 2000)); rec.Code != 200 {
		t.Fatalf("2000 chars: %d", rec.Code)
	}

	tests.StoreMessages(t, v.App, id, "visitor", 59)
	tests.AssertError(t, v.Do("POST", path, `{"text":"hi"}`, hdr), 429, "too_many_messages")
	c, _ := v.App.FindRecordById("conversations", id)
	c.Set("status", "closed")
	_ = v.App.Save(c)
	tests.AssertError(t, v.Do("POST", path, `{"text":"hi"}`, hdr), 409, "closed")
}
