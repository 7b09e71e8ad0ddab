package notify_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"frontdesk/hooks/jobs"
	"frontdesk/models"
)

// TestAlertFanOutFigure is the alert fan-out figure: FRONTDESK_BENCH_LEADS leads
// (default 1,000) over FRONTDESK_BENCH_SECONDS (default 60; 0 sends them as fast as the
// API takes them) through the widget API, each alerting two staff emails, one SMS and
// one webhook, on the production runner settings (4 deliveries at a time, 2s poll). It
// reports how long after its lead each alert arrived at the fake mail server, SMS API
// and webhook receiver. Run with FRONTDESK_BENCH=1.
func TestAlertFanOutFigure(t *testing.T) {
	if os.Getenv("FRONTDESK_BENCH") == "" {
		t.Skip("set FRONTDESK_BENCH=1 for the alert fan-out figure")
	}
	leads := envInt("FRONTDESK_BENCH_LEADS", 1000)
	over := time.Duration(envInt("FRONTDESK_BENCH_SECONDS", 60)) * time.Second
	e := newEnv(t, envOptions{jobs: jobs.Options{Concurrency: 4, PollInterval: 2 * time.Second, RetryBase: 10 * time.Second, RetryMax: time.Hour}})
	e.twilioAccount()
	e.staff("owner@brightsmile.example", models.RoleOwner, map[string]any{"notify_sms": true, "phone": "+15035550177"})
	e.staff("admin@brightsmile.example", models.RoleAdmin, map[string]any{"notify_email": true})
	e.webhook(nil)

	created := map[string]time.Time{}
	start := time.Now()
	for i := range leads {
		if over > 0 {
			if d := time.Until(start.Add(over * time.Duration(i) / time.Duration(leads))); d > 0 {
				time.Sleep(d)
			}
		}
		id := e.visitor().lead(map[string]any{"name": "Visitor " + strconv.Itoa(i), "email": "v" + strconv.Itoa(i) + "@example.com"})
		created[id] = time.Now()
	}
	submitted := time.Since(start)
	want := 4 * leads
	waitFor(t, 10*time.Minute, "every alert", func() bool {
		return len(e.mail.Messages())+len(e.twilio.messages())+len(e.hook.deliveries()) >= want
	})
	allOut := time.Since(start)

	leadOf := regexp.MustCompile(`/console/leads/([a-z0-9]+)`)
	var delays []time.Duration
	add := func(text string, at time.Time) {
		m := leadOf.FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("an alert without its lead's link: %q", text)
		}
		delays = append(delays, at.Sub(created[m[1]]))
	}
	for _, m := range e.mail.Messages() {
		add(m.Parse(t).Parts["text/plain"], m.At)
	}
	for _, s := range e.twilio.messages() {
		add(s.text, s.at)
	}
	for _, d := range e.hook.deliveries() {
		var ev struct{ Data struct{ URL string } }
		_ = json.Unmarshal(d.body, &ev)
		add(ev.Data.URL, d.at)
	}
	slices.Sort(delays)
	q := func(p float64) time.Duration { return delays[int(p*float64(len(delays)-1))].Round(time.Millisecond) }
	t.Logf("%d leads submitted in %v; %d alerts all out %v after the first lead", leads, submitted.Round(time.Millisecond), len(delays), allOut.Round(time.Millisecond))
	t.Logf("delay from lead to alert received: p50 %v, p90 %v, p99 %v, max %v", q(0.5), q(0.9), q(0.99), q(1))
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n >= 0 {
		return n
	}
	return def
}
