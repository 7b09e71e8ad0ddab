package chat

import (
	"sync/atomic"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

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
