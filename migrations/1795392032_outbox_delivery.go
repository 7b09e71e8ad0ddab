package migrations

import (
	"errors"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("outbox")
		if err != nil {
			return err
		}
		staff, err := app.FindCollectionByNameOrId("staff")
		if err != nil {
			return err
		}
		webhooks, err := app.FindCollectionByNameOrId("webhooks")
		if err != nil {
			return err
		}
		status, ok := c.Fields.GetByName("status").(*core.SelectField)
		if !ok {
			return errNoField("outbox.status")
		}
		// sending: an attempt is under way (or died mid-way: hooks/notify sends again);
		// skipped: nothing to send any more (the number texted STOP, alerts were turned off).
		status.Values = []string{"pending", "sending", "sent", "failed", "skipped"}
		// One entry is one delivery to one recipient: a staff member (email or SMS), a
		// webhook, or the number that texted a keyword (to, hidden: it is a contact
		// detail). The entry never holds what is sent; that is rendered at send time.
		c.Fields.Add(
			&core.RelationField{Name: "staff", CollectionId: staff.Id, MaxSelect: 1, CascadeDelete: true},
			&core.RelationField{Name: "webhook", CollectionId: webhooks.Id, MaxSelect: 1, CascadeDelete: true},
			&core.TextField{Name: "to", Hidden: true, Max: 40, Help: "The number a reply to an inbound text (STOP, START, HELP) went to."},
			&core.TextField{Name: "subject", Max: 100, Help: "Id of the record the event is about."},
			&core.DateField{Name: "occurred", Help: "When the event happened."},
			&core.DateField{Name: "sent_at"},
			&core.TextField{Name: "provider_ref", Max: 200, Help: "The provider's id for the message sent."},
			&core.TextField{Name: "claim", Hidden: true, Max: 100, Help: "The job sending it."},
		)
		// A staff member's pending email alerts, which their digest gathers, and the last one
		// sent, which starts their next digest window.
		c.AddIndex("idx_outbox_staff", false, "staff, channel, status, sent_at", "staff != ''")
		// The replies to one number, which HELP's rate limit looks up.
		c.AddIndex("idx_outbox_to", false, "`to`, event", "`to` != ''")
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("outbox")
		if err != nil {
			return err
		}
		c.RemoveIndex("idx_outbox_staff")
		c.RemoveIndex("idx_outbox_to")
		for _, f := range []string{"staff", "webhook", "to", "subject", "occurred", "sent_at", "provider_ref", "claim"} {
			c.Fields.RemoveByName(f)
		}
		if status, ok := c.Fields.GetByName("status").(*core.SelectField); ok {
			status.Values = []string{"pending", "sent", "failed"}
		}
		return app.Save(c)
	})
}

func errNoField(name string) error { return errors.New("migration: no field " + name) }
