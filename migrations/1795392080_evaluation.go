package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The owner's own evaluation: questions with the fact a right answer holds, and the runs
// that answered them through the practice's engine. Staff read both; owners and admins
// write the questions; runs are made by the server alone (`frontdesk eval`, POST
// /api/frontdesk/eval), so a score can't be typed in.
func init() {
	m.Register(func(app core.App) error {
		biz, err := businessRelation(app)
		if err != nil {
			return err
		}
		q := core.NewBaseCollection("eval_questions")
		q.ListRule = ptr(ruleStaff)
		q.ViewRule = ptr(ruleStaff)
		q.CreateRule = ptr(ruleEditor)
		q.UpdateRule = ptr(ruleEditor + ruleKeepBiz)
		q.DeleteRule = ptr(ruleEditor)
		q.Fields.Add(
			biz,
			&core.TextField{Name: "question", Required: true, Max: 500, Presentable: true, Help: "A question as a visitor would write it."},
			&core.TextField{Name: "expect", Required: true, Max: 300, Help: "A fact the right answer contains, e.g. 5:00 pm or Delta Dental (case doesn't matter)."},
		)
		timestamps(q)
		q.AddIndex("idx_eval_questions_business", false, "business", "")
		if err := app.Save(q); err != nil {
			return err
		}

		biz, err = businessRelation(app)
		if err != nil {
			return err
		}
		r := core.NewBaseCollection("eval_runs")
		r.ListRule = ptr(ruleStaff)
		r.ViewRule = ptr(ruleStaff)
		r.Fields.Add(
			biz,
			&core.DateField{Name: "started", Required: true},
			&core.NumberField{Name: "score", Help: "Share of the questions answered right, 0 to 1."},
			&core.NumberField{Name: "total", OnlyInt: true},
			&core.JSONField{Name: "results", MaxSize: 1 << 20, Help: "[{question, expect, answer, ok}] per question."},
			&core.TextField{Name: "provider", Max: 100, Help: "The model that answered (offline: none)."},
		)
		timestamps(r)
		r.AddIndex("idx_eval_runs_business", false, "business, started", "")
		return app.Save(r)
	}, func(app core.App) error {
		if err := dropCollection(app, "eval_runs"); err != nil {
			return err
		}
		return dropCollection(app, "eval_questions")
	})
}
