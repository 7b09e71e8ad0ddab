package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The inbox's search (hooks/console): an SQLite FTS5 index of the words of every
// message, and of every lead's name and email, kept in step by triggers on both
// tables, so that every write (the record API, a hook, a raw statement, a cascade,
// retention, erasure) updates it in the same transaction.
//
// conversation_search keeps the words' positions but no copy of the text (its content option is empty),
// and forgets a row by its rowid alone (contentless_delete=1), without being told the
// row's words again: a deleted row's words no longer match and are no longer listed
// from that moment, and leave the index's pages as its segments merge. (FTS5's
// secure-delete, which rewrites every page of each of the row's words at once, costs 15
// ms a message at a busy year's index: hours for a practice's deletion.) Its rowid is
// the rid of conversation_search_rows, which says whose words they are (the message or
// lead, by kind, and its conversation); the messages' and leads' own rowids are not
// used, since SQLite promises no stable rowid to a table without an INTEGER PRIMARY KEY
// (a dump and reload renumbers them).
//
// unicode61 with remove_diacritics 2 folds case and accents ("zoe" finds "Zoë").
const (
	searchTable = "conversation_search"
	searchRows  = "conversation_search_rows"
)

// searchSources are the tables indexed: the kind stored in conversation_search_rows,
// the columns whose change reindexes a row, and the indexed text of a row (NEW).
var searchSources = []struct {
	table, kind string
	columns     string
	text        func(row string) string
}{
	{"messages", "1", "id, text, conversation", func(row string) string { return row + ".text" }},
	{"leads", "2", "id, name, email, conversation", func(row string) string { return row + ".name || ' ' || " + row + ".email" }},
}

func init() {
	m.Register(func(app core.App) error {
		stmts := []string{
			`CREATE TABLE ` + searchRows + ` (
  rid INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,
  record TEXT NOT NULL,
  conversation TEXT NOT NULL
)`,
			`CREATE UNIQUE INDEX idx_` + searchRows + `_record ON ` + searchRows + ` (record, kind)`,
			`CREATE VIRTUAL TABLE ` + searchTable + ` USING fts5(text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`,
		}
		for _, s := range searchSources {
			stmts = append(stmts,
				// The rows there are now, before the triggers keep them.
				fmt.Sprintf(`INSERT INTO %s (kind, record, conversation) SELECT %s, id, conversation FROM %s`, searchRows, s.kind, s.table),
				fmt.Sprintf(`INSERT INTO %[1]s (rowid, text) SELECT r.rid, %[4]s FROM %[2]s r JOIN %[3]s ON %[3]s.id = r.record WHERE r.kind = %[5]s`,
					searchTable, searchRows, s.table, s.text(s.table), s.kind),
			)
			stmts = append(stmts, searchTriggers(s.table, s.kind, s.columns, s.text)...)
		}
		for _, s := range stmts {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return fmt.Errorf("conversation search: %w", err)
			}
		}
		return nil
	}, func(app core.App) error {
		var stmts []string
		for _, s := range searchSources {
			for _, op := range []string{"insert", "delete", "update"} {
				stmts = append(stmts, "DROP TRIGGER IF EXISTS "+s.table+"_search_"+op)
			}
		}
		stmts = append(stmts, "DROP TABLE IF EXISTS "+searchTable, "DROP TABLE IF EXISTS "+searchRows)
		for _, s := range stmts {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return fmt.Errorf("conversation search: %w", err)
			}
		}
		return nil
	})
}

// searchTriggers keep table's rows of kind in the search index: a row's words are
// indexed when it is inserted, forgotten when it is deleted, and both when one of
// columns changes.
func searchTriggers(table, kind, columns string, text func(row string) string) []string {
	forget := fmt.Sprintf(`DELETE FROM %[1]s WHERE rowid = (SELECT rid FROM %[2]s WHERE record = OLD.id AND kind = %[3]s);
  DELETE FROM %[2]s WHERE record = OLD.id AND kind = %[3]s;`, searchTable, searchRows, kind)
	add := fmt.Sprintf(`INSERT INTO %[2]s (kind, record, conversation) VALUES (%[4]s, NEW.id, NEW.conversation);
  INSERT INTO %[1]s (rowid, text) VALUES ((SELECT rid FROM %[2]s WHERE record = NEW.id AND kind = %[4]s), %[3]s);`, searchTable, searchRows, text("NEW"), kind)
	return []string{
		fmt.Sprintf("CREATE TRIGGER %[1]s_search_insert AFTER INSERT ON %[1]s BEGIN\n  %[2]s\nEND", table, add),
		fmt.Sprintf("CREATE TRIGGER %[1]s_search_delete AFTER DELETE ON %[1]s BEGIN\n  %[2]s\nEND", table, forget),
		// Forget the old row's words, then index the new one.
		fmt.Sprintf("CREATE TRIGGER %[1]s_search_update AFTER UPDATE OF %[2]s ON %[1]s BEGIN\n  %[3]s\n  %[4]s\nEND", table, columns, forget, add),
	}
}
