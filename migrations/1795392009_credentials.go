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
		c := core.NewBaseCollection("credentials")
		// Integration secrets (SMS, calendar, webhook signing). The value is encrypted by a
		// hook before it is stored and never returned through the API.
		c.ListRule = ptr(ruleEditor)
		c.ViewRule = ptr(ruleEditor)
		c.CreateRule = ptr(ruleEditor)
		c.UpdateRule = ptr(ruleEditor + ruleKeepBiz)
		c.DeleteRule = ptr(ruleOwner)
		c.Fields.Add(
			biz,
			&core.TextField{Name: "kind", Required: true, Max: 60, Presentable: true, Help: "What it is for, e.g. twilio, webhook, google."},
			&core.TextField{Name: "value", Hidden: true, Max: 16384},
		)
		timestamps(c)
		c.AddIndex("idx_credentials_business_kind", true, "business, kind", "")
		return app.Save(c)
	}, func(app core.App) error {
		return dropCollection(app, "credentials")
	})
}
