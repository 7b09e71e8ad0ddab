package notify

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"frontdesk/hooks/jobs"
	"frontdesk/internal/notify"
	"frontdesk/models"
)

// bookingsCollection is where bookings will live (the booking capability); the hooks
// on it wait for the collection, since a hook tag matches nothing until it exists.
const bookingsCollection = "bookings"

// Event is something a practice's staff are told of.
type Event struct {
	// Name is one of internal/notify's Event constants.
	Name string
	// Business is the practice's id.
	Business string
	// Subject is the id of the record the event is about.
	Subject string
	// Path is the staff console's page for it, such as "leads/ID".
	Path string
	// Time is when it happened (default: now).
	Time time.Time

	// except is the recipient not to tell: a failed delivery's own.
	except *core.Record
}

// bindEvents raises the events from the records that cause them.
func (m *Manager) bindEvents() {
	m.onCreate(models.LeadsCollection, "leads/", func(r *core.Record) string {
		return notify.EventLeadCreated
	})
	m.onCreate(models.ConversationsCollection, "conversations/", func(r *core.Record) string {
		return when(r.GetString("status") == models.StatusNeedsHuman, notify.EventNeedsHuman)
	})
	m.onUpdate(models.ConversationsCollection, "conversations/", []string{"status"},
		func(r *core.Record) bool { return r.GetString("status") == models.StatusNeedsHuman },
		func(r *core.Record, before map[string]string) string {
			return when(before["status"] != models.StatusNeedsHuman, notify.EventNeedsHuman)
		})
	m.onUpdate(models.DocumentsCollection, "documents/", []string{"status"},
		func(r *core.Record) bool { return r.GetString("status") == models.DocFailed },
		func(r *core.Record, before map[string]string) string {
			return when(before["status"] != models.DocFailed, notify.EventKnowledgeFailed)
		})
	m.onCreate(bookingsCollection, "bookings/", func(r *core.Record) string {
		return notify.EventBookingCreated
	})
	m.onUpdate(bookingsCollection, "bookings/", []string{"status", "start"},
		func(r *core.Record) bool { return true },
		func(r *core.Record, before map[string]string) string {
			status := r.GetString("status")
			switch {
			case status == "cancelled" && before["status"] != "cancelled":
				return notify.EventBookingCancelled
			case status != "cancelled" && r.GetDateTime("start").String() != before["start"]:
				return notify.EventBookingRescheduled
			}
			return ""
		})
}

func when(cond bool, event string) string {
	if cond {
		return event
	}
	return ""
}

// onCreate raises the event detect names ("" for none) when a record is created.
func (m *Manager) onCreate(collection, path string, detect func(*core.Record) string) {
	m.app.OnRecordCreateExecute(collection).BindFunc(func(e *core.RecordEvent) error {
		ev := detect(e.Record)
		if ev == "" {
			return e.Next()
		}
		return m.raise(e, path, nil, func(*core.Record, map[string]string) string { return ev })
	})
}

// onUpdate raises the event detect names when a record is updated: detect sees the
// stored values of fields as they were before this save. A record proxy's Original()
// is the state when it was loaded, which a second save of the same instance (the chat
// engine saves a conversation several times) would mistake for the stored one. maybe
// is a cheap look at the new values, so most saves read nothing more.
func (m *Manager) onUpdate(collection, path string, fields []string, maybe func(*core.Record) bool, detect func(*core.Record, map[string]string) string) {
	m.app.OnRecordUpdateExecute(collection).BindFunc(func(e *core.RecordEvent) error {
		if !maybe(e.Record) {
			return e.Next()
		}
		return m.raise(e, path, fields, detect)
	})
}

// raise saves the record and writes its event's alerts in one transaction (or the
// caller's, when the save is in one). The execute hooks run where the row is written,
// but not in a transaction unless the save was in one: the event is decided, the row
// written and the alerts added in one here, so they commit or roll back together.
func (m *Manager) raise(e *core.RecordEvent, path string, fields []string, detect func(*core.Record, map[string]string) string) error {
	return e.App.RunInTransaction(func(tx core.App) error {
		before := map[string]string{}
		if len(fields) > 0 {
			row := dbx.NullStringMap{}
			err := tx.DB().Select(fields...).From(e.Record.Collection().Name).
				Where(dbx.HashExp{"id": e.Record.Id}).One(row)
			if err != nil {
				return fmt.Errorf("read stored %s: %w", e.Record.Collection().Name, err)
			}
			for _, f := range fields {
				before[f] = row[f].String
			}
		}
		name := detect(e.Record, before)
		orig := e.App
		e.App = tx
		defer func() { e.App = orig }()
		if err := e.Next(); err != nil || name == "" {
			return err
		}
		ev := Event{Name: name, Business: e.Record.GetString("business"), Subject: e.Record.Id, Path: path + e.Record.Id}
		if err := m.Emit(tx, ev); err != nil {
			return fmt.Errorf("alert %s: %w", ev.Name, err)
		}
		return nil
	})
}

// Emit writes ev's outbox entries and their send jobs with app, which should be the
// transaction of the write that caused it: one entry per staff member and channel they
// chose, and one per active webhook that takes the event.
func (m *Manager) Emit(app core.App, ev Event) error {
	if ev.Time.IsZero() {
		ev.Time = m.opts.Now()
	}
	if ev.Business == "" {
		return nil
	}
	link := m.consoleURL(ev.Path)
	staff, err := app.FindAllRecords(models.StaffCollection, dbx.HashExp{"business": ev.Business})
	if err != nil {
		return fmt.Errorf("find staff: %w", err)
	}
	var smsReady bool
	optedOut := map[string]bool{}
	for _, s := range staff {
		if s.GetBool("notify_sms") && s.GetString("phone") != "" {
			if smsReady, err = hasSMSProvider(app, ev.Business); err != nil {
				return err
			}
			if optedOut, err = optedOutNumbers(app, ev.Business); err != nil {
				return err
			}
			break
		}
	}
	add := func(channel string, set func(*core.Record), due time.Time) error {
		return m.addEntry(app, ev, link, channel, set, due)
	}
	// The recipient whose delivery failed is not told of it on the channel that failed.
	failed := func(channel, field, id string) bool {
		return ev.except != nil && ev.except.GetString("channel") == channel && ev.except.GetString(field) == id
	}
	for _, s := range staff {
		setStaff := func(r *core.Record) { r.Set("staff", s.Id) }
		if s.GetBool("notify_email") && s.Email() != "" && !failed(models.ChannelEmail, "staff", s.Id) {
			due, err := digestDue(app, s, ev.Time)
			if err != nil {
				return err
			}
			if err := add(models.ChannelEmail, setStaff, due); err != nil {
				return err
			}
		}
		if s.GetBool("notify_sms") && s.GetString("phone") != "" && smsReady && !optedOut[s.GetString("phone")] && !failed(models.ChannelSMS, "staff", s.Id) {
			if err := add(models.ChannelSMS, setStaff, ev.Time); err != nil {
				return err
			}
		}
	}
	hooks, err := app.FindAllRecords(models.WebhooksCollection, dbx.HashExp{"business": ev.Business, "active": true})
	if err != nil {
		return fmt.Errorf("find webhooks: %w", err)
	}
	for _, h := range hooks {
		if failed(models.ChannelWebhook, "webhook", h.Id) {
			continue
		}
		if wants := h.GetStringSlice("events"); len(wants) > 0 && !slices.Contains(wants, ev.Name) {
			continue
		}
		if err := add(models.ChannelWebhook, func(r *core.Record) { r.Set("webhook", h.Id) }, ev.Time); err != nil {
			return err
		}
	}
	return nil
}

// addEntry writes one pending outbox entry and its send job, due at due.
func (m *Manager) addEntry(app core.App, ev Event, link, channel string, set func(*core.Record), due time.Time) error {
	col, err := app.FindCachedCollectionByNameOrId(models.OutboxCollection)
	if err != nil {
		return err
	}
	r := core.NewRecord(col)
	r.Set("business", ev.Business)
	r.Set("channel", channel)
	r.Set("event", ev.Name)
	r.Set("link", link)
	r.Set("subject", ev.Subject)
	r.Set("occurred", ev.Time)
	r.Set("status", models.OutboxPending)
	r.Set("next_attempt", due)
	set(r)
	if err := app.Save(r); err != nil {
		return fmt.Errorf("outbox entry: %w", err)
	}
	return enqueue(app, r.Id, due)
}

// enqueue adds the send job of outbox entry id.
func enqueue(app core.App, id string, due time.Time) error {
	_, err := jobs.Enqueue(app, KindSend, "outbox:"+id, sendPayload{Outbox: id}, jobs.At(due), jobs.MaxAttempts(maxAttempts))
	return err
}

// sendPayload is a send job's payload.
type sendPayload struct {
	Outbox string `json:"outbox"`
}

// digestDue is when a new email alert to s goes out: now, or for a staff member with a
// digest of N minutes, N minutes after their last alert email, so they get at most one
// per N minutes, which tells of everything pending by then.
func digestDue(app core.App, s *core.Record, at time.Time) (time.Time, error) {
	n := s.GetInt("digest_minutes")
	if n <= 0 {
		return at, nil
	}
	last, err := lastEmailSent(app, s.Id)
	if err != nil || last.IsZero() {
		return at, err
	}
	return later(at, last.Add(time.Duration(n)*time.Minute)), nil
}

// lastEmailSent is when staff member id was last sent an alert email (zero if never).
func lastEmailSent(app core.App, staffID string) (time.Time, error) {
	var last types.DateTime
	// The staff index's order: an index seek, not a scan of their history.
	err := app.DB().NewQuery(`SELECT [[sent_at]] FROM outbox WHERE [[staff]] = {:s} AND [[channel]] = 'email' AND [[status]] = 'sent' AND [[staff]] != ''
ORDER BY [[sent_at]] DESC LIMIT 1`).Bind(dbx.Params{"s": staffID}).Row(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("last alert email: %w", err)
	}
	return last.Time(), nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// hasSMSProvider reports whether the practice has Twilio or Telnyx credentials.
func hasSMSProvider(app core.App, business string) (bool, error) {
	n, err := app.CountRecords(models.CredentialsCollection, dbx.HashExp{"business": business, "kind": []any{models.CredentialTwilio, models.CredentialTelnyx}})
	if err != nil {
		return false, fmt.Errorf("find SMS credentials: %w", err)
	}
	return n > 0, nil
}

// optedOutNumbers are the practice's numbers that texted STOP.
func optedOutNumbers(app core.App, business string) (map[string]bool, error) {
	var phones []string
	err := app.DB().Select("phone").From(models.SMSOptOutsCollection).
		Where(dbx.HashExp{"business": business, "opted_out": true}).Column(&phones)
	if err != nil {
		return nil, fmt.Errorf("find opt-outs: %w", err)
	}
	out := make(map[string]bool, len(phones))
	for _, p := range phones {
		out[p] = true
	}
	return out, nil
}

// optedOut reports whether phone texted STOP to the practice (and not START since).
func optedOut(app core.App, business, phone string) (bool, error) {
	n, err := app.CountRecords(models.SMSOptOutsCollection, dbx.HashExp{"business": business, "phone": phone, "opted_out": true})
	if err != nil {
		return false, fmt.Errorf("find opt-out: %w", err)
	}
	return n > 0, nil
}
