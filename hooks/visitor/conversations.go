package visitor

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/guard"
	"frontdesk/internal/secrets"
	"frontdesk/models"
)

// configService is a service as the widget lists it.
type configService struct {
	Name        string `json:"name"`
	DurationMin int    `json:"duration_min"`
	Bookable    bool   `json:"bookable"`
}

// handleConfig is the practice's public chat config.
func (a *api) handleConfig(e *core.RequestEvent) error {
	b, err := a.business(e)
	if err != nil {
		return err
	}
	svcs := []configService{}
	for _, s := range b.Services() {
		svcs = append(svcs, configService{Name: s.Name, DurationMin: s.DurationMin, Bookable: s.IsBookable()})
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

// handleCreateConversation opens a conversation and hands its secret token to the
// visitor's browser, the only place it is kept (the database holds its digest).
func (a *api) handleCreateConversation(e *core.RequestEvent) error {
	b, err := a.business(e)
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
	col, err := a.app.FindCachedCollectionByNameOrId(models.ConversationsCollection)
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
	if err := a.app.Save(r); err != nil {
		return err
	}
	return e.JSON(http.StatusCreated, map[string]any{"id": r.Id, "token": token, "greeting": b.Greeting()})
}

// conversation loads the {id} conversation of the practice and checks the visitor's token.
func (a *api) conversation(e *core.RequestEvent) (*models.Business, *models.Conversation, error) {
	b, err := a.business(e)
	if err != nil {
		return nil, nil, err
	}
	id := e.Request.PathValue("id")
	if len(id) > 30 {
		return nil, nil, errNotFound
	}
	r, err := a.app.FindRecordById(models.ConversationsCollection, id)
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

// handleGetConversation is the conversation so far, for a widget reopened.
func (a *api) handleGetConversation(e *core.RequestEvent) error {
	_, c, err := a.conversation(e)
	if err != nil {
		return err
	}
	msgs, err := a.chat.Messages(c.Id, 500)
	if err != nil {
		return err
	}
	if msgs == nil {
		msgs = []models.MessageRow{}
	}
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.JSON(http.StatusOK, map[string]any{"id": c.Id, "status": c.Status(), "messages": msgs})
}

// handleMessage checks the visitor's message against the limits and runs the turn.
func (a *api) handleMessage(e *core.RequestEvent) error {
	b, c, err := a.conversation(e)
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
	release, wait := a.limiter.acquire(c.Id)
	if release == nil {
		return rateLimited(wait)
	}
	defer release()
	// The cap counts the stored messages, not the conversation's counter, which is
	// written with the reply: a turn cut short by a crash stored its message uncounted.
	// Counted once this request holds the conversation, so no other turn's comes between.
	n, err := visitorMessageCount(a.app, c.Id)
	if err != nil {
		return err
	}
	if n >= maxVisitorMessages {
		return errTooManyMessages
	}
	// The counter staff read is set from this count with the reply (countTurn), which
	// also makes good a turn lost before.
	c.Set("message_count", n+1)
	return a.chat.Reply(e, b, c, text, release)
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

// handleHandoff is the visitor asking for a person: status needs_human (or human, when
// a person already holds the conversation), whether anyone who can answer is there, and
// whether the practice is open now.
func (a *api) handleHandoff(e *core.RequestEvent) error {
	b, c, err := a.conversation(e)
	if err != nil {
		return err
	}
	if err := a.chat.RequestHuman(b, c); err != nil {
		return err
	}
	// Whether someone will join now, or the visitor had better leave details for a call back.
	return e.JSON(http.StatusOK, map[string]any{"status": c.Status(), "available": a.staff.Available(b.Id), "open_now": a.chat.OpenNow(b)})
}

// randomToken is n random bytes, URL-safe.
func randomToken(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// hashToken is how a conversation token is stored and compared.
func hashToken(token string) string {
	return secrets.Digest([]byte(token))
}

// handleLead stores the contact details the visitor gave.
func (a *api) handleLead(e *core.RequestEvent) error {
	b, c, err := a.conversation(e)
	if err != nil {
		return err
	}
	var in models.LeadForm
	if err := e.BindBody(&in); err != nil {
		return invalidInput("The body must be JSON: {name, email, phone, service, sms_consent}.", nil)
	}
	id, fields, err := a.chat.SaveLead(b, c.Id, in)
	if err != nil {
		return err
	}
	if len(fields) > 0 {
		return invalidInput("Some contact details are missing or invalid.", fields)
	}
	return e.JSON(http.StatusCreated, map[string]any{"id": id})
}
