package lifecycle

import (
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/apierr"
	"frontdesk/models"
)

// owners may call these routes: a practice's owners, and superusers.
var owners = apierr.Gate{Roles: []string{models.RoleOwner}, Unauthorized: errUnauthorized, Forbidden: errOwnersOnly, NoPractice: errNoPractice}

// The catalog of this package's failures.
var (
	errUnauthorized = apierr.New(http.StatusUnauthorized, "unauthorized", "Sign in as the practice's owner.")
	errOwnersOnly   = apierr.New(http.StatusForbidden, "forbidden", "Only the practice's owner can do this.")
	errNoPractice   = apierr.New(http.StatusNotFound, "not_found", "No such practice.")
	errNotFound     = apierr.New(http.StatusNotFound, "not_found", "No such conversation in this practice.")
	errInternal     = apierr.New(http.StatusInternalServerError, "internal", "Something went wrong on our side; nothing was changed.")
)

func invalidInput(msg string) *apierr.Error { return apierr.Invalid(msg, nil) }

// errorEdge renders any error of the chain as {code, message} JSON, and logs the
// unexpected ones once, without request bodies (they hold identifiers).
var errorEdge = owners.Edge("frontdesk lifecycle api", errInternal)

// bodyLimit caps the JSON bodies of these routes: a few identifiers at most.
const bodyLimit = 4 << 10

// bindRoutes adds the owner routes under /api/frontdesk/.
func (m *Manager) bindRoutes(se *core.ServeEvent) {
	g := se.Router.Group("/api/frontdesk")
	edge := errorEdge.Handler()
	g.POST("/erasure", m.erase).Bind(edge, apis.RequireAuth(), apis.BodyLimit(bodyLimit))
	g.DELETE("/practice", m.deletePractice).Bind(edge, apis.RequireAuth(), apis.BodyLimit(bodyLimit))
	g.GET("/export", m.export).Bind(edge, apis.RequireAuth())
}
