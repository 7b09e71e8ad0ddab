package booking

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"frontdesk/internal/availability"
	"frontdesk/internal/secrets"
	"frontdesk/models"
)

// weekdays maps the keys of a practice's hours to time's weekdays.
var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// service finds the practice's bookable service by name, ignoring case.
func service(b *models.Business, name string) (models.Service, bool) {
	return models.FindService(b.BookableServices(), name)
}

// request is the availability question for svc at b, without bookings or busy time.
func (m *Manager) request(b *models.Business, svc models.Service) availability.Request {
	hours := map[time.Weekday][]availability.Interval{}
	for k, ivs := range b.Hours() {
		wd, ok := weekdays[k]
		if !ok {
			continue
		}
		for _, iv := range ivs {
			hours[wd] = append(hours[wd], availability.Interval(iv))
		}
	}
	var closures []availability.Closure
	_ = b.UnmarshalJSONField("booking_closures", &closures)
	return availability.Request{
		Location:    b.Location(),
		Hours:       hours,
		Closures:    closures,
		Duration:    time.Duration(svc.DurationMin) * time.Minute,
		Buffer:      b.BookingBuffer(),
		Capacity:    b.BookingCapacity(),
		Notice:      b.BookingNotice(),
		HorizonDays: b.BookingHorizonDays(),
		Now:         m.now(),
	}
}

// dbTime is t as PocketBase stores dates, which sort as text.
func dbTime(t time.Time) string { return t.UTC().Format(types.DefaultDateLayout) }

// held lists the practice's confirmed bookings that overlap [from, to), except the one
// with id except: the capacity they hold.
func held(app core.App, business string, from, to time.Time, except string) ([]availability.Span, error) {
	var rows []struct {
		Start types.DateTime `db:"start"`
		End   types.DateTime `db:"end"`
	}
	q := app.DB().Select("start", "end").From(models.BookingsCollection).
		Where(dbx.HashExp{"business": business, "status": models.BookingConfirmed}).
		AndWhere(dbx.NewExp("[[start]] < {:to} AND [[end]] > {:from}", dbx.Params{"from": dbTime(from), "to": dbTime(to)}))
	if except != "" {
		q.AndWhere(dbx.Not(dbx.HashExp{"id": except}))
	}
	if err := q.All(&rows); err != nil {
		return nil, fmt.Errorf("read bookings: %w", err)
	}
	out := make([]availability.Span, len(rows))
	for i, r := range rows {
		out[i] = availability.Span{Start: r.Start.Time(), End: r.End.Time()}
	}
	return out, nil
}

// Slots lists the free slots of the service named svcName on the days dates from
// from, with the practice's calendar busy time read live. A calendar that can't be read
// is left out (and logged): its events then don't block slots, but the booking guard
// still keeps bookings apart.
func (m *Manager) Slots(ctx context.Context, b *models.Business, svcName string, from availability.Date, days int) ([]availability.Slot, error) {
	svc, ok := service(b, svcName)
	if !ok {
		return nil, invalidInput("Choose one of the practice's services.", map[string]string{"service": "Not a service this practice books online."})
	}
	req := m.request(b, svc)
	req.From, req.Days = from, days
	loc := b.Location()
	lo := time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, loc).Add(-24 * time.Hour)
	hi := time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, loc).AddDate(0, 0, days+1)
	var err error
	if req.Bookings, err = held(m.app, b.Id, lo.Add(-req.Buffer), hi.Add(req.Duration+req.Buffer), ""); err != nil {
		return nil, err
	}
	req.Busy = m.busy(ctx, b, lo, hi.Add(req.Duration))
	return availability.Slots(req), nil
}

// Booked is a booking just made, with the secret of its manage link (stored only as a
// hash).
type Booked struct {
	Booking *models.Booking
	Token   string
}

// BookInput is a visitor's request for a slot.
type BookInput struct {
	ConversationID string
	Service        string
	Start          time.Time
	Contact        Contact
	Source         string // models.SourceWidget or models.SourceChat
}

// Book makes a booking for a visitor: it checks the slot against the practice's
// availability, with busy time read live, then again inside one write transaction
// against the bookings of that moment, stores the visitor's lead, the booking, its
// calendar sync, emails and alert in that same transaction, or nothing at all.
func (m *Manager) Book(ctx context.Context, b *models.Business, in BookInput) (*Booked, error) {
	if !b.BookingEnabled() {
		return nil, errBookingOff
	}
	svc, ok := service(b, in.Service)
	if !ok {
		return nil, invalidInput("Choose one of the practice's services.", map[string]string{"service": "Not a service this practice books online."})
	}
	req := m.request(b, svc)
	start := in.Start.In(b.Location())
	end := start.Add(req.Duration)
	// Reasons no booking can change (past, closed, off the grid) are answered before
	// the calendar is asked or the write lock taken.
	if err := availability.Check(req, start); err != nil {
		return nil, checkError(err)
	}
	req.Busy = m.busy(ctx, b, start, end)
	id := core.GenerateDefaultRandomId()
	token := m.manageToken(id)
	var out *models.Booking
	err := m.app.RunInTransaction(func(tx core.App) error {
		var err error
		if req.Bookings, err = held(tx, b.Id, start.Add(-req.Duration-req.Buffer), end.Add(req.Buffer), ""); err != nil {
			return err
		}
		if err := availability.Check(req, start); err != nil {
			return checkError(err)
		}
		leadID, err := m.opts.Leads.Save(tx, b, in.ConversationID, in.Contact, svc.Name)
		if err != nil {
			return err
		}
		if err := markLeadBooked(tx, leadID); err != nil {
			return err
		}
		col, err := tx.FindCachedCollectionByNameOrId(models.BookingsCollection)
		if err != nil {
			return err
		}
		r := core.NewRecord(col)
		r.Id = id
		r.Set("business", b.Id)
		r.Set("conversation", in.ConversationID)
		r.Set("lead", leadID)
		r.Set("service", svc.Name)
		r.Set("start", start.UTC())
		r.Set("end", end.UTC())
		r.Set("status", models.BookingConfirmed)
		r.Set("source", in.Source)
		r.Set("manage_token_hash", hashToken(token))
		if err := tx.Save(r); err != nil {
			return err
		}
		out = models.NewBooking(r)
		return m.tell(tx, b, out, EventCreated)
	})
	if err != nil {
		return nil, saveError(err)
	}
	return &Booked{Booking: out, Token: token}, nil
}

// checkError maps the availability engine's reasons to the catalog: taken is 409, any
// other reason 400.
func checkError(err error) error {
	if errors.Is(err, availability.ErrTaken) {
		return errSlotTaken
	}
	return errSlotUnavailable
}

// saveError maps a failed booking write: the guard's or the unique slot key's refusal
// is a taken slot (another process got there first).
func saveError(err error) error {
	var ve validation.Errors
	if errors.As(err, &ve) {
		if fe, ok := ve["start"].(validation.Error); ok && fe.Code() == codeTaken {
			return errSlotTaken
		}
	}
	if strings.Contains(err.Error(), "UNIQUE constraint failed") && strings.Contains(err.Error(), "slot_key") {
		return errSlotTaken
	}
	return err
}

func markLeadBooked(tx core.App, leadID string) error {
	if leadID == "" {
		return nil
	}
	_, err := tx.DB().Update(models.LeadsCollection, dbx.Params{"status": models.LeadBooked}, dbx.HashExp{"id": leadID}).Execute()
	if err != nil {
		return fmt.Errorf("mark lead booked: %w", err)
	}
	return nil
}

// Manage loads booking id of practice b for the holder of its manage link's token.
func (m *Manager) Manage(app core.App, b *models.Business, id, token string) (*models.Booking, error) {
	if len(id) > 30 || token == "" {
		return nil, ErrBadToken
	}
	r, err := app.FindRecordById(models.BookingsCollection, id)
	if err != nil || r.GetString("business") != b.Id {
		return nil, ErrNotFound
	}
	bk := models.NewBooking(r)
	if h := bk.ManageTokenHash(); h == "" || subtle.ConstantTimeCompare([]byte(hashToken(token)), []byte(h)) != 1 {
		return nil, ErrBadToken
	}
	return bk, nil
}

// Reschedule moves booking id to start for the holder of its manage link, checked like a
// new booking (the booking's own slot doesn't count against it).
func (m *Manager) Reschedule(ctx context.Context, b *models.Business, id, token string, start time.Time) (*models.Booking, error) {
	bk, err := m.Manage(m.app, b, id, token)
	if err != nil {
		return nil, err
	}
	if err := m.changeable(bk); err != nil {
		return nil, err
	}
	if !b.BookingEnabled() {
		return nil, errBookingOff
	}
	svc, ok := service(b, bk.Service())
	if !ok {
		return nil, errSlotUnavailable
	}
	req := m.request(b, svc)
	start = start.In(b.Location())
	end := start.Add(req.Duration)
	if err := availability.Check(req, start); err != nil {
		return nil, checkError(err)
	}
	req.Busy = m.busy(ctx, b, start, end)
	err = m.app.RunInTransaction(func(tx core.App) error {
		bk, err := m.Manage(tx, b, id, token)
		if err != nil {
			return err
		}
		if err := m.changeable(bk); err != nil {
			return err
		}
		if req.Bookings, err = held(tx, b.Id, start.Add(-req.Duration-req.Buffer), end.Add(req.Buffer), bk.Id); err != nil {
			return err
		}
		if err := availability.Check(req, start); err != nil {
			return checkError(err)
		}
		bk.Set("start", start.UTC())
		bk.Set("end", end.UTC())
		bk.Set("reminded_at", "")
		if err := tx.Save(bk); err != nil {
			return err
		}
		return m.tell(tx, b, bk, EventRescheduled)
	})
	if err != nil {
		return nil, saveError(err)
	}
	return m.Manage(m.app, b, id, token)
}

// Cancel cancels booking id for the holder of its manage link. Cancelling twice is no
// error; the record stays, for the practice's records.
func (m *Manager) Cancel(b *models.Business, id, token string) (*models.Booking, error) {
	var out *models.Booking
	err := m.app.RunInTransaction(func(tx core.App) error {
		bk, err := m.Manage(tx, b, id, token)
		if err != nil {
			return err
		}
		out = bk
		if !bk.Confirmed() {
			return nil
		}
		if err := m.changeable(bk); err != nil {
			return err
		}
		bk.Set("status", models.BookingCancelled)
		if err := tx.Save(bk); err != nil {
			return err
		}
		return m.tell(tx, b, bk, EventCancelled)
	})
	return out, err
}

// changeable refuses to move or cancel a booking that is cancelled or has begun.
func (m *Manager) changeable(bk *models.Booking) error {
	if !bk.Confirmed() {
		return errCancelled
	}
	if !bk.Start().After(m.now()) {
		return errStarted
	}
	return nil
}

func (m *Manager) alert(tx core.App, b *models.Business, event, id string) error {
	if m.opts.Alert == nil {
		return nil
	}
	return m.opts.Alert(tx, b, event, id)
}

func hashToken(token string) string {
	return secrets.Digest([]byte(token))
}

// codeTaken and msgTaken are the validation error of a booking the guard refuses.
const (
	codeTaken = "slot_taken"
	msgTaken  = "That time is fully booked."
)

// bindGuard runs holdSlot on every booking write, whoever makes it (a visitor route, the
// model, staff through the REST API or the admin UI), inside the write transaction that
// stores it, and enqueues the calendar sync in that same transaction.
func (m *Manager) bindGuard() {
	guard := func(e *core.RecordEvent) error {
		run := func(tx core.App) error {
			orig := e.App
			e.App = tx // the record saves in this transaction too
			defer func() { e.App = orig }()
			changed := slotChanged(e.Record)
			if changed {
				if err := m.holdSlot(tx, e.Record); err != nil {
					return err
				}
			}
			if err := e.Next(); err != nil {
				return err
			}
			if !changed {
				return nil
			}
			return m.enqueueSync(tx, e.Record, "")
		}
		if e.App.IsTransactional() {
			return run(e.App)
		}
		return e.App.RunInTransaction(run)
	}
	m.app.OnRecordCreateExecute(models.BookingsCollection).BindFunc(guard)
	m.app.OnRecordUpdateExecute(models.BookingsCollection).BindFunc(guard)
	// A deleted booking's event is cancelled too; the job carries its reference, since
	// the record is gone when it runs.
	m.app.OnRecordDeleteExecute(models.BookingsCollection).BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if e.Record.GetString("calendar_event") == "" {
			return nil
		}
		return m.enqueueSync(e.App, e.Record, e.Record.GetString("calendar_event"))
	})
}

// slotChanged reports whether a write makes, moves, cancels or restores a booking: the
// writes that the guard checks and that the calendar must hear of (not the sync's own
// notes on the record).
func slotChanged(r *core.Record) bool {
	if r.IsNew() {
		return true
	}
	o := r.Original()
	return o.GetString("status") != r.GetString("status") ||
		!o.GetDateTime("start").Equal(r.GetDateTime("start")) ||
		!o.GetDateTime("end").Equal(r.GetDateTime("end"))
}

// holdSlot refuses a confirmed booking that would need more units of capacity than the
// practice has at some moment of its span plus buffer, and gives it its slot key:
// practice|start|unit, with the lowest unit no other confirmed booking starting then
// holds. The key's unique index is the database's own guard: two writers that both
// passed a check (two processes on one database) can't both store the same key.
// Staff may book outside hours or at short notice, so only capacity is checked here;
// visitor bookings were checked against the whole availability before.
func (m *Manager) holdSlot(tx core.App, r *core.Record) error {
	if r.GetString("status") != models.BookingConfirmed {
		r.Set("slot_key", "")
		return nil
	}
	start, end := r.GetDateTime("start").Time(), r.GetDateTime("end").Time()
	if start.IsZero() || !end.After(start) {
		return validation.Errors{"end": validation.NewError("validation_end_before_start", "The end must be after the start.")}
	}
	br, err := tx.FindRecordById(models.BusinessesCollection, r.GetString("business"))
	if err != nil {
		return nil // the required relation's own validation reports it
	}
	b := models.NewBusiness(br)
	capacity, buf := max(b.BookingCapacity(), 1), b.BookingBuffer()
	others, err := held(tx, b.Id, start.Add(-buf), end.Add(buf), r.Id)
	if err != nil {
		return err
	}
	if overCapacity(others, start, end.Add(buf), buf, capacity) {
		return validation.Errors{"start": validation.NewError(codeTaken, msgTaken)}
	}
	var keys []string
	err = tx.DB().Select("slot_key").From(models.BookingsCollection).
		Where(dbx.HashExp{"business": b.Id, "status": models.BookingConfirmed, "start": dbTime(start)}).
		AndWhere(dbx.Not(dbx.HashExp{"id": r.Id})).Column(&keys)
	if err != nil {
		return fmt.Errorf("read slot keys: %w", err)
	}
	prefix := b.Id + "|" + strconv.FormatInt(start.Unix(), 10) + "|"
	for unit := 0; ; unit++ {
		key := prefix + strconv.Itoa(unit)
		if !slices.Contains(keys, key) {
			r.Set("slot_key", key)
			return nil
		}
	}
}

// overCapacity reports whether holding one more unit over [s, e) needs more than
// capacity units at some moment, each other booking holding one from its start to its
// end plus buf.
func overCapacity(others []availability.Span, s, e time.Time, buf time.Duration, capacity int) bool {
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, o := range others {
		os, oe := o.Start, o.End.Add(buf)
		if os.Before(e) && oe.After(s) {
			edges = append(edges, edge{maxTime(os, s), 1}, edge{minTime(oe, e), -1})
		}
	}
	// Ends before starts at the same instant: back-to-back bookings don't overlap.
	slices.SortFunc(edges, func(a, b edge) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.delta - b.delta
	})
	n := 0
	for _, ed := range edges {
		if n += ed.delta; n+1 > capacity {
			return true
		}
	}
	return false
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
