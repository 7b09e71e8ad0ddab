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
// handoff, or the model's request_human), with a note for staff and the time asked, so
// the inbox shows how long the visitor has waited. A conversation a person already holds
// stays theirs.
func (eng *Engine) RequestHuman(b *models.Business, c *models.Conversation) error {
	if c.Status() == models.StatusNeedsHuman || c.Held() {
		return nil
	}
	c.Set("status", models.StatusNeedsHuman)
	c.Set("needs_human_at", time.Now().UTC())
	if err := eng.app.Save(c); err != nil {
		return err
	}
	// Staff read this note, in English like the rest of the staff tools.
	_, err := storeMessage(eng.app, b.Id, c.Id, models.RoleSystem, locale.For(locale.English).HumanRequested, models.Flags{}, "")
	return err
}

// OpenNow tells whether the practice is within its opening hours now, in its zone and
// with its closures (a practice that entered no hours is taken as open).
func (eng *Engine) OpenNow(b *models.Business) bool {
	return eng.promptBase(b).facts.OpenAt(time.Now())
}

// conversationMessages returns the last limit messages of a conversation, oldest first, in
// the order they were stored (rowid breaks ties within a millisecond).
func conversationMessages(app core.App, conversationID string, limit int, visibleOnly bool) ([]models.MessageRow, error) {
	q := messageRows(app).Where(dbx.HashExp{"m.conversation": conversationID}).
		OrderBy("m.created DESC", "m.rowid DESC").Limit(int64(limit))
	if visibleOnly {
		q.AndWhere(dbx.Not(dbx.HashExp{"m.role": models.RoleSystem}))
	}
	var msgs []models.MessageRow
	if err := q.All(&msgs); err != nil {
		return nil, err
	}
	slices.Reverse(msgs)
	return msgs, nil
}

// messageRows selects messages (as m) as models.MessageRow reads them. A staff message's
// author is shown by name, never email: a lookup by primary key per staff message.
func messageRows(app core.App) *dbx.SelectQuery {
	return app.DB().Select("m.id", "m.role", "m.text", "m.flags", "m.created", "COALESCE(s.name, '') AS author").
		From(models.MessagesCollection+" m").
		LeftJoin(models.StaffCollection+" s", dbx.NewExp("s.id = m.author"))
}

// StaffMessagesAfter are the conversation's staff messages stored after message since,
// oldest first: all of them when since is no message of the conversation ("0").
func (eng *Engine) StaffMessagesAfter(conversationID, since string) ([]models.MessageRow, error) {
	var msgs []models.MessageRow
	err := messageRows(eng.app).Where(dbx.HashExp{"m.conversation": conversationID, "m.role": models.RoleStaff}).
		AndWhere(dbx.NewExp("m.rowid > COALESCE((SELECT rowid FROM "+models.MessagesCollection+" WHERE id = {:since} AND conversation = {:conv}), 0)",
			dbx.Params{"since": since, "conv": conversationID})).
		OrderBy("m.rowid").All(&msgs)
	return msgs, err
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
