// Package console holds the staff routes beyond PocketBase's record API, under
// /api/frontdesk/: the inbox, the owner's dashboard, the team, the leads export and
// answering knowledge gaps, each behind a role check and audited, with failures as
// {code, message} (hooks/apierr). It also keeps a practice from losing its last owner and
// makes the emails PocketBase sends staff read as the practice's console. The staff
// console (pb_public/console) calls these routes.
package console

import (
	"net/http"
	"slices"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"frontdesk/hooks/apierr"
	"frontdesk/models"
)

// Auditor writes the audit entry every staff route owes (hooks/audit).
type Auditor interface {
	// Read records that the request read n records of what, for practice business.
	Read(re *core.RequestEvent, action, what string, n int, business string) error
	// Request records that the request did action on target, for practice business.
	Request(re *core.RequestEvent, action, target, business string) error
}

// The catalog of the console routes' failures.
var (
	errUnauthorized = apierr.New(http.StatusUnauthorized, "unauthorized", "Sign in to the practice's console.")
	errForbidden    = apierr.New(http.StatusForbidden, "forbidden", "Your role in the practice doesn't allow this.")
	errNoPractice   = apierr.New(http.StatusNotFound, "not_found", "No such practice.")
	errNotFound     = apierr.New(http.StatusNotFound, "not_found", "No such record in this practice.")
	errLastOwner    = apierr.New(http.StatusConflict, "last_owner", "A practice keeps at least one owner: make someone else an owner first.")
	errEmailTaken   = apierr.New(http.StatusConflict, "email_taken", "Someone already signs in with this email.")
	errInternal     = apierr.New(http.StatusInternalServerError, "internal", "Something went wrong on our side; nothing was changed.")
)

// errorEdge renders every error of the console routes as {code, message} JSON and logs
// the unexpected ones once, without request bodies.
var errorEdge = staffGate.Edge("frontdesk console api", errInternal)

// bodyLimit caps the JSON bodies of these routes: an FAQ's answer is the largest.
const bodyLimit = 64 << 10

// Bind adds the staff routes, the last-owner guard and the staff emails' practice name.
func Bind(app core.App, auditor Auditor) {
	bindLastOwner(app)
	bindStaffEmails(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/frontdesk")
		edge := errorEdge.Handler()
		staff := apis.RequireAuth(models.StaffCollection, core.CollectionNameSuperusers)
		route := func(r *router.Route[*core.RequestEvent], roles ...string) {
			r.Bind(edge, staff, apis.BodyLimit(bodyLimit)).BindFunc(requireRole(roles...))
		}
		everyone := []string{models.RoleOwner, models.RoleAdmin, models.RoleViewer}
		editors := []string{models.RoleOwner, models.RoleAdmin}

		route(g.GET("/leads.csv", func(e *core.RequestEvent) error { return exportLeads(e, auditor) }), models.RoleOwner)
		route(g.GET("/inbox", func(e *core.RequestEvent) error { return inbox(e, auditor) }), everyone...)
		route(g.GET("/dashboard", dashboard), editors...)
		route(g.GET("/team", listTeam), editors...)
		route(g.POST("/team/invite", func(e *core.RequestEvent) error { return invite(e, auditor) }), editors...)
		route(g.POST("/team/{id}/resend", func(e *core.RequestEvent) error { return resendInvite(e, auditor) }), editors...)
		route(g.POST("/team/{id}/role", func(e *core.RequestEvent) error { return changeRole(e, auditor) }), models.RoleOwner)
		route(g.DELETE("/team/{id}", func(e *core.RequestEvent) error { return removeStaff(e, auditor) }), models.RoleOwner)
		route(g.POST("/gaps/{id}/answer", func(e *core.RequestEvent) error { return answerGap(e, auditor) }), editors...)
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
		return errForbidden
	}
}

// practiceOf is the practice a staff route acts on: the staff member's own, or for a
// superuser, who may act on any, the one named by ?business=ID. The route's role check
// (requireRole) comes first.
func practiceOf(e *core.RequestEvent) (*models.Business, error) {
	return staffGate.Practice(e)
}

var staffGate = apierr.Gate{Roles: []string{models.RoleOwner, models.RoleAdmin, models.RoleViewer}, Unauthorized: errUnauthorized, Forbidden: errForbidden, NoPractice: errNoPractice}
