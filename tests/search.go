package tests

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// SearchTerms are the words the inbox's full-text index (migrations: the conversation
// search) holds for at least one row, as the index itself lists them (fts5vocab): what a
// test checks to know that nothing of a deleted text is left in it.
func SearchTerms(t testing.TB, app core.App) map[string]bool {
	t.Helper()
	terms := map[string]bool{}
	err := app.RunInTransaction(func(tx core.App) error {
		// A temporary table lives on one connection: the transaction's.
		if _, err := tx.DB().NewQuery("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_terms USING fts5vocab(main, conversation_search, row)").Execute(); err != nil {
			return err
		}
		var words []string
		if err := tx.DB().NewQuery("SELECT term FROM temp.search_terms").Column(&words); err != nil {
			return err
		}
		for _, w := range words {
			terms[w] = true
		}
		_, err := tx.DB().NewQuery("DROP TABLE temp.search_terms").Execute()
		return err
	})
	if err != nil {
		t.Fatalf("search terms: %v", err)
	}
	return terms
}
