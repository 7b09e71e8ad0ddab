package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"
	"github.com/pocketbase/pocketbase/tools/types"

	"frontdesk/hooks/jobs"
	"frontdesk/internal/guard"
	"frontdesk/internal/locale"
	"frontdesk/internal/notify"
	"frontdesk/models"
)

// Replies to inbound texts are outbox entries too, with these events.
const (
	eventSMSStopped = "sms.stopped"
	eventSMSStarted = "sms.started"
	eventSMSHelp    = "sms.help"
)

// afterSend and afterMark, when set (tests), run between a successful send and its
// mark, where a crash repeats the delivery, and right after the mark, where it must not.
var afterSend, afterMark func(entry string)

// handleSend is the send job: it delivers one outbox entry, or for a staff member with
// a digest, every alert email pending for them, and marks what it sent.
func (m *Manager) handleSend(ctx context.Context, job *jobs.Job) error {
	var p sendPayload
	if err := job.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	entry, err := m.app.FindRecordById(models.OutboxCollection, p.Outbox)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // deleted with its practice, staff member or webhook
	}
	if err != nil {
		return err
	}
	switch entry.GetString("status") {
	case models.OutboxSent, models.OutboxFailed, models.OutboxSkipped:
		return nil
	}
	batch, err := m.claim(entry, job.ID)
	if err != nil {
		return err
	}
	if len(batch) == 0 {
		// Another job's digest is sending it. Look again once that send has had its
		// time: if it failed, the entry is pending again and this job must send it.
		_, err := jobs.Enqueue(m.app, KindSend, job.Key, sendPayload{Outbox: entry.Id},
			jobs.At(m.opts.Now().Add(m.opts.SendTimeout)), jobs.MaxAttempts(maxAttempts))
		return err
	}
	if entry.GetString("status") == models.OutboxSending {
		// An attempt died between its send and its mark: at least once means again.
		m.app.Logger().Warn("notify: resending an entry whose last attempt did not finish; it may have been delivered", "outbox", entry.Id, "channel", entry.GetString("channel"))
	}
	ctx, cancel := context.WithTimeout(ctx, m.opts.SendTimeout)
	defer cancel()
	ref, err := m.deliver(ctx, entry, batch)
	if reason, ok := isSkip(err); ok {
		return m.finish(batch, models.OutboxSkipped, dbx.Params{"last_error": reason})
	}
	if err != nil {
		reason := scrub(err.Error())
		m.app.Logger().Warn("notify: delivery failed", "outbox", entry.Id, "channel", entry.GetString("channel"), "event", entry.GetString("event"), "attempt", job.Attempt, "error", reason)
		if ferr := m.finish(batch, models.OutboxPending, dbx.Params{"last_error": reason}); ferr != nil {
			m.app.Logger().Error("notify: record failed attempt", "outbox", entry.Id, "error", ferr)
		}
		if notify.IsPermanent(err) || jobs.IsPermanent(err) {
			return jobs.Permanent(errors.New(reason))
		}
		return errors.New(reason)
	}
	if afterSend != nil {
		afterSend(entry.Id)
	}
	// The mark that makes a rerun send nothing. If it fails the job errs and runs again,
	// which sends again: at least once.
	err = m.finish(batch, models.OutboxSent, dbx.Params{
		"sent_at": dbTime(m.opts.Now()), "provider_ref": models.Truncate(ref, 200), "last_error": "",
	})
	if err == nil && afterMark != nil {
		afterMark(entry.Id)
	}
	return err
}

// claim marks entry "sending" under jobID, and for the email of a staff member with a
// digest, every other alert email pending for them, in one transaction. It returns the
// entries claimed, entry first, or none when another job that is still queued or
// running holds entry (a digest took it in). The conditions are in the UPDATEs, so two
// jobs claiming at once can't both win: SQLite runs one write at a time.
func (m *Manager) claim(entry *core.Record, jobID string) ([]*core.Record, error) {
	var ids []string
	now := dbTime(m.opts.Now())
	err := m.app.RunInTransaction(func(tx core.App) error {
		ids = ids[:0]
		err := tx.DB().NewQuery(`UPDATE outbox SET status = 'sending', claim = {:job}, attempts = attempts + 1, updated = {:now}
WHERE id = {:id} AND (status = 'pending' OR status = 'sending' AND (claim = {:job} OR claim = ''
	OR claim NOT IN (SELECT id FROM jobs WHERE status IN ('queued', 'running')))) RETURNING id`).
			Bind(dbx.Params{"job": jobID, "now": now, "id": entry.Id}).Column(&ids)
		if err != nil || len(ids) == 0 {
			return err
		}
		staffID := entry.GetString("staff")
		if entry.GetString("channel") != models.ChannelEmail || staffID == "" {
			return nil
		}
		staff, err := tx.FindRecordById(models.StaffCollection, staffID)
		if err != nil || staff.GetInt("digest_minutes") <= 0 {
			return nil // a missing staff member is the delivery's to report
		}
		var more []string
		err = tx.DB().NewQuery(`UPDATE outbox SET status = 'sending', claim = {:job}, attempts = attempts + 1, updated = {:now}
WHERE staff = {:staff} AND channel = 'email' AND id != {:id} AND staff != ''
AND (status = 'pending' OR status = 'sending' AND claim = {:job}) RETURNING id`).
			Bind(dbx.Params{"job": jobID, "now": now, "id": entry.Id, "staff": staffID}).Column(&more)
		ids = append(ids, more...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox entry: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	batch := []*core.Record{entry}
	if len(ids) > 1 {
		rest, err := m.app.FindRecordsByIds(models.OutboxCollection, ids[1:])
		if err != nil {
			return nil, err
		}
		batch = append(batch, rest...)
	}
	return batch, nil
}

// finish sets the status of every entry of batch (and the given fields) and releases
// their claim.
func (m *Manager) finish(batch []*core.Record, status string, fields dbx.Params) error {
	ids := make([]any, len(batch))
	for i, r := range batch {
		ids[i] = r.Id
	}
	params := dbx.Params{"status": status, "claim": "", "updated": dbTime(m.opts.Now())}
	for k, v := range fields {
		params[k] = v
	}
	if _, err := m.app.DB().Update(models.OutboxCollection, params, dbx.In("id", ids...)).Execute(); err != nil {
		return fmt.Errorf("mark outbox %s: %w", status, err)
	}
	return nil
}

// deliver renders entry (or the digest of batch) and sends it on its channel.
func (m *Manager) deliver(ctx context.Context, entry *core.Record, batch []*core.Record) (string, error) {
	bizRec, err := m.app.FindRecordById(models.BusinessesCollection, entry.GetString("business"))
	if err != nil {
		return "", skip("the practice is gone")
	}
	biz := models.NewBusiness(bizRec)
	a := notify.Alert{
		Event: entry.GetString("event"), Practice: biz.Name(), Business: biz.Slug(),
		ID: entry.GetString("subject"), URL: entry.GetString("link"),
		Time: entry.GetDateTime("occurred").Time(), Zone: biz.Location(),
		Lang: locale.Match(biz.Locale()),
	}
	switch entry.GetString("channel") {
	case models.ChannelEmail:
		return m.deliverEmail(ctx, entry, batch, a)
	case models.ChannelSMS:
		return m.deliverSMS(ctx, entry, biz, a)
	case models.ChannelWebhook:
		return m.deliverWebhook(ctx, entry, a)
	}
	return "", jobs.Permanent(fmt.Errorf("unknown channel %q", entry.GetString("channel")))
}

func (m *Manager) deliverEmail(ctx context.Context, entry *core.Record, batch []*core.Record, a notify.Alert) (string, error) {
	staff, err := m.app.FindRecordById(models.StaffCollection, entry.GetString("staff"))
	if err != nil {
		return "", skip("the staff member is gone")
	}
	if !staff.GetBool("notify_email") || staff.Email() == "" {
		return "", skip("email alerts are off for this staff member")
	}
	content := notify.AlertEmail(a)
	if len(batch) > 1 {
		content = notify.DigestEmail(digest(batch, a))
	}
	meta := m.app.Settings().Meta
	msg := &mailer.Message{
		From:    mail.Address{Name: meta.SenderName, Address: meta.SenderAddress},
		To:      []mail.Address{{Address: staff.Email()}},
		Subject: content.Subject,
		HTML:    content.HTML,
		Text:    content.Text,
		Headers: map[string]string{
			// The same on every attempt at the same content, so a repeat after a crash is
			// recognisably one message.
			"Message-ID": "<" + entry.Id + "." + fmt.Sprint(len(batch)) + "@" + domainOf(meta.SenderAddress) + ">",
			// RFC 3834: no out-of-office replies to an alert.
			"Auto-Submitted":           "auto-generated",
			"X-Auto-Response-Suppress": "All",
		},
	}
	// PocketBase's mailer takes no context and sets no deadline: a mail server that
	// accepts and stalls would hold the job forever. The send goes on in its goroutine
	// when abandoned, and if it gets through, the retry sends the same Message-ID again.
	done := make(chan error, 1)
	go func() { done <- m.app.NewMailClient().Send(msg) }()
	select {
	case err := <-done:
		if err != nil {
			return "", fmt.Errorf("email: %w", err)
		}
		return "", nil
	case <-ctx.Done():
		return "", fmt.Errorf("email: %w", ctx.Err())
	}
}

// digest summarises batch: counts by event in the catalog's order, since the earliest.
func digest(batch []*core.Record, a notify.Alert) notify.Digest {
	counts := map[string]int{}
	since := a.Time
	for _, r := range batch {
		counts[r.GetString("event")]++
		if t := r.GetDateTime("occurred").Time(); t.Before(since) {
			since = t
		}
	}
	d := notify.Digest{Practice: a.Practice, Since: since, Zone: a.Zone, Lang: a.Lang, URL: strings.TrimSuffix(a.URL, pathOf(a.URL))}
	for _, ev := range notify.Events() {
		if counts[ev] > 0 {
			d.Counts = append(d.Counts, notify.Count{Event: ev, N: counts[ev]})
		}
	}
	return d
}

// pathOf is the part of a console link after "/console/" (the record's page), so the
// digest links to the console itself.
func pathOf(link string) string {
	if i := strings.Index(link, "/console/"); i >= 0 {
		return link[i+len("/console/"):]
	}
	return ""
}

func (m *Manager) deliverSMS(ctx context.Context, entry *core.Record, biz *models.Business, a notify.Alert) (string, error) {
	event := entry.GetString("event")
	to := entry.GetString("to")
	if staffID := entry.GetString("staff"); staffID != "" {
		staff, err := m.app.FindRecordById(models.StaffCollection, staffID)
		if err != nil {
			return "", skip("the staff member is gone")
		}
		if !staff.GetBool("notify_sms") || staff.GetString("phone") == "" {
			return "", skip("text alerts are off for this staff member")
		}
		to = staff.GetString("phone")
	}
	if to == "" {
		return "", skip("no number to send to")
	}
	// The STOP confirmation is the one message a number that opted out still gets; HELP
	// is answered whatever the number's state, as the carriers' rules ask.
	if event != eventSMSStopped && event != eventSMSHelp {
		out, err := optedOut(m.app, biz.Id, to)
		if err != nil {
			return "", err
		}
		if out {
			return "", skip("the number texted STOP")
		}
	}
	ch, err := m.smsChannel(biz.Id)
	if err != nil {
		return "", err
	}
	text := notify.AlertSMS(a)
	switch event {
	case eventSMSStopped:
		text = notify.Reply(a.Lang, notify.CommandStop, biz.Name(), biz.Phone())
	case eventSMSStarted:
		text = notify.Reply(a.Lang, notify.CommandStart, biz.Name(), biz.Phone())
	case eventSMSHelp:
		text = notify.Reply(a.Lang, notify.CommandHelp, biz.Name(), biz.Phone())
	}
	ref, err := ch.Send(ctx, notify.Message{ID: entry.Id, To: to, Text: text})
	if errors.Is(err, notify.ErrOptedOut) {
		return "", skip("the provider reports the number opted out")
	}
	return ref, err
}

// smsCredential is a practice's SMS account as stored (decrypted).
type smsCredential struct {
	AccountSID string `json:"account_sid"`
	AuthToken  string `json:"auth_token"`
	APIKey     string `json:"api_key"`
	From       string `json:"from"`
	PublicKey  string `json:"public_key"`
}

// credential is the practice's decrypted credential of kind (twilio, telnyx).
func (m *Manager) credential(business, kind string) (*smsCredential, error) {
	rec, err := m.app.FindFirstRecordByFilter(models.CredentialsCollection, "business = {:b} && kind = {:k}", dbx.Params{"b": business, "k": kind})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	plain, err := m.opts.Decrypt(rec.GetString("value"))
	if err != nil {
		return nil, fmt.Errorf("%s credentials: %w", kind, err)
	}
	var c smsCredential
	if err := json.Unmarshal([]byte(plain), &c); err != nil {
		return nil, fmt.Errorf("%s credentials are not a JSON object", kind)
	}
	return &c, nil
}

// smsChannel is the practice's SMS provider: Twilio if it has Twilio credentials, else
// Telnyx.
func (m *Manager) smsChannel(business string) (notify.Channel, error) {
	tw, err := m.credential(business, models.CredentialTwilio)
	if err != nil {
		return nil, jobs.Permanent(err)
	}
	if tw != nil {
		return &notify.Twilio{AccountSID: tw.AccountSID, AuthToken: tw.AuthToken, From: tw.From, BaseURL: m.opts.TwilioBaseURL, Client: m.opts.HTTPClient}, nil
	}
	tx, err := m.credential(business, models.CredentialTelnyx)
	if err != nil {
		return nil, jobs.Permanent(err)
	}
	if tx != nil {
		return &notify.Telnyx{APIKey: tx.APIKey, From: tx.From, BaseURL: m.opts.TelnyxBaseURL, Client: m.opts.HTTPClient}, nil
	}
	return nil, skip("the practice has no Twilio or Telnyx credentials")
}

func (m *Manager) deliverWebhook(ctx context.Context, entry *core.Record, a notify.Alert) (string, error) {
	hook, err := m.app.FindRecordById(models.WebhooksCollection, entry.GetString("webhook"))
	if err != nil {
		return "", skip("the webhook is gone")
	}
	if !hook.GetBool("active") {
		return "", skip("the webhook is turned off")
	}
	format := hook.GetString("format")
	var key []byte
	if stored := hook.GetString("secret"); stored != "" {
		secret, err := m.opts.Decrypt(stored)
		if err != nil {
			return "", jobs.Permanent(fmt.Errorf("webhook secret: %w", err))
		}
		if key, err = notify.ParseSecret(secret); err != nil {
			return "", jobs.Permanent(fmt.Errorf("webhook secret: %w", err))
		}
	} else if format == "" || format == models.WebhookStandard {
		return "", jobs.Permanent(errors.New("the webhook has no signing secret"))
	}
	body, err := notify.WebhookBody(a, format)
	if err != nil {
		return "", jobs.Permanent(err)
	}
	ep := &notify.Endpoint{URL: hook.GetString("url"), Key: key, AllowPrivate: m.opts.AllowPrivateNetworks, Client: m.webhook, Now: m.opts.Now}
	return ep.Send(ctx, notify.Message{ID: "msg_" + entry.Id, Text: string(body)})
}

// JobFailed is the runner's OnFailed for the send job: when a delivery is given up (a
// day of retries, or a failure no retry fixes) its entry is marked failed with the
// reason, which staff read in the outbox, and a delivery.failed event goes to everyone
// else who takes it, in the transaction that fails the job. Other jobs' failures are
// left alone, so it can be chained with other capabilities' callbacks.
func (m *Manager) JobFailed(tx core.App, job *jobs.Job, cause error) error {
	if job.Kind != KindSend {
		return nil
	}
	var p sendPayload
	if err := job.Decode(&p); err != nil {
		return nil
	}
	entry, err := tx.FindRecordById(models.OutboxCollection, p.Outbox)
	if err != nil {
		return nil
	}
	switch entry.GetString("status") {
	case models.OutboxSent, models.OutboxFailed, models.OutboxSkipped:
		return nil
	case models.OutboxSending:
		if claim := entry.GetString("claim"); claim != "" && claim != job.ID {
			return nil // another job's
		}
	}
	reason := scrub(cause.Error())
	if job.Attempt > 1 {
		reason = fmt.Sprintf("gave up after %d attempts: %s", job.Attempt, reason)
	}
	_, err = tx.DB().Update(models.OutboxCollection, dbx.Params{
		"status": models.OutboxFailed, "claim": "", "last_error": models.Truncate(reason, 1000), "updated": dbTime(m.opts.Now()),
	}, dbx.HashExp{"id": entry.Id}).Execute()
	if err != nil {
		return err
	}
	// A failure about a failure, or about a reply to a text, tells nobody more: alerts
	// must not breed alerts.
	if ev := entry.GetString("event"); ev == notify.EventDeliveryFailed || strings.HasPrefix(ev, "sms.") {
		return nil
	}
	return m.Emit(tx, Event{
		Name: notify.EventDeliveryFailed, Business: entry.GetString("business"),
		Subject: entry.Id, Path: "outbox/" + entry.Id, except: entry,
	})
}

// scrub keeps contact details out of a stored or logged error: a provider or mail
// server may quote the address or number it refused.
func scrub(s string) string {
	return models.Truncate(guard.NewRedactor().Redact(s), 1000)
}

// dbTime is t as PocketBase stores dates.
func dbTime(t time.Time) string {
	return t.UTC().Format(types.DefaultDateLayout)
}

func domainOf(address string) string {
	if i := strings.LastIndexByte(address, '@'); i >= 0 && i < len(address)-1 {
		return address[i+1:]
	}
	return "frontdesk.invalid"
}
