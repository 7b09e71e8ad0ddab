package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// A conversation keeps when staff first answered in it and how long the visitor had
// waited (from their last message before it, or the conversation's start), written
// with that first staff message (hooks/takeover). The owner's dashboard groups these
// waits by day: read from a partial index of the answered conversations, a busy year's
// medians no longer look up every staff message, its conversation and the visitor's
// message before it on each view. Existing conversations are filled in here.
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("conversations")
		if err != nil {
			return err
		}
		c.Fields.Add(
			&core.DateField{Name: "first_reply_at", Help: "When staff first answered in the conversation."},
			&core.NumberField{Name: "first_reply_secs", OnlyInt: true, Help: "Seconds the visitor waited for that first staff answer."},
		)
		c.AddIndex("idx_conversations_replied", false, "business, created, first_reply_secs, status", "first_reply_at != ''")
		// Every field but status and assigned_to stays the engine's: the new ones too.
		c.UpdateRule = ptr(conversationUpdateRule(c))
		if err := app.Save(c); err != nil {
			return err
		}
		_, err = app.DB().NewQuery(`UPDATE conversations SET first_reply_at = f.reply,
  first_reply_secs = CAST(ROUND((julianday(f.reply) - julianday(COALESCE(
    (SELECT MAX(v.created) FROM messages v WHERE v.conversation = f.id AND v.role = 'visitor' AND v.created < f.reply),
    conversations.created))) * 86400) AS INTEGER)
FROM (SELECT conversation AS id, MIN(created) AS reply FROM messages WHERE role = 'staff' GROUP BY conversation) f
WHERE conversations.id = f.id`).Execute()
		return err
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("conversations")
		if err != nil {
			return err
		}
		c.RemoveIndex("idx_conversations_replied")
		c.Fields.RemoveByName("first_reply_at")
		c.Fields.RemoveByName("first_reply_secs")
		c.UpdateRule = ptr(conversationUpdateRule(c))
		return app.Save(c)
	})
}
