package lifecycle

import (
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	"frontdesk/hooks/apierr"
	"frontdesk/models"
)

// The catalog of this package's failures.
var (
	errUnauthorized = apierr.New(http.StatusUnauthorized, "unauthorized", "Sign in as the practice's owner.")
	errOwnersOnly   = apierr.New(http.StatusForbidden, "forbidden", "Only the practice's owner can do this.")
	errNoPractice   = apierr.New(http.StatusNotFound, "not_found", "No such practice.")
	errNotFound     = apierr.New(http.StatusNotFound, "not_found", "No such conversation in this practice.")
	errTooLong      = apierr.New(http.StatusRequestEntityTooLarge, "too_long", "The request body is too large.")
	errInternal     = apierr.New(http.StatusInternalServerError, "internal", "Something went wrong on our side; nothing was changed.")
)

func invalidInput(msg string) *apierr.Error { return apierr.Invalid(msg, nil) }

// errorEdge renders any error of the chain as {code, message} JSON, and logs the
// unexpected ones once, without request bodies (they hold identifiers).
var errorEdge = apierr.Edge{Name: "frontdesk lifecycle api", Internal: errInternal, Map: func(_ *core.RequestEvent, re *router.ApiError) *apierr.Error {
	switch re.Status {
	case http.StatusUnauthorized:
		return errUnauthorized
	case http.StatusForbidden:
		return errOwnersOnly
	case http.StatusRequestEntityTooLarge:
		return errTooLong
	}
	return nil
}}

// bodyLimit caps the JSON bodies of these routes: a few identifiers at most.
const bodyLimit = 4 << 10

// bindRoutes adds the owner routes under /api/frontdesk/.
func (m *Manager) bindRoutes(se *core.ServeEvent) {
	g := se.Router.Group("/api/frontdesk")
	// Right after the auth token is read and before the rate and body limits and
	// RequireAuth, so that their errors are rendered as {code, message} too.
	edge := &hook.Handler[*core.RequestEvent]{Func: errorEdge.Render, Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 1}
	g.POST("/erasure", m.erase).Bind(edge, apis.RequireAuth(), apis.BodyLimit(bodyLimit))
	g.DELETE("/practice", m.deletePractice).Bind(edge, apis.RequireAuth(), apis.BodyLimit(bodyLimit))
	g.GET("/export", m.export).Bind(edge, apis.RequireAuth())
}

// ownedPractice is the practice an owner route acts on: the signed-in owner's own, or,
// for a superuser (who operates every practice), the one named by ?business=ID.
func ownedPractice(e *core.RequestEvent) (*core.Record, error) {
	var id string
	switch {
	case e.Auth == nil:
		return nil, errUnauthorized
	case e.HasSuperuserAuth():
		id = e.Request.URL.Query().Get("business")
		if id == "" {
			return nil, invalidInput("Name the practice with ?business=ID.")
		}
	case e.Auth.Collection().Name == models.StaffCollection && e.Auth.GetString("role") == models.RoleOwner:
		id = e.Auth.GetString("business")
	default:
		return nil, errOwnersOnly
	}
	b, err := e.App.FindRecordById(models.BusinessesCollection, id)
	if err != nil {
		return nil, errNoPractice
	}
	return b, nil
}
