package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The inbox's search finds a lead by phone number too: a lead's indexed text gains its
// phone (E.164, which the index holds as one word of digits, "15035550142"; the inbox
// turns a number typed in any format into that word). The leads' triggers are made
// again with the phone, and the leads there are reindexed.
func init() {
	m.Register(func(app core.App) error {
		return reindexLeads(app, "id, name, email, phone, conversation", func(row string) string {
			return row + ".name || ' ' || " + row + ".email || ' ' || " + row + ".phone"
		})
	}, func(app core.App) error {
		return reindexLeads(app, "id, name, email, conversation", func(row string) string {
			return row + ".name || ' ' || " + row + ".email"
		})
	})
}

// reindexLeads makes the leads' search triggers again with columns and text, and
// indexes every lead's text anew.
func reindexLeads(app core.App, columns string, text func(row string) string) error {
	const kind = "2" // the leads' kind in conversation_search_rows
	stmts := []string{"DROP TRIGGER leads_search_insert", "DROP TRIGGER leads_search_delete", "DROP TRIGGER leads_search_update",
		fmt.Sprintf(`DELETE FROM %s WHERE rowid IN (SELECT rid FROM %s WHERE kind = %s)`, searchTable, searchRows, kind),
		fmt.Sprintf(`INSERT INTO %[1]s (rowid, text) SELECT r.rid, %[3]s FROM %[2]s r JOIN leads ON leads.id = r.record WHERE r.kind = %[4]s`,
			searchTable, searchRows, text("leads"), kind),
	}
	stmts = append(stmts, searchTriggers("leads", kind, columns, text)...)
	for _, s := range stmts {
		if _, err := app.DB().NewQuery(s).Execute(); err != nil {
			return fmt.Errorf("conversation search by phone: %w", err)
		}
	}
	return nil
}
