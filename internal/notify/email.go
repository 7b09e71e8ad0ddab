package notify

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"time"

	"frontdesk/internal/locale"
)

// Email is the content of an alert email: a subject, a plain-text body and an HTML body
// saying the same.
type Email struct {
	Subject, Text, HTML string
}

// AlertEmail renders a's email, with the subject "New contact request — Bright Smile Dental".
func AlertEmail(a Alert) Email {
	c := locale.For(a.Lang)
	what := a.What()
	lines := []string{c.AlertBody(what, a.Practice, a.When())}
	return render(a.Lang, what+" — "+a.Practice, lines, a.URL)
}

// Count is how many alerts of one event a digest summarises.
type Count struct {
	Event string
	N     int
}

// Digest is several alerts of one practice told in one email.
type Digest struct {
	Practice string
	// Counts are the alerts by event, in the order shown.
	Counts []Count
	// Since is when the first of them happened; Zone shows it in the practice's time.
	Since time.Time
	Zone  *time.Location
	// URL is the staff console's page where they are listed.
	URL  string
	Lang locale.Lang
}

// Total is how many alerts d summarises.
func (d Digest) Total() int {
	n := 0
	for _, c := range d.Counts {
		n += c.N
	}
	return n
}

// DigestEmail renders d: its count in the subject, a line per event.
func DigestEmail(d Digest) Email {
	c := locale.For(d.Lang)
	n := d.Total()
	lines := []string{c.DigestIntro(n, d.Practice, formatTime(d.Since, d.Zone))}
	for _, k := range d.Counts {
		lines = append(lines, "• "+Title(d.Lang, k.Event)+": "+strconv.Itoa(k.N))
	}
	return render(d.Lang, c.DigestSubject(n, d.Practice), lines, d.URL)
}

// render lays out an alert email: its lines, the link, and why it names nobody.
func render(lang locale.Lang, subject string, lines []string, link string) Email {
	c := locale.For(lang)
	var text strings.Builder
	for _, l := range lines {
		text.WriteString(l + "\n")
	}
	text.WriteString("\n" + c.AlertOpen + "\n" + link + "\n\n" + c.AlertPrivacy + "\n\n-- \n" + c.AlertWhy + "\n")
	var html bytes.Buffer
	// html/template escapes each value for where it lands, the link's URL included, so
	// nothing in a practice's name can turn into markup.
	_ = emailHTML.Execute(&html, map[string]any{
		"Lang": string(lang), "Subject": subject, "Lines": lines, "Link": link,
		"Button": c.AlertButton, "Privacy": c.AlertPrivacy, "Why": c.AlertWhy,
	})
	return Email{Subject: subject, Text: text.String(), HTML: html.String()}
}

var emailHTML = template.Must(template.New("alert").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif; color: #111827; line-height: 1.5; max-width: 560px; margin: 0 auto; padding: 24px;">
{{range .Lines}}<p style="margin: 0 0 8px;">{{.}}</p>
{{end}}<p style="margin: 24px 0;"><a href="{{.Link}}" style="background: #0f766e; color: #ffffff; padding: 10px 18px; border-radius: 6px; text-decoration: none; display: inline-block;">{{.Button}}</a></p>
<p style="margin: 0 0 8px; font-size: 14px; color: #4b5563;"><a href="{{.Link}}" style="color: #0f766e;">{{.Link}}</a></p>
<p style="margin: 16px 0 8px; font-size: 14px; color: #4b5563;">{{.Privacy}}</p>
<p style="margin: 16px 0 0; font-size: 12px; color: #6b7280;">{{.Why}}</p>
</body></html>
`))
