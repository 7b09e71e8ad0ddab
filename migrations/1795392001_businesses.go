package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(func(app core.App) error {
		c := core.NewBaseCollection("businesses")
		// Staff see their own practice; owners and admins change its settings.
		// Creating and deleting a practice is the appliance operator's (superuser) job.
		c.ListRule = ptr(`@request.auth.collectionName = "staff" && id = @request.auth.business`)
		c.ViewRule = c.ListRule
		c.UpdateRule = ptr(`@request.auth.collectionName = "staff" && id = @request.auth.business && (@request.auth.role = "owner" || @request.auth.role = "admin") && (@request.body.slug:isset = false || @request.body.slug = slug)`)
		zero, maxDays := 1.0, 3650.0
		c.Fields.Add(
			&core.TextField{Name: "slug", Required: true, Min: 2, Max: 63, Pattern: `^[a-z0-9][a-z0-9-]*[a-z0-9]$`, Help: "Lowercase letters, digits and dashes; names the practice in the widget tag."},
			&core.TextField{Name: "name", Required: true, Max: 200, Presentable: true},
			&core.TextField{Name: "timezone", Required: true, Max: 64, Help: "IANA time zone, e.g. America/Los_Angeles."},
			&core.TextField{Name: "phone", Max: 40},
			&core.EmailField{Name: "email"},
			&core.TextField{Name: "address", Max: 500},
			&core.URLField{Name: "website"},
			&core.JSONField{Name: "hours", MaxSize: 8 << 10, Help: `Per weekday: {"mon": [{"open": "09:00", "close": "17:00"}], ...}; a missing or empty day is closed.`},
			&core.JSONField{Name: "services", MaxSize: 32 << 10, Help: `[{"name": "Cleaning", "duration_min": 45, "description": "..."}]`},
			&core.JSONField{Name: "insurance", MaxSize: 16 << 10, Help: `Accepted insurance plans: ["Delta Dental", ...]`},
			&core.TextField{Name: "greeting", Max: 500},
			&core.TextField{Name: "brand_color", Pattern: `^#[0-9a-fA-F]{6}$`, Help: "Hex colour such as #0f766e."},
			&core.URLField{Name: "avatar", Help: "Image URL shown in the widget header."},
			&core.NumberField{Name: "retention_days", OnlyInt: true, Min: &zero, Max: &maxDays, Help: "Days conversations are kept; empty keeps them."},
			&core.JSONField{Name: "allowed_origins", MaxSize: 8 << 10, Help: `Websites allowed to embed the widget: ["https://clinic.example"]`},
			&core.BoolField{Name: "booking_enabled"},
			&core.TextField{Name: "sms_consent_text", Max: 500},
			&core.TextField{Name: "locale", Max: 10, Help: "Default language of the assistant, e.g. en or es."},
			&core.SelectField{Name: "llm_provider", Values: []string{"ollama", "anthropic", "openai", "offline"}, MaxSelect: 1, Help: "Empty uses FRONTDESK_LLM."},
			&core.TextField{Name: "llm_model", Max: 200, Help: "Empty uses FRONTDESK_MODEL or the provider's default."},
			&core.URLField{Name: "llm_base_url", Help: "Empty uses OLLAMA_HOST / ANTHROPIC_BASE_URL / OPENAI_BASE_URL."},
			&core.TextField{Name: "llm_api_key", Hidden: true, Max: 4096, Help: "Stored encrypted; empty uses ANTHROPIC_API_KEY / OPENAI_API_KEY."},
		)
		timestamps(c)
		c.AddIndex("idx_businesses_slug", true, "slug", "")
		return app.Save(c)
	}, func(app core.App) error {
		return dropCollection(app, "businesses")
	})
}
