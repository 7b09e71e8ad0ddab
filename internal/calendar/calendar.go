// Package calendar is a practice's own calendar as Frontdesk sees it: the busy time that
// blocks slots, and the events of Frontdesk's own bookings, which it creates, moves and
// cancels. Each service (caldav/, google/) is a package behind the one Calendar
// interface. Frontdesk never changes or reads the details of an event it did not make:
// other events only count as busy time.
package calendar

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// Span is a stretch of busy time.
type Span struct {
	Start time.Time
	End   time.Time
}

// Event is one of Frontdesk's bookings as a calendar event. Its text carries the service
// and who is coming with their contact details, never health details.
type Event struct {
	// ID is the booking's id. Creating an event with the same ID again makes no second
	// event, so a sync retried after a crash can't double it.
	ID          string
	Start, End  time.Time
	Summary     string
	Description string
}

// Calendar is a practice's calendar.
type Calendar interface {
	// Busy lists the busy time between from and to, leaving out Frontdesk's own
	// events (their bookings already hold their slots) and events marked free or
	// cancelled.
	Busy(ctx context.Context, from, to time.Time) ([]Span, error)
	// Create makes ev's event and returns its reference, kept with the booking.
	Create(ctx context.Context, ev Event) (ref string, err error)
	// Move gives the event at ref ev's times and text.
	Move(ctx context.Context, ref string, ev Event) error
	// Cancel deletes the event at ref; one already gone is no error.
	Cancel(ctx context.Context, ref string) error
}

// Failures a Calendar reports. Both are permanent: retrying can't fix them.
var (
	// ErrNotOurs refuses to change an event Frontdesk did not create.
	ErrNotOurs = errors.New("calendar: the event was not made by Frontdesk")
	// ErrAuth means the calendar refused the stored credentials.
	ErrAuth = errors.New("calendar: the credentials were refused")
)

// uidPrefix and uidSuffix frame the iCalendar UID of every event Frontdesk makes, which is
// how it tells its own events from the practice's.
const (
	uidPrefix = "frontdesk-booking-"
	uidSuffix = "@frontdesk"
)

// UID is the iCalendar UID of the event of booking id.
func UID(id string) string { return uidPrefix + id + uidSuffix }

// IsOurs reports whether uid is one UID made.
func IsOurs(uid string) bool {
	return strings.HasPrefix(uid, uidPrefix) && strings.HasSuffix(uid, uidSuffix)
}

// VEvent is ev as an iCalendar VEVENT, times in UTC (so no VTIMEZONE is needed).
func VEvent(ev Event, now time.Time) *ical.Component {
	e := ical.NewEvent()
	e.Props.SetText(ical.PropUID, UID(ev.ID))
	e.Props.SetDateTime(ical.PropDateTimeStamp, now.UTC().Truncate(time.Second))
	e.Props.SetDateTime(ical.PropDateTimeStart, ev.Start.UTC())
	e.Props.SetDateTime(ical.PropDateTimeEnd, ev.End.UTC())
	e.Props.SetText(ical.PropSummary, ev.Summary)
	if ev.Description != "" {
		e.Props.SetText(ical.PropDescription, ev.Description)
	}
	e.Props.SetText(ical.PropStatus, "CONFIRMED")
	e.Props.SetText(ical.PropTransparency, "OPAQUE")
	return e.Component
}

// Object is a VCALENDAR holding ev alone, the body of a CalDAV PUT.
func Object(ev Event, now time.Time) *ical.Calendar {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//Frontdesk//Booking//EN")
	cal.Children = append(cal.Children, VEvent(ev, now))
	return cal
}

// ICS is ev as an .ics file for a confirmation email: METHOD:PUBLISH, so a mail client
// offers to add it to the visitor's calendar rather than treating it as an invitation
// to answer.
func ICS(ev Event, now time.Time) ([]byte, error) {
	cal := Object(ev, now)
	cal.Props.SetText(ical.PropMethod, "PUBLISH")
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
