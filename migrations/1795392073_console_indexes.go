package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The indexes the owner's dashboard reads a year of a busy practice by (hooks/console):
// conversations (and those waiting for a person) and bookings by the day they were
// made, and the two kinds of message it
// groups, visitors' (the most asked questions) and staff's (the first reply), each a
// small partial index beside the large table. Written without parentheses: PocketBase's
// index parser reads up to the last ")".
func init() {
	m.Register(func(app core.App) error {
		for _, ix := range []struct{ collection, name, columns, where string }{
			{"conversations", "idx_conversations_created", "business, created", ""},
			{"conversations", "idx_conversations_status", "business, status, created", ""},
			{"bookings", "idx_bookings_created", "business, created", ""},
			{"messages", "idx_messages_visitor", "business, created", "role = 'visitor'"},
			{"messages", "idx_messages_staff", "business, conversation, created", "role = 'staff'"},
		} {
			c, err := app.FindCollectionByNameOrId(ix.collection)
			if err != nil {
				return err
			}
			c.AddIndex(ix.name, false, ix.columns, ix.where)
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		for collection, names := range map[string][]string{
			"conversations": {"idx_conversations_created", "idx_conversations_status"},
			"bookings":      {"idx_bookings_created"},
			"messages":      {"idx_messages_visitor", "idx_messages_staff"},
		} {
			c, err := app.FindCollectionByNameOrId(collection)
			if err != nil {
				return err
			}
			for _, name := range names {
				c.RemoveIndex(name)
			}
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	})
}
