package migrations

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"frontdesk/hooks/jobs"
)

func init() {
	m.Register(func(app core.App) error {
		// Document ingestion moved from a queue in memory, refilled at each start from the
		// documents' status, to jobs: a document an earlier version left queued or
		// indexing gets its job here, once. Kind, key and payload are hooks/ingest's as
		// this step landed.
		var ids []string
		err := app.DB().Select("id").From("documents").
			Where(dbx.In("status", "queued", "indexing")).Column(&ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := jobs.Enqueue(app, "ingest.document", "document:"+id, map[string]string{"document": id}); err != nil {
				return err
			}
		}
		return nil
	}, nil)
}
