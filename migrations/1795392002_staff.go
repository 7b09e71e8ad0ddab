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
		c := core.NewAuthCollection("staff")
		// Team management: owners and admins add staff to their own practice; only an owner
		// makes another owner. Everyone may edit their own name and password.
		c.ListRule = ptr(ruleStaff)
		c.ViewRule = ptr(ruleStaff)
		c.CreateRule = ptr(ruleEditor + ` && (role != "owner" || @request.auth.role = "owner")`)
		c.UpdateRule = ptr(`@request.auth.collectionName = "staff" && business = @request.auth.business && (id = @request.auth.id || @request.auth.role = "owner" || (@request.auth.role = "admin" && role != "owner")) && (@request.body.role:isset = false || @request.body.role = role || @request.auth.role = "owner" || (@request.auth.role = "admin" && @request.body.role != "owner"))` + ruleKeepBiz)
		c.DeleteRule = ptr(ruleOwner + ` && id != @request.auth.id`)
		c.Fields.Add(
			biz,
			&core.SelectField{Name: "role", Required: true, Values: []string{"owner", "admin", "viewer"}, MaxSelect: 1},
			&core.TextField{Name: "name", Max: 200, Presentable: true},
		)
		c.AddIndex("idx_staff_business", false, "business", "")
		return app.Save(c)
	}, func(app core.App) error {
		return dropCollection(app, "staff")
	})
}
