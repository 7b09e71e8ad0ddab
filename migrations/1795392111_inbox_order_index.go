package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The inbox's first page (hooks/console) lists the practice's latest conversations by
// last message, newest first, ties by id: with the id in the index the order is the
// index's own and the page stops after its rows. Without it SQLite read and sorted all of
// a busy year's 100,000 conversations for each page (EXPLAIN QUERY PLAN: SCAN c, USE TEMP
// B-TREE FOR ORDER BY). The index keeps its name and serves every query the narrower one
// did (business, and business with last_message_at).
//
// Above them, the visitors waiting for a person, ordered by when they asked: a partial
// index of those alone holds what that order and the inbox's filters read, so they are
// sorted from a few pages instead of from their rows scattered across the table.
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("conversations")
		if err != nil {
			return err
		}
		c.RemoveIndex("idx_conversations_business")
		c.AddIndex("idx_conversations_business", false, "business, last_message_at, id", "")
		c.AddIndex("idx_conversations_waiting", false, "business, needs_human_at, updated, last_message_at, id", "status = 'needs_human'")
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("conversations")
		if err != nil {
			return err
		}
		c.RemoveIndex("idx_conversations_waiting")
		c.RemoveIndex("idx_conversations_business")
		c.AddIndex("idx_conversations_business", false, "business, last_message_at", "")
		return app.Save(c)
	})
}
