package booking

import (
	"errors"
	"net/http"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Error is a booking failure the visitor API answers as {code, message}, in the shape of
// the rest of /api/widget. The code is stable, so the widget and the manage page can
// show it in the visitor's language.
type Error struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// The catalog of booking failures.
var (
	// ErrNotFound: no such practice, conversation or booking.
	ErrNotFound = &Error{Status: http.StatusNotFound, Code: "not_found", Message: "No such practice, conversation or booking."}
	// ErrBadToken: the conversation's or the manage link's token is missing or wrong.
	ErrBadToken = &Error{Status: http.StatusForbidden, Code: "bad_token", Message: "The token is missing or wrong."}

	errBookingOff      = &Error{Status: http.StatusForbidden, Code: "booking_disabled", Message: "This practice does not take bookings online."}
	errSlotTaken       = &Error{Status: http.StatusConflict, Code: "slot_taken", Message: "Someone else just booked that time; please choose another."}
	errSlotUnavailable = &Error{Status: http.StatusBadRequest, Code: "slot_unavailable", Message: "That time can't be booked; please choose one of the times offered."}
	errCancelled       = &Error{Status: http.StatusConflict, Code: "booking_cancelled", Message: "This booking is cancelled."}
	errStarted         = &Error{Status: http.StatusConflict, Code: "booking_started", Message: "This visit has already begun; please call the practice."}
	errTooLong         = &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_long", Message: "The request is too long."}
	errInternal        = &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "Something went wrong on our side."}
)

func invalidInput(msg string, fields map[string]string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_input", Message: msg, Fields: fields}
}

// foreign carries an error from Visitors through renderErrors untouched, for the visitor
// API's own edge to render.
type foreign struct{ err error }

func (f *foreign) Error() string { return f.err.Error() }
func (f *foreign) Unwrap() error { return f.err }

// renderErrors is the booking routes' error edge: it renders the catalog's errors, turns
// a router error (the body limit's) into one, and logs anything else once, without
// request bodies, as 500 internal. A Visitors error goes on to the outer edge.
func renderErrors(e *core.RequestEvent) error {
	err := e.Next()
	if err == nil || e.Written() {
		return err
	}
	var f *foreign
	if errors.As(err, &f) {
		var be *Error
		if errors.As(f.err, &be) {
			return e.JSON(be.Status, be)
		}
		return f.err
	}
	var be *Error
	if !errors.As(err, &be) {
		var re *router.ApiError
		switch {
		case errors.As(err, &re) && re.Status == http.StatusRequestEntityTooLarge:
			be = errTooLong
		case errors.As(err, &re) && re.Status == http.StatusNotFound:
			be = ErrNotFound
		case errors.As(err, &re) && re.Status < 500:
			be = &Error{Status: re.Status, Code: "invalid_input", Message: re.Message}
		default:
			e.App.Logger().Error("booking api", "path", e.Request.URL.Path, "error", err)
			be = errInternal
		}
	}
	return e.JSON(be.Status, be)
}
