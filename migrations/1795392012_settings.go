package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(func(app core.App) error {
		s := app.Settings()
		s.Meta.AppName = "Frontdesk"
		// Per-IP limits on the visitor API, editable in the admin UI (Settings > Rate limits).
		s.RateLimits.Enabled = true
		s.RateLimits.Rules = append(s.RateLimits.Rules,
			core.RateLimitRule{Label: "POST /api/widget/", Duration: 60, MaxRequests: 60},
			core.RateLimitRule{Label: "GET /api/widget/", Duration: 60, MaxRequests: 240},
		)
		// Staff read and export visitor data: keep request logs short and out of the way.
		s.Logs.MaxDays = 7
		s.Logs.LogIP = false
		return app.Save(s)
	}, nil)
}
