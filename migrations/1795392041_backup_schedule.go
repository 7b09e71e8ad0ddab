package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Scheduled backups use PocketBase's own settings (Settings > Backups in the admin UI,
// local or S3): a daily backup at 02:30 UTC, the newest 7 kept. Set once, on the first
// start with this migration, and only where nothing was chosen, so an operator who turns
// the schedule off later keeps it off.
const (
	defaultBackupCron = "30 2 * * *"
	defaultBackupKeep = 7
)

func init() {
	m.Register(func(app core.App) error {
		s := app.Settings()
		if s.Backups.Cron != "" {
			return nil
		}
		// PocketBase's own default keeps 3; with no schedule nobody chose that number.
		s.Backups.Cron = defaultBackupCron
		s.Backups.CronMaxKeep = defaultBackupKeep
		return app.Save(s)
	}, nil)
}
