package chat_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/practice"
	"frontdesk/models"
	"frontdesk/tests"
)

// Commits don't checkpoint the log (SQLite's automatic checkpoint waits for 10,000
// pages), so what they write stays in the log; the end of a reply copies it into the
// database.
func TestWALIsCheckpointedAfterAReply(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	app := v.App
	var auto struct {
		N int `db:"wal_autocheckpoint"`
	}
	if err := app.NonconcurrentDB().NewQuery("PRAGMA wal_autocheckpoint").One(&auto); err != nil || auto.N != 10000 {
		t.Fatalf("writer: wal_autocheckpoint = %d (%v), want 10000", auto.N, err)
	}
	if err := app.ConcurrentDB().NewQuery("PRAGMA wal_autocheckpoint").One(&auto); err != nil || auto.N != 10000 {
		t.Fatalf("readers: wal_autocheckpoint = %d (%v), want 10000", auto.N, err)
	}
	id, token := v.Start()
	v.Send(id, token, "When are you open?") // the first checkpoint, before the writes below

	dbFile := filepath.Join(app.DataDir(), "data.db")
	before := fileSize(t, dbFile)
	col, err := app.FindCollectionByNameOrId(models.KnowledgeGapsCollection)
	if err != nil {
		t.Fatal(err)
	}
	b, err := app.FindFirstRecordByData(models.BusinessesCollection, "slug", practice.DemoSlug)
	if err != nil {
		t.Fatal(err)
	}
	// About 300 KB of rows in 1,000 commits of a few log pages each: SQLite's default
	// would have checkpointed inside one of them.
	filler := strings.Repeat("when are you open on a holiday weekend ", 7)
	for i := range 1000 {
		r := core.NewRecord(col)
		r.Set("business", b.Id)
		r.Set("question", fmt.Sprintf("%d %s", i, filler))
		r.Set("count", 1)
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	if size := fileSize(t, dbFile); size != before {
		t.Fatalf("data.db grew from %d to %d bytes during the writes: a commit checkpointed", before, size)
	}
	time.Sleep(1100 * time.Millisecond) // checkpoints are at most one a second
	v.Send(id, token, "Do you take new patients?")
	if size := fileSize(t, dbFile); size < before+256<<10 {
		t.Fatalf("data.db is %d bytes, %d before the writes: the reply's end did not checkpoint", size, before)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
