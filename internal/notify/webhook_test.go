package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"frontdesk/internal/locale"
	"frontdesk/internal/netguard"
	"frontdesk/internal/notify"
)

// The spec's published test vector (the reference libraries' TestWebhookSign).
func TestSignMatchesTheStandardWebhooksTestVector(t *testing.T) {
	key, err := notify.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := notify.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestParseSecret(t *testing.T) {
	for _, ok := range []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", " whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"} {
		if _, err := notify.ParseSecret(ok); err != nil {
			t.Errorf("ParseSecret(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "whsec_", "whsec_not base64!", "whsec_c2hvcnQ=", "hunter2"} {
		if _, err := notify.ParseSecret(bad); err == nil {
			t.Errorf("ParseSecret(%q) accepted", bad)
		}
	}
}

var alert = notify.Alert{
	Event: notify.EventLeadCreated, Practice: "Bright Smile Dental", Business: "demo",
	ID: "abc123", URL: "https://fd.example/console/leads/abc123",
	Time: time.Date(2026, 3, 3, 22, 5, 0, 0, time.UTC), Lang: locale.English,
}

// receiver is a webhook endpoint that checks each delivery with the Standard Webhooks
// reference library and answers with the next status of its script (then 200).
type receiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	script []int
	got    []delivery
}

type delivery struct {
	id, timestamp string
	body          []byte
	verified      error
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var verr error
	if rc.secret != "" {
		wh, err := standardwebhooks.NewWebhook(rc.secret)
		if err != nil {
			rc.t.Error(err)
		}
		verr = wh.Verify(body, r.Header)
	}
	rc.mu.Lock()
	rc.got = append(rc.got, delivery{r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), body, verr})
	status := http.StatusOK
	if len(rc.script) > 0 {
		status, rc.script = rc.script[0], rc.script[1:]
	}
	rc.mu.Unlock()
	w.WriteHeader(status)
}

func TestEndpointSignsAsTheReferenceLibraryVerifies(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	rc := &receiver{t: t, secret: secret, script: []int{500}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	key, _ := notify.ParseSecret(secret)
	body, err := notify.WebhookBody(alert, notify.FormatStandard)
	if err != nil {
		t.Fatal(err)
	}
	ep := &notify.Endpoint{URL: srv.URL + "/hook", Key: key, AllowPrivate: true}
	m := notify.Message{ID: "msg_entry1", Text: string(body)}
	if _, err := ep.Send(context.Background(), m); err == nil || notify.IsPermanent(err) {
		t.Fatalf("a 500 must be a retryable error, got %v", err)
	}
	if _, err := ep.Send(context.Background(), m); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if len(rc.got) != 2 {
		t.Fatalf("%d deliveries", len(rc.got))
	}
	for _, d := range rc.got {
		if d.verified != nil {
			t.Errorf("reference verification: %v", d.verified)
		}
		if d.id != "msg_entry1" {
			t.Errorf("webhook-id %q: must stay the same across retries", d.id)
		}
	}
	var ev struct {
		Type, Timestamp string
		Data            map[string]string
	}
	if err := json.Unmarshal(rc.got[1].body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Type != "lead.created" || ev.Timestamp != "2026-03-03T22:05:00Z" || ev.Data["business"] != "demo" || ev.Data["id"] != "abc123" || ev.Data["url"] != alert.URL || len(ev.Data) != 3 {
		t.Fatalf("payload %s", rc.got[1].body)
	}
}

func TestEndpointRefusesPrivateAddressesUnlessAllowed(t *testing.T) {
	rc := &receiver{t: t}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	m := notify.Message{ID: "msg_1", Text: "{}"}
	_, err := (&notify.Endpoint{URL: srv.URL}).Send(context.Background(), m)
	if !notify.IsPermanent(err) || !errors.Is(err, netguard.ErrAddressNotAllowed) {
		t.Fatalf("loopback URL: %v, want a permanent ErrAddressNotAllowed", err)
	}
	// So is a localhost name, whatever it resolves to.
	u := strings.Replace(srv.URL, "127.0.0.1", "localhost.", 1)
	if _, err := (&notify.Endpoint{URL: u}).Send(context.Background(), m); !errors.Is(err, netguard.ErrAddressNotAllowed) {
		t.Fatalf("a name resolving inward: %v", err)
	}
	if _, err := (&notify.Endpoint{URL: "ftp://example.com/x"}).Send(context.Background(), m); !notify.IsPermanent(err) {
		t.Fatalf("ftp URL: %v", err)
	}
	if len(rc.got) != 0 {
		t.Fatalf("%d requests reached the private address", len(rc.got))
	}
	if _, err := (&notify.Endpoint{URL: srv.URL, AllowPrivate: true}).Send(context.Background(), m); err != nil {
		t.Fatalf("allowed: %v", err)
	}
}

func TestEndpointDoesNotFollowRedirects(t *testing.T) {
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer target.Close()
	srv := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	defer srv.Close()
	_, err := (&notify.Endpoint{URL: srv.URL, AllowPrivate: true}).Send(context.Background(), notify.Message{ID: "msg_1", Text: "{}"})
	if err == nil || hits.Load() != 0 {
		t.Fatalf("redirect: err %v, %d hits at the target", err, hits.Load())
	}
}

func TestSlackAndTeamsBodiesCarryTheTextAndLinkOnly(t *testing.T) {
	a := alert
	a.Practice = "Smile <&> Co"
	slack, err := notify.WebhookBody(a, notify.FormatSlack)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]string
	if err := json.Unmarshal(slack, &s); err != nil || len(s) != 1 {
		t.Fatalf("slack body %s: %v", slack, err)
	}
	if !strings.Contains(s["text"], "New contact request at Smile &lt;&amp;&gt; Co") || !strings.Contains(s["text"], "<"+a.URL+"|Open in the console>") {
		t.Fatalf("slack text %q", s["text"])
	}
	teams, err := notify.WebhookBody(a, notify.FormatTeams)
	if err != nil {
		t.Fatal(err)
	}
	var tm struct {
		Type        string
		Attachments []struct {
			ContentType string
			Content     struct {
				Type    string
				Body    []struct{ Type, Text string }
				Actions []struct{ Type, Title, URL string }
			}
		}
	}
	if err := json.Unmarshal(teams, &tm); err != nil || tm.Type != "message" || len(tm.Attachments) != 1 {
		t.Fatalf("teams body %s: %v", teams, err)
	}
	c := tm.Attachments[0]
	if c.ContentType != "application/vnd.microsoft.card.adaptive" || c.Content.Type != "AdaptiveCard" ||
		!strings.HasPrefix(c.Content.Body[0].Text, "New contact request at Smile <&> Co") || c.Content.Actions[0].URL != a.URL {
		t.Fatalf("teams card %s", teams)
	}
	if _, err := notify.WebhookBody(a, "xml"); err == nil {
		t.Fatal("unknown format accepted")
	}
}
