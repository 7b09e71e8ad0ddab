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
		conversations, err := app.FindCollectionByNameOrId("conversations")
		if err != nil {
			return err
		}
		c := core.NewBaseCollection("leads")
		c.ListRule = ptr(ruleStaff)
		c.ViewRule = ptr(ruleStaff)
		c.CreateRule = ptr(ruleEditor)
		c.UpdateRule = ptr(ruleEditor + ruleKeepBiz)
		c.DeleteRule = ptr(ruleOwner)
		c.Fields.Add(
			biz,
			&core.RelationField{Name: "conversation", CollectionId: conversations.Id, MaxSelect: 1},
			&core.TextField{Name: "name", Required: true, Max: 200, Presentable: true},
			&core.EmailField{Name: "email"},
			&core.TextField{Name: "phone", Max: 40},
			&core.TextField{Name: "service", Max: 200},
			&core.BoolField{Name: "sms_consent"},
			&core.TextField{Name: "sms_consent_text", Max: 500, Help: "The consent wording the visitor agreed to."},
			&core.SelectField{Name: "status", Values: []string{"new", "contacted", "booked", "closed"}, MaxSelect: 1},
		)
		timestamps(c)
		c.AddIndex("idx_leads_business", false, "business, created", "")
		c.AddIndex("idx_leads_email", false, "business, email", "email != ''")
		c.AddIndex("idx_leads_phone", false, "business, phone", "phone != ''")
		return app.Save(c)
	}, func(app core.App) error {
		return dropCollection(app, "leads")
	})
}
