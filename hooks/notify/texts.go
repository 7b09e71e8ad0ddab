package notify

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// A visitor's own text messages (a booking's confirmation and reminder, for a visitor
// who agreed to texts) go out like the alerts: an outbox entry with the visitor's number
// in `to` (hidden from the API) and a send job, written in the transaction that caused
// it, sent through the practice's Twilio or Telnyx account, skipped for a number that
// texted STOP, retried, and marked. The entry holds no text: the capability that queued
// it writes the text at send time (TextRenderer), so it can hold the visitor's own
// details, and a booking cancelled meanwhile sends nothing.

// TextRenderer writes the text of a visitor's message about subject (a record id) for
// event, at send time; "" sends nothing (the booking was cancelled, or consent to
// texts withdrawn). An error is retried like a failed send.
type TextRenderer func(event, subject string) (string, error)

// RegisterText makes event a visitor text that render writes. Call it before the app
// serves: the send jobs read the registry without a lock.
func (m *Manager) RegisterText(event string, render TextRenderer) {
	if m.texts == nil {
		m.texts = map[string]TextRenderer{}
	}
	m.texts[event] = render
}

// QueueText queues a text to the visitor's number to (E.164) about subject, in app's
// transaction: it goes out once that commits. event must be registered.
func (m *Manager) QueueText(app core.App, business, to, event, subject string) error {
	if _, ok := m.texts[event]; !ok {
		return fmt.Errorf("notify: no text registered for %q", event)
	}
	return m.queueSMS(app, business, to, event, subject)
}

// queueSMS adds a pending text to number to (E.164) as an outbox entry, sent once app's
// transaction commits. The number stays in the entry (hidden from the API), the record
// of what was sent where.
func (m *Manager) queueSMS(app core.App, business, to, event, subject string) error {
	col, err := app.FindCachedCollectionByNameOrId(models.OutboxCollection)
	if err != nil {
		return err
	}
	now := m.opts.Now()
	r := core.NewRecord(col)
	r.Set("business", business)
	r.Set("channel", models.ChannelSMS)
	r.Set("event", event)
	r.Set("to", to)
	r.Set("subject", subject)
	r.Set("occurred", now)
	r.Set("status", models.OutboxPending)
	r.Set("next_attempt", now)
	if err := app.Save(r); err != nil {
		return fmt.Errorf("queue text: %w", err)
	}
	return enqueue(app, r.Id, now)
}
