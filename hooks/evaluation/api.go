package evaluation

import (
	"errors"
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
	errUnauthorized = apierr.New(http.StatusUnauthorized, "unauthorized", "Sign in as the practice's owner or an admin.")
	errEditorsOnly  = apierr.New(http.StatusForbidden, "forbidden", "Only the practice's owner or an admin can run its evaluation.")
	errNoPractice   = apierr.New(http.StatusNotFound, "not_found", "No such practice.")
	errNoQuestions  = apierr.New(http.StatusBadRequest, "no_questions", "The practice has no evaluation questions yet: add some, each with a fact its right answer contains.")
	errInternal     = apierr.New(http.StatusInternalServerError, "internal", "Something went wrong on our side; no run was stored.")
)

// errorEdge renders any error of the chain as {code, message} JSON.
var errorEdge = apierr.Edge{Name: "frontdesk evaluation api", Internal: errInternal, Map: func(_ *core.RequestEvent, re *router.ApiError) *apierr.Error {
	switch re.Status {
	case http.StatusUnauthorized:
		return errUnauthorized
	case http.StatusForbidden:
		return errEditorsOnly
	}
	return nil
}}

// bindRoutes adds POST /api/frontdesk/eval: an owner or admin runs the practice's
// evaluation now and gets the stored run, with what changed since the previous one.
func (m *Manager) bindRoutes(se *core.ServeEvent) {
	edge := &hook.Handler[*core.RequestEvent]{Func: errorEdge.Render, Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 1}
	se.Router.POST("/api/frontdesk/eval", m.runRoute).Bind(edge, apis.RequireAuth())
}

func (m *Manager) runRoute(e *core.RequestEvent) error {
	business, err := editedPractice(e)
	if err != nil {
		return err
	}
	run, err := m.Run(e.Request.Context(), business)
	if errors.Is(err, ErrNoQuestions) {
		return errNoQuestions
	}
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, run)
}

// editedPractice is the practice the request may run the evaluation of: a signed-in
// owner's or admin's own, or, for a superuser, the one named by ?business=ID.
func editedPractice(e *core.RequestEvent) (string, error) {
	var id string
	switch {
	case e.Auth == nil:
		return "", errUnauthorized
	case e.HasSuperuserAuth():
		id = e.Request.URL.Query().Get("business")
		if id == "" {
			return "", apierr.Invalid("Name the practice with ?business=ID.", nil)
		}
	case e.Auth.Collection().Name == models.StaffCollection && (e.Auth.GetString("role") == models.RoleOwner || e.Auth.GetString("role") == models.RoleAdmin):
		id = e.Auth.GetString("business")
	default:
		return "", errEditorsOnly
	}
	if _, err := e.App.FindRecordById(models.BusinessesCollection, id); err != nil {
		return "", errNoPractice
	}
	return id, nil
}
