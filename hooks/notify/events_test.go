package notify_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// entriesFor lists the outbox entries of event.
func (e *env) entriesFor(event string) []*core.Record {
	e.t.Helper()
	var out []*core.Record
	for _, r := range e.outbox() {
		if r.GetString("event") == event {
			out = append(out, r)
		}
	}
	return out
}

func TestEventsFromConversationsDocumentsAndBookings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noRunner: true})
	e.webhook(nil)

	// A visitor asks for a person, twice: one alert.
	v := e.visitor()
	v.post("/handoff", map[string]any{})
	v.post("/handoff", map[string]any{})
	got := e.entriesFor("conversation.needs_human")
	if len(got) != 1 || got[0].GetString("subject") != v.id || got[0].GetString("link") != "https://fd.example/console/conversations/"+v.id {
		t.Fatalf("needs_human entries: %d", len(got))
	}

	// A document that fails to index: one alert per failure. (The hooks' ingestion
	// queues a new document and fails it, having no file: the first failure.)
	docs, _ := e.app.FindCollectionByNameOrId(models.DocumentsCollection)
	doc := core.NewRecord(docs)
	doc.Set("business", e.biz.Id)
	doc.Set("title", "Price list")
	if err := e.app.SaveNoValidate(doc); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the ingestion to fail", func() bool {
		d, err := e.app.FindRecordById(models.DocumentsCollection, doc.Id)
		return err == nil && d.GetString("status") == models.DocFailed && len(e.entriesFor("knowledge.failed")) == 1
	})
	doc, _ = e.app.FindRecordById(models.DocumentsCollection, doc.Id)
	doc.Set("error", "still failing") // failed, and still failed: no new alert
	if err := e.app.SaveNoValidate(doc); err != nil {
		t.Fatal(err)
	}
	doc.Set("status", models.DocReady)
	if err := e.app.SaveNoValidate(doc); err != nil {
		t.Fatal(err)
	}
	doc.Set("status", models.DocFailed) // a second failure
	if err := e.app.SaveNoValidate(doc); err != nil {
		t.Fatal(err)
	}
	failed := e.entriesFor("knowledge.failed")
	if len(failed) != 2 {
		t.Fatalf("knowledge.failed entries: %d, want 2", len(failed))
	}
	for _, r := range failed {
		if r.GetString("link") != "https://fd.example/console/documents/"+doc.Id {
			t.Errorf("link %s", r.GetString("link"))
		}
	}

	// Bookings (the booking capability's collection; its own hooks aren't bound here).
	col, err := e.app.FindCollectionByNameOrId("bookings")
	if err != nil {
		t.Fatal(err)
	}
	b := core.NewRecord(col)
	b.Set("business", e.biz.Id)
	b.Set("service", "Cleaning")
	b.Set("status", "confirmed")
	b.Set("source", "widget")
	b.Set("start", time.Now().Add(48*time.Hour))
	b.Set("end", time.Now().Add(49*time.Hour))
	if err := e.app.SaveNoValidate(b); err != nil {
		t.Fatal(err)
	}
	b.Set("start", time.Now().Add(72*time.Hour))
	b.Set("end", time.Now().Add(73*time.Hour))
	if err := e.app.SaveNoValidate(b); err != nil {
		t.Fatal(err)
	}
	b.Set("status", "cancelled")
	if err := e.app.SaveNoValidate(b); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []string{"booking.created", "booking.rescheduled", "booking.cancelled"} {
		if got := e.entriesFor(ev); len(got) != 1 || got[0].GetString("subject") != b.Id {
			t.Errorf("%s entries: %d", ev, len(got))
		}
	}
}

// A webhook gets only the events it takes (all when none is chosen), and only while active.
func TestWebhookEventsAndActive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noRunner: true})
	all := e.webhook(nil)
	leadsOnly := e.webhook(map[string]any{"events": []string{"lead.created"}})
	off := e.webhook(map[string]any{"active": false})
	v := e.visitor()
	v.lead(map[string]any{"name": "Ana", "email": "ana@example.com"})
	v.post("/handoff", map[string]any{})
	count := map[string]int{}
	for _, r := range e.outbox() {
		count[r.GetString("webhook")]++
	}
	if count[all.Id] != 2 || count[leadsOnly.Id] != 1 || count[off.Id] != 0 {
		t.Fatalf("entries per webhook: all %d, leads only %d, inactive %d", count[all.Id], count[leadsOnly.Id], count[off.Id])
	}
}

// A visitor's SMS consent is recorded with the exact wording shown and when.
func TestSMSConsentIsDated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noRunner: true})
	v := e.visitor()
	before := time.Now().Add(-time.Second)
	id := v.lead(map[string]any{"name": "Ana", "phone": "503-555-0123", "sms_consent": true})
	lead, err := e.app.FindRecordById(models.LeadsCollection, id)
	if err != nil {
		t.Fatal(err)
	}
	at := lead.GetDateTime("sms_consent_at").Time()
	if at.Before(before) || at.After(time.Now()) || !strings.Contains(lead.GetString("sms_consent_text"), "Reply STOP to opt out") {
		t.Fatalf("consent: at %v, text %q", at, lead.GetString("sms_consent_text"))
	}
	// A later save that doesn't touch consent keeps its time; withdrawing clears it.
	lead.Set("status", models.LeadContacted)
	if err := e.app.Save(lead); err != nil {
		t.Fatal(err)
	}
	if got := lead.GetDateTime("sms_consent_at").Time(); !got.Equal(at) {
		t.Errorf("consent time moved from %v to %v", at, got)
	}
	lead.Set("sms_consent", false)
	if err := e.app.Save(lead); err != nil {
		t.Fatal(err)
	}
	if !lead.GetDateTime("sms_consent_at").IsZero() {
		t.Error("withdrawn consent kept its time")
	}
}

func TestStaffAlertSettingsAreValidated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noRunner: true})
	admin := e.staff("admin@brightsmile.example", models.RoleAdmin, map[string]any{"phone": "503.555.0188"})
	if admin.GetString("phone") != "+15035550188" || admin.GetBool("notify_email") {
		t.Errorf("admin: phone %q, notify_email %v (on by default for owners only)", admin.GetString("phone"), admin.GetBool("notify_email"))
	}
	for _, bad := range []map[string]any{{"phone": "12"}, {"notify_sms": true}} {
		col, _ := e.app.FindCollectionByNameOrId(models.StaffCollection)
		r := core.NewRecord(col)
		r.Set("business", e.biz.Id)
		r.Set("role", models.RoleViewer)
		r.SetEmail("v@brightsmile.example")
		r.SetPassword("correct horse battery staple")
		r.Load(bad)
		if err := e.app.Save(r); err == nil || !strings.Contains(err.Error(), "phone") {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

// Owners and admins manage webhooks through the API; the URL, format and secret are
// checked, the secret is never returned, and viewers can't touch them. (An owner's
// secret reaches the record through the hooks' write-only handling of hidden fields,
// which Register binds for webhooks; a superuser's body keeps hidden fields already.)
func TestWebhooksThroughTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noRunner: true})
	owner := e.staff("owner@brightsmile.example", models.RoleOwner, nil)
	viewer := e.staff("viewer@brightsmile.example", models.RoleViewer, nil)
	supers, _ := e.app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	super := core.NewRecord(supers)
	super.SetEmail("root@fd.example")
	super.SetPassword("correct horse battery staple")
	if err := e.app.Save(super); err != nil {
		t.Fatal(err)
	}
	create := func(who *core.Record, body map[string]any) (int, map[string]any) {
		tok, err := who.NewAuthToken()
		if err != nil {
			t.Fatal(err)
		}
		body["business"] = e.biz.Id
		b, _ := json.Marshal(body)
		rec := e.do("POST", "/api/collections/webhooks/records", string(b), map[string]string{"Authorization": tok})
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out
	}
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"url": "ftp://crm.example/hook", "secret": webhookSecret, "active": true}, "url"},
		{map[string]any{"url": "https://crm.example/hook", "active": true}, "secret"},
		{map[string]any{"url": "https://crm.example/hook", "secret": "hunter2", "active": true}, "secret"},
		{map[string]any{"url": "https://crm.example/hook", "secret": webhookSecret, "format": "xml"}, "format"},
	} {
		code, out := create(super, tc.body)
		if data, _ := out["data"].(map[string]any); code != 400 || data[tc.field] == nil {
			t.Errorf("%v: %d %v", tc.body, code, out)
		}
	}
	if code, _ := create(viewer, map[string]any{"url": "https://hooks.slack.example/T0/B0/x", "format": "slack"}); code != 400 && code != 403 {
		t.Errorf("a viewer created a webhook: %d", code)
	}
	code, out := create(owner, map[string]any{"url": "https://hooks.slack.example/T0/B0/x", "format": "slack", "active": true, "events": []string{"lead.created"}})
	if code != 200 {
		t.Fatalf("an owner's Slack webhook: %d %v", code, out)
	}
	code, out = create(super, map[string]any{"url": "https://crm.example/hook", "secret": webhookSecret, "active": true})
	if code != 200 || out["format"] != "standard" {
		t.Fatalf("standard webhook: %d %v", code, out)
	}
	rec := e.do("GET", "/api/collections/webhooks/records/"+out["id"].(string), "", map[string]string{"Authorization": mustToken(t, owner)})
	if rec.Code != 200 || strings.Contains(rec.Body.String(), "secret") || strings.Contains(rec.Body.String(), "MfKQ9r8") {
		t.Errorf("the API returned the secret: %d %s", rec.Code, rec.Body)
	}
}

func mustToken(t *testing.T, r *core.Record) string {
	t.Helper()
	tok, err := r.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Unless the operator allows private networks, a webhook can't point inward.
func TestWebhookToAPrivateAddressIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noRunner: true, denyPrivate: true})
	col, _ := e.app.FindCollectionByNameOrId(models.WebhooksCollection)
	for _, u := range []string{"http://127.0.0.1:8080/hook", "http://10.0.0.5/hook", "http://169.254.169.254/latest", "http://localhost/hook"} {
		r := core.NewRecord(col)
		r.Set("business", e.biz.Id)
		r.Set("url", u)
		r.Set("format", "slack")
		if err := e.app.Save(r); err == nil || !strings.Contains(err.Error(), "url") {
			t.Errorf("%s: %v", u, err)
		}
	}
}
