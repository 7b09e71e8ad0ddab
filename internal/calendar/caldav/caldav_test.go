package caldav_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"frontdesk/internal/calendar"
	"frontdesk/internal/calendar/caldav"
	"frontdesk/internal/calendar/caldav/caldavtest"
)

func newCalendar(t *testing.T, srv *caldavtest.Server, password string) *caldav.Calendar {
	t.Helper()
	loc, _ := time.LoadLocation("America/New_York")
	c, err := caldav.New(http.DefaultClient, caldav.Config{URL: srv.CalendarURL(), Username: caldavtest.Username, Password: password}, loc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBusyReadsThePracticesEventsNotFrontdesks(t *testing.T) {
	srv := caldavtest.New(t)
	c := newCalendar(t, srv, caldavtest.Password)
	ctx := context.Background()
	day := time.Date(2030, 3, 4, 14, 0, 0, 0, time.UTC) // a Monday
	srv.AddEvent("staff-meeting", "Staff meeting", day, day.Add(time.Hour), "")
	srv.AddEvent("weekly-huddle", "Huddle", day.Add(-4*time.Hour), day.Add(-3*time.Hour+30*time.Minute), "FREQ=DAILY;COUNT=3")
	srv.AddEvent("next-month", "Later", day.AddDate(0, 1, 0), day.AddDate(0, 1, 0).Add(time.Hour), "")
	if _, err := c.Create(ctx, calendar.Event{ID: "b1", Start: day.Add(2 * time.Hour), End: day.Add(3 * time.Hour), Summary: "Cleaning"}); err != nil {
		t.Fatal(err)
	}

	spans, err := c.Busy(ctx, day.Add(-6*time.Hour), day.Add(30*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := map[time.Time]time.Time{
		day:                     day.Add(time.Hour),
		day.Add(-4 * time.Hour): day.Add(-3*time.Hour + 30*time.Minute),
		day.Add(20 * time.Hour): day.Add(21*time.Hour + 30*time.Minute), // the second day of the huddle
	}
	if len(spans) != len(want) {
		t.Fatalf("busy = %v, want %d spans", spans, len(want))
	}
	for _, s := range spans {
		if end, ok := want[s.Start.UTC()]; !ok || !end.Equal(s.End) {
			t.Errorf("unexpected busy span %v–%v", s.Start.UTC(), s.End.UTC())
		}
	}
}

func TestCreateMoveCancelTouchOnlyFrontdesksEvent(t *testing.T) {
	srv := caldavtest.New(t)
	c := newCalendar(t, srv, caldavtest.Password)
	ctx := context.Background()
	start := time.Date(2030, 3, 4, 15, 0, 0, 0, time.UTC)
	ev := calendar.Event{ID: "abc123", Start: start, End: start.Add(45 * time.Minute), Summary: "Fillings: Ana Diaz", Description: "ana@example.com"}
	ref, err := c.Create(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	// A retried sync creates the same event again: still one event.
	if ref2, err := c.Create(ctx, ev); err != nil || ref2 != ref {
		t.Fatalf("second create = %q, %v; want %q", ref2, err, ref)
	}
	evs := srv.Events()
	if len(evs) != 1 || evs[0].UID != calendar.UID("abc123") || !evs[0].Start.Equal(start) || evs[0].Summary != ev.Summary {
		t.Fatalf("events after create = %+v", evs)
	}

	ev.Start, ev.End = start.Add(24*time.Hour), start.Add(24*time.Hour+45*time.Minute)
	if err := c.Move(ctx, ref, ev); err != nil {
		t.Fatal(err)
	}
	if evs := srv.Events(); len(evs) != 1 || !evs[0].Start.Equal(ev.Start) || !evs[0].End.Equal(ev.End) {
		t.Fatalf("events after move = %+v", evs)
	}

	srv.AddEvent("staff-meeting", "Staff meeting", start, start.Add(time.Hour), "")
	staffRef := caldavtest.CalendarPath + "staff-meeting.ics"
	if err := c.Cancel(ctx, staffRef); !errors.Is(err, calendar.ErrNotOurs) {
		t.Errorf("cancel of the practice's event = %v, want ErrNotOurs", err)
	}
	if err := c.Move(ctx, staffRef, ev); !errors.Is(err, calendar.ErrNotOurs) {
		t.Errorf("move of the practice's event = %v, want ErrNotOurs", err)
	}
	if err := c.Cancel(ctx, "/elsewhere/x.ics"); !errors.Is(err, calendar.ErrNotOurs) {
		t.Errorf("cancel outside the calendar = %v, want ErrNotOurs", err)
	}

	if err := c.Cancel(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if err := c.Cancel(ctx, ref); err != nil {
		t.Fatalf("cancelling again: %v", err)
	}
	if evs := srv.Events(); len(evs) != 1 || evs[0].UID != "staff-meeting" {
		t.Fatalf("events after cancel = %+v", evs)
	}
}

func TestRefusedLoginAndDownServer(t *testing.T) {
	srv := caldavtest.New(t)
	ctx := context.Background()
	now := time.Now()
	if _, err := newCalendar(t, srv, "wrong").Busy(ctx, now, now.Add(time.Hour)); !errors.Is(err, calendar.ErrAuth) {
		t.Errorf("wrong password: %v, want ErrAuth", err)
	}
	srv.Down.Store(true)
	_, err := newCalendar(t, srv, caldavtest.Password).Busy(ctx, now, now.Add(time.Hour))
	if err == nil || errors.Is(err, calendar.ErrAuth) {
		t.Errorf("down server: %v, want a retryable error", err)
	}
}

func TestNewRefusesABadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://x/cal/", "not a url", "https://"} {
		if _, err := caldav.New(http.DefaultClient, caldav.Config{URL: u}, nil); err == nil {
			t.Errorf("New(%q) succeeded", u)
		}
	}
}
