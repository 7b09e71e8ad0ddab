package notify_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"frontdesk/hooks/jobs"
	"frontdesk/models"
)

// With the mail server down the alert waits, retried with backoff, its reason on the
// entry; once the server is back it goes out, once.
func TestEmailWaitsForTheMailServer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.staff("owner@brightsmile.example", models.RoleOwner, nil)
	e.mail.Down()
	e.visitor().lead(map[string]any{"name": "Ana", "email": "ana@example.com"})
	var entry = e.outbox()
	if len(entry) != 1 {
		t.Fatalf("%d entries", len(entry))
	}
	waitFor(t, 10*time.Second, "two failed attempts", func() bool {
		r, _ := e.app.FindRecordById(models.OutboxCollection, entry[0].Id)
		return r.GetInt("attempts") >= 2 && r.GetString("status") == models.OutboxPending && strings.Contains(r.GetString("last_error"), "email:")
	})
	e.mail.Up()
	entries := e.waitSettled(10 * time.Second)
	if s := entries[0].GetString("status"); s != models.OutboxSent || entries[0].GetString("last_error") != "" {
		t.Fatalf("after the server came back: %s %q", s, entries[0].GetString("last_error"))
	}
	if n := len(e.mail.Messages()); n != 1 {
		t.Fatalf("%d emails, want 1", n)
	}
}

// A webhook that answers 500 is retried with the same webhook-id, signed afresh each
// time, until it answers 200; then nothing more is sent.
func TestWebhookRetriesWithTheSameID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.webhook(nil)
	e.hook.setScript(500, 500, 503)
	e.visitor().lead(map[string]any{"name": "Ana", "email": "ana@example.com"})
	entries := e.waitSettled(10 * time.Second)
	if len(entries) != 1 || entries[0].GetString("status") != models.OutboxSent || entries[0].GetInt("attempts") != 4 {
		t.Fatalf("entry: %s after %d attempts", entries[0].GetString("status"), entries[0].GetInt("attempts"))
	}
	time.Sleep(200 * time.Millisecond) // time for a wrongful repeat
	got := e.hook.deliveries()
	if len(got) != 4 {
		t.Fatalf("%d deliveries, want 4", len(got))
	}
	for i, d := range got {
		if d.err != nil {
			t.Errorf("delivery %d: reference verification: %v", i, d.err)
		}
		if id := d.header.Get("webhook-id"); id != "msg_"+entries[0].Id {
			t.Errorf("delivery %d: webhook-id %q", i, id)
		}
		if string(d.body) != string(got[0].body) {
			t.Errorf("delivery %d: the body changed between retries", i)
		}
	}
}

// A delivery that keeps failing is given up when the runner's MaxAge passes (24h in
// production): the entry is failed with its reason, which staff can read, and the other
// recipients hear of it, but not the one that failed.
func TestGivingUpMarksFailedAndTellsTheOthers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{jobs: jobs.Options{MaxAge: 500 * time.Millisecond}})
	owner := e.staff("owner@brightsmile.example", models.RoleOwner, nil)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }))
	defer broken.Close()
	bad := e.webhook(map[string]any{"url": broken.URL + "/crm"})
	e.webhook(map[string]any{"events": []string{"delivery.failed"}})

	e.visitor().lead(map[string]any{"name": "Ana", "email": "ana@example.com"})
	entries := e.waitSettled(15 * time.Second)
	var failed string
	for _, r := range entries {
		if r.GetString("webhook") == bad.Id && r.GetString("event") == "lead.created" {
			failed = r.Id
			if r.GetString("status") != models.OutboxFailed || !strings.HasPrefix(r.GetString("last_error"), "gave up after ") || !strings.HasSuffix(r.GetString("last_error"), "webhook: HTTP 500") {
				t.Fatalf("failed entry: %s %q", r.GetString("status"), r.GetString("last_error"))
			}
		}
	}
	if failed == "" {
		t.Fatal("no entry for the broken webhook")
	}
	var told []string
	for _, r := range entries {
		if r.GetString("event") == "delivery.failed" {
			told = append(told, r.GetString("channel")+":"+r.GetString("status"))
			if r.GetString("subject") != failed || r.GetString("link") != "https://fd.example/console/outbox/"+failed || r.GetString("webhook") == bad.Id {
				t.Errorf("delivery.failed entry %+v", r.PublicExport())
			}
		}
	}
	if len(told) != 2 {
		t.Fatalf("delivery.failed went to %v, want the owner's email and the other webhook", told)
	}
	mails := e.mail.Messages()
	if len(mails) != 2 || mails[1].Parse(t).Subject() != "An alert could not be delivered — Bright Smile Dental" {
		t.Fatalf("%d mails", len(mails))
	}

	// Staff read the reason in the outbox, and nothing hidden.
	token, err := owner.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	rec := e.do("GET", "/api/collections/outbox/records?filter=(status='failed')", "", map[string]string{"Authorization": token})
	var list struct {
		Items []map[string]any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || rec.Code != 200 || len(list.Items) != 1 {
		t.Fatalf("staff's outbox list: %d %s", rec.Code, rec.Body)
	}
	item := list.Items[0]
	if item["id"] != failed || !strings.HasSuffix(item["last_error"].(string), "webhook: HTTP 500") {
		t.Errorf("listed %v", item)
	}
	for _, hidden := range []string{"to", "claim"} {
		if _, ok := item[hidden]; ok {
			t.Errorf("the outbox API returns %s", hidden)
		}
	}
}

// A staff member with a digest gets at most one email per window: what came in since
// their last one goes out together, counted.
func TestDigestSendsOneEmailPerWindow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	owner := e.staff("owner@brightsmile.example", models.RoleOwner, map[string]any{"digest_minutes": 1})
	e.visitor().lead(map[string]any{"name": "Ana", "email": "ana@example.com"})
	first := e.waitSettled(10 * time.Second)
	if len(e.mail.Messages()) != 1 {
		t.Fatalf("the first alert of a window goes out at once; got %d emails", len(e.mail.Messages()))
	}
	// As if that email went out 59 seconds ago: the window ends in a second.
	_, err := e.app.DB().Update(models.OutboxCollection, dbx.Params{"sent_at": time.Now().Add(-59 * time.Second).UTC().Format("2006-01-02 15:04:05.000Z")}, dbx.HashExp{"id": first[0].Id}).Execute()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range 3 {
		e.visitor().lead(map[string]any{"name": "Ben", "email": "ben@example.com"})
	}
	v := e.visitor()
	if rec := v.post("/handoff", map[string]any{}); rec.Code != 200 {
		t.Fatalf("handoff: %d", rec.Code)
	}
	e.waitSettled(10 * time.Second)
	mails := e.mail.Messages()
	if len(mails) != 2 {
		t.Fatalf("%d emails, want the first and one digest", len(mails))
	}
	if waited := time.Since(start); waited < 500*time.Millisecond {
		t.Errorf("the digest went out %v after the alerts, before its window ended", waited)
	}
	p := mails[1].Parse(t)
	if s := p.Subject(); s != "4 new alerts — Bright Smile Dental" {
		t.Errorf("digest subject %q", s)
	}
	body := p.Parts["text/plain"]
	for _, want := range []string{"New contact request: 3", "A visitor asked to talk to a person: 1", "https://fd.example/console/\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("digest lacks %q:\n%s", want, body)
		}
	}
	n, _ := e.app.CountRecords(models.OutboxCollection, dbx.HashExp{"staff": owner.Id, "status": models.OutboxSent})
	if n != 5 {
		t.Errorf("%d entries sent, want 5", n)
	}
}

// A refusal no retry can fix (Twilio's 400) fails the entry at once, and its staff
// member hears of it on the other channel, not the one that failed.
func TestRefusedSMSFailsAtOnceAndIsReportedByEmail(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.twilioAccount()
	e.staff("owner@brightsmile.example", models.RoleOwner, map[string]any{"notify_sms": true, "phone": "+15035550177"})
	e.twilio.mu.Lock()
	e.twilio.script = []int{400}
	e.twilio.mu.Unlock()
	e.visitor().lead(map[string]any{"name": "Ana", "email": "ana@example.com"})
	entries := e.waitSettled(10 * time.Second)
	var events []string
	for _, r := range entries {
		events = append(events, r.GetString("event")+"/"+r.GetString("channel")+"/"+r.GetString("status"))
		if r.GetString("channel") == models.ChannelSMS && (r.GetInt("attempts") != 1 || r.GetString("last_error") != "twilio: HTTP 400, error 20500") {
			t.Errorf("refused SMS: %d attempts, %q", r.GetInt("attempts"), r.GetString("last_error"))
		}
	}
	want := "lead.created/email/sent lead.created/sms/failed delivery.failed/email/sent"
	if got := strings.Join(events, " "); got != want {
		t.Fatalf("entries %s, want %s", got, want)
	}
}
