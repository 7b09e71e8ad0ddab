package hooks

import (
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// dbPragmas are PocketBase's own (core.DefaultDBConnect) plus wal_autocheckpoint(0).
const dbPragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)&_pragma=wal_autocheckpoint(0)"

// DBConnect opens Frontdesk's SQLite databases as PocketBase does, except that no
// commit checkpoints the write-ahead log itself. SQLite's default runs a checkpoint
// (copy the log into the database, then sync it) inside whichever commit crosses 1,000
// pages, while that writer holds the database's only write lock: a visitor's message
// waiting behind it waits for the disk. bindCheckpoints does the same work in the
// background instead. Pass it as pocketbase.Config.DBConnect.
func DBConnect(dbPath string) (*dbx.DB, error) {
	return dbx.Open("sqlite", dbPath+dbPragmas)
}

// checkpointEvery is how often the background checkpoint runs: at a busy hour's few
// hundred writes a second, the log stays a few megabytes.
const checkpointEvery = time.Second

// bindCheckpoints checkpoints both databases' logs in the background while the app
// serves. PASSIVE copies what it can without waiting for readers or the writer, so it
// never holds up a request. The loop ends before the app closes its databases.
func bindCheckpoints(app core.App) {
	stop := make(chan struct{})
	var once sync.Once
	var running sync.WaitGroup
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := se.Next(); err != nil || se.Server == nil {
			return err // failed to start, or routes only (API scenarios in tests)
		}
		running.Go(func() {
			t := time.NewTicker(checkpointEvery)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					checkpoint(app)
				}
			}
		})
		return nil
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		once.Do(func() { close(stop) })
		running.Wait()
		return e.Next()
	})
}

// checkpoint runs one passive checkpoint of the data and auxiliary databases, on a
// reading connection: the writer's stays free.
func checkpoint(app core.App) {
	for name, db := range map[string]dbx.Builder{"data": app.ConcurrentDB(), "auxiliary": app.AuxConcurrentDB()} {
		if _, err := db.NewQuery("PRAGMA wal_checkpoint(PASSIVE)").Execute(); err != nil {
			app.Logger().Warn("WAL checkpoint", "db", name, "error", err)
		}
	}
}
