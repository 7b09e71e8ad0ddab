package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(func(app core.App) error {
		// The background-job queue of hooks/jobs: one row per job, claimed with a lease.
		// Internal: no API rules (superusers only), and System, so the admin UI lists it
		// under System and nobody renames or deletes it by accident.
		c := core.NewBaseCollection("jobs")
		c.System = true
		c.Fields.Add(
			&core.TextField{Name: "kind", Required: true, Max: 100, Presentable: true},
			&core.TextField{Name: "key", Max: 200, Help: "Dedupe key, e.g. document:ID: one pending job per key."},
			&core.JSONField{Name: "payload"},
			&core.SelectField{Name: "status", Required: true, Values: []string{"queued", "running", "done", "failed"}, MaxSelect: 1},
			&core.NumberField{Name: "attempts", OnlyInt: true},
			&core.NumberField{Name: "max_attempts", OnlyInt: true},
			&core.DateField{Name: "next_attempt"},
			&core.DateField{Name: "lease_until"},
			&core.TextField{Name: "leased_by", Max: 100},
			&core.TextField{Name: "last_error", Max: 2000},
			&core.BoolField{Name: "rerun", Help: "Enqueued again while running: run once more when done."},
		)
		timestamps(c)
		// The runner's poll: due queued rows and expired leases of running ones.
		c.AddIndex("idx_jobs_due", false, "status, next_attempt", "")
		// Enqueueing a key that is already pending (queued or running) is the same job.
		// Written without parentheses: PocketBase's index parser reads up to the last ")".
		c.AddIndex("idx_jobs_pending_key", true, "`key`", "`key` != '' AND status != 'done' AND status != 'failed'")
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("jobs")
		if err != nil {
			return nil
		}
		// A system collection can't be deleted; the flag can't change through validation.
		c.System = false
		if err := app.SaveNoValidate(c); err != nil {
			return err
		}
		return app.Delete(c)
	})
}
