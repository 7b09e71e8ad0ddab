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
		c := core.NewBaseCollection("conversations")
		// Visitors create conversations through the widget routes only.
		c.ListRule = ptr(ruleStaff)
		c.ViewRule = ptr(ruleStaff)
		c.UpdateRule = ptr(ruleEditor + ruleKeepBiz + ` && @request.body.token_hash:isset = false`)
		c.DeleteRule = ptr(ruleOwner)
		c.Fields.Add(
			biz,
			&core.TextField{Name: "visitor_id", Max: 100},
			&core.TextField{Name: "token_hash", Hidden: true, Max: 100},
			&core.TextField{Name: "page_url", Max: 2000},
			&core.TextField{Name: "locale", Max: 20},
			&core.SelectField{Name: "status", Required: true, Values: []string{"open", "needs_human", "closed"}, MaxSelect: 1},
			&core.BoolField{Name: "health_flagged"},
			&core.NumberField{Name: "message_count", OnlyInt: true},
			&core.DateField{Name: "last_message_at"},
		)
		timestamps(c)
		c.AddIndex("idx_conversations_business", false, "business, last_message_at", "")
		return app.Save(c)
	}, func(app core.App) error {
		return dropCollection(app, "conversations")
	})
}
