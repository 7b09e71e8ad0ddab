package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// alertEvents are the events an alert can be about (internal/notify's Event constants).
var alertEvents = []string{
	"lead.created", "conversation.needs_human", "booking.created", "booking.cancelled",
	"booking.rescheduled", "knowledge.failed", "delivery.failed",
}

func init() {
	m.Register(func(app core.App) error {
		biz, err := businessRelation(app)
		if err != nil {
			return err
		}
		c := core.NewBaseCollection("webhooks")
		// Where a practice's alerts are posted (a CRM, Zapier, Slack, Teams): owners and
		// admins manage them. The signing secret is write-only: hidden, and encrypted by
		// a hook before it is stored.
		c.ListRule = ptr(ruleEditor)
		c.ViewRule = ptr(ruleEditor)
		c.CreateRule = ptr(ruleEditor)
		c.UpdateRule = ptr(ruleEditor + ruleKeepBiz)
		c.DeleteRule = ptr(ruleEditor)
		c.Fields.Add(
			biz,
			&core.TextField{Name: "name", Max: 100, Presentable: true, Help: "What it feeds, e.g. CRM or #front-desk."},
			&core.URLField{Name: "url", Required: true, Help: "http:// or https:// address that receives the events."},
			&core.SelectField{Name: "events", Values: alertEvents, MaxSelect: len(alertEvents), Help: "The events to send; none selected sends every event."},
			&core.TextField{Name: "secret", Hidden: true, Max: 500, Help: `Standard Webhooks signing secret, "whsec_" and a base64 key; required for the standard format. Write-only.`},
			&core.BoolField{Name: "active"},
			&core.SelectField{Name: "format", Values: []string{"standard", "slack", "teams"}, MaxSelect: 1, Help: "standard (signed JSON event, the default), or a Slack or Teams incoming-webhook message."},
		)
		timestamps(c)
		c.AddIndex("idx_webhooks_business", false, "business", "")
		return app.Save(c)
	}, func(app core.App) error {
		return dropCollection(app, "webhooks")
	})
}
