package console

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// DashboardAt is the dashboard of practice b over the n days ending on now's day, for
// tests that fix the clock.
func DashboardAt(app core.App, b *core.Record, n int, now time.Time) (*Dashboard, error) {
	return computeDashboard(app, models.NewBusiness(b), n, now)
}
