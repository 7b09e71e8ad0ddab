package hooks_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ollama/ollama/api"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	pbtests "github.com/pocketbase/pocketbase/tests"

	"frontdesk/internal/llm/ollamatest"
	"frontdesk/tests"
)

// visitorAPI drives the visitor API through the app's real router.
type visitorAPI struct {
	t   testing.TB
	app *pbtests.TestApp
	h   http.Handler
}

func newVisitorAPI(t testing.TB, o tests.Options) *visitorAPI {
	app := tests.NewApp(t, o)
	return &visitorAPI{t: t, app: app, h: tests.Handler(t, app)}
}

func (v *visitorAPI) do(method, path, body string, headers map[string]string) *httptest.ResponseRecorder {
	v.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, val := range headers {
		req.Header.Set(k, val)
	}
	rec := httptest.NewRecorder()
	v.h.ServeHTTP(rec, req)
	return rec
}

func decode(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, rec.Body.String())
	}
	return m
}

// start opens a conversation with the demo practice and returns its id and token.
func (v *visitorAPI) start() (string, string) {
	v.t.Helper()
	rec := v.do("POST", "/api/widget/demo/conversations", `{"visitor_id":"v-123","page_url":"https://brightsmile.example/","locale":"en-US"}`, nil)
	if rec.Code != http.StatusCreated {
		v.t.Fatalf("create conversation: %d %s", rec.Code, rec.Body.String())
	}
	m := decode(v.t, rec)
	return m["id"].(string), m["token"].(string)
}

func (v *visitorAPI) send(id, token, text string) (*httptest.ResponseRecorder, []tests.Event) {
	v.t.Helper()
	body, _ := json.Marshal(map[string]string{"text": text})
	rec := v.do("POST", "/api/widget/demo/conversations/"+id+"/messages", string(body), map[string]string{"X-Conversation-Token": token})
	if rec.Code != http.StatusOK {
		return rec, nil
	}
	events, err := tests.ReadEvents(rec.Body)
	if err != nil {
		v.t.Fatalf("events: %v", err)
	}
	return rec, events
}

func (v *visitorAPI) messages(id string) []map[string]any {
	v.t.Helper()
	recs := []*core.Record{}
	err := v.app.RecordQuery("messages").AndWhere(dbx.HashExp{"conversation": id}).OrderBy("created", "rowid").All(&recs)
	if err != nil {
		v.t.Fatal(err)
	}
	out := []map[string]any{}
	for _, r := range recs {
		flags := map[string]any{}
		_ = r.UnmarshalJSONField("flags", &flags)
		out = append(out, map[string]any{"role": r.GetString("role"), "text": r.GetString("text"), "flags": flags, "id": r.Id})
	}
	return out
}

func assertError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) map[string]any {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body.String())
	}
	m := decode(t, rec)
	if m["code"] != code || m["message"] == "" || m["message"] == nil {
		t.Fatalf("error body %v, want code %q and a message", m, code)
	}
	return m
}

func TestWidgetConfig(t *testing.T) {
	v := newVisitorAPI(t, tests.Options{})
	rec := v.do("GET", "/api/widget/demo/config", "", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("config: %d %s", rec.Code, rec.Body.String())
	}
	m := decode(t, rec)
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
	assertError(t, v.do("GET", "/api/widget/nobody/config", "", nil), 404, "not_found")
}

func TestCreateConversation(t *testing.T) {
	v := newVisitorAPI(t, tests.Options{})
	id, token := v.start()
	r, err := v.app.FindRecordById("conversations", id)
	if err != nil {
		t.Fatal(err)
	}
	if r.GetString("status") != "open" || r.GetString("visitor_id") != "v-123" {
		t.Fatalf("stored conversation %v", r.PublicExport())
	}
	if h := r.GetString("token_hash"); h == "" || strings.Contains(h, token) {
		t.Fatalf("token must be stored hashed, got %q", h)
	}
	before, _ := v.app.CountRecords("conversations")
	for _, tc := range []struct{ name, body, field string }{
		{"not json", `{`, ""},
		{"bad page url", `{"page_url":"javascript:alert(1)"}`, "page_url"},
		{"bad visitor id", `{"visitor_id":"<script>"}`, "visitor_id"},
		{"long locale", `{"locale":"` + strings.Repeat("x", 30) + `"}`, "locale"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := assertError(t, v.do("POST", "/api/widget/demo/conversations", tc.body, nil), 400, "invalid_input")
			if tc.field != "" {
				if f, _ := m["fields"].(map[string]any); f[tc.field] == nil {
					t.Fatalf("fields = %v, want %s", m["fields"], tc.field)
				}
			}
		})
	}
	assertError(t, v.do("POST", "/api/widget/nobody/conversations", `{}`, nil), 404, "not_found")
	assertError(t, v.do("POST", "/api/widget/demo/conversations", `{"page_url":"`+strings.Repeat("a", 20<<10)+`"}`, nil), 413, "too_long")
	if after, _ := v.app.CountRecords("conversations"); after != before {
		t.Fatalf("bad input created conversations: %d -> %d", before, after)
	}
}

func TestConversationTokenAndHistory(t *testing.T) {
	v := newVisitorAPI(t, tests.Options{})
	id, token := v.start()
	assertError(t, v.do("GET", "/api/widget/demo/conversations/"+id, "", nil), 403, "bad_token")
	assertError(t, v.do("GET", "/api/widget/demo/conversations/"+id, "", map[string]string{"X-Conversation-Token": "wrong"}), 403, "bad_token")
	assertError(t, v.do("GET", "/api/widget/demo/conversations/nope", "", map[string]string{"X-Conversation-Token": token}), 404, "not_found")
	// Another practice can't reach the conversation through its own slug.
	other := v.do("GET", "/api/widget/demo/config", "", nil)
	_ = other
	if _, err := v.app.FindFirstRecordByData("businesses", "slug", "demo"); err != nil {
		t.Fatal(err)
	}
	col, _ := v.app.FindCollectionByNameOrId("businesses")
	b := newRecord(col, map[string]any{"slug": "other", "name": "Other", "timezone": "UTC"})
	if err := v.app.Save(b); err != nil {
		t.Fatal(err)
	}
	assertError(t, v.do("GET", "/api/widget/other/conversations/"+id, "", map[string]string{"X-Conversation-Token": token}), 404, "not_found")

	if _, events := v.send(id, token, "What are your opening hours?"); len(events) == 0 {
		t.Fatal("no events")
	}
	rec := v.do("GET", "/api/widget/demo/conversations/"+id, "", map[string]string{"X-Conversation-Token": token})
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
	v := newVisitorAPI(t, tests.Options{})
	id, token := v.start()
	rec, events := v.send(id, token, "what are your opening hours?")
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
	msgs := v.messages(id)
	if len(msgs) != 2 || msgs[0]["id"] != events[0].Data["id"] || msgs[1]["id"] != done["id"] || msgs[1]["text"] != done["text"] {
		t.Fatalf("stored %v, events %v", msgs, events)
	}
}

func TestMessageStreamsFromOllama(t *testing.T) {
	fake := tests.NewFakeOllama(t, func(req api.ChatRequest) ollamatest.Reply {
		return ollamatest.Words("We are open Monday to Saturday. Would you like to leave your details?")
	})
	v := newVisitorAPI(t, tests.Options{OllamaURL: fake.URL})
	id, token := v.start()
	_, events := v.send(id, token, "When are you open?")
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
	v := newVisitorAPI(t, tests.Options{})
	id, token := v.start()
	hdr := map[string]string{"X-Conversation-Token": token}
	path := "/api/widget/demo/conversations/" + id + "/messages"
	assertError(t, v.do("POST", path, `{"text":"`+strings.Repeat("a", 2001)+`"}`, hdr), 413, "too_long")
	assertError(t, v.do("POST", path, `{"text":"   "}`, hdr), 400, "invalid_input")
	assertError(t, v.do("POST", path, `{"text":`, hdr), 400, "invalid_input")
	assertError(t, v.do("POST", path, `{"text":"hi"}`, nil), 403, "bad_token")
	assertError(t, v.do("POST", "/api/widget/demo/conversations/missing/messages", `{"text":"hi"}`, hdr), 404, "not_found")
	if n := len(v.messages(id)); n != 0 {
		t.Fatalf("bad input stored %d messages", n)
	}
	// Exactly 2,000 characters (multi-byte) is fine.
	if rec, _ := v.send(id, token, strings.Repeat("é", 2000)); rec.Code != 200 {
		t.Fatalf("2000 chars: %d", rec.Code)
	}

	storeMessages(t, v.app, id, "visitor", 59)
	assertError(t, v.do("POST", path, `{"text":"hi"}`, hdr), 429, "too_many_messages")
	c, _ := v.app.FindRecordById("conversations", id)
	c.Set("status", "closed")
	_ = v.app.Save(c)
	assertError(t, v.do("POST", path, `{"text":"hi"}`, hdr), 409, "closed")
}
