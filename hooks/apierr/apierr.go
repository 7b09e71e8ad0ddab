// Package apierr is the one error shape of Frontdesk's own routes: a failure is
// {code, message} JSON with the right status, and a route group's edge (Edge.Render)
// turns whatever its chain returns, ours or PocketBase's, into that shape. The code is
// stable, so the widget, the booking page and the console can show the failure in the
// reader's language.
package apierr

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Error is one failure of a route.
type Error struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// RetryAfter, when set, is sent as the Retry-After header (seconds).
	RetryAfter int `json:"-"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// New is a failure with its status, code and message.
func New(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// Invalid is a 400 invalid_input, with a message per bad field when there are fields.
func Invalid(message string, fields map[string]string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_input", Message: message, Fields: fields}
}

// TooLong is a request whose body is over its route's limit (PocketBase's BodyLimit).
var TooLong = New(http.StatusRequestEntityTooLarge, "too_long", "The request is too long.")

// Edge renders a route group's errors. For an error PocketBase's router or middleware
// returned (the body limit, the rate limiter, RequireAuth), the failure to answer
// instead is Map's, when it names one, else Routed's for its status, else TooLong for a
// 413 and an invalid_input with the router's message below 500; anything else is
// Internal, logged once under Name without the request body. Gate.Edge is the edge of
// staff routes.
type Edge struct {
	Name     string
	Routed   map[int]*Error
	Map      func(e *core.RequestEvent, re *router.ApiError) *Error
	Internal *Error
}

var internal = New(http.StatusInternalServerError, "internal", "Something went wrong on our side.")

// Handler is Render as the middleware of staff routes: right after the auth token is
// read and before the rate and body limits and RequireAuth, so that their errors are
// rendered as {code, message} too.
func (x Edge) Handler() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{Func: x.Render, Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 1}
}

// Render is the middleware: bind it ahead of the limits it should render.
func (x Edge) Render(e *core.RequestEvent) error {
	err := e.Next()
	if err == nil || e.Written() {
		return err
	}
	var ae *Error
	if !errors.As(err, &ae) {
		var re *router.ApiError
		fromRouter := errors.As(err, &re)
		if fromRouter && x.Map != nil {
			ae = x.Map(e, re)
		}
		if fromRouter && ae == nil {
			ae = x.Routed[re.Status]
		}
		switch {
		case ae != nil:
		case fromRouter && re.Status == http.StatusRequestEntityTooLarge:
			ae = TooLong
		case fromRouter && re.Status < 500:
			ae = Invalid(re.Message, nil)
			ae.Status = re.Status
		default:
			e.App.Logger().Error(x.Name, "path", e.Request.URL.Path, "error", err)
			ae = x.Internal
			if ae == nil {
				ae = internal
			}
		}
	}
	if ae.RetryAfter > 0 {
		e.Response.Header().Set("Retry-After", strconv.Itoa(ae.RetryAfter))
	}
	return e.JSON(ae.Status, ae)
}
