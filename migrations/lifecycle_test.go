package migrations_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

func TestLeadRetentionMigration(t *testing.T) {
	app := migratedApp(t)

	c, err := app.FindCollectionByNameOrId("businesses")
	if err != nil {
		t.Fatal(err)
	}
	f, ok := c.Fields.GetByName("lead_retention_days").(*core.NumberField)
	if !ok {
		t.Fatal("businesses has no number field lead_retention_days")
	}
	if !f.OnlyInt || f.Min == nil || *f.Min != 1 || f.Required {
		t.Errorf("lead_retention_days: %+v; want an optional whole number of at least 1", f)
	}
}

// A new install takes a daily backup and keeps 7, from the first start, also after a
// restart (the settings are stored, not only set in memory).
func TestBackupScheduleMigration(t *testing.T) {
	dir := t.TempDir()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	if err := app.RunAllMigrations(); err != nil {
		t.Fatal(err)
	}
	check := func(app core.App, when string) {
		b := app.Settings().Backups
		scheduled := false
		for _, j := range app.Cron().Jobs() {
			scheduled = scheduled || j.Id() == "__pbAutoBackup__" && j.Expression() == "30 2 * * *"
		}
		if b.Cron != "30 2 * * *" || b.CronMaxKeep != 7 || !scheduled {
			t.Errorf("%s: backups cron %q keep %d scheduled %v; want a daily schedule keeping 7", when, b.Cron, b.CronMaxKeep, scheduled)
		}
	}
	check(app, "first start")
	_ = app.ResetBootstrapState()

	again := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := again.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = again.ResetBootstrapState() })
	check(again, "after a restart")
}
