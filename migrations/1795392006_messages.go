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
		conversations, err := app.FindCollectionByNameOrId("conversations")
		if err != nil {
			return err
		}
		c := core.NewBaseCollection("messages")
		// Staff taking a conversation over post as "staff"; nothing else is written by API.
		c.ListRule = ptr(ruleStaff)
		c.ViewRule = ptr(ruleStaff)
		c.CreateRule = ptr(ruleEditor + ` && role = "staff" && conversation.business = @request.auth.business`)
		c.DeleteRule = ptr(ruleOwner)
		c.Fields.Add(
			&core.RelationField{Name: "conversation", CollectionId: conversations.Id, Required: true, MaxSelect: 1, CascadeDelete: true},
			biz,
			&core.SelectField{Name: "role", Required: true, Values: []string{"visitor", "assistant", "staff", "system"}, MaxSelect: 1},
			&core.TextField{Name: "text", Max: 20000},
			&core.JSONField{Name: "flags", MaxSize: 4 << 10, Help: "health, injection, interrupted, error, offline"},
			&core.TextField{Name: "provider", Max: 40},
		)
		timestamps(c)
		c.AddIndex("idx_messages_conversation", false, "conversation, created", "")
		c.AddIndex("idx_messages_business", false, "business", "")
		return app.Save(c)
	}, func(app core.App) error {
		return dropCollection(app, "messages")
	})
}
