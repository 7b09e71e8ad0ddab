package notify_test

import (
	"crypto/ed25519"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/notify"
	"frontdesk/models"
)

const twilioRoute = "/api/frontdesk/sms/twilio/demo"

// twilioInbound posts an inbound text to the practice's Twilio route, signed as Twilio
// signs it for the address the practice configured there (the app's URL).
func (e *env) twilioInbound(from, body string, sign bool) *httptest.ResponseRecorder {
	e.t.Helper()
	form := url.Values{
		"MessageSid": {"SM" + strconv.FormatInt(time.Now().UnixNano(), 10)}, "AccountSid": {"AC1"},
		"From": {from}, "To": {"+15035550100"}, "Body": {body}, "NumMedia": {"0"},
	}
	sig := notify.TwilioSignature("twilio-token", "https://fd.example"+twilioRoute, form)
	if !sign {
		sig = notify.TwilioSignature("another-token", "https://fd.example"+twilioRoute, form)
	}
	return e.do("POST", twilioRoute, form.Encode(), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig,
	})
}

func (e *env) optOut(phone string) *core.Record {
	r, err := e.app.FindFirstRecordByFilter(models.SMSOptOutsCollection, "phone = {:p}", dbx.Params{"p": phone})
	if err != nil {
		return nil
	}
	return r
}

func TestTwilioInboundStopStartHelp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.twilioAccount()
	const visitor = "+15035550123"

	if rec := e.twilioInbound(visitor, "STOP", false); rec.Code != 403 {
		t.Fatalf("bad signature: %d", rec.Code)
	}
	if e.optOut(visitor) != nil {
		t.Fatal("an unsigned STOP was recorded")
	}

	rec := e.twilioInbound(visitor, "Stop", true)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/xml") || !strings.Contains(rec.Body.String(), "<Response></Response>") {
		t.Fatalf("STOP: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	o := e.optOut(visitor)
	if o == nil || !o.GetBool("opted_out") || o.GetString("keyword") != "STOP" || o.GetString("provider") != "twilio" || o.GetDateTime("changed").IsZero() {
		t.Fatalf("opt-out record %v", o)
	}
	e.waitSettled(10 * time.Second)
	// Further STOPs are not confirmed again.
	for _, kw := range []string{"UNSUBSCRIBE", "cancel", "END", "quit"} {
		if rec := e.twilioInbound(visitor, kw, true); rec.Code != 200 {
			t.Fatalf("%s: %d", kw, rec.Code)
		}
	}
	e.waitSettled(10 * time.Second)
	texts := e.twilio.messages()
	if len(texts) != 1 || texts[0].to != visitor || !strings.Contains(texts[0].text, "Bright Smile Dental: you are unsubscribed") {
		t.Fatalf("confirmations: %+v", texts)
	}

	// HELP: the practice's name and phone, at most once per 10 minutes per number.
	e.twilioInbound(visitor, "HELP", true)
	e.twilioInbound(visitor, "help", true)
	e.waitSettled(10 * time.Second)
	texts = e.twilio.messages()
	if len(texts) != 2 || !strings.Contains(texts[1].text, "Bright Smile Dental: for help, call (503) 555-0142") {
		t.Fatalf("HELP replies: %+v", texts)
	}

	// Other texts need nothing, and are neither stored nor answered.
	e.twilioInbound(visitor, "Hello, is anyone there?", true)
	// START opts back in, confirmed.
	e.twilioInbound(visitor, "START", true)
	e.waitSettled(10 * time.Second)
	texts = e.twilio.messages()
	if len(texts) != 3 || !strings.Contains(texts[2].text, "subscribed again") {
		t.Fatalf("START reply: %+v", texts)
	}
	if o := e.optOut(visitor); o.GetBool("opted_out") || o.GetString("keyword") != "START" {
		t.Fatalf("after START: %v", o.PublicExport())
	}

	if rec := e.do("POST", "/api/frontdesk/sms/twilio/nowhere", "", nil); rec.Code != 404 {
		t.Errorf("unknown practice: %d", rec.Code)
	}
	if rec := e.do("POST", "/api/frontdesk/sms/telnyx/demo", "{}", nil); rec.Code != 404 {
		t.Errorf("practice without Telnyx: %d", rec.Code)
	}
}

// Staff alert numbers honour STOP too: nothing more is texted to them until START.
func TestStaffNumberThatTextedStopGetsNoAlerts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.twilioAccount()
	e.staff("owner@brightsmile.example", models.RoleOwner, map[string]any{"notify_sms": true, "phone": "+15035550177"})
	e.twilioInbound("+15035550177", "STOP", true)
	e.waitSettled(10 * time.Second)
	e.visitor().lead(map[string]any{"name": "Ana", "email": "ana@example.com"})
	entries := e.waitSettled(10 * time.Second)
	texts := e.twilio.messages()
	if len(texts) != 1 || !strings.Contains(texts[0].text, "unsubscribed") {
		t.Fatalf("texts after STOP: %+v", texts)
	}
	if n := len(e.mail.Messages()); n != 1 {
		t.Errorf("the email alert still goes: %d emails", n)
	}
	for _, r := range entries {
		if r.GetString("channel") == models.ChannelSMS && r.GetString("event") == "lead.created" {
			t.Errorf("an SMS alert was queued for a number that texted STOP")
		}
	}

	// Opted out after the alert was queued: skipped at send time, with the reason.
	e.twilioInbound("+15035550177", "START", true)
	e.waitSettled(10 * time.Second)
	e.runner.Stop()
	e.visitor().lead(map[string]any{"name": "Ben", "email": "ben@example.com"})
	e.twilioInbound("+15035550177", "STOP", true)
	e.runner.Start()
	entries = e.waitSettled(10 * time.Second)
	var skipped int
	for _, r := range entries {
		if r.GetString("channel") == models.ChannelSMS && r.GetString("staff") != "" {
			if r.GetString("status") != models.OutboxSkipped || r.GetString("last_error") != "the number texted STOP" {
				t.Errorf("queued before STOP: %s %q", r.GetString("status"), r.GetString("last_error"))
			}
			skipped++
		}
	}
	if skipped != 1 {
		t.Errorf("%d skipped SMS alerts, want 1", skipped)
	}
	for _, s := range e.twilio.messages() {
		if strings.Contains(s.text, "New contact request") {
			t.Errorf("an alert was texted to a number that opted out: %q", s.text)
		}
	}
}

func TestTelnyxInboundStop(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	pub, priv := telnyxKeys(t)
	e.credential(models.CredentialTelnyx, map[string]string{"api_key": "telnyx-key", "from": "+15035550100", "public_key": pub})
	post := func(body string, key ed25519.PrivateKey, at time.Time) int {
		ts := strconv.FormatInt(at.Unix(), 10)
		return e.do("POST", "/api/frontdesk/sms/telnyx/demo", body, map[string]string{
			"telnyx-timestamp": ts, "telnyx-signature-ed25519": notify.SignTelnyx(key, ts, []byte(body)),
		}).Code
	}
	stop := strings.Replace(telnyxEvent, "TEXT", "STOP", 1)
	_, other := telnyxKeys(t)
	if code := post(stop, other, time.Now()); code != 403 {
		t.Fatalf("another key's signature: %d", code)
	}
	if code := post(stop, priv, time.Now().Add(-10*time.Minute)); code != 403 {
		t.Fatalf("a replayed request: %d", code)
	}
	if code := post(`{"data": {"event_type": "message.finalized", "payload": {"direction": "outbound"}}}`, priv, time.Now()); code != 200 {
		t.Fatalf("delivery report: %d", code)
	}
	if e.optOut("+15035550123") != nil {
		t.Fatal("recorded before a valid STOP")
	}
	if code := post(stop, priv, time.Now()); code != 200 {
		t.Fatalf("STOP: %d", code)
	}
	if o := e.optOut("+15035550123"); o == nil || !o.GetBool("opted_out") || o.GetString("provider") != "telnyx" {
		t.Fatalf("opt-out %v", o)
	}
	e.waitSettled(10 * time.Second)
	texts := e.telnyx.messages()
	if len(texts) != 1 || texts[0].to != "+15035550123" || !strings.Contains(texts[0].text, "unsubscribed") {
		t.Fatalf("confirmation through Telnyx: %+v", texts)
	}
}

// telnyxEvent is Telnyx's message.received webhook with TEXT for the message.
const telnyxEvent = `{"data": {"event_type": "message.received", "id": "b301ed3f-1490-491f-995f-6e64e69674d4", "occurred_at": "2026-03-03T22:05:00.000+00:00", "payload": {"direction": "inbound", "from": {"phone_number": "+15035550123", "carrier": "T-Mobile USA", "line_type": "long_code"}, "id": "84cca175-9755-4859-b67f-4730d7f58aa3", "text": "TEXT", "to": [{"phone_number": "+15035550100", "status": "webhook_delivered"}], "type": "SMS"}, "record_type": "event"}, "meta": {"attempt": 1, "delivered_to": "https://fd.example/api/frontdesk/sms/telnyx/demo"}}`
