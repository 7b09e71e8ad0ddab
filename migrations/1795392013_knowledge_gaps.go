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
		c := core.NewBaseCollection("knowledge_gaps")
		// Questions the assistant couldn't answer from the knowledge, so the owner knows
		// which FAQ to add; list them sorted by -count. Identifiers are redacted.
		c.ListRule = ptr(ruleStaff)
		c.ViewRule = ptr(ruleStaff)
		c.UpdateRule = ptr(ruleEditor + ruleKeepBiz)
		c.DeleteRule = ptr(ruleEditor)
		c.Fields.Add(
			biz,
			&core.TextField{Name: "question", Required: true, Max: 300, Presentable: true, Help: "Normalised question text."},
			&core.NumberField{Name: "count", OnlyInt: true},
			&core.DateField{Name: "last_asked"},
			&core.BoolField{Name: "resolved", Help: "Tick when an FAQ now answers it."},
		)
		timestamps(c)
		c.AddIndex("idx_gaps_question", true, "business, question", "")
		c.AddIndex("idx_gaps_count", false, "business, count", "")
		return app.Save(c)
	}, func(app core.App) error {
		return dropCollection(app, "knowledge_gaps")
	})
}
