package hooks

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"frontdesk/internal/guard"
	"frontdesk/internal/secrets"
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

// bindWidgetAPI adds the visitor API of DESIGN.md under /api/widget/{slug}.
func bindWidgetAPI(se *core.ServeEvent, eng *engine) {
	g := se.Router.Group("/api/widget/{slug}")
	g.Bind(&hook.Handler[*core.RequestEvent]{Id: "fdRenderErrors", Priority: errorRenderPriority, Func: renderErrors})
	// Replaces PocketBase's global CORS middleware (same id) for these routes only:
	// each practice allows its own website plus same-origin, nothing else.
	g.Bind(&hook.Handler[*core.RequestEvent]{Id: apis.DefaultCorsMiddlewareId, Priority: apis.DefaultCorsMiddlewarePriority, Func: eng.cors})
	g.Bind(apis.BodyLimit(maxWidgetBody))
	// Visitor traffic is most of all requests, and a request log line holds the
	// visitor's IP address and conversation: only failed requests are logged.
	g.Bind(apis.SkipSuccessActivityLog())

	g.OPTIONS("/{path...}", func(e *core.RequestEvent) error { return e.NoContent(http.StatusNoContent) })
	g.GET("/config", eng.handleConfig)
	g.POST("/conversations", eng.handleCreateConversation)
	g.GET("/conversations/{id}", eng.handleGetConversation)
	g.POST("/conversations/{id}/messages", eng.handleMessage)
	g.POST("/conversations/{id}/lead", eng.handleLead)
	g.POST("/conversations/{id}/handoff", eng.handleHandoff)
}

// business loads the practice named by the {slug} path value, once per request.
func (eng *engine) business(e *core.RequestEvent) (*models.Business, error) {
	if b, ok := e.Get("fdBusiness").(*models.Business); ok {
		return b, nil
	}
	slug := e.Request.PathValue("slug")
	if len(slug) > 63 {
		return nil, errNotFound
	}
	b, err := eng.practices.BySlug(slug)
	if err != nil {
		return nil, errNotFound
	}
	e.Set("fdBusiness", b)
	return b, nil
}

// forgetBusinesses drops the cache after any change to a practice.
func (eng *engine) forgetBusinesses(e *core.RecordEvent) error {
	eng.prompts.Clear()
	return e.Next()
}

// cors allows the practice's own websites and same-origin requests and refuses the rest.
func (eng *engine) cors(e *core.RequestEvent) error {
	origin := e.Request.Header.Get("Origin")
	if origin == "" {
		return e.Next()
	}
	b, err := eng.business(e)
	if err != nil {
		return err
	}
	h := e.Response.Header()
	h.Add("Vary", "Origin")
	if !originAllowed(origin, b, e) {
		// A preflight gets no CORS headers, so the browser never sends the request. A
		// simple request (the widget's first, GET config) is refused here, readable so
		// the widget can tell the visitor why instead of showing a network error.
		if e.Request.Method != http.MethodOptions {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		return errOriginNotAllowed
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", "Retry-After")
	if e.Request.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Content-Type, "+tokenHeader)
		h.Set("Access-Control-Max-Age", "600")
		return e.NoContent(http.StatusNoContent)
	}
	return e.Next()
}

func originAllowed(origin string, b *models.Business, e *core.RequestEvent) bool {
	origin = strings.TrimRight(strings.ToLower(origin), "/")
	scheme := "http"
	if e.IsTLS() {
		scheme = "https"
	}
	if origin == scheme+"://"+strings.ToLower(e.Request.Host) {
		return true
	}
	for _, o := range b.AllowedOrigins() {
		if o == origin {
			return true
		}
	}
	return false
}

type configService struct {
	Name        string `json:"name"`
	DurationMin int    `json:"duration_min"`
}

func (eng *engine) handleConfig(e *core.RequestEvent) error {
	b, err := eng.business(e)
	if err != nil {
		return err
	}
	svcs := []configService{}
	for _, s := range b.Services() {
		svcs = append(svcs, configService{Name: s.Name, DurationMin: s.DurationMin})
	}
	e.Response.Header().Set("Cache-Control", "public, max-age=60")
	return e.JSON(http.StatusOK, map[string]any{
		"slug":             b.Slug(),
		"name":             b.Name(),
		"greeting":         b.Greeting(),
		"color":            b.Color(),
		"avatar":           b.GetString("avatar"),
		"phone":            b.Phone(),
		"services":         svcs,
		"booking":          b.GetBool("booking_enabled"),
		"locale":           b.Locale(),
		"sms_consent_text": b.SMSConsentText(),
	})
}

func (eng *engine) handleCreateConversation(e *core.RequestEvent) error {
	b, err := eng.business(e)
	if err != nil {
		return err
	}
	var body struct {
		VisitorID string `json:"visitor_id"`
		PageURL   string `json:"page_url"`
		Locale    string `json:"locale"`
	}
	if err := e.BindBody(&body); err != nil {
		return invalidInput("The body must be JSON: {visitor_id, page_url, locale}.", nil)
	}
	body.Locale = guard.CleanLine(body.Locale)
	fields := map[string]string{}
	if body.VisitorID != "" && !visitorIDPattern.MatchString(body.VisitorID) {
		fields["visitor_id"] = "Use up to 100 letters, digits, dashes or underscores."
	}
	if body.PageURL != "" {
		if u, err := url.Parse(body.PageURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || len(body.PageURL) > 2000 {
			fields["page_url"] = "Must be an http or https URL of at most 2000 characters."
		}
	}
	if len(body.Locale) > 20 {
		fields["locale"] = "Must be a language tag such as en or es-MX."
	}
	if len(fields) > 0 {
		return invalidInput("Some fields are invalid.", fields)
	}
	if body.VisitorID == "" {
		body.VisitorID = randomToken(12)
	}
	token := randomToken(32)
	col, err := eng.app.FindCachedCollectionByNameOrId(models.ConversationsCollection)
	if err != nil {
		return err
	}
	r := core.NewRecord(col)
	r.Set("business", b.Id)
	r.Set("visitor_id", body.VisitorID)
	r.Set("token_hash", hashToken(token))
	r.Set("page_url", body.PageURL)
	r.Set("locale", body.Locale)
	r.Set("status", models.StatusOpen)
	r.Set("last_message_at", time.Now().UTC())
	if err := eng.app.Save(r); err != nil {
		return err
	}
	return e.JSON(http.StatusCreated, map[string]any{"id": r.Id, "token": token, "greeting": b.Greeting()})
}

// conversation loads the {id} conversation of the practice and checks the visitor's token.
func (eng *engine) conversation(e *core.RequestEvent) (*models.Business, *models.Conversation, error) {
	b, err := eng.business(e)
	if err != nil {
		return nil, nil, err
	}
	id := e.Request.PathValue("id")
	if len(id) > 30 {
		return nil, nil, errNotFound
	}
	r, err := eng.app.FindRecordById(models.ConversationsCollection, id)
	if err != nil || r.GetString("business") != b.Id {
		return nil, nil, errNotFound
	}
	c := models.NewConversation(r)
	token := e.Request.Header.Get(tokenHeader)
	if token == "" || subtle.ConstantTimeCompare([]byte(hashToken(token)), []byte(c.TokenHash())) != 1 {
		return nil, nil, errBadToken
	}
	return b, c, nil
}

func (eng *engine) handleGetConversation(e *core.RequestEvent) error {
	_, c, err := eng.conversation(e)
	if err != nil {
		return err
	}
	msgs, err := conversationMessages(eng.app, c.Id, 500, true)
	if err != nil {
		return err
	}
	if msgs == nil {
		msgs = []models.MessageRow{}
	}
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.JSON(http.StatusOK, map[string]any{"id": c.Id, "status": c.Status(), "messages": msgs})
}

func (eng *engine) handleMessage(e *core.RequestEvent) error {
	b, c, err := eng.conversation(e)
	if err != nil {
		return err
	}
	var body struct {
		Text string `json:"text"`
	}
	if err := e.BindBody(&body); err != nil {
		return invalidInput(`The body must be JSON: {"text": "..."}.`, nil)
	}
	text := strings.TrimSpace(guard.CleanText(body.Text))
	switch {
	case text == "" || !utf8.ValidString(text):
		return invalidInput("The message is empty.", map[string]string{"text": "Type a message."})
	case utf8.RuneCountInString(text) > maxMessageChars:
		return errTooLong
	case c.Status() == models.StatusClosed:
		return errClosed
	}
	release, wait := eng.limiter.acquire(c.Id)
	if release == nil {
		return rateLimited(wait)
	}
	defer release()
	// The cap counts the stored messages, not the conversation's counter, which is
	// written with the reply: a turn cut short by a crash stored its message uncounted.
	// Counted once this request holds the conversation, so no other turn's comes between.
	n, err := visitorMessageCount(eng.app, c.Id)
	if err != nil {
		return err
	}
	if n >= maxVisitorMessages {
		return errTooManyMessages
	}
	// The counter staff read is set from this count with the reply (countTurn), which
	// also makes good a turn lost before.
	c.Set("message_count", n+1)
	return eng.reply(e, b, c, text, release)
}

// visitorMessageCount counts the conversation's visitor messages: one query, which finds
// the conversation's messages by their (conversation, created) index.
func visitorMessageCount(app core.App, conversationID string) (int, error) {
	var n int
	err := app.DB().Select("COUNT(*)").From(models.MessagesCollection).
		Where(dbx.HashExp{"conversation": conversationID, "role": models.RoleVisitor}).
		Row(&n)
	if err != nil {
		return 0, fmt.Errorf("count visitor messages: %w", err)
	}
	return n, nil
}

func (eng *engine) handleHandoff(e *core.RequestEvent) error {
	b, c, err := eng.conversation(e)
	if err != nil {
		return err
	}
	if err := eng.requestHuman(b, c); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]any{"status": models.StatusNeedsHuman})
}

func randomToken(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	return base64.RawURLEncoding.EncodeToString(buf)
}

func hashToken(token string) string {
	return secrets.Digest([]byte(token))
}
