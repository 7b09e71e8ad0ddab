package booking

import (
	"net/http"

	"frontdesk/hooks/apierr"
)

// Error is a booking failure, answered as {code, message} like the rest of /api/widget.
type Error = apierr.Error

// The catalog of booking failures.
var (
	// ErrNotFound: no such practice, conversation or booking.
	ErrNotFound = apierr.New(http.StatusNotFound, "not_found", "No such practice, conversation or booking.")
	// ErrBadToken: the conversation's or the manage link's token is missing or wrong.
	ErrBadToken = apierr.New(http.StatusForbidden, "bad_token", "The token is missing or wrong.")

	errBookingOff      = apierr.New(http.StatusForbidden, "booking_disabled", "This practice does not take bookings online.")
	errSlotTaken       = apierr.New(http.StatusConflict, "slot_taken", "Someone else just booked that time; please choose another.")
	errSlotUnavailable = apierr.New(http.StatusBadRequest, "slot_unavailable", "That time can't be booked; please choose one of the times offered.")
	errCancelled       = apierr.New(http.StatusConflict, "booking_cancelled", "This booking is cancelled.")
	errStarted         = apierr.New(http.StatusConflict, "booking_started", "This visit has already begun; please call the practice.")
)

func invalidInput(msg string, fields map[string]string) *Error { return apierr.Invalid(msg, fields) }

// errorEdge renders the booking routes' errors: ours and the visitor API's render as
// they are, a router error (the body limit's) becomes one, and anything else is logged
// once, without request bodies, as 500 internal.
var errorEdge = apierr.Edge{Name: "booking api", Routed: map[int]*apierr.Error{http.StatusNotFound: ErrNotFound}}
