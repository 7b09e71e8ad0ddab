package lifecycle

import (
	"errors"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	"frontdesk/models"
)

// apiError is a failure of this package's routes, rendered as {code, message} with a
// stable code, as every Frontdesk route answers.
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// The catalog of this package's failures.
var (
	errUnauthorized = &apiError{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "Sign in as the practice's owner."}
	errOwnersOnly   = &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: "Only the practice's owner can do this."}
	errNoPractice   = &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "No such practice."}
	errNotFound     = &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "No such conversation in this practice."}
	errInternal     = &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "Something went wrong on our side; nothing was changed."}
)

func invalidInput(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "invalid_input", Message: msg}
}

// bodyLimit caps the JSON bodies of these routes: a few identifiers at most.
const bodyLimit = 4 << 10

// bindRoutes adds the owner routes under /api/frontdesk/.
func (m *Manager) bindRoutes(se *core.ServeEvent) {
	g := se.Router.Group("/api/frontdesk")
	// Right after the auth token is read and before the rate and body limits and
	// RequireAuth, so that their errors are rendered as {code, message} too.
	edge := &hook.Handler[*core.RequestEvent]{Func: renderErrors, Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 1}
	g.POST("/erasure", m.erase).Bind(edge, apis.RequireAuth(), apis.BodyLimit(bodyLimit))
	g.DELETE("/practice", m.deletePractice).Bind(edge, apis.RequireAuth(), apis.BodyLimit(bodyLimit))
	g.GET("/export", m.export).Bind(edge, apis.RequireAuth())
}

// renderErrors turns any error of the chain into {code, message} JSON, and logs the
// unexpected ones once, without request bodies (they hold identifiers).
func renderErrors(e *core.RequestEvent) error {
	err := e.Next()
	if err == nil || e.Written() {
		return err
	}
	var ae *apiError
	if !errors.As(err, &ae) {
		var re *router.ApiError
		switch {
		case errors.As(err, &re) && re.Status == http.StatusUnauthorized:
			ae = errUnauthorized
		case errors.As(err, &re) && re.Status == http.StatusForbidden:
			ae = errOwnersOnly
		case errors.As(err, &re) && re.Status == http.StatusRequestEntityTooLarge:
			ae = &apiError{Status: re.Status, Code: "too_long", Message: "The request body is too large."}
		case errors.As(err, &re) && re.Status < 500:
			ae = &apiError{Status: re.Status, Code: "invalid_input", Message: re.Message}
		default:
			e.App.Logger().Error("frontdesk lifecycle api", "path", e.Request.URL.Path, "error", err)
			ae = errInternal
		}
	}
	return e.JSON(ae.Status, ae)
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

// actor names who made a request in an audit entry, as the audit capability does.
func actor(e *core.RequestEvent) string {
	if e.Auth == nil {
		return "guest"
	}
	return e.Auth.Collection().Name + ":" + e.Auth.Id
}
