package booking_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/jobs"
	"frontdesk/models"
)

// twilio is Twilio's Messages API at its wire protocol, keeping the texts it was asked
// to send.
type twilio struct {
	*httptest.Server
	mu   sync.Mutex
	sent []url.Values
}

func newTwilio(t *testing.T) *twilio {
	f := &twilio{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		if r.URL.Path != "/2010-04-01/Accounts/AC1/Messages.json" || user != "AC1" || pass != "twilio-token" || r.ParseForm() != nil {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"code": 20003, "message": "Authenticate"}`))
			return
		}
		f.mu.Lock()
		f.sent = append(f.sent, r.PostForm)
		f.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"sid": "SM1", "status": "queued"}`))
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *twilio) texts() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.sent...)
}

// bookWithPhone books start for a visitor with a phone, consenting to texts or not.
func (h *harness) bookWithPhone(start time.Time, phone string, consent bool) (id, token string) {
	h.t.Helper()
	conv, tok := h.conversation()
	body, _ := json.Marshal(map[string]any{"service": "Cleaning", "start": start.Format(time.RFC3339), "name": "Ana Diaz", "email": "ana@example.com", "phone": phone, "sms_consent": consent})
	rec := h.do("POST", "/api/widget/clinic/conversations/"+conv+"/bookings", string(body), map[string]string{"X-Conversation-Token": tok})
	if rec.Code != 201 {
		h.t.Fatalf("book: %d %s", rec.Code, rec.Body.String())
	}
	m := decode(h.t, rec)
	u, _ := url.Parse(m["manage_url"].(string))
	return m["id"].(string), u.Query().Get("token")
}

// A visitor who agreed to texts gets the confirmation, the reminder (at the practice's
// reminder_hours) and the cancellation by text through the practice's Twilio account;
// one who didn't gets none; a cancelled booking's queued reminder is dropped.
func TestVisitorTextsConfirmRemindAndCancel(t *testing.T) {
	tw := newTwilio(t)
	h := newHarness(t, setup{twilioURL: tw.URL})
	h.biz.Set("booking_reminder_hours", 48)
	if err := h.app.Save(h.biz); err != nil {
		t.Fatal(err)
	}
	col, err := h.app.FindCollectionByNameOrId(models.CredentialsCollection)
	if err != nil {
		t.Fatal(err)
	}
	cred := core.NewRecord(col)
	cred.Load(map[string]any{"business": h.biz.Id, "kind": "twilio", "value": `{"account_sid":"AC1","auth_token":"twilio-token","from":"+15035550100"}`})
	if err := h.app.Save(cred); err != nil {
		t.Fatal(err)
	}
	h.start()

	// No consent: emails only.
	h.bookWithPhone(at(3, 9, 0), "+1 503 555 0188", false)
	id, _ := h.bookWithPhone(at(3, 11, 0), "+15035550142", true)
	eventually(t, "the confirmation text", func() bool { return len(tw.texts()) == 1 })
	got := tw.texts()[0]
	if got.Get("To") != "+15035550142" || got.Get("From") != "+15035550100" ||
		!strings.Contains(got.Get("Body"), "Harbor Physio: your Cleaning is booked for Thursday, March 7, 2030 at 11:00") ||
		!strings.Contains(got.Get("Body"), "/booking/"+id+"?") || !strings.Contains(got.Get("Body"), "Reply STOP") {
		t.Errorf("confirmation text %v", got)
	}

	// The reminder is due 48 hours before (the practice's setting) and texts too.
	var due string
	if err := h.app.DB().Select("next_attempt").From(jobs.Collection).Where(dbx.HashExp{"key": "booking.remind:" + id}).Row(&due); err != nil {
		t.Fatalf("no queued reminder: %v", err)
	}
	if !strings.HasPrefix(due, at(1, 11, 0).UTC().Format("2006-01-02 15:04")) {
		t.Errorf("reminder due %s; want 48 hours before %s", due, at(3, 11, 0).UTC())
	}
	payload, _ := json.Marshal(map[string]string{"booking": id, "kind": "reminder"})
	h.clock.Set(at(1, 11, 0))
	if err := h.m.RunRemind(context.Background(), &jobs.Job{Kind: "booking.remind", Key: "booking.remind:" + id, Payload: payload}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the reminder text", func() bool { return len(tw.texts()) == 2 })
	if body := tw.texts()[1].Get("Body"); !strings.Contains(body, "a reminder of your Cleaning on Thursday, March 7") {
		t.Errorf("reminder text %q", body)
	}

	// A second booking, cancelled: its reminder leaves the queue, and the visitor is told.
	id2, token2 := h.bookWithPhone(at(4, 11, 0), "+15035550142", true)
	eventually(t, "the second confirmation", func() bool { return len(tw.texts()) == 3 })
	rec := h.do("POST", "/api/widget/clinic/bookings/"+id2+"/cancel", `{"token":"`+token2+`"}`, nil)
	if rec.Code != 200 {
		t.Fatalf("cancel: %d %s", rec.Code, rec.Body.String())
	}
	eventually(t, "the cancellation text", func() bool { return len(tw.texts()) == 4 })
	if body := tw.texts()[3].Get("Body"); !strings.Contains(body, "is cancelled") {
		t.Errorf("cancellation text %q", body)
	}
	if n, _ := h.app.CountRecords(jobs.Collection, dbx.HashExp{"key": "booking.remind:" + id2, "status": jobs.StatusQueued}); n != 0 {
		t.Error("the cancelled booking's reminder is still queued")
	}
	// The outbox holds the number (hidden) and the event, never the text; each entry is
	// marked sent once the provider took it.
	entries, err := h.app.FindAllRecords(models.OutboxCollection, dbx.HashExp{"to": "+15035550142"})
	if err != nil || len(entries) != 4 {
		t.Fatalf("%d outbox entries for the visitor's number (%v)", len(entries), err)
	}
	eventually(t, "the outbox entries marked sent", func() bool {
		n, _ := h.app.CountRecords(models.OutboxCollection, dbx.HashExp{"to": "+15035550142", "status": models.OutboxSent})
		return n == 4
	})
}

// A visitor who agreed to texts is texted when their visit moves, through the manage
// link or by staff in the console, and when staff cancel it; one who didn't is not.
func TestRescheduleTextsTheVisitor(t *testing.T) {
	tw := newTwilio(t)
	h := newHarness(t, setup{twilioURL: tw.URL})
	col, err := h.app.FindCollectionByNameOrId(models.CredentialsCollection)
	if err != nil {
		t.Fatal(err)
	}
	cred := core.NewRecord(col)
	cred.Load(map[string]any{"business": h.biz.Id, "kind": "twilio", "value": `{"account_sid":"AC1","auth_token":"twilio-token","from":"+15035550100"}`})
	if err := h.app.Save(cred); err != nil {
		t.Fatal(err)
	}
	h.start()
	admin := h.staffToken(models.RoleAdmin)

	quiet, quietToken := h.bookWithPhone(at(3, 9, 0), "+1 503 555 0188", false)
	id, token := h.bookWithPhone(at(3, 11, 0), "+15035550142", true)
	eventually(t, "the confirmation text", func() bool { return len(tw.texts()) == 1 })

	// The visitor moves it with the manage link.
	rec := h.do("POST", "/api/widget/clinic/bookings/"+id+"/reschedule", `{"token":"`+token+`","start":"`+at(4, 10, 0).Format(time.RFC3339)+`"}`, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("reschedule: %d %s", rec.Code, rec.Body.String())
	}
	eventually(t, "the move's text", func() bool { return len(tw.texts()) == 2 })
	got := tw.texts()[1]
	if got.Get("To") != "+15035550142" || got.Get("From") != "+15035550100" ||
		!strings.Contains(got.Get("Body"), "Harbor Physio: your Cleaning has moved to Friday, March 8, 2030 at 10:00") ||
		!strings.Contains(got.Get("Body"), "/booking/"+id+"?") {
		t.Errorf("move text %v", got)
	}

	// Staff move it in the console, then cancel it.
	if rec := h.staffDo(admin, "PATCH", bookingsAPI+"/"+id, map[string]any{"start": utc(at(4, 15, 0))}); rec.Code != http.StatusOK {
		t.Fatalf("staff move: %d %s", rec.Code, rec.Body.String())
	}
	eventually(t, "the staff move's text", func() bool { return len(tw.texts()) == 3 })
	if body := tw.texts()[2].Get("Body"); !strings.Contains(body, "has moved to Friday, March 8, 2030 at 15:00") {
		t.Errorf("staff move text %q", body)
	}
	if rec := h.staffDo(admin, "PATCH", bookingsAPI+"/"+id, map[string]any{"status": models.BookingCancelled}); rec.Code != http.StatusOK {
		t.Fatalf("staff cancel: %d %s", rec.Code, rec.Body.String())
	}
	eventually(t, "the cancellation text", func() bool { return len(tw.texts()) == 4 })
	if body := tw.texts()[3].Get("Body"); !strings.Contains(body, "is cancelled") {
		t.Errorf("cancellation text %q", body)
	}

	// The visitor without consent moves theirs, and staff move it again: emails only.
	rec = h.do("POST", "/api/widget/clinic/bookings/"+quiet+"/reschedule", `{"token":"`+quietToken+`","start":"`+at(3, 13, 0).Format(time.RFC3339)+`"}`, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("reschedule without consent: %d %s", rec.Code, rec.Body.String())
	}
	if rec := h.staffDo(admin, "PATCH", bookingsAPI+"/"+quiet, map[string]any{"start": utc(at(3, 14, 0))}); rec.Code != http.StatusOK {
		t.Fatalf("staff move without consent: %d %s", rec.Code, rec.Body.String())
	}
	// Texts are queued in the change's own transaction: none is queued for them.
	if n, _ := h.app.CountRecords(models.OutboxCollection, dbx.Like("to", "0188")); n != 0 {
		t.Errorf("%d texts queued for the visitor who didn't agree to texts", n)
	}
	if n, _ := h.app.CountRecords(models.OutboxCollection, dbx.HashExp{"to": "+15035550142"}); n != 4 {
		t.Errorf("%d texts queued for the visitor who agreed, want 4", n)
	}
}
