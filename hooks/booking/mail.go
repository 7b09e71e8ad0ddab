package booking

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"

	"frontdesk/hooks/jobs"
	"frontdesk/internal/calendar"
	"frontdesk/internal/locale"
	"frontdesk/models"
)

// The emails a visitor gets about a booking.
const (
	mailConfirmed   = "confirmed"
	mailRescheduled = "rescheduled"
	mailCancelled   = "cancelled"
	mailReminder    = "reminder"
)

type mailPayload struct {
	Booking string `json:"booking"`
	Kind    string `json:"kind"`
}

// manageToken is the secret of booking id's manage link, derived from the appliance's
// key: the confirmation and the reminder, sent later by jobs, can carry the link without
// the secret being stored anywhere (the booking keeps only its hash, to check it).
func (m *Manager) manageToken(id string) string {
	mac := hmac.New(sha256.New, m.secret())
	mac.Write([]byte("frontdesk booking manage link\x00" + id))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// manageURL is the page where the visitor sees, moves or cancels booking id.
func (m *Manager) manageURL(b *models.Business, id string) string {
	base := strings.TrimRight(m.app.Settings().Meta.AppURL, "/")
	q := url.Values{"token": {m.manageToken(id)}, "practice": {b.Slug()}}
	return base + "/booking/" + url.PathEscape(id) + "?" + q.Encode()
}

// enqueueMail queues the visitor's email about bk in tx, so it goes out only if the
// change commits.
func (m *Manager) enqueueMail(tx core.App, bk *models.Booking, kind string) error {
	_, err := jobs.Enqueue(tx, kindMail, kindMail+":"+kind+":"+bk.Id, mailPayload{Booking: bk.Id, Kind: kind})
	return err
}

// enqueueReminder queues the reminder for when the practice wants it sent. A booking
// made inside that window gets none: its confirmation has just gone out.
func (m *Manager) enqueueReminder(tx core.App, b *models.Business, bk *models.Booking) error {
	at := bk.Start().Add(-b.BookingReminder())
	if !at.After(m.now()) {
		// A visit moved into the window drops the reminder queued for its old time.
		return dropReminder(tx, bk.Id)
	}
	_, err := jobs.Enqueue(tx, kindRemind, kindRemind+":"+bk.Id, mailPayload{Booking: bk.Id, Kind: mailReminder}, jobs.At(at))
	return err
}

// dropReminder deletes booking id's reminder while it waits in the queue (a running one
// finds the booking's state itself).
func dropReminder(tx core.App, id string) error {
	_, err := tx.DB().Delete(jobs.Collection, dbx.HashExp{"key": kindRemind + ":" + id, "status": jobs.StatusQueued}).Execute()
	if err != nil {
		return fmt.Errorf("drop reminder: %w", err)
	}
	return nil
}

// queueText queues the visitor's text about bk for event, in tx, when they agreed to
// texts and gave a number; the text itself is written when it is sent (RenderText).
func (m *Manager) queueText(tx core.App, bk *models.Booking, event string) error {
	if m.opts.Texts == nil || bk.Lead() == "" {
		return nil
	}
	lr, err := tx.FindRecordById(models.LeadsCollection, bk.Lead())
	if err != nil {
		return nil // no lead, no number
	}
	lead := models.NewLead(lr)
	if !lr.GetBool("sms_consent") || lead.Phone() == "" {
		return nil
	}
	return m.opts.Texts.QueueText(tx, bk.Business(), lead.Phone(), event, bk.Id)
}

// RenderText writes the visitor's text for event (one of TextEvents) about booking id,
// when it is sent: in their conversation's language, with the manage link. It writes
// nothing ("") when the booking is gone, when a confirmation, move or reminder is for a
// booking since cancelled, when a reminder's visit has begun, and when the visitor's
// lead no longer consents to texts.
func (m *Manager) RenderText(event, id string) (string, error) {
	r, err := m.app.FindRecordById(models.BookingsCollection, id)
	if err != nil {
		return "", nil
	}
	bk := models.NewBooking(r)
	lr, err := m.app.FindRecordById(models.LeadsCollection, bk.Lead())
	if err != nil || !lr.GetBool("sms_consent") {
		return "", nil
	}
	br, err := m.app.FindRecordById(models.BusinessesCollection, bk.Business())
	if err != nil {
		return "", nil
	}
	b := models.NewBusiness(br)
	if event != TextCancelled && !bk.Confirmed() || event == TextReminder && !bk.Start().After(m.now()) {
		return "", nil
	}
	t := locale.For(m.visitorLang(b, bk))
	when := t.BookingWhen(bk.Start().In(b.Location()))
	switch event {
	case TextConfirmed:
		return t.BookingTextConfirmed(b.Name(), bk.Service(), when, m.manageURL(b, bk.Id)), nil
	case TextRescheduled:
		return t.BookingTextRescheduled(b.Name(), bk.Service(), when, m.manageURL(b, bk.Id)), nil
	case TextReminder:
		return t.BookingTextReminder(b.Name(), bk.Service(), when, m.manageURL(b, bk.Id)), nil
	case TextCancelled:
		return t.BookingTextCancelled(b.Name(), bk.Service(), when), nil
	}
	return "", fmt.Errorf("booking: no text for %q", event)
}

// visitorLang is the language of bk's visitor: their conversation's, else the practice's.
func (m *Manager) visitorLang(b *models.Business, bk *models.Booking) locale.Lang {
	convLocale := ""
	if cr, err := m.app.FindRecordById(models.ConversationsCollection, bk.Conversation()); err == nil {
		convLocale = cr.GetString("locale")
	}
	return locale.Match(convLocale, b.Locale())
}

// runRemind sends the reminder when it is due. The job may come early (a booking moved
// later keeps its queued job's earlier time), so it then queues itself again for the
// right time; a cancelled, past or already reminded booking gets nothing.
func (m *Manager) runRemind(ctx context.Context, job *jobs.Job) error {
	p, bk, b, err := m.mailJob(job)
	if bk == nil {
		return err
	}
	now := m.now()
	at := bk.Start().Add(-b.BookingReminder())
	switch {
	case !bk.Confirmed() || !bk.Start().After(now) || !bk.GetDateTime("reminded_at").IsZero():
		return nil
	case at.Sub(now) > time.Minute:
		_, err := jobs.Enqueue(m.app, kindRemind, job.Key, p, jobs.At(at))
		return err
	}
	if err := m.send(b, bk, mailReminder); err != nil {
		return err
	}
	// Marked and the text queued in one write: a rerun after the email repeats the email
	// at worst, never the text.
	return m.app.RunInTransaction(func(tx core.App) error {
		if _, err := tx.DB().Update(models.BookingsCollection, dbx.Params{"reminded_at": dbTime(now)}, dbx.HashExp{"id": bk.Id}).Execute(); err != nil {
			return err
		}
		return m.queueText(tx, bk, TextReminder)
	})
}

// runMail sends one email about a booking. The confirmation is marked sent on the
// booking, so a rerun after a crash doesn't send it twice; a crash between the send and
// the mark repeats it, which for a confirmation is better than losing it.
func (m *Manager) runMail(ctx context.Context, job *jobs.Job) error {
	p, bk, b, err := m.mailJob(job)
	if bk == nil {
		return err
	}
	if p.Kind == mailConfirmed && !bk.GetDateTime("confirmed_at").IsZero() {
		return nil
	}
	if err := m.send(b, bk, p.Kind); err != nil {
		return err
	}
	if p.Kind == mailConfirmed {
		_, err = m.app.NonconcurrentDB().Update(models.BookingsCollection, dbx.Params{"confirmed_at": dbTime(m.now())}, dbx.HashExp{"id": bk.Id}).Execute()
	}
	return err
}

// mailJob reads a mail or reminder job: its payload, its booking and the booking's
// practice. A booking or practice deleted since is nothing to send (nil booking, nil
// error); a payload that can't be read never will be.
func (m *Manager) mailJob(job *jobs.Job) (mailPayload, *models.Booking, *models.Business, error) {
	var p mailPayload
	if err := job.Decode(&p); err != nil {
		return p, nil, nil, jobs.Permanent(err)
	}
	r, err := m.app.FindRecordById(models.BookingsCollection, p.Booking)
	if err != nil {
		return p, nil, nil, nil
	}
	bk := models.NewBooking(r)
	br, err := m.app.FindRecordById(models.BusinessesCollection, bk.Business())
	if err != nil {
		return p, nil, nil, nil
	}
	return p, bk, models.NewBusiness(br), nil
}

// send emails the visitor about bk, in their conversation's language (else the
// practice's), with the visit as an .ics file unless it was cancelled. A visitor who
// left no email gets none.
func (m *Manager) send(b *models.Business, bk *models.Booking, kind string) error {
	lr, err := m.app.FindRecordById(models.LeadsCollection, bk.Lead())
	if err != nil {
		return nil
	}
	lead := models.NewLead(lr)
	if lead.Email() == "" {
		return nil
	}
	t := locale.For(m.visitorLang(b, bk))
	var subject, intro string
	switch kind {
	case mailConfirmed:
		subject, intro = t.BookingConfirmedSubject(b.Name()), t.BookingConfirmedIntro(lead.Name())
	case mailRescheduled:
		subject, intro = t.BookingRescheduledSubject(b.Name()), t.BookingRescheduledIntro(lead.Name())
	case mailCancelled:
		subject, intro = t.BookingCancelledSubject(b.Name()), t.BookingCancelledIntro(lead.Name())
	default:
		subject, intro = t.BookingReminderSubject(b.Name()), t.BookingReminderIntro(lead.Name())
	}
	lines := []string{intro, "", t.BookingDetails(bk.Service(), t.BookingWhen(bk.Start().In(b.Location())), b.Name(), b.GetString("address"))}
	if kind != mailCancelled {
		lines = append(lines, "", t.BookingManage(m.manageURL(b, bk.Id)))
	}
	text := strings.Join(lines, "\n")
	meta := m.app.Settings().Meta
	msg := &mailer.Message{
		From:    mail.Address{Name: b.Name(), Address: meta.SenderAddress},
		To:      []mail.Address{{Name: lead.Name(), Address: lead.Email()}},
		Subject: subject,
		Text:    text,
		HTML:    "<p>" + strings.ReplaceAll(html.EscapeString(text), "\n", "<br>\n") + "</p>",
	}
	if reply := b.GetString("email"); reply != "" {
		msg.Headers = map[string]string{"Reply-To": reply}
	}
	if kind != mailCancelled {
		ics, err := calendar.ICS(calendar.Event{
			ID: bk.Id, Start: bk.Start(), End: bk.End(),
			Summary:     bk.Service() + " – " + b.Name(),
			Description: b.GetString("address"),
		}, m.now())
		if err != nil {
			return jobs.Permanent(err)
		}
		msg.Attachments = map[string]io.Reader{"visit.ics": bytes.NewReader(ics)}
	}
	return m.app.NewMailClient().Send(msg)
}
