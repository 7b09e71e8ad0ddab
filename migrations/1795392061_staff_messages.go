package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("messages")
		if err != nil {
			return err
		}
		staff, err := app.FindCollectionByNameOrId("staff")
		if err != nil {
			return err
		}
		// Set by the takeover hook from the request's auth, whatever the body says.
		c.Fields.Add(&core.RelationField{Name: "author", CollectionId: staff.Id, MaxSelect: 1, Help: "The staff member who wrote a staff message."})
		// Owners and admins write to a visitor as "staff" in a conversation of their own
		// practice. The message's business may be left out: the takeover hook sets it
		// from the conversation (and refuses a closed one); if sent, it must be theirs.
		c.CreateRule = ptr(`@request.auth.collectionName = "staff" && (@request.auth.role = "owner" || @request.auth.role = "admin")` +
			` && role = "staff" && conversation.business = @request.auth.business` +
			` && (@request.body.business:isset = false || @request.body.business = @request.auth.business)`)
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("messages")
		if err != nil {
			return err
		}
		c.Fields.RemoveByName("author")
		c.CreateRule = ptr(ruleEditor + ` && role = "staff" && conversation.business = @request.auth.business`)
		return app.Save(c)
	})
}
