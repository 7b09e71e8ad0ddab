package booking_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/booking"
	"frontdesk/hooks/jobs"
	"frontdesk/internal/calendar"
	"frontdesk/internal/calendar/caldav/caldavtest"
	"frontdesk/models"
)

// connectCalDAV stores the practice's CalDAV credentials as the owner would (the secrets
// hook encrypts them).
func (h *harness) connectCalDAV(srv *caldavtest.Server) {
	h.t.Helper()
	col, err := h.app.FindCollectionByNameOrId(models.CredentialsCollection)
	if err != nil {
		h.t.Fatal(err)
	}
	v, _ := json.Marshal(map[string]string{"url": srv.CalendarURL(), "username": caldavtest.Username, "password": caldavtest.Password})
	r := core.NewRecord(col)
	r.Set("business", h.biz.Id)
	r.Set("kind", "caldav")
	r.Set("value", string(v))
	if err := h.app.Save(r); err != nil {
		h.t.Fatal(err)
	}
	if strings.Contains(r.GetString("value"), caldavtest.Password) {
		h.t.Fatal("the credential was stored in the clear")
	}
}

// ours is Frontdesk's event in the calendar for booking id, if any.
func ours(srv *caldavtest.Server, id string) (caldavtest.Event, bool) {
	for _, e := range srv.Events() {
		if e.UID == calendar.UID(id) {
			return e, true
		}
	}
	return caldavtest.Event{}, false
}

func (h *harness) booking(id string) *models.Booking {
	h.t.Helper()
	r, err := h.app.FindRecordById(models.BookingsCollection, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return models.NewBooking(r)
}

func TestCalDAVBusyTimeAndSync(t *testing.T) {
	srv := caldavtest.New(t)
	h := newHarness(t, setup{allowPrivate: true})
	h.connectCalDAV(srv)
	srv.AddEvent("staff-meeting", "Staff meeting", at(1, 12, 0), at(1, 13, 0), "")

	// The staff meeting blocks the slots that would overlap it.
	rec := h.do("GET", "/api/widget/clinic/slots?service=Cleaning&from=2030-03-05&days=1", "", nil)
	body := rec.Body.String()
	for _, blocked := range []string{"11:15", "12:00", "12:45"} {
		if strings.Contains(body, `"start":"2030-03-05T`+blocked) {
			t.Errorf("slot %s offered over the staff meeting", blocked)
		}
	}
	for _, free := range []string{"11:00", "13:00"} {
		if !strings.Contains(body, `"start":"2030-03-05T`+free) {
			t.Errorf("slot %s missing", free)
		}
	}
	if rec := h.book(at(1, 12, 0), "ana@example.com"); rec.Code != 409 {
		t.Errorf("booking over the meeting: %d %s", rec.Code, rec.Body.String())
	}

	h.start()
	rec = h.book(at(1, 10, 0), "ana@example.com")
	if rec.Code != 201 {
		t.Fatalf("book: %d %s", rec.Code, rec.Body.String())
	}
	m := decode(t, rec)
	id := m["id"].(string)
	u, _ := url.Parse(m["manage_url"].(string))
	token := u.Query().Get("token")
	eventually(t, "the booking's event", func() bool { _, ok := ours(srv, id); return ok })
	ev, _ := ours(srv, id)
	if !ev.Start.Equal(at(1, 10, 0)) || !ev.End.Equal(at(1, 11, 0)) || ev.Summary != "Cleaning: Ana Diaz" || !strings.Contains(ev.Description, "ana@example.com") {
		t.Errorf("event = %+v", ev)
	}
	eventually(t, "the event's reference on the booking", func() bool { return h.booking(id).CalendarEvent() == ev.Path })

	// Frontdesk's own event doesn't block a second chair's worth of time twice: the
	// booking alone holds its slot, so 11:00 is still free.
	rec = h.do("GET", "/api/widget/clinic/slots?service=Cleaning&from=2030-03-05&days=1", "", nil)
	if !strings.Contains(rec.Body.String(), `"start":"2030-03-05T11:00`) {
		t.Error("11:00 no longer offered after the 10:00 booking's event was made")
	}

	rec = h.do("POST", "/api/widget/clinic/bookings/"+id+"/reschedule", `{"token":"`+token+`","start":"`+at(2, 15, 0).Format(time.RFC3339)+`"}`, nil)
	if rec.Code != 200 {
		t.Fatalf("reschedule: %d %s", rec.Code, rec.Body.String())
	}
	eventually(t, "the event to move", func() bool { e, ok := ours(srv, id); return ok && e.Start.Equal(at(2, 15, 0)) })

	if rec := h.do("POST", "/api/widget/clinic/bookings/"+id+"/cancel", `{"token":"`+token+`"}`, nil); rec.Code != 200 {
		t.Fatalf("cancel: %d %s", rec.Code, rec.Body.String())
	}
	eventually(t, "the event to go", func() bool { _, ok := ours(srv, id); return !ok })
	eventually(t, "the reference to be cleared", func() bool { return h.booking(id).CalendarEvent() == "" })
	if evs := srv.Events(); len(evs) != 1 || evs[0].UID != "staff-meeting" {
		t.Errorf("the practice's events were touched: %+v", evs)
	}
}

func TestCalendarDownKeepsTheBookingAndRetries(t *testing.T) {
	srv := caldavtest.New(t)
	h := newHarness(t, setup{allowPrivate: true})
	h.connectCalDAV(srv)
	srv.Down.Store(true)

	rec := h.book(at(1, 10, 0), "ana@example.com")
	if rec.Code != 201 {
		t.Fatalf("book while the calendar is down: %d %s", rec.Code, rec.Body.String())
	}
	id := decode(t, rec)["id"].(string)
	h.start()
	eventually(t, "the sync to fail and say so", func() bool { return strings.Contains(h.booking(id).GetString("calendar_error"), "Retrying") })
	var attempts int
	if err := h.app.DB().Select("attempts").From(jobs.Collection).AndWhere(dbxKey("booking.sync:" + id)).Row(&attempts); err != nil {
		t.Fatal(err)
	}
	if attempts < 1 {
		t.Errorf("sync job attempts = %d", attempts)
	}
	srv.Down.Store(false)
	eventually(t, "the retried sync to make the event", func() bool { _, ok := ours(srv, id); return ok })
	eventually(t, "the error to clear", func() bool { b := h.booking(id); return b.GetString("calendar_error") == "" && b.CalendarEvent() != "" })
	if got := h.alerts.list(); len(got) != 1 {
		t.Errorf("alerts = %v: a retry that succeeds needs no alert", got)
	}
}

func TestRefusedCalendarCredentialsAlertStaff(t *testing.T) {
	srv := caldavtest.New(t)
	h := newHarness(t, setup{allowPrivate: true})
	h.connectCalDAV(srv)
	cred, err := h.app.FindFirstRecordByData(models.CredentialsCollection, "kind", "caldav")
	if err != nil {
		t.Fatal(err)
	}
	cred.Set("value", `{"url":"`+srv.CalendarURL()+`","username":"practice","password":"wrong"}`)
	if err := h.app.Save(cred); err != nil {
		t.Fatal(err)
	}
	h.start()
	rec := h.book(at(1, 10, 0), "ana@example.com")
	if rec.Code != 201 {
		t.Fatalf("book: %d %s", rec.Code, rec.Body.String())
	}
	id := decode(t, rec)["id"].(string)
	eventually(t, "staff to be alerted", func() bool {
		got := h.alerts.list()
		return len(got) == 2 && got[1] == booking.EventCalendarFailed
	})
	if e := h.booking(id).GetString("calendar_error"); !strings.Contains(e, "refused") || strings.Contains(e, "wrong") {
		t.Errorf("calendar_error = %q", e)
	}
}

// A calendar on the appliance's own network is refused unless the operator allows it:
// when the owner saves it, and again before each use (a value stored before the
// operator withdrew the allowance).
func TestCalDAVOnAPrivateAddressNeedsTheOperatorsConsent(t *testing.T) {
	srv := caldavtest.New(t)
	h := newHarness(t, setup{})
	col, err := h.app.FindCollectionByNameOrId(models.CredentialsCollection)
	if err != nil {
		t.Fatal(err)
	}
	for _, value := range []string{
		`{"url":"` + srv.CalendarURL() + `","username":"practice","password":"secret"}`,
		`{"url":"ftp://calendar.example.com/","username":"practice","password":"secret"}`,
		`{"username":"practice"}`,
		`not json`,
	} {
		r := core.NewRecord(col)
		r.Set("business", h.biz.Id)
		r.Set("kind", "caldav")
		r.Set("value", value)
		err := h.app.Save(r)
		var verrs validation.Errors
		if !errors.As(err, &verrs) || verrs["value"] == nil {
			t.Errorf("saving %s: %v, want a validation error on value", value, err)
		}
	}
	if n, _ := h.app.CountRecords(models.CredentialsCollection); n != 0 {
		t.Fatalf("%d credentials stored by refused saves", n)
	}
	v, _ := json.Marshal(map[string]string{"url": srv.CalendarURL(), "username": caldavtest.Username, "password": caldavtest.Password})
	r := core.NewRecord(col)
	r.Set("business", h.biz.Id)
	r.Set("kind", "caldav")
	r.Set("value", string(v))
	if err := h.app.SaveNoValidate(r); err != nil {
		t.Fatal(err)
	}
	srv.AddEvent("staff-meeting", "Staff meeting", at(1, 12, 0), at(1, 13, 0), "")
	rec := h.do("GET", "/api/widget/clinic/slots?service=Cleaning&from=2030-03-05&days=1", "", nil)
	if rec.Code != 200 || srv.Requests.Load() != 0 {
		t.Fatalf("slots: %d; the loopback calendar got %d requests", rec.Code, srv.Requests.Load())
	}
}

func TestConfirmationAndReminderEmails(t *testing.T) {
	h := newHarness(t, setup{})
	h.start()
	rec := h.book(at(2, 10, 0), "ana@example.com")
	if rec.Code != 201 {
		t.Fatalf("book: %d %s", rec.Code, rec.Body.String())
	}
	m := decode(t, rec)
	id := m["id"].(string)
	eventually(t, "the confirmation", func() bool { return h.app.TestMailer.TotalSend() == 1 })
	msg := h.app.TestMailer.LastMessage()
	if msg.To[0].Address != "ana@example.com" || msg.Subject != "Your visit at Harbor Physio is booked" ||
		!strings.Contains(msg.Text, m["manage_url"].(string)) || !strings.Contains(msg.Text, "Wednesday, March 6, 2030 at 10:00 (America/New_York)") {
		t.Errorf("confirmation = %+v", msg)
	}
	ics, ok := msg.Attachments["visit.ics"]
	if !ok {
		t.Fatal("no .ics attachment")
	}
	data, _ := io.ReadAll(ics)
	for _, want := range []string{"BEGIN:VEVENT", "UID:" + calendar.UID(id), "DTSTART:20300306T150000Z", "METHOD:PUBLISH"} {
		if !strings.Contains(string(data), want) {
			t.Errorf(".ics lacks %q:\n%s", want, data)
		}
	}
	eventually(t, "the mark", func() bool { return !h.booking(id).GetDateTime("confirmed_at").IsZero() })

	// The reminder, 24 hours before.
	payload, _ := json.Marshal(map[string]string{"booking": id, "kind": "reminder"})
	job := &jobs.Job{Kind: "booking.remind", Key: "booking.remind:" + id, Payload: payload}
	h.clock.Set(at(1, 10, 0))
	if err := h.m.RunRemind(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if n := h.app.TestMailer.TotalSend(); n != 2 {
		t.Fatalf("%d emails after the reminder, want 2", n)
	}
	if msg := h.app.TestMailer.LastMessage(); msg.Subject != "Reminder: your visit at Harbor Physio" {
		t.Errorf("reminder subject %q", msg.Subject)
	}
	if err := h.m.RunRemind(context.Background(), job); err != nil || h.app.TestMailer.TotalSend() != 2 {
		t.Errorf("a second run sent again (%v)", err)
	}
}

func TestSpanishConversationGetsSpanishEmail(t *testing.T) {
	h := newHarness(t, setup{})
	h.start()
	convID, token := h.conversation()
	r, _ := h.app.FindRecordById(models.ConversationsCollection, convID)
	r.Set("locale", "es-MX")
	if err := h.app.Save(r); err != nil {
		t.Fatal(err)
	}
	rec := h.do("POST", "/api/widget/clinic/conversations/"+convID+"/bookings",
		`{"service":"Cleaning","start":"`+at(2, 10, 0).Format(time.RFC3339)+`","name":"Ana","email":"ana@example.com"}`,
		map[string]string{"X-Conversation-Token": token})
	if rec.Code != 201 {
		t.Fatal(rec.Body.String())
	}
	eventually(t, "the confirmation", func() bool { return h.app.TestMailer.TotalSend() == 1 })
	if msg := h.app.TestMailer.LastMessage(); !strings.Contains(msg.Subject, "reservada") || !strings.Contains(msg.Text, "miércoles 6 de marzo de 2030 a las 10:00") {
		t.Errorf("Spanish confirmation = %q / %q", msg.Subject, msg.Text)
	}
}
