package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(func(app core.App) error {
		// Appliance state only the operator may see: the encrypted key canary, the
		// demo-seeded marker. No API rules: superusers only.
		c := core.NewBaseCollection("app_state")
		c.Fields.Add(
			&core.TextField{Name: "key", Required: true, Max: 100, Presentable: true},
			&core.TextField{Name: "value", Max: 10000},
		)
		c.AddIndex("idx_app_state_key", true, "key", "")
		return app.Save(c)
	}, func(app core.App) error {
		return dropCollection(app, "app_state")
	})
}
