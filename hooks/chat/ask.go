package chat

import (
	"context"
	"errors"
	"strings"
	"time"

	"frontdesk/internal/answer"
	"frontdesk/internal/guard"
	"frontdesk/internal/llm"
	"frontdesk/internal/locale"
	"frontdesk/models"
)

// Ask answers one question as the practice's assistant answers a visitor's first
// message (the same screens, profile, knowledge and model), without a conversation:
// nothing is stored, no tool acts and no knowledge gap is counted. The owner's evaluation
// runs on it. It returns the reply's text and the provider that wrote it; when the model
// fails, the offline answer a visitor would get is returned with the model's error.
func (eng *Engine) Ask(ctx context.Context, b *models.Business, question string) (string, string, error) {
	texts := locale.For(locale.Match("", b.Locale()))
	if guard.DetectInjection(question).Found {
		return texts.OffTopic(b.Name()), "", nil
	}
	p, model, perr := eng.provider(b)
	switch {
	case perr == nil && p.Name() == llm.NameOffline:
		return eng.offlineText(ctx, b, question, texts), llm.NameOffline, nil
	case guard.DetectHealth(question).Found:
		text, provider := eng.healthText(ctx, b, question, texts)
		return text, provider, nil
	case perr != nil:
		return eng.offlineText(ctx, b, question, texts), llm.NameOffline, perr
	}
	passages, err := eng.know.Search(ctx, b.Id, question, passagesPerAsk)
	if err != nil {
		eng.app.Logger().Warn("knowledge search", "business", b.Id, "error", err)
	}
	base := eng.promptBase(b)
	var redactor *guard.Redactor
	asked := question
	if llm.Hosted(p.Name()) {
		redactor = guard.NewRedactor()
		asked = redactor.Redact(question)
	}
	req := llm.Request{Model: model, System: base.prompt(passages, time.Now()), Messages: []llm.Message{{Role: llm.RoleUser, Content: asked}}, MaxTokens: replyMaxTokens}
	var said strings.Builder
	leak := base.leak.Checker()
	err = p.Chat(ctx, req, func(ev llm.Event) error {
		said.WriteString(ev.Text)
		if leak.Check(said.String()) {
			return errLeak
		}
		return nil
	})
	switch {
	case errors.Is(err, errLeak):
		return texts.OffTopic(b.Name()), p.Name(), nil
	case err != nil:
		return eng.offlineText(ctx, b, question, texts), llm.NameOffline, err
	}
	text := said.String()
	if redactor != nil {
		text = redactor.Restore(text)
	}
	return text, p.Name(), nil
}

// answerOffline answers a message without a model (internal/answer): the practice's
// profile, its FAQs and documents, with health details set apart.
func (eng *Engine) answerOffline(ctx context.Context, b *models.Business, text string) answer.Reply {
	r, err := eng.know.Answer(ctx, answer.Request{Business: b.Id, Message: text, Now: time.Now(), Profile: eng.promptBase(b).facts})
	if err != nil {
		eng.app.Logger().Warn("offline answer", "business", b.Id, "error", err)
	}
	return r
}

// offlineText is the offline answer's text, or "not sure" in texts' language.
func (eng *Engine) offlineText(ctx context.Context, b *models.Business, text string, texts locale.Catalog) string {
	if r := eng.answerOffline(ctx, b, text); r.Text != "" {
		return r.Text
	}
	return texts.NotSure
}

// healthText is the reply to a message with health details when the practice has a
// model: the details reach no model, and no search either; the practical question beside
// them, if any, is answered from the knowledge after the acknowledgement, else the
// acknowledgement stands alone. It returns the provider that answered ("" for the fixed
// reply).
func (eng *Engine) healthText(ctx context.Context, b *models.Business, text string, texts locale.Catalog) (string, string) {
	if r := eng.answerOffline(ctx, b, text); r.Answered {
		return r.Text, llm.NameOffline
	}
	return texts.Health(b.Phone()), ""
}
