package booking

import (
	"errors"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"frontdesk/models"
)

// bindStaff completes the bookings that staff make, move and cancel through PocketBase's
// record API (the console, the admin UI, any API client), which the collection's rules
// let owners and admins write: a booking made there is completed and told to its visitor
// as one made through the visitor routes is. Writes from Go (Book, the sync's notes, a
// fixture) don't pass here; the guard on every write (bindGuard) still keeps them apart.
func (m *Manager) bindStaff() {
	m.app.OnRecordCreateRequest(models.BookingsCollection).BindFunc(m.staffWrite)
	m.app.OnRecordUpdateRequest(models.BookingsCollection).BindFunc(m.staffWrite)
}

// staffWrite completes the booking before it is saved (see complete) and, once saved,
// tells the visitor and the practice what changed (tell), all in one transaction: the
// lead, the booking and the emails, texts and reminder it queues commit together or not
// at all. PocketBase writes the response only once that transaction commits.
func (m *Manager) staffWrite(e *core.RecordRequestEvent) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	var before *core.Record
	if !e.Record.IsNew() {
		before = e.Record.Original()
	}
	run := func(tx core.App) error {
		orig := e.App
		e.App = tx // the record saves in this transaction too
		defer func() { e.App = orig }()
		br, err := tx.FindRecordById(models.BusinessesCollection, e.Record.GetString("business"))
		if err != nil {
			return e.Next() // the required relation's own validation answers
		}
		b := models.NewBusiness(br)
		staff := e.Auth != nil && e.Auth.Collection().Name == models.StaffCollection
		if err := m.complete(tx, b, e.Record, before, info.Body, staff); err != nil {
			return err
		}
		if err := e.Next(); err != nil {
			return err
		}
		if event := change(before, e.Record); event != "" {
			return m.tell(tx, b, models.NewBooking(e.Record), event)
		}
		return nil
	}
	if e.App.IsTransactional() { // a batch request
		err = run(e.App)
	} else {
		err = e.App.RunInTransaction(run)
	}
	return staffError(err)
}

// complete fills in what a staff write leaves out: a new booking's source (staff, for
// staff) and status (confirmed); the service's name as the practice spells it; the end,
// from the service's duration, when the start or service moved and the end did not (a
// service no longer offered keeps the booking's length); the visitor's lead; the manage
// link's hash, so the link in the emails works; and a moved visit's reminder is due again.
func (m *Manager) complete(tx core.App, b *models.Business, r, before *core.Record, body map[string]any, staff bool) error {
	isNew := before == nil
	if isNew {
		if staff || r.GetString("source") == "" {
			r.Set("source", models.SourceStaff)
		}
		if r.GetString("status") == "" {
			r.Set("status", models.BookingConfirmed)
		}
	}
	serviceChanged := isNew || !strings.EqualFold(before.GetString("service"), r.GetString("service"))
	svc, known := anyService(b, r.GetString("service"))
	switch {
	case known:
		r.Set("service", svc.Name)
	case serviceChanged && len(b.Services()) > 0:
		return fieldError("service", "validation_unknown_service", "Choose one of the practice's services.")
	}
	start := r.GetDateTime("start")
	startChanged := isNew || !before.GetDateTime("start").Equal(start)
	// The admin UI sends every field: an end that is as it was is one not set.
	endKept := r.GetDateTime("end").IsZero()
	if !isNew {
		endKept = before.GetDateTime("end").Equal(r.GetDateTime("end"))
	}
	if (startChanged || serviceChanged) && endKept && !start.IsZero() {
		length := time.Duration(svc.DurationMin) * time.Minute
		if length <= 0 && !isNew {
			length = before.GetDateTime("end").Time().Sub(before.GetDateTime("start").Time())
		}
		if length <= 0 {
			return fieldError("end", "validation_required", "Give the end: the service has no duration.")
		}
		r.Set("end", start.Time().Add(length))
	}
	if !isNew && startChanged {
		r.Set("reminded_at", "")
	}
	if !isNew && before.GetString("status") != models.BookingConfirmed && r.GetString("status") == models.BookingConfirmed {
		r.Set("confirmed_at", "") // restored: confirmed anew
	}
	if isNew {
		if err := m.staffLead(tx, b, r, body); err != nil {
			return err
		}
		if r.GetString("status") == models.BookingConfirmed {
			if err := markLeadBooked(tx, r.GetString("lead")); err != nil {
				return err
			}
		}
	}
	if r.GetString("manage_token_hash") == "" {
		if r.Id == "" {
			r.Id = core.GenerateDefaultRandomId()
		}
		r.Set("manage_token_hash", hashToken(m.manageToken(r.Id)))
	}
	return nil
}

// staffLead gives a new booking its visitor: the lead the body names; else a new lead
// from the name, email, phone and sms_consent in the body (not fields of a booking: they
// are the lead's), never an existing lead changed, since admins may not change a lead's
// contact details (one that shares an email or phone with an earlier lead is flagged as
// a possible duplicate of it, as the chat's are); else the lead of the booking's
// conversation, if it has one.
func (m *Manager) staffLead(tx core.App, b *models.Business, r *core.Record, body map[string]any) error {
	if r.GetString("lead") != "" {
		return nil
	}
	text := func(k string) string { s, _ := body[k].(string); return s }
	c := Contact{Name: text("name"), Email: text("email"), Phone: text("phone"), SMSConsent: body["sms_consent"] == true}
	if strings.TrimSpace(c.Name+c.Email+c.Phone) != "" {
		id, err := m.opts.Leads.Save(tx, b, "", c, r.GetString("service"))
		var fe FieldErrors
		if errors.As(err, &fe) {
			errs := validation.Errors{}
			for k, msg := range fe {
				errs[k] = validation.NewError("validation_invalid_"+k, msg)
			}
			return errs
		}
		if err != nil {
			return err
		}
		r.Set("lead", id)
		return nil
	}
	if conv := r.GetString("conversation"); conv != "" {
		var id string
		err := tx.DB().Select("id").From(models.LeadsCollection).
			Where(dbx.HashExp{"conversation": conv, "business": b.Id}).
			OrderBy("created DESC").Limit(1).Row(&id)
		if err == nil {
			r.Set("lead", id)
		}
	}
	return nil
}

// anyService finds the practice's service by name, ignoring case: any of its services,
// since staff also book those visitors can't book online.
func anyService(b *models.Business, name string) (models.Service, bool) {
	return models.FindService(b.Services(), name)
}

// change names what a staff write did to a booking, as the events tell names them: made,
// moved, cancelled, or "" for a change the visitor needn't hear of. A cancelled booking
// confirmed again is made anew.
func change(before, after *core.Record) string {
	confirmed := after.GetString("status") == models.BookingConfirmed
	switch {
	case before == nil && confirmed:
		return EventCreated
	case before == nil:
		return ""
	case before.GetString("status") == models.BookingConfirmed && !confirmed:
		return EventCancelled
	case before.GetString("status") != models.BookingConfirmed && confirmed:
		return EventCreated
	case confirmed && !before.GetDateTime("start").Equal(after.GetDateTime("start")):
		return EventRescheduled
	}
	return ""
}

// tell lets the visitor and the practice know, in tx, that bk was made, moved or
// cancelled (event): the visitor's email and, when they agreed to texts, a text; the
// reminder queued for the visit's time, or dropped; the staff alert. A visit that has
// begun (staff noting one afterwards) gets no email or text.
func (m *Manager) tell(tx core.App, b *models.Business, bk *models.Booking, event string) error {
	mail, text := mailConfirmed, TextConfirmed
	switch event {
	case EventRescheduled:
		mail, text = mailRescheduled, TextRescheduled
	case EventCancelled:
		mail, text = mailCancelled, TextCancelled
	}
	if bk.Start().After(m.now()) {
		if err := m.enqueueMail(tx, bk, mail); err != nil {
			return err
		}
		if err := m.queueText(tx, bk, text); err != nil {
			return err
		}
	}
	var err error
	if event == EventCancelled {
		err = dropReminder(tx, bk.Id) // nothing left to remind of
	} else {
		err = m.enqueueReminder(tx, b, bk)
	}
	if err != nil {
		return err
	}
	return m.alert(tx, b, event, bk.Id)
}

func fieldError(field, code, message string) validation.Errors {
	return validation.Errors{field: validation.NewError(code, message)}
}

// staffError answers a failed staff write as PocketBase answers a record's validation: a
// 400 with a message per field. The unique slot key's refusal (a writer elsewhere took
// the unit first) is the guard's own slot_taken on start.
func staffError(err error) error {
	if err == nil {
		return nil
	}
	var ae *router.ApiError
	if errors.As(err, &ae) {
		if raw, ok := ae.RawData().(error); ok && errors.Is(saveError(raw), errSlotTaken) {
			return router.NewBadRequestError(ae.Message, fieldError("start", codeTaken, msgTaken))
		}
		return err
	}
	var ve validation.Errors
	if errors.As(err, &ve) {
		return router.NewBadRequestError("Some booking details are missing or invalid.", ve)
	}
	return err
}
