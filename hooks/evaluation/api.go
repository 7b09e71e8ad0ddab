package evaluation

import (
	"errors"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"frontdesk/hooks/apierr"
	"frontdesk/models"
)

// editors may run a practice's evaluation: its owners and admins, and superusers.
var editors = apierr.Gate{Roles: []string{models.RoleOwner, models.RoleAdmin}, Unauthorized: errUnauthorized, Forbidden: errEditorsOnly, NoPractice: errNoPractice}

// The catalog of this package's failures.
var (
	errUnauthorized = apierr.New(http.StatusUnauthorized, "unauthorized", "Sign in as the practice's owner or an admin.")
	errEditorsOnly  = apierr.New(http.StatusForbidden, "forbidden", "Only the practice's owner or an admin can run its evaluation.")
	errNoPractice   = apierr.New(http.StatusNotFound, "not_found", "No such practice.")
	errNoQuestions  = apierr.New(http.StatusBadRequest, "no_questions", "The practice has no evaluation questions yet: add some, each with a fact its right answer contains.")
	errInternal     = apierr.New(http.StatusInternalServerError, "internal", "Something went wrong on our side; no run was stored.")
)

// errorEdge renders any error of the chain as {code, message} JSON.
var errorEdge = editors.Edge("frontdesk evaluation api", errInternal)

// bindRoutes adds POST /api/frontdesk/eval: an owner or admin runs the practice's
// evaluation now and gets the stored run, with what changed since the previous one.
func (m *Manager) bindRoutes(se *core.ServeEvent) {
	edge := &hook.Handler[*core.RequestEvent]{Func: errorEdge.Render, Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 1}
	se.Router.POST("/api/frontdesk/eval", m.runRoute).Bind(edge, apis.RequireAuth())
}

func (m *Manager) runRoute(e *core.RequestEvent) error {
	b, err := editors.Practice(e)
	if err != nil {
		return err
	}
	run, err := m.Run(e.Request.Context(), b.Id)
	if errors.Is(err, ErrNoQuestions) {
		return errNoQuestions
	}
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, run)
}
