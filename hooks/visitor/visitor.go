// Package visitor is the visitor API under /api/widget/{slug}, which the widget and
// outside checks use (README, "Visitor API"): the practice's public config, a
// conversation's creation, history, messages (the turn itself is hooks/chat's), contact
// details, handoff, and the events stream of what staff do. It owns what every visitor request passes through: CORS per
// practice, body and rate limits, and the one error catalog rendered as {code, message}.
package visitor

import (
	"net/http"
	"regexp"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"frontdesk/models"
)

// Limits of the visitor API.
const (
	maxMessageChars    = 2000
	maxVisitorMessages = 60
	maxWidgetBody      = 16 << 10
	conversationRate   = 12 // messages per conversation per minute
	conversationWindow = time.Minute
	tokenHeader        = "X-Conversation-Token"
	// errors are rendered outside every other middleware, CORS included
	errorRenderPriority = apis.DefaultCorsMiddlewarePriority - 1
)

var visitorIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,100}$`)

// Practices serves the practice a request names (hooks/practice).
type Practices interface {
	BySlug(slug string) (*models.Business, error)
}

// Chat is what the visitor API needs of the chat (hooks/chat).
type Chat interface {
	// Reply runs the turn for the visitor's checked text, streaming it as the
	// response; release frees the conversation for the visitor's next message.
	Reply(e *core.RequestEvent, b *models.Business, c *models.Conversation, text string, release func()) error
	// RequestHuman hands the conversation to the practice's team.
	RequestHuman(b *models.Business, c *models.Conversation) error
	// Messages are the last limit messages the visitor sees, oldest first.
	Messages(conversationID string, limit int) ([]models.MessageRow, error)
	// StaffMessagesAfter are the staff messages stored after message since, oldest first.
	StaffMessagesAfter(conversationID, since string) ([]models.MessageRow, error)
	// SaveLead checks and stores contact details: the lead's id, or a message per bad field.
	SaveLead(b *models.Business, conversationID string, form models.LeadForm) (string, map[string]string, error)
	// OpenNow tells whether the practice is within its opening hours now.
	OpenNow(b *models.Business) bool
}

// Staff tells whether anyone at a practice who can answer a visitor is there now
// (hooks/takeover).
type Staff interface {
	Available(business string) bool
}

// api serves the visitor routes.
type api struct {
	app       core.App
	practices Practices
	chat      Chat
	staff     Staff
	limiter   *convLimiter
	hub       *hub
}

// API is the visitor API bound to an app. A capability that adds routes under
// /api/widget/{slug} (booking) uses its practice lookup, its token check and its
// middlewares, so its routes answer like these.
type API struct{ a *api }

// Bind adds the visitor API, and the record hooks that feed its events streams.
func Bind(app core.App, practices Practices, chat Chat, staff Staff) *API {
	a := &api{app: app, practices: practices, chat: chat, staff: staff, limiter: newConvLimiter(conversationRate, conversationWindow), hub: newHub()}
	a.bindEvents()
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		a.routes(se)
		return se.Next()
	})
	return &API{a: a}
}

// Business is the practice the request's {slug} names; errors are the API's own.
func (p *API) Business(e *core.RequestEvent) (*models.Business, error) { return p.a.business(e) }

// Conversation is the request's {id} conversation of the practice, its token checked.
func (p *API) Conversation(e *core.RequestEvent) (*models.Business, string, error) {
	b, c, err := p.a.conversation(e)
	if err != nil {
		return nil, "", err
	}
	return b, c.Id, nil
}

// Middlewares are the visitor API's error edge, CORS, body limit and request log rule.
func (p *API) Middlewares() []*hook.Handler[*core.RequestEvent] { return p.a.middlewares() }

func (a *api) middlewares() []*hook.Handler[*core.RequestEvent] {
	return []*hook.Handler[*core.RequestEvent]{
		{Id: "fdRenderErrors", Priority: errorRenderPriority, Func: errorEdge.Render},
		// Replaces PocketBase's global CORS middleware (same id) for these routes only:
		// each practice allows its own website plus same-origin, nothing else.
		{Id: apis.DefaultCorsMiddlewareId, Priority: apis.DefaultCorsMiddlewarePriority, Func: a.cors},
		apis.BodyLimit(maxWidgetBody),
		// Visitor traffic is most of all requests, and a request log line holds the
		// visitor's IP address and conversation: only failed requests are logged.
		apis.SkipSuccessActivityLog(),
	}
}

// routes adds the visitor API's routes and middlewares.
func (a *api) routes(se *core.ServeEvent) {
	g := se.Router.Group("/api/widget/{slug}")
	for _, h := range a.middlewares() {
		g.Bind(h)
	}

	g.OPTIONS("/{path...}", func(e *core.RequestEvent) error { return e.NoContent(http.StatusNoContent) })
	g.GET("/config", a.handleConfig)
	g.POST("/conversations", a.handleCreateConversation)
	g.GET("/conversations/{id}", a.handleGetConversation)
	g.POST("/conversations/{id}/messages", a.handleMessage)
	g.POST("/conversations/{id}/lead", a.handleLead)
	g.POST("/conversations/{id}/handoff", a.handleHandoff)
	g.GET("/conversations/{id}/events", a.handleEvents)
}

// business loads the practice named by the {slug} path value, once per request.
func (a *api) business(e *core.RequestEvent) (*models.Business, error) {
	if b, ok := e.Get("fdBusiness").(*models.Business); ok {
		return b, nil
	}
	slug := e.Request.PathValue("slug")
	if len(slug) > 63 {
		return nil, errNotFound
	}
	b, err := a.practices.BySlug(slug)
	if err != nil {
		return nil, errNotFound
	}
	e.Set("fdBusiness", b)
	return b, nil
}
