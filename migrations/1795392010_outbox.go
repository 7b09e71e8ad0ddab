package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(func(app core.App) error {
		biz, err := businessRelation(app)
		if err != nil {
			return err
		}
		c := core.NewBaseCollection("outbox")
		// Alerts waiting to go out: what happened and a link, never visitor data.
		c.ListRule = ptr(ruleEditor)
		c.ViewRule = ptr(ruleEditor)
		c.Fields.Add(
			biz,
			&core.SelectField{Name: "channel", Required: true, Values: []string{"email", "sms", "webhook"}, MaxSelect: 1},
			&core.TextField{Name: "event", Required: true, Max: 60},
			&core.TextField{Name: "link", Max: 500},
			&core.SelectField{Name: "status", Required: true, Values: []string{"pending", "sent", "failed"}, MaxSelect: 1},
			&core.NumberField{Name: "attempts", OnlyInt: true},
			&core.TextField{Name: "last_error", Max: 1000},
			&core.DateField{Name: "next_attempt"},
		)
		timestamps(c)
		c.AddIndex("idx_outbox_pending", false, "status, next_attempt", "")
		return app.Save(c)
	}, func(app core.App) error {
		return dropCollection(app, "outbox")
	})
}
