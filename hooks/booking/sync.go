package booking

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/jobs"
	"frontdesk/internal/availability"
	"frontdesk/internal/calendar"
	"frontdesk/internal/calendar/caldav"
	"frontdesk/internal/calendar/google"
	"frontdesk/internal/netguard"
	"frontdesk/models"
)

// Job kinds of the booking capability.
const (
	kindSync   = "booking.sync"
	kindMail   = "booking.mail"
	kindRemind = "booking.remind"
)

// Credential kinds of a practice's calendar.
const (
	credCalDAV = "caldav"
	credGoogle = "google"
)

func (m *Manager) bindJobs() {
	m.opts.Jobs.Handle(kindSync, m.runSync)
	m.opts.Jobs.Handle(kindMail, m.runMail)
	m.opts.Jobs.Handle(kindRemind, m.runRemind)
}

// bindCredentials checks a CalDAV connection when it is saved, so the owner learns of
// a calendar Frontdesk may not reach then, not from the first booking that fails to sync.
func (m *Manager) bindCredentials() {
	m.app.OnRecordValidate(models.CredentialsCollection).BindFunc(m.checkCalDAV)
}

// checkCalDAV refuses a CalDAV credential that is not {url, username, password} or
// whose URL is not http(s) or names a private address the operator doesn't allow. The
// value is encrypted by now (the secrets hook runs first); the same check runs again
// before each use, for a value stored before the operator changed the rule.
func (m *Manager) checkCalDAV(e *core.RecordEvent) error {
	if e.Record.GetString("kind") != credCalDAV {
		return e.Next()
	}
	plain := e.Record.GetString("value")
	if m.opts.Decrypt != nil {
		if p, err := m.opts.Decrypt(plain); err == nil {
			plain = p
		}
	}
	var cfg caldav.Config
	if err := json.Unmarshal([]byte(plain), &cfg); err != nil || cfg.URL == "" || cfg.Username == "" {
		return fieldError("value", "invalid_caldav", `A CalDAV connection is {"url": ..., "username": ..., "password": ...}.`)
	}
	if err := netguard.CheckURL(cfg.URL, m.opts.AllowPrivateNetworks); err != nil {
		return fieldError("value", "invalid_caldav_url", "Use the calendar's http:// or https:// address on the internet ("+err.Error()+").")
	}
	return e.Next()
}

// syncPayload names the booking to bring the calendar in line with. Ref is set for a
// deleted booking only: its record, and the reference in it, are gone when the job runs.
type syncPayload struct {
	Booking  string `json:"booking"`
	Business string `json:"business"`
	Ref      string `json:"ref,omitempty"`
}

// enqueueSync queues the calendar sync of r in tx. One key per booking: changes made
// while a sync is queued are one sync, and one made while it runs runs it again.
func (m *Manager) enqueueSync(tx core.App, r *core.Record, ref string) error {
	_, err := jobs.Enqueue(tx, kindSync, kindSync+":"+r.Id, syncPayload{Booking: r.Id, Business: r.GetString("business"), Ref: ref})
	return err
}

// calendarFor is the practice's connected calendar, or nil when it has none.
func (m *Manager) calendarFor(app core.App, b *models.Business) (calendar.Calendar, error) {
	r := &core.Record{}
	err := app.RecordQuery(models.CredentialsCollection).
		AndWhere(dbx.HashExp{"business": b.Id, "kind": []any{credCalDAV, credGoogle}}).
		OrderBy("kind ASC").Limit(1).One(r)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read calendar credentials: %w", err)
	}
	if m.opts.Decrypt == nil {
		return nil, jobs.Permanent(errors.New("no way to decrypt calendar credentials"))
	}
	plain, err := m.opts.Decrypt(r.GetString("value"))
	if err != nil {
		return nil, jobs.Permanent(fmt.Errorf("decrypt calendar credentials: %w", err))
	}
	switch r.GetString("kind") {
	case credCalDAV:
		var cfg caldav.Config
		if err := json.Unmarshal([]byte(plain), &cfg); err != nil {
			return nil, jobs.Permanent(errors.New("caldav credentials are not {url, username, password}"))
		}
		if err := netguard.CheckURL(cfg.URL, m.opts.AllowPrivateNetworks); err != nil {
			return nil, jobs.Permanent(fmt.Errorf("caldav url: %w", err))
		}
		c, err := caldav.New(m.guarded, cfg, b.Location())
		if err != nil {
			return nil, jobs.Permanent(err)
		}
		return c, nil
	default:
		var cred google.Credential
		if err := json.Unmarshal([]byte(plain), &cred); err != nil || cred.RefreshToken == "" {
			return nil, jobs.Permanent(errors.New("google credentials hold no refresh token"))
		}
		id := r.Id
		return google.New(m.opts.Google, m.opts.HTTPClient, cred, b.Location(), func(c google.Credential) {
			m.storeGoogle(id, c)
		}), nil
	}
}

// storeGoogle keeps a refreshed Google token in place of the old one (the secrets hook
// encrypts it on save), so the next request need not refresh again.
func (m *Manager) storeGoogle(credentialID string, c google.Credential) {
	r, err := m.app.FindRecordById(models.CredentialsCollection, credentialID)
	if err != nil {
		return
	}
	v, _ := json.Marshal(c)
	r.Set("value", string(v))
	if err := m.app.Save(r); err != nil {
		m.app.Logger().Warn("booking: store refreshed google token", "credential", credentialID, "error", err)
	}
}

// busy is the practice calendar's busy time in [from, to), read live, or nil when it has
// no calendar or the calendar can't be read in time: a calendar that is down must not
// stop visitors from booking, and the guard still keeps bookings apart.
func (m *Manager) busy(ctx context.Context, b *models.Business, from, to time.Time) []availability.Span {
	cal, err := m.calendarFor(m.app, b)
	if err != nil {
		m.app.Logger().Warn("booking: calendar not usable", "business", b.Id, "error", err)
		return nil
	}
	if cal == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, m.opts.BusyTimeout)
	defer cancel()
	// Read a day either side: servers differ on events that touch the window's edges
	// and on the zone of all-day events, and the engine ignores what lies outside.
	spans, err := cal.Busy(ctx, from.Add(-24*time.Hour), to.Add(24*time.Hour))
	if err != nil {
		m.app.Logger().Warn("booking: calendar busy time unavailable", "business", b.Id, "error", err)
		return nil
	}
	out := make([]availability.Span, len(spans))
	for i, s := range spans {
		out[i] = availability.Span(s)
	}
	return out
}

// runSync brings the practice's calendar in line with one booking: a confirmed booking
// has its event (created, or moved to its current times), a cancelled or deleted one has
// none. It reads the booking's state when it runs, so doing it twice does no harm.
func (m *Manager) runSync(ctx context.Context, job *jobs.Job) error {
	var p syncPayload
	if err := job.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	br, err := m.app.FindRecordById(models.BusinessesCollection, p.Business)
	if err != nil {
		return nil // the practice is gone, and its calendar credentials with it
	}
	b := models.NewBusiness(br)
	cal, err := m.calendarFor(m.app, b)
	if err != nil {
		return m.syncFailed(job, b, p.Booking, err)
	}
	if cal == nil {
		return nil
	}
	r, err := m.app.FindRecordById(models.BookingsCollection, p.Booking)
	if err != nil {
		if p.Ref == "" {
			return nil
		}
		if err := cal.Cancel(ctx, p.Ref); err != nil {
			return m.syncFailed(job, b, p.Booking, err)
		}
		return nil
	}
	bk := models.NewBooking(r)
	ref := bk.CalendarEvent()
	switch {
	case bk.Confirmed():
		ev := m.event(b, bk)
		if ref == "" {
			if ref, err = cal.Create(ctx, ev); err != nil {
				return m.syncFailed(job, b, bk.Id, err)
			}
		} else if err := cal.Move(ctx, ref, ev); err != nil {
			return m.syncFailed(job, b, bk.Id, err)
		}
	case ref != "":
		if err := cal.Cancel(ctx, ref); err != nil {
			return m.syncFailed(job, b, bk.Id, err)
		}
		ref = ""
	}
	n, err := m.note(bk.Id, ref, "")
	if err != nil {
		return err
	}
	if n == 0 && ref != "" {
		// Deleted while its event was being made: the delete saw no event to cancel.
		return cal.Cancel(ctx, ref)
	}
	return nil
}

// note records the sync's outcome on the booking with one UPDATE of those two columns:
// a save of the whole record could write back times a visitor changed meanwhile.
func (m *Manager) note(id, ref, syncErr string) (int64, error) {
	set := dbx.Params{"calendar_error": syncErr}
	if syncErr == "" {
		set["calendar_event"] = ref
	}
	res, err := m.app.NonconcurrentDB().Update(models.BookingsCollection, set, dbx.HashExp{"id": id}).Execute()
	if err != nil {
		return 0, fmt.Errorf("note calendar sync: %w", err)
	}
	return res.RowsAffected()
}

// syncFailed notes why a sync failed and retries it, unless no retry can help
// (credentials refused, an event that isn't Frontdesk's) or this was the last try: then
// staff are alerted, and the booking itself stands.
func (m *Manager) syncFailed(job *jobs.Job, b *models.Business, id string, err error) error {
	permanent := jobs.IsPermanent(err) || errors.Is(err, calendar.ErrAuth) || errors.Is(err, calendar.ErrNotOurs)
	last := permanent || job.Attempt >= job.MaxAttempts
	why := "The practice's calendar could not be reached"
	switch {
	case errors.Is(err, calendar.ErrAuth):
		why = "The practice's calendar refused Frontdesk's credentials; reconnect it"
	case errors.Is(err, calendar.ErrNotOurs):
		why = "The calendar event is not one Frontdesk made, so it was left alone"
	case permanent:
		why = "The practice's calendar settings are not usable (" + err.Error() + ")"
	}
	if last {
		why += ". Given up."
	} else {
		why += ". Retrying."
	}
	if _, nerr := m.note(id, "", models.Truncate(why, 500)); nerr != nil {
		m.app.Logger().Warn("booking: note sync failure", "booking", id, "error", nerr)
	}
	if !last {
		return err
	}
	if aerr := m.app.RunInTransaction(func(tx core.App) error { return m.alert(tx, b, EventCalendarFailed, id) }); aerr != nil {
		m.app.Logger().Error("booking: alert calendar failure", "booking", id, "error", aerr)
	}
	return jobs.Permanent(err)
}

// event is the booking as its calendar event: the service, who is coming and how to
// reach them. Nothing else: a booking holds no health details, and the event text is
// built from its fields only.
func (m *Manager) event(b *models.Business, bk *models.Booking) calendar.Event {
	ev := calendar.Event{ID: bk.Id, Start: bk.Start(), End: bk.End(), Summary: bk.Service()}
	if lr, err := m.app.FindRecordById(models.LeadsCollection, bk.Lead()); err == nil {
		lead := models.NewLead(lr)
		ev.Summary = bk.Service() + ": " + lead.Name()
		var lines []string
		if lead.Email() != "" {
			lines = append(lines, "Email: "+lead.Email())
		}
		if lead.Phone() != "" {
			lines = append(lines, "Phone: "+lead.Phone())
		}
		ev.Description = strings.Join(lines, "\n")
	}
	ev.Description = strings.TrimSpace(ev.Description + "\nBooked through Frontdesk (" + bk.Source() + ").")
	return ev
}
