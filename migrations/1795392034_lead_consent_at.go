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
		// With sms_consent_text, the record of consent: what the visitor agreed to and
		// when (set by hooks/notify whenever consent is given).
		c.Fields.Add(&core.DateField{Name: "sms_consent_at", Help: "When the visitor agreed to text messages."})
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("leads")
		if err != nil {
			return err
		}
		c.Fields.RemoveByName("sms_consent_at")
		return app.Save(c)
	})
}
