package notify_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"frontdesk/internal/phone"
	"frontdesk/models"
)

// The property the whole package exists for: random visitors leave random names, emails,
// phones, messages and services through the widget API, and ask for a person; none of
// it appears in any byte of any email, text message or webhook produced.
func TestNoVisitorDataInAnyAlert(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	e := newEnv(t, envOptions{})
	e.twilioAccount()
	e.staff("owner@brightsmile.example", models.RoleOwner, map[string]any{"notify_sms": true, "phone": "+15035550177"})
	e.staff("admin@brightsmile.example", models.RoleAdmin, map[string]any{"notify_email": true, "digest_minutes": 0})
	e.webhook(nil)
	e.webhook(map[string]any{"format": "slack"})
	e.webhook(map[string]any{"format": "teams"})

	services := []string{"Teeth whitening", "Root canal treatment", "Invisalign clear aligners", "Emergency visit"}
	var secrets []string
	const visitors = 12
	for range visitors {
		first, last := word(rng, 7), word(rng, 9)
		name := title(first) + " " + title(last)
		local, domain := word(rng, 8), word(rng, 8)
		email := local + "@" + domain + ".example"
		typed := fmt.Sprintf("(503) 555-%04d", 1000+rng.IntN(9000))
		e164, err := phone.E164(typed, "US")
		if err != nil {
			t.Fatal(err)
		}
		message := "My " + word(rng, 10) + " hurts since " + word(rng, 8) + ", please call " + word(rng, 7)
		service := services[rng.IntN(len(services))]
		secrets = append(secrets, first, last, name, email, local, domain, typed, e164, strings.TrimPrefix(e164, "+1"), message, service)
		for _, w := range strings.Fields(message) {
			if len(w) >= 7 {
				secrets = append(secrets, strings.Trim(w, ","))
			}
		}

		v := e.visitor()
		if rec := v.post("/messages", map[string]any{"text": message}); rec.Code != 200 {
			t.Fatalf("message: %d %s", rec.Code, rec.Body)
		}
		v.lead(map[string]any{"name": name, "email": email, "phone": typed, "service": service, "sms_consent": rng.IntN(2) == 0})
		if rec := v.post("/handoff", map[string]any{}); rec.Code != 200 {
			t.Fatalf("handoff: %d %s", rec.Code, rec.Body)
		}
	}
	entries := e.waitSettled(30 * time.Second)

	// Everything produced, as bytes on the wire and decoded.
	var produced []string
	mails := e.mail.Messages()
	for _, m := range mails {
		produced = append(produced, string(m.Raw))
		p := m.Parse(t)
		produced = append(produced, p.Subject())
		for _, part := range p.Parts {
			produced = append(produced, part)
		}
	}
	texts := e.twilio.messages()
	for _, s := range texts {
		produced = append(produced, string(s.raw), s.text)
	}
	hooks := e.hook.deliveries()
	for _, d := range hooks {
		produced = append(produced, string(d.body))
		for k, vs := range d.header {
			produced = append(produced, k+": "+strings.Join(vs, ", "))
		}
	}
	// Two events per visitor: to the owner by email and SMS, the admin by email, and
	// three webhooks.
	if want := 2 * visitors; len(mails) != 2*want || len(texts) != want || len(hooks) != 3*want {
		t.Fatalf("%d emails, %d texts, %d webhook deliveries; want %d, %d, %d", len(mails), len(texts), len(hooks), 2*want, want, 3*want)
	}
	for _, r := range entries {
		if r.GetString("status") != models.OutboxSent {
			t.Fatalf("entry %s %s: %s", r.GetString("channel"), r.GetString("status"), r.GetString("last_error"))
		}
	}
	all := strings.ToLower(strings.Join(produced, "\n\x00\n"))
	for _, s := range secrets {
		if strings.Contains(all, strings.ToLower(s)) {
			t.Errorf("visitor data %q appears in an alert", s)
		}
	}
}

// word is n random lowercase letters: a string no alert text contains by chance.
func word(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rng.IntN(26))
	}
	return string(b)
}

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }
