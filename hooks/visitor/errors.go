package visitor

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// apiError is a domain failure of the visitor API, rendered as {code, message}. The code
// is stable so the widget can show the failure in the visitor's language.
type apiError struct {
	Status     int               `json:"-"`
	Code       string            `json:"code"`
	Message    string            `json:"message"`
	Fields     map[string]string `json:"fields,omitempty"`
	RetryAfter int               `json:"-"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// The catalog of visitor API failures.
var (
	errNotFound         = &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "No such practice or conversation."}
	errBadToken         = &apiError{Status: http.StatusForbidden, Code: "bad_token", Message: "The conversation token is missing or wrong."}
	errOriginNotAllowed = &apiError{Status: http.StatusForbidden, Code: "origin_not_allowed", Message: "This website is not allowed to use this practice's chat."}
	errTooLong          = &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_long", Message: "The message is too long."}
	errTooManyMessages  = &apiError{Status: http.StatusTooManyRequests, Code: "too_many_messages", Message: "This conversation has reached its message limit; please leave your contact details and the team will follow up."}
	errClosed           = &apiError{Status: http.StatusConflict, Code: "closed", Message: "This conversation is closed."}
)

// invalidInput is a 400 with a message per bad field.
func invalidInput(msg string, fields map[string]string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "invalid_input", Message: msg, Fields: fields}
}

// rateLimited is a 429 with the seconds to wait.
func rateLimited(retryAfter int) *apiError {
	return &apiError{Status: http.StatusTooManyRequests, Code: "rate_limited", Message: "Too many requests; please wait a moment.", RetryAfter: retryAfter}
}

// renderErrors is the one edge of the visitor API that turns any error from the chain
// (ours, or PocketBase's own such as the rate limiter's) into {code, message} JSON, and
// logs unexpected ones once, without request bodies.
func renderErrors(e *core.RequestEvent) error {
	err := e.Next()
	if err == nil || e.Written() {
		return err
	}
	var ae *apiError
	if !errors.As(err, &ae) {
		var re *router.ApiError
		switch {
		case errors.As(err, &re) && re.Status == http.StatusTooManyRequests:
			ae = rateLimited(rateLimitWindow(e))
		case errors.As(err, &re) && re.Status == http.StatusRequestEntityTooLarge:
			ae = errTooLong
		case errors.As(err, &re) && re.Status < 500:
			ae = &apiError{Status: re.Status, Code: "invalid_input", Message: re.Message}
			if re.Status == http.StatusNotFound {
				ae = errNotFound
			}
		default:
			e.App.Logger().Error("widget api", "path", e.Request.URL.Path, "error", err)
			ae = &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "Something went wrong on our side."}
		}
	}
	if ae.RetryAfter > 0 {
		e.Response.Header().Set("Retry-After", strconv.Itoa(ae.RetryAfter))
	}
	return e.JSON(ae.Status, ae)
}

// rateLimitWindow is the Retry-After for PocketBase's per-IP limiter: the window of the
// rule that matched, an upper bound of the wait.
func rateLimitWindow(e *core.RequestEvent) int {
	label := e.Request.Method + " " + e.Request.URL.Path
	rule, ok := e.App.Settings().RateLimits.FindRateLimitRule([]string{label}, core.RateLimitRuleAudienceAll, core.RateLimitRuleAudienceGuest)
	if !ok || rule.Duration <= 0 {
		return 60
	}
	return int(rule.Duration)
}
