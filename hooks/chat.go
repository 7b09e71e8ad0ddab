package hooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/guard"
	"frontdesk/internal/llm"
	"frontdesk/internal/locale"
	"frontdesk/internal/netguard"
	"frontdesk/internal/secrets"
	"frontdesk/internal/sse"
	"frontdesk/models"
)

const (
	historyTurns   = 20
	maxToolRounds  = 3
	replyMaxTokens = 600
	passagesPerAsk = 5
)

// retriever finds the practice's knowledge passages that match a question, and counts
// the questions it has no answer for.
type retriever interface {
	Search(ctx context.Context, business, query string, k int) ([]llm.Passage, error)
	RecordGap(business, question string) error
}

// engine answers visitors: it stores what they say, asks the practice's model with the
// matching knowledge, streams the reply and stores it, whatever fails on the way.
type engine struct {
	app     core.App
	cfg     *Config
	vault   decrypter
	limiter *convLimiter
	ckpt    *checkpointer
	canary  string
	know    retriever
	// practices serves the practice a request names (hooks/practice).
	practices interface {
		BySlug(slug string) (*models.Business, error)
	}

	mu        sync.Mutex
	providers map[string]llm.Provider
	prompts   sync.Map // business id -> cachedPrompt

	// guarded is the model client for base URLs a practice chose; built on first
	// use, under mu.
	guarded *http.Client
}

type cachedPrompt struct {
	b    *models.Business
	base *promptBase
}

// promptBase returns the practice's prompt base, built once for each version of its
// record that the practice cache hands out.
func (eng *engine) promptBase(b *models.Business) *promptBase {
	if c, ok := eng.prompts.Load(b.Id); ok && c.(cachedPrompt).b == b {
		return c.(cachedPrompt).base
	}
	base := newPromptBase(b, eng.canary)
	eng.prompts.Store(b.Id, cachedPrompt{b: b, base: base})
	return base
}

// decrypter opens stored credentials (hooks/vault).
type decrypter interface {
	Decrypt(stored string) (string, error)
}

func newEngine(app core.App, cfg *Config, v decrypter, practices interface {
	BySlug(slug string) (*models.Business, error)
}) *engine {
	if cfg.HTTPClient == nil {
		// Model calls reuse connections: one per concurrent reply, not one per reply.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = 512
		tr.MaxIdleConnsPerHost = 256
		cfg.HTTPClient = &http.Client{Transport: tr}
	}
	return &engine{
		app:       app,
		cfg:       cfg,
		vault:     v,
		practices: practices,
		limiter:   newConvLimiter(conversationRate, conversationWindow),
		ckpt:      &checkpointer{app: app},
		canary:    "fd-" + randomToken(9),
		providers: map[string]llm.Provider{},
	}
}

// provider returns the practice's model: its own settings over the defaults. A base
// URL the practice chose is not the operator's: it gets no key of the operator's, and
// is called through netguard, which refuses the appliance's own networks unless the
// operator allows them. Naming the operator's own base URL changes nothing.
func (eng *engine) provider(b *models.Business) (llm.Provider, string, error) {
	cfg := eng.cfg.LLM
	if p := b.GetString("llm_provider"); p != "" && p != cfg.Provider {
		cfg = llm.Config{Provider: p}
	}
	if cfg.Provider == "" {
		cfg.Provider = llm.NameOffline
	}
	if m := b.GetString("llm_model"); m != "" {
		cfg.Model = m
	}
	operatorURL := cfg.BaseURL
	if operatorURL == "" {
		operatorURL = llm.EnvBaseURL(cfg.Provider)
	}
	practiceURL := false
	if u := b.GetString("llm_base_url"); u != "" && !llm.SameBaseURL(u, operatorURL) {
		cfg.BaseURL, cfg.APIKey, practiceURL = u, "", true
	}
	if k := b.GetString("llm_api_key"); k != "" {
		key, err := eng.vault.Decrypt(k)
		if err != nil {
			return nil, "", fmt.Errorf("practice API key: %w", err)
		}
		cfg.APIKey = key
	}
	if cfg.Model == "" {
		cfg.Model = llm.DefaultModel(cfg.Provider)
	}
	key := strings.Join([]string{cfg.Provider, cfg.Model, cfg.BaseURL, secrets.Digest([]byte(cfg.APIKey))[:16], strconv.FormatBool(practiceURL)}, "|")
	eng.mu.Lock()
	defer eng.mu.Unlock()
	if p, ok := eng.providers[key]; ok {
		return p, cfg.Model, nil
	}
	client := eng.cfg.HTTPClient
	if practiceURL {
		client = eng.guardedClient()
	}
	p, err := llm.New(cfg, client)
	if err != nil {
		return nil, "", err
	}
	p = llm.WithTimeouts(p, eng.cfg.FirstTokenTimeout, eng.cfg.ReplyTimeout)
	eng.providers[key] = p
	return p, cfg.Model, nil
}

// guardedClient is the model client for base URLs a practice chose: the configured
// client's connection pool settings behind netguard. Called with eng.mu held.
func (eng *engine) guardedClient() *http.Client {
	if eng.guarded == nil {
		// A transport of another kind can't be guarded: netguard's default stands in.
		base, _ := eng.cfg.HTTPClient.Transport.(*http.Transport)
		eng.guarded = netguard.Client(eng.cfg.AllowPrivateNetworks, base)
		eng.guarded.Timeout = eng.cfg.HTTPClient.Timeout
	}
	return eng.guarded
}

// reply is the whole turn: store the visitor's message, then answer it.
func (eng *engine) reply(e *core.RequestEvent, b *models.Business, c *models.Conversation, text string, release func()) error {
	health := guard.DetectHealth(text)
	injection := guard.DetectInjection(text)
	flags := models.Flags{Health: health.Found, Injection: injection.Found}
	// The visitor's message is stored before anything else can fail.
	vm, err := storeMessage(eng.app, b.Id, c.Id, models.RoleVisitor, text, flags, "")
	if err != nil {
		return err
	}
	// Counted with the reply (finish): one write less before the model is asked.
	if health.Found {
		c.Set("health_flagged", true)
	}

	s := sse.New(e.Response, e.Request)
	defer s.Close()
	// A visitor who sends the next message on done mustn't find the conversation busy.
	s.OnBefore("done", release)
	s.Send("message", map[string]any{"id": vm.Id, "role": models.RoleVisitor, "text": text})

	// The reply is produced and stored even if the visitor goes away mid-stream.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(e.Request.Context()), eng.cfg.ReplyTimeout+10*time.Second)
	defer cancel()
	texts := locale.For(locale.Match(c.Locale(), b.Locale()))
	switch {
	case injection.Found:
		eng.cannedReply(s, b, c, texts.OffTopic(b.Name()), models.Flags{InjectionRefused: true})
	case health.Found:
		eng.cannedReply(s, b, c, texts.Health(b.Phone()), models.Flags{HealthAck: true})
	default:
		eng.generate(ctx, s, b, c, text, texts)
	}
	return nil
}

func (eng *engine) cannedReply(s *sse.Writer, b *models.Business, c *models.Conversation, text string, flags models.Flags) {
	for _, chunk := range llm.WordGroups(text, 4) {
		s.Delta(chunk)
	}
	eng.finish(s, b, c, text, flags, "")
}

// finish stores an assistant reply and tells the visitor it is done.
func (eng *engine) finish(s *sse.Writer, b *models.Business, c *models.Conversation, text string, flags models.Flags, provider string) {
	flags.Interrupted = s.Gone()
	// One transaction, so one turn at SQLite's single write lock. The conversation's
	// counters failing to save must not cost the reply.
	var m *core.Record
	err := eng.app.RunInTransaction(func(tx core.App) error {
		if err := countTurn(tx, c); err != nil {
			tx.Logger().Error("conversation update", "conversation", c.Id, "error", err)
		}
		var err error
		m, err = storeMessage(tx, b.Id, c.Id, models.RoleAssistant, text, flags, provider)
		return err
	})
	if err != nil {
		eng.app.Logger().Error("store reply", "conversation", c.Id, "error", err)
		s.Send("error", &apiError{Code: "internal", Message: "The reply could not be saved."})
		return
	}
	s.Send("done", map[string]any{"id": m.Id, "text": text})
	// The visitor has the whole reply: the log's checkpoint costs no one a wait here.
	eng.ckpt.maybe()
}

// countTurn writes a turn's counters to the conversation: the visitor's messages as
// counted when the turn began (handleMessage), this one included, rather than one more
// than stored, so a turn whose reply was lost to a crash is counted with the next. The
// record is read afresh inside the transaction, not saved from c: a reply takes seconds,
// and a status set meanwhile (the visitor's handoff, staff closing the conversation)
// must not be written back over.
func countTurn(tx core.App, c *models.Conversation) error {
	r, err := tx.FindRecordById(models.ConversationsCollection, c.Id)
	if err != nil {
		return err
	}
	r.Set("message_count", c.MessageCount())
	r.Set("last_message_at", time.Now().UTC())
	if c.GetBool("health_flagged") {
		r.Set("health_flagged", true)
	}
	// Only the engine's own counters and timestamps changed: nothing to validate.
	return tx.SaveNoValidate(r)
}

var errLeak = errors.New("reply would reveal the system prompt")

func (eng *engine) generate(ctx context.Context, s *sse.Writer, b *models.Business, c *models.Conversation, question string, texts locale.Catalog) {
	passages, err := eng.know.Search(ctx, b.Id, question, passagesPerAsk)
	if err != nil {
		eng.app.Logger().Warn("knowledge search", "business", b.Id, "error", err)
	}
	if bestScore(passages) < llm.OfflineConfidence {
		// Recorded after the reply: no write ahead of the first token, and the
		// conversation is already free for the visitor's next message.
		defer func() {
			if err := eng.know.RecordGap(b.Id, question); err != nil {
				eng.app.Logger().Warn("record knowledge gap", "business", b.Id, "error", err)
			}
		}()
	}
	p, model, err := eng.provider(b)
	if err != nil {
		eng.app.Logger().Error("model provider", "business", b.Id, "error", err)
		s.Send("error", errModelUnavailable)
		eng.offline(ctx, s, b, c, passages, texts)
		return
	}
	history, err := eng.history(c.Id)
	if err != nil {
		eng.app.Logger().Error("load history", "conversation", c.Id, "error", err)
	}
	base := eng.promptBase(b)
	system := base.prompt(passages, time.Now())
	var redactor *guard.Redactor
	if llm.Hosted(p.Name()) {
		// Identifiers never reach a hosted model; tool arguments are restored below.
		redactor = guard.NewRedactor()
		for i := range history {
			history[i].Content = redactor.Redact(history[i].Content)
		}
	}
	req := llm.Request{Model: model, System: system, Messages: history, Tools: chatTools, MaxTokens: replyMaxTokens, Passages: passages, Fallback: texts.NotSure, Offer: texts.Offer}
	if p.Name() == llm.NameOffline {
		req.Tools = nil
	}

	// full is the reply as the visitor sees it; said is the model's own text, which the
	// leak check reads (they differ only where identifiers were restored).
	var full, said strings.Builder
	var flags models.Flags
	leak := base.leak.Checker()
	for round := 0; round < maxToolRounds; round++ {
		var calls []llm.ToolCall
		var turn strings.Builder
		err = p.Chat(ctx, req, func(ev llm.Event) error {
			if ev.ToolCall != nil {
				calls = append(calls, *ev.ToolCall)
				return nil
			}
			if ev.Text == "" {
				return nil
			}
			said.WriteString(ev.Text)
			if leak.Check(said.String()) {
				return errLeak
			}
			if redactor != nil {
				ev.Text = redactor.Restore(ev.Text)
			}
			full.WriteString(ev.Text)
			turn.WriteString(ev.Text)
			s.Delta(ev.Text)
			return nil
		})
		if err != nil {
			break
		}
		if len(calls) == 0 {
			break
		}
		req.Messages = append(req.Messages, llm.Message{Role: llm.RoleAssistant, Content: turn.String(), ToolCalls: calls})
		for _, call := range calls {
			result := eng.runTool(b, c, call, redactor)
			flags.AddTool(call.Name)
			req.Messages = append(req.Messages, llm.Message{Role: llm.RoleTool, ToolCallID: call.ID, Name: call.Name, Content: result})
		}
	}
	switch {
	case errors.Is(err, errLeak):
		// Whatever streamed so far is replaced by the visitor's widget on done.
		flags.LeakBlocked = true
		eng.cannedReply(s, b, c, texts.OffTopic(b.Name()), flags)
	case err != nil:
		eng.app.Logger().Warn("model reply failed", "business", b.Id, "provider", p.Name(), "error", err)
		if full.Len() > 0 {
			flags.Error, flags.Partial = true, true
			if _, serr := storeMessage(eng.app, b.Id, c.Id, models.RoleAssistant, full.String(), flags, p.Name()); serr != nil {
				eng.app.Logger().Error("store partial reply", "conversation", c.Id, "error", serr)
			}
		}
		s.Send("error", errModelUnavailable)
		eng.offline(ctx, s, b, c, passages, texts)
	case full.Len() == 0:
		// A model that only called tools still owes the visitor a sentence.
		eng.cannedReply(s, b, c, texts.FollowUp, flags)
	default:
		eng.finish(s, b, c, full.String(), flags, p.Name())
	}
}

// offline answers from the practice's knowledge without a model, after a model failure.
func (eng *engine) offline(ctx context.Context, s *sse.Writer, b *models.Business, c *models.Conversation, passages []llm.Passage, texts locale.Catalog) {
	var full strings.Builder
	err := llm.NewOffline().Chat(ctx, llm.Request{Passages: passages, Fallback: texts.NotSure, Offer: texts.Offer}, func(ev llm.Event) error {
		full.WriteString(ev.Text)
		s.Delta(ev.Text)
		return nil
	})
	if err != nil || full.Len() == 0 {
		full.Reset()
		full.WriteString(texts.NotSure)
	}
	eng.finish(s, b, c, full.String(), models.Flags{Offline: true}, llm.NameOffline)
}

// history is the conversation so far as model messages, oldest first. Health details a
// visitor volunteered are withheld from the model.
func (eng *engine) history(conversationID string) ([]llm.Message, error) {
	recs, err := conversationMessages(eng.app, conversationID, historyTurns, false)
	if err != nil {
		return nil, err
	}
	out := make([]llm.Message, 0, len(recs))
	for _, m := range recs {
		text := m.Text
		if m.Flags.Health {
			text = "[The visitor shared personal health details, withheld here.]"
		}
		switch m.Role {
		case models.RoleVisitor:
			out = append(out, llm.Message{Role: llm.RoleUser, Content: text})
		case models.RoleAssistant, models.RoleStaff:
			if m.Flags.Partial {
				continue
			}
			out = append(out, llm.Message{Role: llm.RoleAssistant, Content: text})
		}
	}
	// Providers want the conversation to start with the visitor.
	for len(out) > 0 && out[0].Role != llm.RoleUser {
		out = out[1:]
	}
	return out, nil
}

// runTool executes a model's tool call for the current conversation and returns the
// result the model sees. Arguments are validated like the visitor's own input.
func (eng *engine) runTool(b *models.Business, c *models.Conversation, call llm.ToolCall, redactor *guard.Redactor) string {
	switch call.Name {
	case "save_contact":
		raw := string(call.Arguments)
		if redactor != nil {
			raw = redactor.Restore(raw)
		}
		var in models.LeadForm
		if err := json.Unmarshal([]byte(raw), &in); err != nil {
			return `{"ok": false, "error": "arguments must be a JSON object"}`
		}
		if f := validateLead(&in, b); len(f) > 0 {
			out, _ := json.Marshal(map[string]any{"ok": false, "errors": f})
			return string(out)
		}
		if _, err := saveLead(eng.app, b, c.Id, in); err != nil {
			eng.app.Logger().Error("save lead from tool", "conversation", c.Id, "error", err)
			return `{"ok": false, "error": "could not save; ask the visitor to use the contact form"}`
		}
		return `{"ok": true, "message": "Saved. The team will follow up."}`
	case "request_human":
		if err := eng.requestHuman(b, c); err != nil {
			eng.app.Logger().Error("request human", "conversation", c.Id, "error", err)
			return `{"ok": false}`
		}
		return `{"ok": true, "message": "A team member has been asked to join."}`
	default:
		return `{"ok": false, "error": "unknown tool"}`
	}
}

// requestHuman marks the conversation as needing a person from the team.
func (eng *engine) requestHuman(b *models.Business, c *models.Conversation) error {
	if c.Status() == models.StatusNeedsHuman {
		return nil
	}
	c.Set("status", models.StatusNeedsHuman)
	if err := eng.app.Save(c); err != nil {
		return err
	}
	// Staff read this note, in English like the rest of the staff tools.
	_, err := storeMessage(eng.app, b.Id, c.Id, models.RoleSystem, locale.For(locale.English).HumanRequested, models.Flags{}, "")
	return err
}

// conversationMessages returns the last limit messages of a conversation, oldest first, in
// the order they were stored (rowid breaks ties within a millisecond).
func conversationMessages(app core.App, conversationID string, limit int, visibleOnly bool) ([]models.MessageRow, error) {
	q := app.DB().Select("id", "role", "text", "flags", "created").From(models.MessagesCollection).
		Where(dbx.HashExp{"conversation": conversationID}).
		OrderBy("created DESC", "rowid DESC").Limit(int64(limit))
	if visibleOnly {
		q.AndWhere(dbx.Not(dbx.HashExp{"role": models.RoleSystem}))
	}
	var msgs []models.MessageRow
	if err := q.All(&msgs); err != nil {
		return nil, err
	}
	slices.Reverse(msgs)
	return msgs, nil
}

// storeMessage saves one message of a conversation. The engine builds every message from
// input it has already validated or from the model's reply, so PocketBase's record
// validation, which reads both relations back from the database on each save, is
// skipped; the record hooks (realtime among them) still run. A reply longer than the
// field allows is cut to fit rather than lost.
func storeMessage(app core.App, business, conversation, role, text string, flags models.Flags, provider string) (*core.Record, error) {
	col, err := app.FindCachedCollectionByNameOrId(models.MessagesCollection)
	if err != nil {
		return nil, err
	}
	r := core.NewRecord(col)
	r.Set("business", business)
	r.Set("conversation", conversation)
	r.Set("role", role)
	r.Set("text", models.Truncate(text, models.MaxMessageText))
	if !flags.Empty() {
		r.Set("flags", flags)
	}
	r.Set("provider", provider)
	if err := app.SaveNoValidate(r); err != nil {
		return nil, fmt.Errorf("store %s message: %w", role, err)
	}
	return r, nil
}

func bestScore(passages []llm.Passage) float64 {
	best := 0.0
	for _, p := range passages {
		best = max(best, p.Score)
	}
	return best
}
