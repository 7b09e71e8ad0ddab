package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(func(app core.App) error {
		c := core.NewBaseCollection("audit_log")
		// Owners and admins read their practice's trail. Nobody writes through the API;
		// hooks refuse updates and deletes even for superusers.
		// business is plain text, not a relation, so deleting a practice can't rewrite its trail.
		c.ListRule = ptr(`@request.auth.collectionName = "staff" && business = @request.auth.business && (@request.auth.role = "owner" || @request.auth.role = "admin")`)
		c.ViewRule = c.ListRule
		c.Fields.Add(
			&core.NumberField{Name: "seq", OnlyInt: true, Required: true},
			&core.TextField{Name: "business", Max: 30},
			&core.TextField{Name: "actor", Max: 100},
			&core.TextField{Name: "action", Required: true, Max: 60},
			&core.TextField{Name: "target", Max: 200},
			&core.TextField{Name: "ip", Max: 64},
			&core.TextField{Name: "at", Required: true, Max: 40},
			&core.TextField{Name: "prev_hash", Max: 64},
			&core.TextField{Name: "hash", Required: true, Max: 64},
		)
		c.AddIndex("idx_audit_seq", true, "seq", "")
		c.AddIndex("idx_audit_business", false, "business, seq", "")
		return app.Save(c)
	}, func(app core.App) error {
		return dropCollection(app, "audit_log")
	})
}
