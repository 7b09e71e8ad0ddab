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
	m.onCreate(models.LeadsCollection, func(r *core.Record) (Event, bool) {
		return Event{Name: notify.EventLeadCreated, Path: "leads/"}, true
	})
	m.onCreate(models.ConversationsCollection, func(r *core.Record) (Event, bool) {
		return Event{Name: notify.EventNeedsHuman, Path: "conversations/"}, r.GetString("status") == models.StatusNeedsHuman
	})
	m.onUpdate(models.ConversationsCollection, func(r *core.Record) (Event, bool) {
		return Event{Name: notify.EventNeedsHuman, Path: "conversations/"}, became(r, "status", models.StatusNeedsHuman)
	})
	m.onUpdate(models.DocumentsCollection, func(r *core.Record) (Event, bool) {
		return Event{Name: notify.EventKnowledgeFailed, Path: "documents/"}, became(r, "status", models.DocFailed)
	})
	m.onCreate(bookingsCollection, func(r *core.Record) (Event, bool) {
		return Event{Name: notify.EventBookingCreated, Path: "bookings/"}, true
	})
	m.onUpdate(bookingsCollection, func(r *core.Record) (Event, bool) {
		switch {
		case became(r, "status", "cancelled"):
			return Event{Name: notify.EventBookingCancelled, Path: "bookings/"}, true
		case r.GetString("status") != "cancelled" && !r.GetDateTime("start").Equal(r.Original().GetDateTime("start")):
			return Event{Name: notify.EventBookingRescheduled, Path: "bookings/"}, true
		}
		return Event{}, false
	})
}

// became reports whether r's field changes to value in this save.
func became(r *core.Record, field, value string) bool {
	return r.GetString(field) == value && r.Original().GetString(field) != value
}

func (m *Manager) onCreate(collection string, detect func(*core.Record) (Event, bool)) {
	m.app.OnRecordCreateExecute(collection).BindFunc(m.raise(detect))
}

func (m *Manager) onUpdate(collection string, detect func(*core.Record) (Event, bool)) {
	m.app.OnRecordUpdateExecute(collection).BindFunc(m.raise(detect))
}

// raise writes the event's alerts in the transaction that saves the record. The execute
// hooks run where the row is written, but not in a transaction of their own unless the
// save was in one: the save and the alerts are put in one here (or join the caller's).
func (m *Manager) raise(detect func(*core.Record) (Event, bool)) func(*core.RecordEvent) error {
	return func(e *core.RecordEvent) error {
		// Decided before the write, while Original() is the stored state.
		ev, ok := detect(e.Record)
		if !ok {
			return e.Next()
		}
		return e.App.RunInTransaction(func(tx core.App) error {
			orig := e.App
			e.App = tx
			defer func() { e.App = orig }()
			if err := e.Next(); err != nil {
				return err
			}
			ev.Business = e.Record.GetString("business")
			ev.Subject = e.Record.Id
			ev.Path += e.Record.Id
			if err := m.Emit(tx, ev); err != nil {
				return fmt.Errorf("alert %s: %w", ev.Name, err)
			}
			return nil
		})
	}
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
	for _, s := range staff {
		if ev.except != nil && ev.except.GetString("staff") == s.Id {
			continue
		}
		setStaff := func(r *core.Record) { r.Set("staff", s.Id) }
		if s.GetBool("notify_email") && s.Email() != "" {
			due, err := digestDue(app, s, ev.Time)
			if err != nil {
				return err
			}
			if err := add(models.ChannelEmail, setStaff, due); err != nil {
				return err
			}
		}
		if s.GetBool("notify_sms") && s.GetString("phone") != "" && smsReady && !optedOut[s.GetString("phone")] {
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
		if ev.except != nil && ev.except.GetString("webhook") == h.Id {
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
