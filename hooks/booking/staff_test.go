package booking_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"frontdesk/hooks/jobs"
	"frontdesk/models"
)

const bookingsAPI = "/api/collections/bookings/records"

// staffDo sends a record API request with a staff member's token.
func (h *harness) staffDo(token, method, path string, body map[string]any) *httptest.ResponseRecorder {
	h.t.Helper()
	raw, _ := json.Marshal(body)
	return h.do(method, path, string(raw), map[string]string{"Authorization": token})
}

// utc is t as the console sends it.
func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// fieldCode is the code PocketBase's 400 answer gives field, or "".
func fieldCode(t *testing.T, rec *httptest.ResponseRecorder, field string) string {
	t.Helper()
	var body struct {
		Data map[string]struct{ Code, Message string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("not JSON: %s", rec.Body.String())
	}
	return body.Data[field].Code
}

func (h *harness) count(collection string) int64 {
	h.t.Helper()
	n, err := h.app.CountRecords(collection)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// An admin makes a booking through the record API, as the console and the admin UI
// do: outside hours, with the visitor's name and email only. The end follows the
// service, the source is staff, a lead is made, the manage link in the confirmation
// works. Moving it moves its end and tells the visitor; cancelling drops the reminder
// and tells them too. Bad input and a full slot are refused with a message per field
// and store nothing, not even the lead.
func TestStaffMakeMoveAndCancelThroughTheRecordAPI(t *testing.T) {
	h := newHarness(t, setup{})
	h.start()
	admin := h.staffToken(models.RoleAdmin)

	rec := h.staffDo(admin, "POST", bookingsAPI, map[string]any{
		"business": h.biz.Id, "service": "cleaning", "start": utc(at(1, 18, 0)),
		"name": "Ana Diaz", "email": "Ana@Example.com", "source": "chat",
	})
	if rec.Code != http.StatusOK {
		t.Fatalf("create: %d %s", rec.Code, rec.Body.String())
	}
	if strings.Contains(strings.ToLower(rec.Body.String()), "ana@example.com") || strings.Contains(rec.Body.String(), "manage_token_hash") {
		t.Errorf("the booking's answer carries contact details or its token hash: %s", rec.Body.String())
	}
	id := decode(t, rec)["id"].(string)
	bk := h.booking(id)
	if bk.Service() != "Cleaning" || !bk.End().Equal(at(1, 19, 0)) || bk.Source() != models.SourceStaff || !bk.Confirmed() || bk.Lead() == "" {
		t.Fatalf("stored booking: %v", bk.FieldsData())
	}
	lr, err := h.app.FindRecordById(models.LeadsCollection, bk.Lead())
	if err != nil {
		t.Fatal(err)
	}
	if lead := models.NewLead(lr); lead.Name() != "Ana Diaz" || lead.Status() != models.LeadBooked || lead.Conversation() != "" {
		t.Errorf("lead = %v", lr.FieldsData())
	}
	eventually(t, "the confirmation", func() bool { return h.app.TestMailer.TotalSend() == 1 })
	msg := h.app.TestMailer.LastMessage()
	if !strings.EqualFold(msg.To[0].Address, "ana@example.com") || msg.Subject != "Your visit at Harbor Physio is booked" || !strings.Contains(msg.Text, "/booking/"+id+"?") {
		t.Errorf("confirmation = %s / %s", msg.Subject, msg.Text)
	}
	// The link in it opens the booking.
	if rec := h.do("GET", "/api/widget/clinic/bookings/"+id, "", map[string]string{"X-Booking-Token": h.m.ManageToken(id)}); rec.Code != http.StatusOK {
		t.Errorf("the manage link of a staff booking: %d %s", rec.Code, rec.Body.String())
	}
	if n, _ := h.app.CountRecords(jobs.Collection, dbx.HashExp{"key": "booking.remind:" + id, "status": jobs.StatusQueued}); n != 1 {
		t.Errorf("%d reminders queued, want 1", n)
	}

	// A visitor takes 14:00 on Wednesday.
	if rec := h.book(at(2, 14, 0), "bo@example.com"); rec.Code != http.StatusCreated {
		t.Fatal(rec.Body.String())
	}
	bookings, leads := h.count(models.BookingsCollection), h.count(models.LeadsCollection)
	for _, tc := range []struct {
		name, field, code string
		body              map[string]any
	}{
		{"over the staff booking", "start", "slot_taken", map[string]any{"start": utc(at(1, 18, 30))}},
		{"over the visitor's booking", "start", "slot_taken", map[string]any{"start": utc(at(2, 13, 30))}},
		{"a bad email", "email", "validation_invalid_email", map[string]any{"email": "not-an-address"}},
		{"no way to reach the visitor", "email", "validation_invalid_email", map[string]any{"email": ""}},
		{"no name", "name", "validation_invalid_name", map[string]any{"name": " "}},
		{"a service the practice lacks", "service", "validation_unknown_service", map[string]any{"service": "Massage"}},
		{"no start", "start", "validation_required", map[string]any{"start": ""}},
		{"an end before the start", "end", "validation_end_before_start", map[string]any{"end": utc(at(3, 9, 0))}},
	} {
		body := map[string]any{"business": h.biz.Id, "service": "Cleaning", "start": utc(at(3, 10, 0)), "name": "Cy", "email": "cy@example.com"}
		for k, v := range tc.body {
			body[k] = v
		}
		rec := h.staffDo(admin, "POST", bookingsAPI, body)
		if rec.Code != http.StatusBadRequest || fieldCode(t, rec, tc.field) != tc.code {
			t.Errorf("%s: %d %s, want 400 with %s on %s", tc.name, rec.Code, rec.Body.String(), tc.code, tc.field)
		}
	}
	if b, l := h.count(models.BookingsCollection), h.count(models.LeadsCollection); b != bookings || l != leads {
		t.Fatalf("refused creates stored %d bookings and %d leads", b-bookings, l-leads)
	}

	// Moved to Wednesday 10:00: the end follows, the visitor hears of it.
	rec = h.staffDo(admin, "PATCH", bookingsAPI+"/"+id, map[string]any{"start": utc(at(2, 10, 0))})
	if rec.Code != http.StatusOK {
		t.Fatalf("move: %d %s", rec.Code, rec.Body.String())
	}
	if bk := h.booking(id); !bk.Start().Equal(at(2, 10, 0)) || !bk.End().Equal(at(2, 11, 0)) {
		t.Errorf("moved to %v–%v", bk.Start(), bk.End())
	}
	eventually(t, "the move's email", func() bool {
		return h.app.TestMailer.TotalSend() == 3 && h.app.TestMailer.LastMessage().Subject == "Your visit at Harbor Physio has moved"
	})
	// Not onto the visitor's time: refused, and the booking stays where it was.
	rec = h.staffDo(admin, "PATCH", bookingsAPI+"/"+id, map[string]any{"start": utc(at(2, 14, 30))})
	if rec.Code != http.StatusBadRequest || fieldCode(t, rec, "start") != "slot_taken" {
		t.Errorf("move onto a taken time: %d %s", rec.Code, rec.Body.String())
	}
	if bk := h.booking(id); !bk.Start().Equal(at(2, 10, 0)) {
		t.Errorf("a refused move moved the booking to %v", bk.Start())
	}

	// Cancelled: the reminder leaves the queue, the visitor is told, the time is free.
	rec = h.staffDo(admin, "PATCH", bookingsAPI+"/"+id, map[string]any{"status": models.BookingCancelled})
	if rec.Code != http.StatusOK {
		t.Fatalf("cancel: %d %s", rec.Code, rec.Body.String())
	}
	eventually(t, "the cancellation email", func() bool {
		return h.app.TestMailer.TotalSend() == 4 && h.app.TestMailer.LastMessage().Subject == "Your visit at Harbor Physio is cancelled"
	})
	if n, _ := h.app.CountRecords(jobs.Collection, dbx.HashExp{"key": "booking.remind:" + id, "status": jobs.StatusQueued}); n != 0 {
		t.Error("the cancelled booking's reminder is still queued")
	}
	if rec := h.book(at(2, 10, 0), "dee@example.com"); rec.Code != http.StatusCreated {
		t.Errorf("the cancelled time: %d %s", rec.Code, rec.Body.String())
	}
	want := "booking.created,booking.created,booking.rescheduled,booking.cancelled,booking.created"
	if got := strings.Join(h.alerts.list(), ","); got != want {
		t.Errorf("alerts = %s, want %s", got, want)
	}
	// Who made, moved and cancelled it is in the audit trail (the refused move is not).
	entries, err := h.app.FindRecordsByFilter(models.AuditCollection, "target = {:t}", "seq", 0, 0, dbx.Params{"t": "bookings/" + id})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		if !strings.HasPrefix(e.GetString("actor"), "staff:") {
			t.Errorf("audit entry by %q", e.GetString("actor"))
		}
		actions = append(actions, e.GetString("action"))
	}
	if got := strings.Join(actions, ","); got != "create,update,update" {
		t.Errorf("audit entries %s, want create,update,update", got)
	}
}

// A staff booking links the lead it names, or its conversation's lead, rather than
// making another; a visit noted after it happened sends the visitor nothing.
func TestStaffBookingLinksItsLead(t *testing.T) {
	h := newHarness(t, setup{})
	owner := h.staffToken(models.RoleOwner)
	conv, tok := h.conversation()
	if rec := h.do("POST", "/api/widget/clinic/conversations/"+conv+"/bookings",
		`{"service":"Cleaning","start":"`+at(1, 9, 0).Format(time.RFC3339)+`","name":"Ana","email":"ana@example.com"}`,
		map[string]string{"X-Conversation-Token": tok}); rec.Code != http.StatusCreated {
		t.Fatal(rec.Body.String())
	}
	lead, err := h.app.FindFirstRecordByData(models.LeadsCollection, "conversation", conv)
	if err != nil {
		t.Fatal(err)
	}
	leads := h.count(models.LeadsCollection)
	for _, tc := range []struct {
		name string
		body map[string]any
	}{
		{"the lead named", map[string]any{"lead": lead.Id}},
		{"the conversation's lead", map[string]any{"conversation": conv}},
	} {
		body := map[string]any{"business": h.biz.Id, "service": "Cleaning", "start": utc(at(3, 9, 0))}
		for k, v := range tc.body {
			body[k] = v
		}
		rec := h.staffDo(owner, "POST", bookingsAPI, body)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", tc.name, rec.Code, rec.Body.String())
		}
		id := decode(t, rec)["id"].(string)
		if got := h.booking(id).GetString("lead"); got != lead.Id {
			t.Errorf("%s: lead %q, want %s", tc.name, got, lead.Id)
		}
		if rec := h.staffDo(owner, "DELETE", bookingsAPI+"/"+id, nil); rec.Code != http.StatusNoContent {
			t.Fatal(rec.Body.String())
		}
	}
	if n := h.count(models.LeadsCollection); n != leads {
		t.Errorf("%d leads made, want none", n-leads)
	}

	// Yesterday's walk-in, noted afterwards: stored, no email queued.
	rec := h.staffDo(owner, "POST", bookingsAPI, map[string]any{"business": h.biz.Id, "service": "Cleaning", "start": utc(at(-1, 15, 0)), "lead": lead.Id})
	if rec.Code != http.StatusOK {
		t.Fatalf("a past visit: %d %s", rec.Code, rec.Body.String())
	}
	id := decode(t, rec)["id"].(string)
	if n, _ := h.app.CountRecords(jobs.Collection, dbx.HashExp{"key": "booking.mail:confirmed:" + id}); n != 0 {
		t.Error("a visit in the past queued a confirmation")
	}
}

// Twenty staff requests for one time at once through the record API: one booking is
// made, the rest are refused as taken, and only the winner's lead is stored.
func TestStaffRaceForOneSlot(t *testing.T) {
	h := newHarness(t, setup{})
	admin := h.staffToken(models.RoleAdmin)
	leads := h.count(models.LeadsCollection)
	const n = 20
	codes := make([]string, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range codes {
		wg.Go(func() {
			<-gate
			rec := h.staffDo(admin, "POST", bookingsAPI, map[string]any{"business": h.biz.Id, "service": "Cleaning", "start": utc(at(2, 19, 0)), "name": "Visitor", "phone": "+15035550100"})
			codes[i] = http.StatusText(rec.Code)
			if rec.Code == http.StatusBadRequest {
				codes[i] = fieldCode(t, rec, "start")
			}
		})
	}
	close(gate)
	wg.Wait()
	count := map[string]int{}
	for _, c := range codes {
		count[c]++
	}
	if count["OK"] != 1 || count["slot_taken"] != n-1 {
		t.Fatalf("answers = %v, want one OK and %d slot_taken", count, n-1)
	}
	if got := h.confirmed(); got != 1 {
		t.Fatalf("%d bookings stored, want 1", got)
	}
	if got := h.count(models.LeadsCollection); got != leads+1 {
		t.Fatalf("%d leads stored, want 1", got-leads)
	}
}
