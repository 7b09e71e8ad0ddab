package migrations

import (
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// takeoverFields are the conversation fields staff change through the API: taking a
// conversation over (status human), handing it back (open), closing it, and who holds it.
var takeoverFields = []string{"status", "assigned_to"}

func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("conversations")
		if err != nil {
			return err
		}
		staff, err := app.FindCollectionByNameOrId("staff")
		if err != nil {
			return err
		}
		status := c.Fields.GetByName("status").(*core.SelectField)
		status.Values = []string{"open", "needs_human", "human", "closed"}
		status.Help = "open: the assistant answers; needs_human: the visitor asked for a person; human: a staff member holds it and the assistant is silent; closed."
		c.Fields.Add(
			&core.RelationField{Name: "assigned_to", CollectionId: staff.Id, MaxSelect: 1, Help: "The staff member who holds the conversation, or last held it."},
			&core.DateField{Name: "needs_human_at", Help: "When the visitor asked for a person; cleared when staff hand it back or close it."},
		)
		c.UpdateRule = ptr(conversationUpdateRule(c))
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("conversations")
		if err != nil {
			return err
		}
		c.Fields.RemoveByName("assigned_to")
		c.Fields.RemoveByName("needs_human_at")
		c.Fields.GetByName("status").(*core.SelectField).Values = []string{"open", "needs_human", "closed"}
		c.UpdateRule = ptr(ruleEditor + ruleKeepBiz + ` && @request.body.token_hash:isset = false`)
		return app.Save(c)
	})
}

// conversationUpdateRule lets owners and admins change a conversation's status to open,
// human or closed and who holds it, and nothing else: every other field of the
// collection (the visitor's, the engine's counters) is named as not to be sent. A
// relation to another practice's staff is refused by hooks/practice.
func conversationUpdateRule(c *core.Collection) string {
	var b strings.Builder
	b.WriteString(ruleEditor + ruleKeepBiz)
	for _, f := range c.Fields {
		name := f.GetName()
		if name == "id" || name == "business" || slices.Contains(takeoverFields, name) {
			continue
		}
		if _, auto := f.(*core.AutodateField); auto {
			continue
		}
		b.WriteString(" && @request.body." + name + ":isset = false")
	}
	b.WriteString(` && (@request.body.status:isset = false || @request.body.status = "open" || @request.body.status = "human" || @request.body.status = "closed")`)
	return b.String()
}
