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
		c := core.NewBaseCollection("faqs")
		c.ListRule = ptr(ruleStaff)
		c.ViewRule = ptr(ruleStaff)
		c.CreateRule = ptr(ruleEditor)
		c.UpdateRule = ptr(ruleEditor + ruleKeepBiz)
		c.DeleteRule = ptr(ruleOwner)
		c.Fields.Add(
			biz,
			&core.TextField{Name: "question", Required: true, Max: 500, Presentable: true},
			&core.TextField{Name: "answer", Required: true, Max: 5000},
		)
		timestamps(c)
		c.AddIndex("idx_faqs_business", false, "business", "")
		return app.Save(c)
	}, func(app core.App) error {
		return dropCollection(app, "faqs")
	})
}
