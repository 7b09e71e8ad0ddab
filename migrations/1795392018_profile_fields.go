package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The profile facts the assistant answers from without a model, beyond hours, services
// and insurance: the languages the team speaks. Dated closures are booking_closures,
// which the booking and the answers share.
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("businesses")
		if err != nil {
			return err
		}
		c.Fields.Add(&core.JSONField{Name: "languages", MaxSize: 4 << 10, Help: `Languages the team speaks, e.g. ["English", "Spanish"].`})
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("businesses")
		if err != nil {
			return err
		}
		c.Fields.RemoveByName("languages")
		return app.Save(c)
	})
}
