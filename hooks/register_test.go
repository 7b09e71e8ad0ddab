package hooks_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"frontdesk/models"
	"frontdesk/tests"
)

// Register binds the alerts: a visitor's contact request puts an alert for the
// practice's owner in the outbox, with its send job.
func TestRegisterBindsAlerts(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	b, err := v.App.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
	if err != nil {
		t.Fatal(err)
	}
	owner := tests.NewRecord(t, v.App, models.StaffCollection, map[string]any{"business": b.Id, "role": models.RoleOwner, "email": "owner@example.com", "notify_email": true, "verified": true})
	owner.SetPassword("correct horse battery")
	if err := v.App.Save(owner); err != nil {
		t.Fatal(err)
	}
	id, tok := v.Start()
	v.PostLead(id, tok, `{"name":"Ana Ruiz","email":"ana@example.com"}`)
	n, err := v.App.CountRecords(models.OutboxCollection, dbx.HashExp{"event": "lead.created", "channel": "email"})
	if err != nil || n != 1 {
		t.Fatalf("lead.created email alerts in the outbox: %d, %v", n, err)
	}
}

// Register binds booking: a practice that takes bookings lists free times, a visitor
// books one, and the chat's model is offered the booking tools.
func TestRegisterBindsBooking(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	b, err := v.App.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
	if err != nil {
		t.Fatal(err)
	}
	week := map[string]any{}
	for _, d := range models.Weekdays {
		week[d] = []map[string]string{{"open": "00:00", "close": "24:00"}}
	}
	b.Set("hours", week)
	b.Set("booking_enabled", true)
	b.Set("booking_notice_min", 0)
	if err := v.App.Save(b); err != nil {
		t.Fatal(err)
	}
	svc := models.NewBusiness(b).Services()[0].Name
	rec := v.Do("GET", "/api/widget/demo/slots?service="+url.QueryEscape(svc)+"&days=3", "", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("slots: %d %s", rec.Code, rec.Body.String())
	}
	var slots struct {
		Slots []struct{ Start string } `json:"slots"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &slots); err != nil || len(slots.Slots) < 2 {
		t.Fatalf("slots %s (%v)", rec.Body.String(), err)
	}
	id, tok := v.Start()
	body, _ := json.Marshal(map[string]any{"service": svc, "start": slots.Slots[1].Start, "name": "Ana Ruiz", "email": "ana@example.com"})
	rec = v.Do("POST", "/api/widget/demo/conversations/"+id+"/bookings", string(body), map[string]string{tests.TokenHeader: tok})
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), "manage_url") {
		t.Fatalf("book: %d %s", rec.Code, rec.Body.String())
	}
	if n, _ := v.App.CountRecords(models.LeadsCollection, dbx.HashExp{"conversation": id}); n != 1 {
		t.Fatalf("the booking made %d leads for its conversation, want 1", n)
	}
	rec = v.Do("POST", "/api/widget/demo/conversations/"+id+"/bookings", string(body), map[string]string{tests.TokenHeader: "wrong"})
	if rec.Code != http.StatusForbidden {
		t.Fatalf("wrong token: %d %s", rec.Code, rec.Body.String())
	}
}
