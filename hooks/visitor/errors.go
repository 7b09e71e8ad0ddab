package visitor

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"frontdesk/hooks/apierr"
)

// The catalog of visitor API failures.
var (
	errNotFound         = apierr.New(http.StatusNotFound, "not_found", "No such practice or conversation.")
	errBadToken         = apierr.New(http.StatusForbidden, "bad_token", "The conversation token is missing or wrong.")
	errOriginNotAllowed = apierr.New(http.StatusForbidden, "origin_not_allowed", "This website is not allowed to use this practice's chat.")
	errTooLong          = apierr.New(http.StatusRequestEntityTooLarge, "too_long", "The message is too long.")
	errTooManyMessages  = apierr.New(http.StatusTooManyRequests, "too_many_messages", "This conversation has reached its message limit; please leave your contact details and the team will follow up.")
	errClosed           = apierr.New(http.StatusConflict, "closed", "This conversation is closed.")
)

// invalidInput is a 400 with a message per bad field.
func invalidInput(msg string, fields map[string]string) *apierr.Error {
	return apierr.Invalid(msg, fields)
}

// rateLimited is a 429 with the seconds to wait.
func rateLimited(retryAfter int) *apierr.Error {
	e := apierr.New(http.StatusTooManyRequests, "rate_limited", "Too many requests; please wait a moment.")
	e.RetryAfter = retryAfter
	return e
}

// errorEdge is the one edge of the visitor API that turns any error from the chain
// (ours, or PocketBase's own such as the rate limiter's) into {code, message} JSON.
var errorEdge = apierr.Edge{
	Name:   "widget api",
	Routed: map[int]*apierr.Error{http.StatusRequestEntityTooLarge: errTooLong, http.StatusNotFound: errNotFound},
	Map: func(e *core.RequestEvent, re *router.ApiError) *apierr.Error {
		if re.Status == http.StatusTooManyRequests {
			return rateLimited(rateLimitWindow(e))
		}
		return nil
	},
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
