package migrations

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("staff")
		if err != nil {
			return err
		}
		maxDigest := 1440.0
		zero := 0.0
		// How each staff member hears of alerts (hooks/notify). Owners start with email
		// alerts on, so a new practice's leads reach someone before anyone configures it.
		c.Fields.Add(
			&core.BoolField{Name: "notify_email", Help: "Email alerts (new contact requests, visitors asking for a person, ...)."},
			&core.BoolField{Name: "notify_sms", Help: "Text-message alerts to the phone below, through the practice's Twilio or Telnyx account."},
			&core.TextField{Name: "phone", Max: 40, Help: "Mobile number for text alerts, stored in E.164 (+15035550142)."},
			&core.NumberField{Name: "digest_minutes", OnlyInt: true, Min: &zero, Max: &maxDigest, Help: "At most one alert email per this many minutes, summarising the count; 0 sends each alert."},
		)
		if err := app.Save(c); err != nil {
			return err
		}
		_, err = app.DB().Update("staff", dbx.Params{"notify_email": true}, dbx.HashExp{"role": "owner"}).Execute()
		return err
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("staff")
		if err != nil {
			return err
		}
		for _, f := range []string{"notify_email", "notify_sms", "phone", "digest_minutes"} {
			c.Fields.RemoveByName(f)
		}
		return app.Save(c)
	})
}
