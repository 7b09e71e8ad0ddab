// Package console holds the staff routes beyond PocketBase's record API, under
// /api/frontdesk/: each behind a role check, each audited. The staff console
// (pb_public/console) calls them.
package console

import (
	"slices"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// Auditor writes the audit entry every staff route owes (hooks/audit).
type Auditor interface {
	// Read records that the request read n records of what, for practice business.
	Read(re *core.RequestEvent, action, what string, n int, business string) error
}

// Bind adds the staff routes.
func Bind(app core.App, auditor Auditor) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/frontdesk")
		g.Bind(apis.RequireAuth(models.StaffCollection, core.CollectionNameSuperusers))
		g.GET("/leads.csv", func(e *core.RequestEvent) error { return exportLeads(e, auditor) }).
			BindFunc(requireRole(models.RoleOwner))
		return se.Next()
	})
}

// requireRole admits superusers and staff with one of roles; it follows
// apis.RequireAuth, so the request has an auth record.
func requireRole(roles ...string) func(e *core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
		if e.HasSuperuserAuth() || slices.Contains(roles, e.Auth.GetString("role")) {
			return e.Next()
		}
		return e.ForbiddenError("Your role in the practice doesn't allow this.", nil)
	}
}

// practiceOf is the practice a staff route acts on: the staff member's own, or for a
// superuser, who may act on any, the one named by ?business=ID.
func practiceOf(e *core.RequestEvent) (string, error) {
	if !e.HasSuperuserAuth() {
		return e.Auth.GetString("business"), nil
	}
	business := e.Request.URL.Query().Get("business")
	if business == "" {
		return "", e.BadRequestError("Name the practice with ?business=ID.", nil)
	}
	return business, nil
}
