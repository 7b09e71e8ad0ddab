package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("leads")
		if err != nil {
			return err
		}
		// A visitor can type anyone's email or phone, so a lead is never merged into
		// another by what was typed: each conversation keeps its own lead, and one that
		// shares an email or phone with an earlier lead of the practice points at it for
		// staff to review and merge.
		c.Fields.Add(
			&core.BoolField{Name: "possible_duplicate", Help: "Another lead of the practice has the same email or phone."},
			&core.RelationField{Name: "duplicate_of", CollectionId: c.Id, MaxSelect: 1, Help: "The earlier lead with the same email or phone."},
		)
		// A visitor's later submission finds their conversation's lead by conversation,
		// and deleting a conversation or a lead unsets the links to it, which PocketBase
		// looks up by these columns.
		c.AddIndex("idx_leads_conversation", false, "conversation", "conversation != ''")
		c.AddIndex("idx_leads_duplicate_of", false, "duplicate_of", "duplicate_of != ''")
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("leads")
		if err != nil {
			return err
		}
		c.RemoveIndex("idx_leads_conversation")
		c.RemoveIndex("idx_leads_duplicate_of")
		c.Fields.RemoveByName("duplicate_of")
		c.Fields.RemoveByName("possible_duplicate")
		return app.Save(c)
	})
}
