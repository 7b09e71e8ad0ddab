package visitor

import (
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// cors allows the practice's own websites and same-origin requests and refuses the rest.
func (a *api) cors(e *core.RequestEvent) error {
	origin := e.Request.Header.Get("Origin")
	if origin == "" {
		return e.Next()
	}
	b, err := a.business(e)
	if err != nil {
		return err
	}
	h := e.Response.Header()
	h.Add("Vary", "Origin")
	if !originAllowed(origin, b, e) {
		// A preflight gets no CORS headers, so the browser never sends the request. A
		// simple request (the widget's first, GET config) is refused here, readable so
		// the widget can tell the visitor why instead of showing a network error.
		if e.Request.Method != http.MethodOptions {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		return errOriginNotAllowed
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", "Retry-After")
	if e.Request.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Content-Type, Last-Event-ID, "+tokenHeader)
		h.Set("Access-Control-Max-Age", "600")
		return e.NoContent(http.StatusNoContent)
	}
	return e.Next()
}

// originAllowed tells whether origin may use b's chat: one of its allowed origins, or
// the server's own (the demo page, the staff console).
func originAllowed(origin string, b *models.Business, e *core.RequestEvent) bool {
	origin = strings.TrimRight(strings.ToLower(origin), "/")
	scheme := "http"
	if e.IsTLS() {
		scheme = "https"
	}
	if origin == scheme+"://"+strings.ToLower(e.Request.Host) {
		return true
	}
	for _, o := range b.AllowedOrigins() {
		if o == origin {
			return true
		}
	}
	return false
}
