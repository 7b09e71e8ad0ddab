package hooks

import (
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
// the model is called, waits behind it for the disk. Here the chat checkpoints after a
// reply has gone out (hooks/chat), and SQLite's own only past 10,000 pages (about 40
// MB), for a long stretch of writes without any chat. Pass it as
// pocketbase.Config.DBConnect.
func DBConnect(dbPath string) (*dbx.DB, error) {
	return dbx.Open("sqlite", dbPath+dbPragmas)
}

// ShrinkDBMemory asks SQLite to free what it can of its caches on a connection of each
// pool (PRAGMA shrink_memory): after start-up, about 0.6 MB of pages read by the
// migrations and the demo practice. The pages are read again when needed.
func ShrinkDBMemory(app core.App) {
	for _, db := range []dbx.Builder{app.NonconcurrentDB(), app.ConcurrentDB(), app.AuxNonconcurrentDB(), app.AuxConcurrentDB()} {
		if _, err := db.NewQuery("PRAGMA shrink_memory").Execute(); err != nil {
			app.Logger().Warn("Could not shrink SQLite's memory", "error", err)
		}
	}
}
