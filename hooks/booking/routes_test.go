package booking_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"frontdesk/models"
)

func TestSlotsAreThePracticesFreeTimesInItsZone(t *testing.T) {
	h := newHarness(t, setup{})
	rec := h.do("GET", "/api/widget/clinic/slots?service=Cleaning&from=2030-03-04&days=2", "", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("slots: %d %s", rec.Code, rec.Body.String())
	}
	var out struct {
		Timezone string `json:"timezone"`
		Slots    []struct{ Start, End string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	// Monday from 09:00 (the clock is at 07:00, notice 2h) to 16:00, every 15 minutes,
	// then Tuesday the same: 29 a day.
	if out.Timezone != "America/New_York" || len(out.Slots) != 58 {
		t.Fatalf("timezone %q, %d slots", out.Timezone, len(out.Slots))
	}
	if out.Slots[0].Start != "2030-03-04T09:00:00-05:00" || out.Slots[0].End != "2030-03-04T10:00:00-05:00" {
		t.Errorf("first slot = %+v", out.Slots[0])
	}
	if last := out.Slots[57]; last.Start != "2030-03-05T16:00:00-05:00" {
		t.Errorf("last slot = %+v", last)
	}

	// A booking takes its hour out of the list.
	if rec := h.book(at(0, 10, 0), "ana@example.com"); rec.Code != http.StatusCreated {
		t.Fatalf("book: %d %s", rec.Code, rec.Body.String())
	}
	rec = h.do("GET", "/api/widget/clinic/slots?service=cleaning&from=2030-03-04&days=1", "", nil)
	body := rec.Body.String()
	for _, taken := range []string{"T09:15:00", "T10:00:00", "T10:45:00"} {
		if strings.Contains(body, `"start":"2030-03-04`+taken) {
			t.Errorf("slot %s offered over the 10:00 booking", taken)
		}
	}
	for _, free := range []string{"T09:00:00", "T11:00:00"} {
		if !strings.Contains(body, `"start":"2030-03-04`+free) {
			t.Errorf("slot %s missing", free)
		}
	}
}

func TestSlotsBadInput(t *testing.T) {
	h := newHarness(t, setup{})
	for _, tc := range []struct {
		query string
		code  int
		field string
	}{
		{"service=Cleaning&from=2030-3-4", 400, "from"},
		{"service=Cleaning&days=0", 400, "days"},
		{"service=Cleaning&days=32", 400, "days"},
		{"service=Cleaning&days=x", 400, "days"},
		{"from=2030-03-04", 400, "service"},
		{"service=Consultation", 400, "service"}, // not bookable online
		{"service=Massage", 400, "service"},
	} {
		rec := h.do("GET", "/api/widget/clinic/slots?"+tc.query, "", nil)
		if rec.Code != tc.code {
			t.Errorf("%s: %d %s", tc.query, rec.Code, rec.Body.String())
			continue
		}
		m := decode(t, rec)
		if fields, _ := m["fields"].(map[string]any); m["code"] != "invalid_input" || fields[tc.field] == nil {
			t.Errorf("%s: %v, want invalid_input on %s", tc.query, m, tc.field)
		}
	}
	if rec := h.do("GET", "/api/widget/nowhere/slots?service=Cleaning", "", nil); rec.Code != http.StatusNotFound || decode(t, rec)["code"] != "not_found" {
		t.Errorf("unknown practice: %d %s", rec.Code, rec.Body.String())
	}
	h.biz.Set("booking_enabled", false)
	if err := h.app.Save(h.biz); err != nil {
		t.Fatal(err)
	}
	if rec := h.do("GET", "/api/widget/clinic/slots?service=Cleaning", "", nil); rec.Code != http.StatusForbidden || decode(t, rec)["code"] != "booking_disabled" {
		t.Errorf("booking off: %d %s", rec.Code, rec.Body.String())
	}
}

func TestBookingRoute(t *testing.T) {
	h := newHarness(t, setup{})
	if rec := h.book(at(1, 11, 0), "first@example.com"); rec.Code != http.StatusCreated {
		t.Fatalf("setup booking: %d %s", rec.Code, rec.Body.String())
	}
	convID, token := h.conversation()
	path := "/api/widget/clinic/conversations/" + convID + "/bookings"
	auth := map[string]string{"X-Conversation-Token": token}
	body := func(start time.Time, extra string) string {
		return `{"service":"Cleaning","start":"` + start.Format(time.RFC3339) + `","name":"Ana Diaz","email":"ana@example.com"` + extra + `}`
	}
	for _, tc := range []struct {
		name    string
		path    string
		body    string
		headers map[string]string
		status  int
		code    string
	}{
		{"in the past", path, body(at(-1, 10, 0), ""), auth, 400, "slot_unavailable"},
		{"inside the notice", path, body(at(0, 8, 0), ""), auth, 400, "slot_unavailable"},
		{"outside hours", path, body(at(0, 17, 0), ""), auth, 400, "slot_unavailable"},
		{"on a closed day", path, body(at(5, 10, 0), ""), auth, 400, "slot_unavailable"},
		{"off the grid", path, body(at(0, 10, 7), ""), auth, 400, "slot_unavailable"},
		{"running past closing", path, body(at(0, 16, 30), ""), auth, 400, "slot_unavailable"},
		{"taken", path, body(at(1, 11, 30), ""), auth, 409, "slot_taken"},
		{"no token", path, body(at(0, 10, 0), ""), nil, 403, "bad_token"},
		{"wrong token", path, body(at(0, 10, 0), ""), map[string]string{"X-Conversation-Token": "nope"}, 403, "bad_token"},
		{"unknown practice", "/api/widget/nowhere/conversations/" + convID + "/bookings", body(at(0, 10, 0), ""), auth, 404, "not_found"},
		{"unknown conversation", "/api/widget/clinic/conversations/abc/bookings", body(at(0, 10, 0), ""), auth, 404, "not_found"},
		{"not JSON", path, "{", auth, 400, "invalid_input"},
		{"start without offset", path, `{"service":"Cleaning","start":"2030-03-04T10:00:00","name":"A","email":"a@example.com"}`, auth, 400, "invalid_input"},
		{"service not bookable", path, strings.Replace(body(at(0, 10, 0), ""), "Cleaning", "Consultation", 1), auth, 400, "invalid_input"},
		{"no contact", path, `{"service":"Cleaning","start":"` + at(0, 10, 0).Format(time.RFC3339) + `","name":"Ana"}`, auth, 400, "invalid_input"},
		{"too long", path, body(at(0, 10, 0), `,"x":"`+strings.Repeat("a", 9000)+`"`), auth, 413, "too_long"},
	} {
		rec := h.do("POST", tc.path, tc.body, tc.headers)
		if rec.Code != tc.status || decode(t, rec)["code"] != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, rec.Code, rec.Body.String(), tc.status, tc.code)
		}
	}
	if n := h.confirmed(); n != 1 {
		t.Fatalf("%d bookings after the refusals, want 1", n)
	}

	rec := h.do("POST", path, body(at(0, 10, 0), `,"phone":"+15035550142","sms_consent":true`), auth)
	if rec.Code != http.StatusCreated {
		t.Fatalf("book: %d %s", rec.Code, rec.Body.String())
	}
	m := decode(t, rec)
	if m["service"] != "Cleaning" || m["start"] != "2030-03-04T10:00:00-05:00" || m["end"] != "2030-03-04T11:00:00-05:00" || m["id"] == "" {
		t.Errorf("booking = %v", m)
	}
	u, err := url.Parse(m["manage_url"].(string))
	if err != nil || u.Path != "/booking/"+m["id"].(string) || u.Query().Get("token") == "" || u.Query().Get("practice") != "clinic" {
		t.Errorf("manage_url = %v", m["manage_url"])
	}
	r, err := h.app.FindRecordById(models.BookingsCollection, m["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	bk := models.NewBooking(r)
	if bk.Source() != models.SourceWidget || bk.Conversation() != convID || bk.Lead() == "" || bk.ManageTokenHash() == "" || strings.Contains(bk.ManageTokenHash(), u.Query().Get("token")) {
		t.Errorf("stored booking: %v", r.FieldsData())
	}
	lr, err := h.app.FindRecordById(models.LeadsCollection, bk.Lead())
	if err != nil {
		t.Fatal(err)
	}
	if lead := models.NewLead(lr); lead.Conversation() != convID || lead.Service() != "Cleaning" || lead.Status() != models.LeadBooked {
		t.Errorf("lead = %v", lr.FieldsData())
	}
	if got := h.alerts.list(); len(got) != 2 || got[1] != "booking.created" {
		t.Errorf("alerts = %v", got)
	}
}

// Fifty visitors ask for the same slot at once: exactly one gets it.
func TestRaceForOneSlot(t *testing.T) {
	h := newHarness(t, setup{})
	const visitors = 50
	type visitor struct{ id, token string }
	vs := make([]visitor, visitors)
	for i := range vs {
		vs[i].id, vs[i].token = h.conversation()
	}
	start := at(2, 14, 0).Format(time.RFC3339)
	codes := make([]int, visitors)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i, v := range vs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			codes[i] = h.do("POST", "/api/widget/clinic/conversations/"+v.id+"/bookings",
				`{"service":"Cleaning","start":"`+start+`","name":"Visitor","email":"v@example.com"}`,
				map[string]string{"X-Conversation-Token": v.token}).Code
		}()
	}
	close(gate)
	wg.Wait()
	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	if count[http.StatusCreated] != 1 || count[http.StatusConflict] != visitors-1 {
		t.Fatalf("status codes = %v, want one 201 and %d 409", count, visitors-1)
	}
	if n := h.confirmed(); n != 1 {
		t.Fatalf("%d bookings stored, want 1", n)
	}
}

// With two chairs, a slot takes two bookings and refuses the third, however they race.
func TestRaceWithCapacityTwo(t *testing.T) {
	h := newHarness(t, setup{capacity: 2})
	start := at(2, 9, 0)
	codes := make([]int, 20)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = h.book(start, "v@example.com").Code
		}()
	}
	wg.Wait()
	created := 0
	for _, c := range codes {
		if c == http.StatusCreated {
			created++
		} else if c != http.StatusConflict {
			t.Errorf("status %d", c)
		}
	}
	if created != 2 || h.confirmed() != 2 {
		t.Fatalf("created %d, stored %d; want 2", created, h.confirmed())
	}
	// An overlapping slot (09:30) still finds both chairs busy.
	if rec := h.book(at(2, 9, 30), "x@example.com"); rec.Code != http.StatusConflict {
		t.Errorf("overlapping third booking: %d %s", rec.Code, rec.Body.String())
	}
}

func TestManageLinkViewRescheduleCancel(t *testing.T) {
	h := newHarness(t, setup{})
	rec := h.book(at(1, 10, 0), "ana@example.com")
	if rec.Code != http.StatusCreated {
		t.Fatalf("book: %d %s", rec.Code, rec.Body.String())
	}
	m := decode(t, rec)
	id := m["id"].(string)
	u, _ := url.Parse(m["manage_url"].(string))
	token := u.Query().Get("token")
	if rec := h.book(at(1, 14, 0), "other@example.com"); rec.Code != http.StatusCreated {
		t.Fatal(rec.Body.String())
	}
	base := "/api/widget/clinic/bookings/" + id

	// The page itself.
	page := h.do("GET", "/booking/"+id+"?token="+token+"&practice=clinic", "", nil)
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "<html") || page.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("page: %d %q", page.Code, page.Header())
	}

	for _, tc := range []struct {
		name, method, path, body string
		headers                  map[string]string
		status                   int
		code                     string
	}{
		{"view, wrong token", "GET", base, "", map[string]string{"X-Booking-Token": "wrong"}, 403, "bad_token"},
		{"view, no token", "GET", base, "", nil, 403, "bad_token"},
		{"view, other practice", "GET", "/api/widget/nowhere/bookings/" + id, "", map[string]string{"X-Booking-Token": token}, 404, "not_found"},
		{"view, no such booking", "GET", "/api/widget/clinic/bookings/nosuchbooking12", "", map[string]string{"X-Booking-Token": token}, 404, "not_found"},
		{"reschedule, wrong token", "POST", base + "/reschedule", `{"token":"wrong","start":"` + at(2, 10, 0).Format(time.RFC3339) + `"}`, nil, 403, "bad_token"},
		{"reschedule onto a taken slot", "POST", base + "/reschedule", `{"token":"` + token + `","start":"` + at(1, 14, 30).Format(time.RFC3339) + `"}`, nil, 409, "slot_taken"},
		{"reschedule outside hours", "POST", base + "/reschedule", `{"token":"` + token + `","start":"` + at(1, 7, 0).Format(time.RFC3339) + `"}`, nil, 400, "slot_unavailable"},
		{"cancel, wrong token", "POST", base + "/cancel", `{"token":"wrong"}`, nil, 403, "bad_token"},
		{"cancel, token of another booking", "POST", base + "/cancel", `{"token":"` + h.m.ManageToken("otherbooking123") + `"}`, nil, 403, "bad_token"},
	} {
		rec := h.do(tc.method, tc.path, tc.body, tc.headers)
		if rec.Code != tc.status || decode(t, rec)["code"] != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, rec.Code, rec.Body.String(), tc.status, tc.code)
		}
	}

	rec = h.do("GET", base, "", map[string]string{"X-Booking-Token": token})
	if v := decode(t, rec); rec.Code != 200 || v["start"] != "2030-03-05T10:00:00-05:00" || v["status"] != "confirmed" || v["practice"] != "Harbor Physio" {
		t.Errorf("view: %d %v", rec.Code, v)
	}
	// Moving within its own hour is fine: a booking doesn't block itself.
	rec = h.do("POST", base+"/reschedule", `{"token":"`+token+`","start":"`+at(1, 10, 30).Format(time.RFC3339)+`"}`, nil)
	if v := decode(t, rec); rec.Code != 200 || v["start"] != "2030-03-05T10:30:00-05:00" || v["end"] != "2030-03-05T11:30:00-05:00" {
		t.Fatalf("reschedule: %d %v", rec.Code, v)
	}
	// The old time is free again.
	if rec := h.book(at(1, 9, 15), "third@example.com"); rec.Code != http.StatusCreated {
		t.Errorf("the freed slot: %d %s", rec.Code, rec.Body.String())
	}

	rec = h.do("POST", base+"/cancel", `{"token":"`+token+`"}`, nil)
	if v := decode(t, rec); rec.Code != 200 || v["status"] != "cancelled" {
		t.Fatalf("cancel: %d %v", rec.Code, v)
	}
	if rec := h.do("POST", base+"/cancel", `{"token":"`+token+`"}`, nil); rec.Code != 200 {
		t.Errorf("cancelling again: %d %s", rec.Code, rec.Body.String())
	}
	if rec := h.do("POST", base+"/reschedule", `{"token":"`+token+`","start":"`+at(2, 10, 0).Format(time.RFC3339)+`"}`, nil); rec.Code != 409 || decode(t, rec)["code"] != "booking_cancelled" {
		t.Errorf("rescheduling a cancelled booking: %d %s", rec.Code, rec.Body.String())
	}
	// Its slot is free for someone else.
	if rec := h.book(at(1, 10, 30), "fourth@example.com"); rec.Code != http.StatusCreated {
		t.Errorf("the cancelled slot: %d %s", rec.Code, rec.Body.String())
	}
	got := h.alerts.list()
	want := []string{"booking.created", "booking.created", "booking.rescheduled", "booking.created", "booking.cancelled", "booking.created"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("alerts = %v, want %v", got, want)
	}

	// Once the visit has begun, the link no longer changes it.
	rec = h.book(at(3, 10, 0), "late@example.com")
	m = decode(t, rec)
	u, _ = url.Parse(m["manage_url"].(string))
	h.clock.Set(at(3, 10, 5))
	if rec := h.do("POST", "/api/widget/clinic/bookings/"+m["id"].(string)+"/cancel", `{"token":"`+u.Query().Get("token")+`"}`, nil); rec.Code != 409 || decode(t, rec)["code"] != "booking_started" {
		t.Errorf("cancel after the start: %d %s", rec.Code, rec.Body.String())
	}
}
