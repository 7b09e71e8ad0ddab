package migrations_test

import (
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	_ "frontdesk/migrations"
)

func migratedApp(t *testing.T) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir()})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.ResetBootstrapState() })
	if err := app.RunAllMigrations(); err != nil {
		t.Fatal(err)
	}
	return app
}

// One database for the steps in order: migrating takes seconds under -race.
func TestJobsMigration(t *testing.T) {
	app := migratedApp(t)
	t.Run("an internal system collection", func(t *testing.T) { internalSystem(t, app) })
	t.Run("key unique while pending", func(t *testing.T) { keyUniqueWhilePending(t, app) })
	t.Run("goes down", func(t *testing.T) { goesDown(t, app) })
}

func internalSystem(t *testing.T, app core.App) {
	c, err := app.FindCollectionByNameOrId("jobs")
	if err != nil {
		t.Fatal(err)
	}
	if !c.System {
		t.Error("jobs is not a system collection")
	}
	for name, rule := range map[string]*string{"list": c.ListRule, "view": c.ViewRule, "create": c.CreateRule, "update": c.UpdateRule, "delete": c.DeleteRule} {
		if rule != nil {
			t.Errorf("%s rule %q; want none (superusers only)", name, *rule)
		}
	}
	if err := app.Delete(c); err == nil {
		t.Error("the jobs collection could be deleted")
	}
}

// One pending (queued or running) job per key; finished ones and empty keys don't count.
func keyUniqueWhilePending(t *testing.T, app core.App) {
	insert := func(id, key, status string) error {
		_, err := app.DB().Insert("jobs", dbx.Params{"id": id, "kind": "k", "key": key, "status": status}).Execute()
		return err
	}
	for _, step := range []struct {
		id, key, status string
		ok              bool
	}{
		{"a", "document:1", "done", true},
		{"b", "document:1", "failed", true},
		{"c", "document:1", "queued", true},
		{"d", "document:1", "queued", false},
		{"e", "document:1", "running", false},
		{"f", "document:2", "running", true},
		{"g", "", "queued", true},
		{"h", "", "queued", true},
	} {
		if err := insert(step.id, step.key, step.status); (err == nil) != step.ok {
			t.Errorf("insert %s %q %s: %v, want ok=%v", step.id, step.key, step.status, err, step.ok)
		}
	}
	if _, err := app.DB().NewQuery("UPDATE jobs SET status = 'done' WHERE id = 'c'").Execute(); err != nil {
		t.Fatal(err)
	}
	if err := insert("i", "document:1", "queued"); err != nil {
		t.Errorf("key free again once its job is done: %v", err)
	}
}

func goesDown(t *testing.T, app core.App) {
	var down func(core.App) error
	for _, m := range core.AppMigrations.Items() {
		if m.File == "1795392020_jobs.go" {
			down = m.Down
		}
	}
	if down == nil {
		t.Fatal("no migration 1795392020_jobs.go")
	}
	if err := app.RunInTransaction(down); err != nil {
		t.Fatal(err)
	}
	if _, err := app.FindCollectionByNameOrId("jobs"); err == nil {
		t.Fatal("jobs still exists")
	}
	if app.HasTable("jobs") {
		t.Fatal("table jobs still exists")
	}
}
