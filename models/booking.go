package models

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// BookingsCollection is the collection of appointments.
const BookingsCollection = "bookings"

// Booking statuses: a cancelled booking is kept, for the practice's records.
const (
	BookingConfirmed = "confirmed"
	BookingCancelled = "cancelled"
)

// Booking sources: who made it.
const (
	SourceChat   = "chat"
	SourceWidget = "widget"
	SourceStaff  = "staff"
)

// Booking is one appointment at a practice.
type Booking struct {
	core.BaseRecordProxy
}

// NewBooking wraps r.
func NewBooking(r *core.Record) *Booking {
	b := &Booking{}
	b.SetProxyRecord(r)
	return b
}

// Business is the owning practice's id.
func (b *Booking) Business() string { return b.GetString("business") }

// Conversation is the id of the conversation it was booked in ("" when staff made it).
func (b *Booking) Conversation() string { return b.GetString("conversation") }

// Lead is the id of the lead holding the visitor's name and contact details.
func (b *Booking) Lead() string { return b.GetString("lead") }

// Service is the name of the booked service.
func (b *Booking) Service() string { return b.GetString("service") }

// Start is when the appointment begins.
func (b *Booking) Start() time.Time { return b.GetDateTime("start").Time() }

// End is when the appointment ends.
func (b *Booking) End() time.Time { return b.GetDateTime("end").Time() }

// Status is BookingConfirmed or BookingCancelled.
func (b *Booking) Status() string { return b.GetString("status") }

// Confirmed reports whether the booking still holds its slot.
func (b *Booking) Confirmed() bool { return b.Status() == BookingConfirmed }

// Source is SourceChat, SourceWidget or SourceStaff.
func (b *Booking) Source() string { return b.GetString("source") }

// CalendarEvent is the reference of the event Frontdesk made in the practice's calendar
// ("" while none is made).
func (b *Booking) CalendarEvent() string { return b.GetString("calendar_event") }

// ManageTokenHash is the hash of the secret in the visitor's manage link.
func (b *Booking) ManageTokenHash() string { return b.GetString("manage_token_hash") }

// Booking settings of a practice. A zero means the default of internal/availability.

// BookingCapacity is how many appointments can run at once (0: the default).
func (b *Business) BookingCapacity() int { return b.GetInt("booking_capacity") }

// BookingBuffer is the time kept free after each appointment.
func (b *Business) BookingBuffer() time.Duration {
	return time.Duration(b.GetInt("booking_buffer_min")) * time.Minute
}

// BookingNotice is the minimum notice before a visit (0: the default).
func (b *Business) BookingNotice() time.Duration {
	return time.Duration(b.GetInt("booking_notice_min")) * time.Minute
}

// BookingHorizonDays is how far ahead visitors can book (0: the default).
func (b *Business) BookingHorizonDays() int { return b.GetInt("booking_horizon_days") }

// BookingReminder is how long before a visit the reminder goes out (default 24 hours).
func (b *Business) BookingReminder() time.Duration {
	if h := b.GetInt("booking_reminder_hours"); h > 0 {
		return time.Duration(h) * time.Hour
	}
	return 24 * time.Hour
}

// BookableServices are the services visitors can book online: none while booking is
// off, else those with a duration that the practice did not turn off.
func (b *Business) BookableServices() []Service {
	if !b.BookingEnabled() {
		return nil
	}
	var out []Service
	for _, s := range b.Services() {
		if s.IsBookable() && s.DurationMin > 0 {
			out = append(out, s)
		}
	}
	return out
}

// BookingEnabled reports whether visitors can book at all.
func (b *Business) BookingEnabled() bool { return b.GetBool("booking_enabled") }
