package booking_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/booking"
	"frontdesk/models"
)

func tool(t *testing.T, h *harness, name string) booking.Tool {
	t.Helper()
	for _, tl := range h.m.Tools() {
		if tl.Spec.Name == name {
			return tl
		}
	}
	t.Fatalf("no tool %s", name)
	return booking.Tool{}
}

func TestChatToolsFindAndBook(t *testing.T) {
	h := newHarness(t, setup{})
	ctx := context.Background()
	find, book := tool(t, h, "find_slots"), tool(t, h, "book_appointment")
	if find.Rule == "" || book.Spec.Parameters["required"] == nil {
		t.Fatal("tool specs incomplete")
	}
	out, err := find.Handler(ctx, h.app, h.biz, "", json.RawMessage(`{"service":"cleaning","date":"2030-03-05","days":2}`))
	if err != nil {
		t.Fatal(err)
	}
	var found struct {
		OK    bool
		Slots []struct{ Start, Label string }
	}
	if err := json.Unmarshal([]byte(out), &found); err != nil || !found.OK || len(found.Slots) != 12 || found.Slots[0].Start != "2030-03-05T09:00:00-05:00" {
		t.Fatalf("find_slots = %s", out)
	}
	if out, _ := find.Handler(ctx, h.app, h.biz, "", json.RawMessage(`{"service":"Consultation"}`)); !strings.Contains(out, `"ok":false`) || !strings.Contains(out, "Cleaning") {
		t.Errorf("find_slots of a service not booked online = %s", out)
	}

	convID, _ := h.conversation()
	args := `{"service":"Cleaning","start":"` + found.Slots[1].Start + `","name":"Ana Diaz","email":"ana@example.com"}`
	out, err = book.Handler(ctx, h.app, h.biz, convID, json.RawMessage(args))
	if err != nil || !strings.Contains(out, `"ok":true`) {
		t.Fatalf("book_appointment = %s, %v", out, err)
	}
	if strings.Contains(out, "token") || strings.Contains(out, "ana@example.com") {
		t.Errorf("the tool result hands the model the manage link or contact details: %s", out)
	}
	r, err := h.app.FindFirstRecordByData(models.BookingsCollection, "conversation", convID)
	if err != nil || models.NewBooking(r).Source() != models.SourceChat {
		t.Fatalf("booking from chat: %v %v", r, err)
	}
	other, _ := h.conversation()
	out, err = book.Handler(ctx, h.app, h.biz, other, json.RawMessage(args))
	if err != nil || !strings.Contains(out, "just taken") {
		t.Errorf("booking a taken slot = %s, %v", out, err)
	}
	out, err = book.Handler(ctx, h.app, h.biz, other, json.RawMessage(`{"service":"Cleaning","start":"`+found.Slots[2].Start+`","name":"Bo"}`))
	if err != nil || !strings.Contains(out, `"fields"`) {
		t.Errorf("booking without contact = %s, %v", out, err)
	}
	if out, err := book.Handler(ctx, h.app, h.biz, other, json.RawMessage(`{"service":"Cleaning","start":"tomorrow at 10","name":"Bo","email":"b@example.com"}`)); err != nil || !strings.Contains(out, "find_slots") {
		t.Errorf("booking an invented time = %s, %v", out, err)
	}
}

// Staff write bookings through PocketBase's REST API or the admin UI, past the visitor
// routes: the guard on every write still refuses a double booking.
func TestGuardOnEveryBookingWrite(t *testing.T) {
	h := newHarness(t, setup{})
	col, err := h.app.FindCollectionByNameOrId(models.BookingsCollection)
	if err != nil {
		t.Fatal(err)
	}
	staff := func(h0, m0, h1, m1 int) *core.Record {
		r := core.NewRecord(col)
		r.Set("business", h.biz.Id)
		r.Set("service", "Cleaning")
		r.Set("start", at(1, h0, m0))
		r.Set("end", at(1, h1, m1))
		r.Set("status", models.BookingConfirmed)
		r.Set("source", models.SourceStaff)
		return r
	}
	first := staff(18, 0, 19, 0) // staff may book outside hours
	if err := h.app.Save(first); err != nil {
		t.Fatal(err)
	}
	if first.GetString("slot_key") == "" {
		t.Error("no slot key on a confirmed booking")
	}
	if err := h.app.Save(staff(18, 30, 19, 30)); err == nil || !strings.Contains(err.Error(), "fully booked") {
		t.Errorf("overlapping staff booking: %v", err)
	}
	if err := h.app.Save(staff(19, 0, 20, 0)); err != nil {
		t.Errorf("back-to-back staff booking: %v", err)
	}
	if err := h.app.Save(staff(20, 0, 19, 0)); err == nil {
		t.Error("a booking ending before it starts was saved")
	}
	// Cancel the first: its time is free; restoring it then collides.
	first.Set("status", models.BookingCancelled)
	if err := h.app.Save(first); err != nil {
		t.Fatal(err)
	}
	second := staff(18, 0, 18, 45)
	if err := h.app.Save(second); err != nil {
		t.Fatalf("booking the cancelled time: %v", err)
	}
	first.Set("status", models.BookingConfirmed)
	if err := h.app.Save(first); err == nil {
		t.Error("restoring a cancelled booking over a new one was allowed")
	}
	// The visitor route sees staff bookings too.
	if rec := h.book(at(1, 16, 0), "a@example.com"); rec.Code != 201 {
		t.Errorf("a free visitor slot: %d %s", rec.Code, rec.Body.String())
	}
	if err := h.app.Save(staff(16, 30, 17, 0)); err == nil {
		t.Error("staff booking over a visitor's was allowed")
	}
}
