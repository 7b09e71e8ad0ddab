package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("businesses")
		if err != nil {
			return err
		}
		// Leads (and the bookings that go with them) are often kept longer than the chats
		// that produced them: a practice follows up for months, while a transcript is
		// rarely needed after a few weeks. Empty applies retention_days to them too.
		one, maxDays := 1.0, 3650.0
		c.Fields.Add(&core.NumberField{
			Name: "lead_retention_days", OnlyInt: true, Min: &one, Max: &maxDays,
			Help: "Days leads are kept after they came in, and bookings after they ended; empty uses retention_days.",
		})
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("businesses")
		if err != nil {
			return err
		}
		c.Fields.RemoveByName("lead_retention_days")
		return app.Save(c)
	})
}
