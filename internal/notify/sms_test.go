package notify_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"frontdesk/internal/locale"
	"frontdesk/internal/notify"
)

func TestParseCommand(t *testing.T) {
	for body, want := range map[string]notify.Command{
		"STOP": notify.CommandStop, " stop ": notify.CommandStop, "Stop.": notify.CommandStop,
		"unsubscribe": notify.CommandStop, "CANCEL": notify.CommandStop, "end": notify.CommandStop,
		"Quit!": notify.CommandStop, "STOPALL": notify.CommandStop,
		"START": notify.CommandStart, "unstop": notify.CommandStart,
		"HELP": notify.CommandHelp, "help?": notify.CommandHelp, "info": notify.CommandHelp,
		"don't stop": notify.CommandNone, "please stop texting": notify.CommandNone, "": notify.CommandNone,
		"STOP STOP": notify.CommandNone, "Hello": notify.CommandNone,
	} {
		if got := notify.ParseCommand(body); got != want {
			t.Errorf("ParseCommand(%q) = %d, want %d", body, got, want)
		}
	}
}

func TestReplies(t *testing.T) {
	if r := notify.Reply(locale.English, notify.CommandHelp, "Bright Smile Dental", "+15035550142"); !strings.Contains(r, "Bright Smile Dental") || !strings.Contains(r, "+15035550142") || !strings.Contains(r, "STOP") {
		t.Errorf("HELP reply %q", r)
	}
	if r := notify.Reply(locale.English, notify.CommandStop, "Bright Smile Dental", ""); !strings.Contains(r, "START") {
		t.Errorf("STOP reply %q", r)
	}
	if r := notify.Reply(locale.English, notify.CommandNone, "X", ""); r != "" {
		t.Errorf("no command answered %q", r)
	}
}

// Twilio's request-validation example (its security docs and libraries).
func TestTwilioSignatureMatchesTwiliosExample(t *testing.T) {
	const u = "https://mycompany.com/myapp.php?foo=1&bar=2"
	form := url.Values{
		"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+14158675309"}, "Digits": {"1234"},
		"From": {"+14158675309"}, "To": {"+18005551212"},
	}
	if got := notify.TwilioSignature("12345", u, form); got != "RSOYDt4T1cUTdK1PDd93/VVr8B8=" {
		t.Fatalf("signature %s", got)
	}
	if !notify.VerifyTwilio("12345", []string{"https://mycompany.com:443/myapp.php?foo=1&bar=2"}, form, "RSOYDt4T1cUTdK1PDd93/VVr8B8=") {
		t.Error("the same URL with its default port must verify")
	}
	repeated := url.Values{"Sid": {"CA123"}, "SidAccount": {"AC123"}, "Digits": {"5678", "1234", "1234"}}
	if got := notify.TwilioSignature("12345", u, repeated); got != "IK+Dwps556ElfBT0I3Rgjkr1wJU=" {
		t.Errorf("repeated parameters: %s", got)
	}
	form.Set("Digits", "9999")
	if notify.VerifyTwilio("12345", []string{u}, form, "RSOYDt4T1cUTdK1PDd93/VVr8B8=") {
		t.Error("a changed parameter verified")
	}
	if notify.VerifyTwilio("", []string{u}, form, "") {
		t.Error("empty token and signature verified")
	}
}

// fakeTwilio answers Twilio's Messages resource as Twilio does.
func fakeTwilio(t *testing.T, status int, reply string, got *url.Values) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/AC1/Messages.json" || !ok || user != "AC1" || pass != "token" ||
			r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("request %s %s auth %v %s", r.Method, r.URL.Path, ok, user)
		}
		_ = r.ParseForm()
		*got = r.PostForm
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
}

func TestTwilioSend(t *testing.T) {
	var got url.Values
	srv := fakeTwilio(t, 201, `{"sid": "SM123", "status": "queued"}`, &got)
	defer srv.Close()
	tw := &notify.Twilio{AccountSID: "AC1", AuthToken: "token", From: "+15035550100", BaseURL: srv.URL}
	ref, err := tw.Send(context.Background(), notify.Message{To: "+15035550199", Text: "hello"})
	if err != nil || ref != "SM123" {
		t.Fatalf("send: %q %v", ref, err)
	}
	if got.Get("To") != "+15035550199" || got.Get("From") != "+15035550100" || got.Get("Body") != "hello" {
		t.Fatalf("form %v", got)
	}
	tw.From = "MG123"
	if _, err := tw.Send(context.Background(), notify.Message{To: "+15035550199", Text: "x"}); err != nil || got.Get("MessagingServiceSid") != "MG123" || got.Has("From") {
		t.Fatalf("messaging service: %v %v", err, got)
	}
}

func TestTwilioErrors(t *testing.T) {
	var got url.Values
	for _, tc := range []struct {
		status    int
		reply     string
		permanent bool
		optedOut  bool
	}{
		{400, `{"code": 21610, "message": "Attempt to send to unsubscribed recipient +15035550199"}`, true, true},
		{400, `{"code": 21211, "message": "The 'To' number +15035550199 is not a valid phone number."}`, true, false},
		{429, `{"code": 20429, "message": "Too Many Requests"}`, false, false},
		{503, `oops`, false, false},
	} {
		srv := fakeTwilio(t, tc.status, tc.reply, &got)
		_, err := (&notify.Twilio{AccountSID: "AC1", AuthToken: "token", From: "+1", BaseURL: srv.URL}).Send(context.Background(), notify.Message{To: "+15035550199", Text: "x"})
		srv.Close()
		if err == nil || notify.IsPermanent(err) != tc.permanent || errors.Is(err, notify.ErrOptedOut) != tc.optedOut {
			t.Errorf("%d %s: %v", tc.status, tc.reply, err)
		}
		if err != nil && strings.Contains(err.Error(), "5035550199") {
			t.Errorf("the error quotes the number: %v", err)
		}
	}
}

func TestTelnyxSendAndErrors(t *testing.T) {
	var body map[string]string
	status, reply := 200, `{"data": {"id": "40385f64-5717-4562-b3fc-2c963f66afa6", "record_type": "message"}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v2/messages" || r.Header.Get("Authorization") != "Bearer KEY1" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %s %s %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
	defer srv.Close()
	tx := &notify.Telnyx{APIKey: "KEY1", From: "+15035550100", BaseURL: srv.URL}
	ref, err := tx.Send(context.Background(), notify.Message{To: "+15035550199", Text: "hello"})
	if err != nil || ref != "40385f64-5717-4562-b3fc-2c963f66afa6" {
		t.Fatalf("send: %q %v", ref, err)
	}
	if body["from"] != "+15035550100" || body["to"] != "+15035550199" || body["text"] != "hello" {
		t.Fatalf("body %v", body)
	}
	status, reply = 400, `{"errors": [{"code": "40300", "title": "Blocked due to STOP message", "detail": "+15035550199"}]}`
	if _, err := tx.Send(context.Background(), notify.Message{To: "+15035550199", Text: "x"}); !errors.Is(err, notify.ErrOptedOut) || !notify.IsPermanent(err) {
		t.Fatalf("opted out: %v", err)
	}
	status, reply = 500, `{"errors": [{"code": "10007", "title": "Unexpected error"}]}`
	if _, err := tx.Send(context.Background(), notify.Message{To: "+15035550199", Text: "x"}); err == nil || notify.IsPermanent(err) || !strings.Contains(err.Error(), "10007") {
		t.Fatalf("5xx: %v", err)
	}
}

// telnyxInbound is a message.received webhook as Telnyx sends it.
const telnyxInbound = `{"data": {"event_type": "message.received", "id": "b301ed3f-1490-491f-995f-6e64e69674d4", "occurred_at": "2026-03-03T22:05:00.000+00:00", "payload": {"direction": "inbound", "from": {"phone_number": "+15035550199", "carrier": "T-Mobile USA", "line_type": "long_code"}, "id": "84cca175-9755-4859-b67f-4730d7f58aa3", "text": "STOP", "to": [{"phone_number": "+15035550100", "status": "webhook_delivered"}], "type": "SMS"}, "record_type": "event"}, "meta": {"attempt": 1, "delivered_to": "https://example.com/webhooks"}}`

func TestVerifyTelnyx(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	pubB64 := b64(pub)
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)
	body := []byte(telnyxInbound)
	sig := notify.SignTelnyx(priv, ts, body)
	if err := notify.VerifyTelnyx(pubB64, ts, sig, body, now); err != nil {
		t.Fatalf("valid: %v", err)
	}
	if err := notify.VerifyTelnyx(pubB64, ts, sig, []byte(strings.Replace(telnyxInbound, "STOP", "HELP", 1)), now); !errors.Is(err, notify.ErrBadSignature) {
		t.Errorf("changed body: %v", err)
	}
	if err := notify.VerifyTelnyx(pubB64, strconv.FormatInt(now.Unix()+1, 10), sig, body, now); !errors.Is(err, notify.ErrBadSignature) {
		t.Errorf("changed timestamp: %v", err)
	}
	if err := notify.VerifyTelnyx(pubB64, ts, sig, body, now.Add(10*time.Minute)); !errors.Is(err, notify.ErrStale) {
		t.Errorf("replayed later: %v", err)
	}
	other, _, _ := ed25519.GenerateKey(nil)
	if err := notify.VerifyTelnyx(b64(other), ts, sig, body, now); !errors.Is(err, notify.ErrBadSignature) {
		t.Errorf("other key: %v", err)
	}
	if err := notify.VerifyTelnyx("not a key", ts, sig, body, now); err == nil {
		t.Error("bad key accepted")
	}
	in, ok, err := notify.ParseTelnyxInbound(body)
	if err != nil || !ok || in.From != "+15035550199" || in.To != "+15035550100" || in.Text != "STOP" {
		t.Fatalf("parse: %+v %v %v", in, ok, err)
	}
	if _, ok, err := notify.ParseTelnyxInbound([]byte(`{"data": {"event_type": "message.finalized", "payload": {"direction": "outbound"}}}`)); ok || err != nil {
		t.Fatalf("delivery report read as inbound: %v %v", ok, err)
	}
}

func b64(b []byte) string {
	return base64Std.EncodeToString(b)
}
