package migrations_test

import (
	"slices"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/tests"
)

// The inbox's full-text index holds the messages and leads there were before it
// (backfilled), follows every insert, update and delete of either by plain SQL, keeps
// nothing of what was deleted, and goes down cleanly.
func TestConversationSearchMigration(t *testing.T) {
	app := migratedApp(t)
	up, down := migration(t, "1795392110_conversation_search.go")
	if err := app.RunInTransaction(down); err != nil {
		t.Fatal(err)
	}
	insert := inserter(t, app)
	a, b := insert("businesses", dbx.Params{"slug": "a", "name": "A"}), insert("businesses", dbx.Params{"slug": "b", "name": "B"})
	old := insert("conversations", dbx.Params{"business": a, "status": "open"})
	insert("messages", dbx.Params{"business": a, "conversation": old, "role": "visitor", "text": "Do you take Delta Dental?"})
	insert("leads", dbx.Params{"business": a, "conversation": old, "name": "Zoë Quint", "email": "zq@example.com"})
	if err := app.RunInTransaction(up); err != nil {
		t.Fatal(err)
	}

	// The conversations of business whose messages or leads match an FTS5 query.
	search := func(business, q string) []string {
		t.Helper()
		var ids []string
		err := app.DB().NewQuery(`SELECT DISTINCT c.id FROM conversation_search s JOIN conversation_search_rows r ON r.rid = s.rowid
  JOIN conversations c ON c.id = r.conversation
WHERE conversation_search MATCH {:q} AND c.business = {:b} ORDER BY c.id`).Bind(dbx.Params{"q": q, "b": business}).Column(&ids)
		if err != nil {
			t.Fatalf("search %s: %v", q, err)
		}
		return ids
	}
	expect := func(what, business, q string, want ...string) {
		t.Helper()
		slices.Sort(want)
		if got := search(business, q); !slices.Equal(got, want) {
			t.Errorf("%s: %q finds %v; want %v", what, q, got, want)
		}
	}
	expect("backfilled message", a, `"delta"`, old)
	expect("backfilled lead, accents folded", a, `"zoe" "zq"`, old)
	expect("another practice", b, `"delta"`)

	conv := insert("conversations", dbx.Params{"business": b, "status": "open"})
	msg := insert("messages", dbx.Params{"business": b, "conversation": conv, "role": "visitor", "text": "¿Tienen cita el SÁBADO?"})
	lead := insert("leads", dbx.Params{"business": b, "conversation": conv, "name": "Íñigo", "email": "inigo@example.com"})
	expect("inserted message", b, `"sabado"`, conv)
	expect("inserted lead", b, `"inigo"`, conv)
	expect("the other practice's words", a, `"sabado"`)

	exec := func(sql string, p dbx.Params) {
		t.Helper()
		if _, err := app.DB().NewQuery(sql).Bind(p).Execute(); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec("UPDATE messages SET text = 'Is there parking?' WHERE id = {:id}", dbx.Params{"id": msg})
	exec("UPDATE leads SET name = 'Ignacio', status = 'contacted' WHERE id = {:id}", dbx.Params{"id": lead})
	expect("updated message, new words", b, `"parking"`, conv)
	expect("updated message, old words", b, `"sabado"`)
	expect("updated lead, old name", b, `"inigo"`, conv) // still in the email
	expect("updated lead, new name", b, `"ignacio"`, conv)
	moved := insert("conversations", dbx.Params{"business": b, "status": "open"})
	exec("UPDATE messages SET conversation = {:c} WHERE id = {:id}", dbx.Params{"c": moved, "id": msg})
	expect("moved message", b, `"parking"`, moved)

	// Deleting the conversation's rows, as retention and erasure do, leaves none of their words.
	exec("DELETE FROM messages WHERE business = {:b}", dbx.Params{"b": b})
	exec("DELETE FROM leads WHERE business = {:b}", dbx.Params{"b": b})
	expect("deleted rows", b, `"parking" OR "ignacio" OR "inigo"`)
	terms := tests.SearchTerms(t, app)
	for _, w := range []string{"parking", "ignacio", "inigo", "sabado", "tienen"} {
		if terms[w] {
			t.Errorf("the index still holds %q", w)
		}
	}
	if !terms["delta"] || !terms["quint"] {
		t.Errorf("the index lost the other practice's words: %v", terms)
	}
	var rows int
	if err := app.DB().NewQuery("SELECT COUNT(*) FROM conversation_search_rows WHERE conversation IN ({:c}, {:m})").Bind(dbx.Params{"c": conv, "m": moved}).Row(&rows); err != nil || rows != 0 {
		t.Errorf("%d rows of deleted records (%v)", rows, err)
	}

	if err := app.RunInTransaction(down); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"conversation_search", "conversation_search_rows"} {
		if app.HasTable(table) {
			t.Errorf("%s is still there", table)
		}
	}
	insert("messages", dbx.Params{"business": a, "conversation": old, "role": "visitor", "text": "still written"})
}

// inserter inserts rows into app's tables by plain SQL, each with a new id it returns.
func inserter(t *testing.T, app core.App) func(table string, cols dbx.Params) string {
	return func(table string, cols dbx.Params) string {
		t.Helper()
		cols["id"] = core.GenerateDefaultRandomId()
		if _, err := app.DB().Insert(table, cols).Execute(); err != nil {
			t.Fatalf("insert %s: %v", table, err)
		}
		return cols["id"].(string)
	}
}

// migration is the up and down of the migration in file.
func migration(t *testing.T, file string) (up, down func(core.App) error) {
	t.Helper()
	for _, m := range core.AppMigrations.Items() {
		if m.File == file {
			return m.Up, m.Down
		}
	}
	t.Fatalf("no migration %s", file)
	return nil, nil
}
