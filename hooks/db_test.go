package hooks_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks"
	"frontdesk/tests"
)

// No commit checkpoints the log (wal_autocheckpoint is 0 on every connection), yet
// while the app serves, what is written reaches the database file: the background
// checkpoint copies it there.
func TestWALIsCheckpointedInTheBackground(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	app := srv.App
	var auto struct {
		N int `db:"wal_autocheckpoint"`
	}
	if err := app.NonconcurrentDB().NewQuery("PRAGMA wal_autocheckpoint").One(&auto); err != nil || auto.N != 0 {
		t.Fatalf("writer: wal_autocheckpoint = %d (%v), want 0", auto.N, err)
	}
	if err := app.ConcurrentDB().NewQuery("PRAGMA wal_autocheckpoint").One(&auto); err != nil || auto.N != 0 {
		t.Fatalf("readers: wal_autocheckpoint = %d (%v), want 0", auto.N, err)
	}

	dbFile := filepath.Join(app.DataDir(), "data.db")
	before := fileSize(t, dbFile)
	col, err := app.FindCollectionByNameOrId("knowledge_gaps")
	if err != nil {
		t.Fatal(err)
	}
	b, err := app.FindFirstRecordByData("businesses", "slug", hooks.DemoSlug)
	if err != nil {
		t.Fatal(err)
	}
	// About 1 MB of rows: 250 pages or more for the checkpoint to copy.
	filler := strings.Repeat("when are you open on a holiday weekend ", 7)
	for i := range 3000 {
		r := core.NewRecord(col)
		r.Set("business", b.Id)
		r.Set("question", fmt.Sprintf("%d %s", i, filler))
		r.Set("count", 1)
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for fileSize(t, dbFile) < before+1<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("data.db is %d bytes, %d before the writes: the log was not checkpointed", fileSize(t, dbFile), before)
		}
		time.Sleep(100 * time.Millisecond)
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
