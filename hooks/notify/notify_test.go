package notify_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks"
	hnotify "frontdesk/hooks/notify"
	"frontdesk/hooks/practice"
	"frontdesk/internal/secrets"
	"frontdesk/models"
	"frontdesk/tests"
)

// One contact request reaches each staff member by the channels they chose, and each
// webhook, with the practice, the event, a time and a link, through PocketBase's mailer
// to a real SMTP server, Twilio's API and a Standard Webhooks receiver.
func TestLeadAlertGoesOutByEmailSMSAndWebhook(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.twilioAccount()
	owner := e.staff("owner@brightsmile.example", models.RoleOwner, map[string]any{"notify_sms": true, "phone": "(503) 555-0177"})
	e.staff("viewer@brightsmile.example", models.RoleViewer, nil) // alerts off
	if owner.GetString("phone") != "+15035550177" || !owner.GetBool("notify_email") {
		t.Fatalf("owner: phone %q, notify_email %v", owner.GetString("phone"), owner.GetBool("notify_email"))
	}
	e.webhook(nil)

	v := e.visitor()
	lead := v.lead(map[string]any{"name": "Ana Ruiz", "email": "ana@example.com", "phone": "503-555-0123"})
	entries := e.waitSettled(10 * time.Second)
	if len(entries) != 3 {
		t.Fatalf("%d outbox entries, want email, SMS and webhook", len(entries))
	}
	for _, r := range entries {
		if r.GetString("status") != models.OutboxSent || r.GetString("event") != "lead.created" || r.GetString("subject") != lead ||
			r.GetString("link") != "https://fd.example/console/leads/"+lead || r.GetDateTime("sent_at").IsZero() {
			t.Errorf("entry %s: %s %s %s %s", r.GetString("channel"), r.GetString("status"), r.GetString("event"), r.GetString("link"), r.GetString("last_error"))
		}
	}

	mails := e.mail.Messages()
	if len(mails) != 1 || len(mails[0].To) != 1 || mails[0].To[0] != "owner@brightsmile.example" {
		t.Fatalf("mail: %+v", mails)
	}
	p := mails[0].Parse(t)
	if got := p.Subject(); got != "New contact request — Bright Smile Dental" {
		t.Errorf("subject %q", got)
	}
	if p.Header.Get("Auto-Submitted") != "auto-generated" || !strings.Contains(p.Header.Get("Message-Id"), entries[0].Id) {
		t.Errorf("headers %v", p.Header)
	}
	for _, ct := range []string{"text/plain", "text/html"} {
		body := p.Parts[ct]
		if !strings.Contains(body, "New contact request at Bright Smile Dental") || !strings.Contains(body, "https://fd.example/console/leads/"+lead) {
			t.Errorf("%s part:\n%s", ct, body)
		}
	}

	texts := e.twilio.messages()
	if len(texts) != 1 || texts[0].to != "+15035550177" || !strings.Contains(texts[0].text, "Bright Smile Dental: New contact request") || !strings.HasSuffix(texts[0].text, "https://fd.example/console/leads/"+lead) {
		t.Fatalf("texts: %+v", texts)
	}

	hooks := e.hook.deliveries()
	if len(hooks) != 1 || hooks[0].err != nil {
		t.Fatalf("webhooks: %d, verification %v", len(hooks), hooks[0].err)
	}
	var ev struct {
		Type, Timestamp string
		Data            map[string]string
	}
	if err := json.Unmarshal(hooks[0].body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Type != "lead.created" || ev.Data["business"] != "demo" || ev.Data["id"] != lead || ev.Data["url"] != "https://fd.example/console/leads/"+lead {
		t.Errorf("webhook body %s", hooks[0].body)
	}
	if id := hooks[0].header.Get("webhook-id"); id != "msg_"+entryOf(t, entries, models.ChannelWebhook).Id {
		t.Errorf("webhook-id %q", id)
	}
}

func entryOf(t testing.TB, entries []*core.Record, channel string) *core.Record {
	t.Helper()
	for _, r := range entries {
		if r.GetString("channel") == channel {
			return r
		}
	}
	t.Fatalf("no %s entry", channel)
	return nil
}

// A save that rolls back leaves no alert: the entries and their jobs were in its
// transaction.
func TestRolledBackSaveLeavesNoAlert(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noRunner: true})
	e.staff("owner@brightsmile.example", models.RoleOwner, nil)
	e.webhook(nil)
	col, _ := e.app.FindCollectionByNameOrId(models.LeadsCollection)
	errRollback := errors.New("rollback")
	err := e.app.RunInTransaction(func(tx core.App) error {
		r := core.NewRecord(col)
		r.Set("business", e.biz.Id)
		r.Set("name", "Someone")
		r.Set("email", "someone@example.com")
		if err := tx.Save(r); err != nil {
			return err
		}
		if n, _ := tx.CountRecords(models.OutboxCollection); n != 2 {
			t.Errorf("inside the transaction: %d entries, want 2", n)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	for _, c := range []string{models.OutboxCollection, "jobs", models.LeadsCollection} {
		if n, _ := e.app.CountRecords(c); n != 0 {
			t.Errorf("%d %s rows after the rollback", n, c)
		}
	}
	// A committed one does write them.
	r := core.NewRecord(col)
	r.Set("business", e.biz.Id)
	r.Set("name", "Someone")
	r.Set("email", "someone@example.com")
	if err := e.app.Save(r); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.app.CountRecords("jobs"); n != 2 {
		t.Errorf("%d jobs after a commit, want 2", n)
	}
}

// Without a runner given, Bind brings its own, started when the app serves and stopped
// when it terminates.
func TestBindRunsItsOwnRunnerWhenGivenNone(t *testing.T) {
	t.Parallel()
	key := make([]byte, 32)
	box, err := secrets.New(key)
	if err != nil {
		t.Fatal(err)
	}
	app := tests.NewApp(t, tests.Options{Configure: func(c *hooks.Config) { c.SecretKey = key; c.Skip.Alerts = true }})
	rc := newReceiver(t)
	hnotify.Bind(app, hnotify.Options{AllowPrivateNetworks: true, Decrypt: box.Decrypt})
	biz, err := app.FindFirstRecordByData(models.BusinessesCollection, "slug", practice.DemoSlug)
	if err != nil {
		t.Fatal(err)
	}
	saveRecord(t, app, models.WebhooksCollection, map[string]any{"business": biz.Id, "url": rc.srv.URL, "active": true, "secret": webhookSecret})
	saveRecord(t, app, models.LeadsCollection, map[string]any{"business": biz.Id, "name": "Ana", "email": "ana@example.com"})
	if n := len(rc.deliveries()); n != 0 {
		t.Fatalf("%d deliveries before the app serves", n)
	}
	tests.Handler(t, app) // serves: the runner starts
	waitFor(t, 10*time.Second, "the webhook", func() bool { return len(rc.deliveries()) == 1 })
	if err := rc.deliveries()[0].err; err != nil {
		t.Fatal(err)
	}
}
