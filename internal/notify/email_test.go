package notify_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"frontdesk/internal/locale"
	"frontdesk/internal/notify"
)

var base64Std = base64.StdEncoding

func TestAlertEmail(t *testing.T) {
	a := alert
	a.Zone, _ = time.LoadLocation("America/Los_Angeles")
	e := notify.AlertEmail(a)
	if e.Subject != "New contact request — Bright Smile Dental" {
		t.Errorf("subject %q", e.Subject)
	}
	for _, part := range []string{e.Text, e.HTML} {
		for _, want := range []string{"New contact request at Bright Smile Dental", "2026-03-03 14:05 PST", a.URL} {
			if !strings.Contains(part, want) {
				t.Errorf("body lacks %q:\n%s", want, part)
			}
		}
	}
	a.Practice = `<script>alert(1)</script>`
	a.URL = `javascript:alert(1)`
	if h := notify.AlertEmail(a).HTML; strings.Contains(h, "<script>") || strings.Contains(h, `href="javascript:`) {
		t.Errorf("HTML not escaped:\n%s", h)
	}
	a.Lang, a.Event, a.Practice = locale.Spanish, notify.EventNeedsHuman, "Clínica"
	if s := notify.AlertEmail(a).Subject; s != "Un visitante pidió hablar con una persona — Clínica" {
		t.Errorf("Spanish subject %q", s)
	}
}

func TestDigestEmail(t *testing.T) {
	d := notify.Digest{
		Practice: "Bright Smile Dental", Since: alert.Time, URL: "https://fd.example/console/",
		Counts: []notify.Count{{Event: notify.EventLeadCreated, N: 3}, {Event: notify.EventNeedsHuman, N: 1}},
	}
	e := notify.DigestEmail(d)
	if e.Subject != "4 new alerts — Bright Smile Dental" {
		t.Errorf("subject %q", e.Subject)
	}
	for _, want := range []string{"4 alerts for Bright Smile Dental since 2026-03-03 22:05 UTC:", "New contact request: 3", "A visitor asked to talk to a person: 1", d.URL} {
		if !strings.Contains(e.Text, want) || !strings.Contains(e.HTML, want) {
			t.Errorf("digest lacks %q:\n%s", want, e.Text)
		}
	}
}

func TestEveryEventHasATitle(t *testing.T) {
	for _, lang := range locale.Langs() {
		for _, ev := range notify.Events() {
			if title := notify.Title(lang, ev); title == ev || title == "" {
				t.Errorf("%s: no title for %s", lang, ev)
			}
		}
	}
}
