package chat

import (
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/locale"
	"frontdesk/models"
)

// countTurn writes a turn's counters to the conversation: the visitor's messages as
// counted when the turn began (by the visitor API), this one included, rather than one more
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

// RequestHuman marks the conversation as needing a person from the team (the visitor's
// handoff, or the model's request_human), with a note for staff.
func (eng *Engine) RequestHuman(b *models.Business, c *models.Conversation) error {
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

// Messages are the last limit messages a visitor sees of their conversation (all but
// the notes for staff), oldest first.
func (eng *Engine) Messages(conversationID string, limit int) ([]models.MessageRow, error) {
	return conversationMessages(eng.app, conversationID, limit, true)
}
