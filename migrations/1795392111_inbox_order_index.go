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
func init() {
	m.Register(func(app core.App) error {
		return setConversationsByActivity(app, "business, last_message_at, id")
	}, func(app core.App) error {
		return setConversationsByActivity(app, "business, last_message_at")
	})
}

func setConversationsByActivity(app core.App, columns string) error {
	c, err := app.FindCollectionByNameOrId("conversations")
	if err != nil {
		return err
	}
	c.RemoveIndex("idx_conversations_business")
	c.AddIndex("idx_conversations_business", false, columns, "")
	return app.Save(c)
}
