package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// A practice's own synonyms, on top of the ones Frontdesk ships: the words its visitors
// use for what its FAQs and documents call otherwise.
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("businesses")
		if err != nil {
			return err
		}
		c.Fields.Add(&core.TextField{Name: "synonyms", Max: 20000, Help: "Words your visitors use for the same thing, one group a line, separated by commas, e.g. \"hygienist visit, cleaning, scale and polish\". Answers without a model find any word of a group as the others."})
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("businesses")
		if err != nil {
			return err
		}
		c.Fields.RemoveByName("synonyms")
		return app.Save(c)
	})
}
