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
