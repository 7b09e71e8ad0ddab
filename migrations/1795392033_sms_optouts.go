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
		c := core.NewBaseCollection("sms_optouts")
		// Numbers that texted STOP to a practice's SMS number, visitors' and staff's
		// alike: nothing is sent to them until they text START. Written only by the
		// inbound-SMS routes; owners and admins read it.
		c.ListRule = ptr(ruleEditor)
		c.ViewRule = ptr(ruleEditor)
		c.Fields.Add(
			biz,
			&core.TextField{Name: "phone", Required: true, Max: 40, Presentable: true, Help: "E.164."},
			&core.BoolField{Name: "opted_out", Help: "Set by STOP (and its synonyms), cleared by START."},
			&core.TextField{Name: "keyword", Max: 20, Help: "The last keyword received."},
			&core.SelectField{Name: "provider", Values: []string{"twilio", "telnyx"}, MaxSelect: 1},
			&core.DateField{Name: "changed", Help: "When the number last opted out or back in."},
		)
		timestamps(c)
		c.AddIndex("idx_sms_optouts_number", true, "business, phone", "")
		return app.Save(c)
	}, func(app core.App) error {
		return dropCollection(app, "sms_optouts")
	})
}
