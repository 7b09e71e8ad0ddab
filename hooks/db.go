package hooks

import (
	"sync/atomic"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// dbPragmas are PocketBase's own (core.DefaultDBConnect) with SQLite's automatic WAL
// checkpoint moved from 1,000 log pages to 10,000.
const dbPragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)&_pragma=wal_autocheckpoint(10000)"

// DBConnect opens Frontdesk's SQLite databases as PocketBase does, except for when the
// write-ahead log is checkpointed. SQLite's default runs the checkpoint (copy the log
// into the database, then sync it) inside whichever commit crosses 1,000 pages, while
// that writer holds the database's only write lock: a visitor's message, stored before
// the model is called, waits behind it for the disk. Here the engine checkpoints after a
// reply has gone out (checkpointer), and SQLite's own only past 10,000 pages (about 40
// MB), for a long stretch of writes without any chat. Pass it as
// pocketbase.Config.DBConnect.
func DBConnect(dbPath string) (*dbx.DB, error) {
	return dbx.Open("sqlite", dbPath+dbPragmas)
}

// checkpointEvery is how often at most a reply's end checkpoints: at a busy hour's few
// hundred writes a second, the log stays a few megabytes.
const checkpointEvery = time.Second

// checkpointer runs a passive checkpoint of the data and auxiliary databases at most
// once per checkpointEvery, in the goroutine of a reply that has been sent. PASSIVE
// copies what it can without waiting for readers or the writer, and it runs on a
// reading connection, so it holds up no other request.
type checkpointer struct {
	app  core.App
	last atomic.Int64 // unix nanoseconds of the last checkpoint started
}

// maybe checkpoints unless one started within checkpointEvery.
func (c *checkpointer) maybe() {
	last, now := c.last.Load(), time.Now().UnixNano()
	if now-last < int64(checkpointEvery) || !c.last.CompareAndSwap(last, now) {
		return
	}
	for name, db := range map[string]dbx.Builder{"data": c.app.ConcurrentDB(), "auxiliary": c.app.AuxConcurrentDB()} {
		if _, err := db.NewQuery("PRAGMA wal_checkpoint(PASSIVE)").Execute(); err != nil {
			c.app.Logger().Warn("WAL checkpoint", "db", name, "error", err)
		}
	}
}
