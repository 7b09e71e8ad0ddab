// Package notify renders and delivers Frontdesk's staff alerts: email content, text
// messages through Twilio or Telnyx at their REST APIs, and webhooks signed as Standard
// Webhooks (or shaped for Slack and Teams incoming webhooks), and it checks the signatures
// of the providers' inbound-message webhooks. It holds no PocketBase code: hooks/notify
// decides who is told what, keeps the outbox, and calls in here to render and send.
//
// An alert carries no visitor data by construction: an Alert has no field that could hold
// a name, a contact detail, a message, a service or a health flag, only what happened,
// the practice, a time and a link into the staff console, where staff sign in to see more.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"frontdesk/internal/locale"
	"frontdesk/internal/netguard"
)

// The alert events: the outbox's event names and the values of a webhook's events.
const (
	EventLeadCreated        = "lead.created"
	EventNeedsHuman         = "conversation.needs_human"
	EventBookingCreated     = "booking.created"
	EventBookingCancelled   = "booking.cancelled"
	EventBookingRescheduled = "booking.rescheduled"
	EventKnowledgeFailed    = "knowledge.failed"
	EventDeliveryFailed     = "delivery.failed"
)

var events = []string{
	EventLeadCreated, EventNeedsHuman, EventBookingCreated, EventBookingCancelled,
	EventBookingRescheduled, EventKnowledgeFailed, EventDeliveryFailed,
}

// Events lists every alert event, in a stable order.
func Events() []string { return slices.Clone(events) }

// Alert is one thing that happened at a practice, as staff are told of it.
type Alert struct {
	// Event is one of the Event constants.
	Event string
	// Practice is the practice's display name; Business its slug, which webhooks carry.
	Practice, Business string
	// ID is the id of the record the event is about (a lead, a conversation, a document).
	ID string
	// URL is the link into the staff console where staff see the details.
	URL string
	// Time is when it happened; Zone is the practice's time zone for showing it (UTC if nil).
	Time time.Time
	Zone *time.Location
	// Lang is the language of the texts (the practice's).
	Lang locale.Lang
}

// What is the alert's title in its language, such as "New contact request".
func (a Alert) What() string { return Title(a.Lang, a.Event) }

// When is the alert's time as shown to staff, in the practice's zone.
func (a Alert) When() string { return formatTime(a.Time, a.Zone) }

// Title is event's title in lang; an unknown event is named as it is.
func Title(lang locale.Lang, event string) string {
	c := locale.For(lang)
	switch event {
	case EventLeadCreated:
		return c.AlertLeadCreated
	case EventNeedsHuman:
		return c.AlertNeedsHuman
	case EventBookingCreated:
		return c.AlertBookingCreated
	case EventBookingCancelled:
		return c.AlertBookingCancelled
	case EventBookingRescheduled:
		return c.AlertBookingRescheduled
	case EventKnowledgeFailed:
		return c.AlertKnowledgeFailed
	case EventDeliveryFailed:
		return c.AlertDeliveryFailed
	}
	return event
}

// formatTime shows t in zone as "2006-01-02 15:04 MST", which reads the same in every
// language the catalog has.
func formatTime(t time.Time, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	return t.In(zone).Format("2006-01-02 15:04 MST")
}

// Message is one rendered alert (or reply to an inbound text) for one recipient.
type Message struct {
	// ID is the same for every attempt at one delivery: a webhook's webhook-id.
	ID string
	// To is an email address or an E.164 phone number; a webhook's URL is its channel's.
	To string
	// Subject and HTML are an email's; Text is an email's plain part, a text message, or
	// a webhook's JSON body.
	Subject, Text, HTML string
}

// Channel delivers messages over one configured route: a practice's Twilio or Telnyx
// account, one webhook endpoint, or (in hooks/notify) the app's mail server. ref is the
// provider's id for what it accepted, when it gives one.
type Channel interface {
	Send(ctx context.Context, m Message) (ref string, err error)
}

// ErrOptedOut is returned when the provider refuses a number that texted STOP to it.
var ErrOptedOut = errors.New("the number has opted out of messages (STOP)")

// permanentError is a delivery failure a retry can't fix.
type permanentError struct{ err error }

func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

// permanent marks err as one no retry fixes (a refused address, a rejected number).
func permanent(err error) error { return &permanentError{err} }

// IsPermanent reports whether err is a failure no retry can fix: a rejected request, a
// refused address, an invalid secret. Other errors (timeouts, 5xx, 429) are worth a retry.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// transportError is a failed request's error without the url.Error's repeat of the
// address (a webhook's URL may hold a token in its path).
func transportError(provider string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, netguard.ErrAddressNotAllowed) {
		return permanent(fmt.Errorf("%s: %w (private networks are not allowed)", provider, err))
	}
	return fmt.Errorf("%s: %w", provider, err)
}

// httpError is a provider's refusal, named by status and the provider's code only: the
// message text may quote the number it refused.
func httpError(provider string, status int, code string) error {
	err := fmt.Errorf("%s: HTTP %d", provider, status)
	if code != "" {
		err = fmt.Errorf("%s: HTTP %d, error %s", provider, status, code)
	}
	if status >= 400 && status < 500 && status != 408 && status != 429 {
		return permanent(err)
	}
	return err
}
