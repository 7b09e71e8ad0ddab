package chat

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/guard"
	"frontdesk/internal/llm"
	"frontdesk/internal/locale"
	"frontdesk/internal/sse"
	"frontdesk/models"
)

// The shape of a turn.
const (
	historyTurns   = 20  // earlier messages the model is given
	maxToolRounds  = 3   // model calls a turn may make to act on tool results
	replyMaxTokens = 600 // a reply is a few short sentences
	passagesPerAsk = 5   // knowledge passages in the prompt
)

// streamError is an error event of the reply stream, {code, message}, with a code of
// the visitor API's catalog (README): the widget shows it in the visitor's language.
type streamError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

var (
	errModelUnavailable = streamError{Code: "model_unavailable", Message: "The assistant is unavailable right now."}
	errNotSaved         = streamError{Code: "internal", Message: "The reply could not be saved."}
)

// Reply is the whole turn, streamed to the visitor as text/event-stream: store the
// visitor's message, then answer it, or, while a staff member holds the conversation,
// end with held. The visitor API has checked text and holds the conversation (its
// limiter); release frees it, before the last event is sent, so the visitor's next
// message never finds it busy.
func (eng *Engine) Reply(e *core.RequestEvent, b *models.Business, c *models.Conversation, text string, release func()) error {
	eng.turns.add()
	defer eng.turns.done()
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
	if c.Held() {
		eng.held(s, c, release)
		return nil
	}

	// The reply is produced and stored even if the visitor goes away mid-stream.
	// Shutdown ends it too (stopping), and the turn then stores what it has.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(e.Request.Context()), eng.cfg.ReplyTimeout+10*time.Second)
	defer cancel()
	defer context.AfterFunc(eng.stopping, cancel)()
	texts := locale.For(locale.Match(c.Locale(), b.Locale()))
	// The practice's model, chosen once for the turn: no model means the offline answer.
	p, model, perr := eng.provider(b)
	switch {
	case injection.Found:
		eng.cannedReply(s, b, c, texts.OffTopic(b.Name()), models.Flags{InjectionRefused: true})
	case perr == nil && p.Name() == llm.NameOffline:
		// No model: the profile and the knowledge answer, and a health mention still
		// gets its practical question answered, with the health details set apart.
		eng.offline(ctx, s, b, c, text, true)
	case health.Found:
		// The details reach no model; a practical question beside them is still answered,
		// from the knowledge.
		reply, provider := eng.healthText(ctx, b, text, texts)
		for _, chunk := range llm.WordGroups(reply, 4) {
			s.Delta(chunk)
		}
		eng.finish(s, b, c, reply, models.Flags{HealthAck: true, Offline: provider == llm.NameOffline}, provider)
	default:
		eng.generate(ctx, s, b, c, text, texts, p, model, perr)
	}
	return nil
}

// held ends the turn of a conversation a staff member holds: the visitor's message is
// stored (it reaches staff through PocketBase's realtime API) and counted, and the
// assistant stays silent.
func (eng *Engine) held(s *sse.Writer, c *models.Conversation, release func()) {
	if err := countTurn(eng.app, c); err != nil {
		eng.app.Logger().Error("conversation update", "conversation", c.Id, "error", err)
	}
	release()
	s.Send("held", struct{}{})
}

// cannedReply streams and stores a fixed reply, as a model's would be.
func (eng *Engine) cannedReply(s *sse.Writer, b *models.Business, c *models.Conversation, text string, flags models.Flags) {
	for _, chunk := range llm.WordGroups(text, 4) {
		s.Delta(chunk)
	}
	eng.finish(s, b, c, text, flags, "")
}

// finish stores an assistant reply and tells the visitor it is done.
func (eng *Engine) finish(s *sse.Writer, b *models.Business, c *models.Conversation, text string, flags models.Flags, provider string) {
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
		s.Send("error", errNotSaved)
		return
	}
	done := map[string]any{"id": m.Id, "text": text}
	if len(flags.Actions) > 0 {
		done["actions"] = flags.Actions
	}
	s.Send("done", done)
	// The visitor has the whole reply: the log's checkpoint costs no one a wait here.
	eng.ckpt.maybe()
}

var errLeak = errors.New("reply would reveal the system prompt")

// generate answers from the practice's model with the passages that match the question,
// acting on the tools it calls; the offline answer stands in when the model fails.
func (eng *Engine) generate(ctx context.Context, s *sse.Writer, b *models.Business, c *models.Conversation, question string, texts locale.Catalog, p llm.Provider, model string, perr error) {
	passages, serr := eng.know.Search(ctx, b.Id, question, passagesPerAsk)
	if serr != nil {
		eng.app.Logger().Warn("knowledge search", "business", b.Id, "error", serr)
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
	if perr != nil {
		eng.app.Logger().Error("model provider", "business", b.Id, "error", perr)
		s.Send("error", errModelUnavailable)
		eng.offline(ctx, s, b, c, question, false)
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
	req := llm.Request{Model: model, System: system, Messages: history, Tools: base.tools, MaxTokens: replyMaxTokens, Passages: passages, Fallback: texts.NotSure, Offer: texts.Offer}
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
			result := eng.runTool(ctx, Turn{Business: b, Conversation: c}, call, redactor)
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
		eng.offline(ctx, s, b, c, question, false)
	case full.Len() == 0:
		// A model that only called tools still owes the visitor a sentence.
		eng.cannedReply(s, b, c, texts.FollowUp, flags)
	default:
		eng.finish(s, b, c, full.String(), flags, p.Name())
	}
}

// offline answers without a model (internal/answer): from the practice's profile, its
// FAQs and documents, or with "not sure" and an offer to follow up. It also stands in
// when a model fails. With recordGap, a message it could not answer is counted as a
// knowledge gap (generate counts its own).
func (eng *Engine) offline(ctx context.Context, s *sse.Writer, b *models.Business, c *models.Conversation, question string, recordGap bool) {
	r := eng.answerOffline(ctx, b, question)
	text := r.Text
	if text == "" {
		text = locale.For(locale.Match(c.Locale(), b.Locale())).NotSure
	}
	flags := models.Flags{Offline: true, HealthAck: r.Health}
	// A visitor who asks to book gets the booking form (the widget's button under the
	// reply) where the practice takes bookings, in place of the offer to be called back.
	book := r.Booking && len(b.BookableServices()) > 0
	if book {
		offer := locale.For(r.Lang).BookOffer
		switch {
		case r.Answered || r.Health:
			text = strings.TrimSuffix(text, "\n\n"+locale.For(r.Lang).Offer) + "\n\n" + offer
		default:
			text = offer
		}
		flags.Actions = []string{models.ActionBook}
	}
	for _, chunk := range llm.WordGroups(text, 4) {
		s.Delta(chunk)
	}
	eng.finish(s, b, c, text, flags, llm.NameOffline)
	if recordGap && !r.Answered && !book && r.Practical != "" {
		// After the reply: no write ahead of it, and the conversation is free again.
		if err := eng.know.RecordGap(b.Id, r.Practical); err != nil {
			eng.app.Logger().Warn("record knowledge gap", "business", b.Id, "error", err)
		}
	}
}

// history is the conversation so far as model messages, oldest first. Health details a
// visitor volunteered are withheld from the model.
func (eng *Engine) history(conversationID string) ([]llm.Message, error) {
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

// bestScore is the best match's score, 0 without passages.
func bestScore(passages []llm.Passage) float64 {
	best := 0.0
	for _, p := range passages {
		best = max(best, p.Score)
	}
	return best
}
