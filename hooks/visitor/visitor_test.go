package visitor_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"frontdesk/hooks/practice"
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
	r, err := v.App.FindRecordById(models.ConversationsCollection, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.GetString("status") != "open" || r.GetString("visitor_id") != "v-123" {
		t.Fatalf("stored conversation %v", r.PublicExport())
	}
	if h := r.GetString("token_hash"); h == "" || strings.Contains(h, token) {
		t.Fatalf("token must be stored hashed, got %q", h)
	}
	before, _ := v.App.CountRecords(models.ConversationsCollection)
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
	if after, _ := v.App.CountRecords(models.ConversationsCollection); after != before {
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
	if _, err := v.App.FindFirstRecordByData(models.BusinessesCollection, "slug", practice.DemoSlug); err != nil {
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
	c, _ := v.App.FindRecordById(models.ConversationsCollection, id)
	c.Set("status", "closed")
	_ = v.App.Save(c)
	tests.AssertError(t, v.Do("POST", path, `{"text":"hi"}`, hdr), 409, "closed")
}

func TestLeadRoute(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	id, token := v.Start()
	hdr := map[string]string{"X-Conversation-Token": token}
	path := "/api/widget/demo/conversations/" + id + "/lead"
	cases := []struct{ name, body, field string }{
		{"no name", `{"email":"a@example.com"}`, "name"},
		{"no contact", `{"name":"A"}`, "email"},
		{"bad email", `{"name":"A","email":"not-an-email"}`, "email"},
		{"bad phone", `{"name":"A","phone":"12"}`, "phone"},
		{"sms without phone", `{"name":"A","email":"a@example.com","sms_consent":true}`, "phone"},
		{"unknown service", `{"name":"A","email":"a@example.com","service":"Brain surgery"}`, "service"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := tests.AssertError(t, v.Do("POST", path, tc.body, hdr), 400, "invalid_input")
			if f, _ := m["fields"].(map[string]any); f[tc.field] == nil {
				t.Fatalf("fields %v, want %s", m["fields"], tc.field)
			}
		})
	}
	if n, _ := v.App.CountRecords(models.LeadsCollection); n != 0 {
		t.Fatalf("bad input created %d leads", n)
	}
	tests.AssertError(t, v.Do("POST", path, `{"name":"A","email":"a@example.com"}`, nil), 403, "bad_token")
	rec := v.Do("POST", path, `{"name":"Ana","email":"Ana@Example.com","phone":"(503) 555-0100","service":"fillings","sms_consent":true}`, hdr)
	if rec.Code != 201 {
		t.Fatalf("lead: %d %s", rec.Code, rec.Body.String())
	}
	l, err := v.App.FindRecordById(models.LeadsCollection, tests.Decode(t, rec)["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if l.GetString("email") != "ana@example.com" || l.GetString("service") != "Fillings" || !l.GetBool("sms_consent") || !strings.Contains(l.GetString("sms_consent_text"), "STOP") || l.GetString("status") != "new" {
		t.Fatalf("lead %v", l.PublicExport())
	}
	again := v.Do("POST", path, `{"name":"Ana R","phone":"(503) 555-0100"}`, hdr)
	if again.Code != 201 || tests.Decode(t, again)["id"] != l.Id {
		t.Fatalf("dedupe by phone: %d %s", again.Code, again.Body.String())
	}
}

func TestHandoff(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	id, token := v.Start()
	rec := v.Do("POST", "/api/widget/demo/conversations/"+id+"/handoff", "", map[string]string{"X-Conversation-Token": token})
	if rec.Code != 200 || tests.Decode(t, rec)["status"] != "needs_human" {
		t.Fatalf("handoff %d %s", rec.Code, rec.Body.String())
	}
	c, _ := v.App.FindRecordById(models.ConversationsCollection, id)
	if c.GetString("status") != "needs_human" {
		t.Fatal("status not changed")
	}
}
