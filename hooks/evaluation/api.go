package evaluation

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/apierr"
	"frontdesk/models"
)

// editors may run a practice's evaluation: its owners and admins, and superusers; all
// its staff may read the runs, as the eval_runs collection's rules let them.
var (
	editors = apierr.Gate{Roles: []string{models.RoleOwner, models.RoleAdmin}, Unauthorized: errUnauthorized, Forbidden: errEditorsOnly, NoPractice: errNoPractice}
	readers = apierr.Gate{Roles: []string{models.RoleOwner, models.RoleAdmin, models.RoleViewer}, Unauthorized: errUnauthorized, NoPractice: errNoPractice}
)

// The runs a list answers: 10 unless ?limit= says otherwise, at most maxList.
const (
	defaultList = 10
	maxList     = 50
)

// The catalog of this package's failures.
var (
	errUnauthorized = apierr.New(http.StatusUnauthorized, "unauthorized", "Sign in to the practice's console.")
	errEditorsOnly  = apierr.New(http.StatusForbidden, "forbidden", "Only the practice's owner or an admin can run its evaluation.")
	errNoPractice   = apierr.New(http.StatusNotFound, "not_found", "No such practice.")
	errNoQuestions  = apierr.New(http.StatusBadRequest, "no_questions", "The practice has no evaluation questions yet: add some, each with a fact its right answer contains.")
	errBadLimit     = apierr.Invalid("limit is the number of runs to list, from 1 to 50.", map[string]string{"limit": "a whole number from 1 to 50"})
	errInternal     = apierr.New(http.StatusInternalServerError, "internal", "Something went wrong on our side; no run was stored.")
)

// errorEdge renders any error of the chain as {code, message} JSON.
var errorEdge = editors.Edge("frontdesk evaluation api", errInternal)

// bindRoutes adds the evaluation's routes. POST /api/frontdesk/eval: an owner or admin
// runs the practice's evaluation now and gets the stored run, with what changed since
// the previous one. GET /api/frontdesk/eval?limit=N: any of its staff reads the N
// latest runs, {items: [run]}, newest first, each with what changed since the run
// before it; only the newest has its results (an older run's are in its eval_runs
// record). Runs hold the owner's questions and the assistant's answers to them, no
// visitor's words, so reading them is not audited.
func (m *Manager) bindRoutes(se *core.ServeEvent) {
	reads := errorEdge
	reads.Internal = nil // a failed read stored nothing to speak of
	se.Router.POST("/api/frontdesk/eval", m.runRoute).Bind(errorEdge.Handler(), apis.RequireAuth())
	se.Router.GET("/api/frontdesk/eval", m.runsRoute).Bind(reads.Handler(), apis.RequireAuth())
}

func (m *Manager) runsRoute(e *core.RequestEvent) error {
	b, err := readers.Practice(e)
	if err != nil {
		return err
	}
	n := defaultList
	if q := e.Request.URL.Query().Get("limit"); q != "" {
		if n, err = strconv.Atoi(q); err != nil || n < 1 || n > maxList {
			return errBadLimit
		}
	}
	runs, err := m.Runs(b.Id, n)
	if err != nil {
		return err
	}
	for _, r := range runs[min(1, len(runs)):] {
		r.Results = nil
	}
	return e.JSON(http.StatusOK, map[string]any{"items": runs})
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
