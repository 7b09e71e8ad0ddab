package migrations

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Scheduled backups are PocketBase's own (Settings > Backups in the admin UI, to the data
// directory or S3). A new install takes one daily at 02:30 UTC and keeps the newest 7;
// an install whose operator already chose a schedule keeps it, and one who turns it off
// later keeps it off, since a migration runs once.
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
		// Stored with PocketBase's own serialization (encrypted when it encrypts settings)
		// but not through app.Save: that reloads the settings once the migrations commit,
		// while PocketBase still reads them, unsynchronized, in the background for the
		// files of the collection an earlier migration deleted. Reloaded here instead,
		// inside the migration, so the backup cron job is scheduled now.
		row, err := s.DBExport(app)
		if err != nil {
			return err
		}
		_, err = app.DB().Update("_params", dbx.Params{"value": row["value"], "updated": row["updated"]}, dbx.HashExp{"id": s.PK()}).Execute()
		if err != nil {
			return err
		}
		return app.ReloadSettings()
	}, nil)
}
