package apierr

import (
	"net/http"
	"slices"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// Gate is who may call a staff route under /api/frontdesk/ and on which practice:
// staff with one of Roles, on their own practice, and superusers, who operate every
// practice, on the one named by ?business=ID. Its failures are the route's own (nil
// for the defaults).
type Gate struct {
	Roles                               []string
	Unauthorized, Forbidden, NoPractice *Error
}

var (
	unauthorized = New(http.StatusUnauthorized, "unauthorized", "Sign in to the practice's console.")
	forbidden    = New(http.StatusForbidden, "forbidden", "Your role in the practice doesn't allow this.")
	noPractice   = New(http.StatusNotFound, "not_found", "No such practice.")
	noBusiness   = Invalid("Name the practice with ?business=ID.", nil)
)

// Practice is the practice the request may act on, or why not.
func (g Gate) Practice(e *core.RequestEvent) (*models.Business, error) {
	var id string
	switch {
	case e.Auth == nil:
		return nil, or(g.Unauthorized, unauthorized)
	case e.HasSuperuserAuth():
		if id = e.Request.URL.Query().Get("business"); id == "" {
			return nil, noBusiness
		}
	case e.Auth.Collection().Name == models.StaffCollection && slices.Contains(g.Roles, e.Auth.GetString("role")):
		id = e.Auth.GetString("business")
	default:
		return nil, or(g.Forbidden, forbidden)
	}
	r, err := e.App.FindRecordById(models.BusinessesCollection, id)
	if err != nil {
		return nil, or(g.NoPractice, noPractice)
	}
	return models.NewBusiness(r), nil
}

// Edge is the error edge of routes behind the gate: RequireAuth's 401 and 403 are the
// gate's own failures, so a route answers the same however early it is refused.
func (g Gate) Edge(name string, internal *Error) Edge {
	return Edge{Name: name, Internal: internal, Routed: map[int]*Error{
		http.StatusUnauthorized: or(g.Unauthorized, unauthorized),
		http.StatusForbidden:    or(g.Forbidden, forbidden),
	}}
}

func or(e, fallback *Error) *Error {
	if e != nil {
		return e
	}
	return fallback
}
