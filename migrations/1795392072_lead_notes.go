package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// leadContactFields are what the visitor gave (and what the lead's consent and duplicate
// checks derive from it): an owner may correct them, an admin works the pipeline only.
var leadContactFields = []string{"conversation", "name", "email", "phone", "service", "sms_consent", "sms_consent_text", "sms_consent_at", "possible_duplicate", "duplicate_of"}

// Staff follow a lead up with notes and its pipeline status (new, contacted, booked,
// closed): owners and admins change those; the contact details stay the visitor's own,
// which only an owner may correct.
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("leads")
		if err != nil {
			return err
		}
		c.Fields.Add(&core.TextField{Name: "notes", Max: 10000, Help: "The practice's own notes on following the lead up."})
		rule := ruleEditor + ruleKeepBiz + ` && (@request.auth.role = "owner" || (` + unsetAll(leadContactFields) + `))`
		c.UpdateRule = ptr(rule)
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("leads")
		if err != nil {
			return err
		}
		c.Fields.RemoveByName("notes")
		c.UpdateRule = ptr(ruleEditor + ruleKeepBiz)
		return app.Save(c)
	})
}

// unsetAll is a rule that holds when the request's body sets none of fields.
func unsetAll(fields []string) string {
	s := ""
	for i, f := range fields {
		if i > 0 {
			s += " && "
		}
		s += "@request.body." + f + ":isset = false"
	}
	return s
}
