package lifecycle

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// The default backup schedule: PocketBase's own scheduled backups (Settings > Backups in
// the admin UI, to the data directory or S3), daily at 02:30 UTC, the newest 7 kept.
const (
	DefaultBackupCron = "30 2 * * *"
	DefaultBackupKeep = 7
)

// backupDefaultsKey marks, in app_state, an install whose backup schedule was set.
const backupDefaultsKey = "backup_schedule_defaulted"

// bindBackups keeps the knowledge index out of every backup. PocketBase zips the data
// directory while holding SQLite's write lock, which pauses the database but not the
// index, written by its own worker: a copy taken mid-write may not open. Left out, it
// is rebuilt from the restored database when the server starts on it (the knowledge
// base does that whenever its folder is missing). A restore still replaces the live
// index, which belongs to the data being replaced, since only backups, the key file
// and PocketBase's own folders are kept through a restore.
func bindBackups(app core.App) {
	app.OnBackupCreate().BindFunc(func(e *core.BackupEvent) error {
		e.Exclude = append(e.Exclude, knowledgeDir)
		return e.Next()
	})
}

// defaultBackupSchedule turns scheduled backups on at the first start, unless the
// operator already chose a schedule; once only, so an operator who turns them off later
// keeps them off. It runs at serve rather than in a migration: saving the settings
// there reloads them when the migrations commit, while PocketBase is still reading them
// in the background for the files of a collection an earlier migration deleted.
func defaultBackupSchedule(app core.App) error {
	if _, err := app.FindFirstRecordByData(models.AppStateCollection, "key", backupDefaultsKey); err == nil {
		return nil
	}
	return app.RunInTransaction(func(tx core.App) error {
		if s := tx.Settings(); s.Backups.Cron == "" {
			// PocketBase's own default keeps 3; with no schedule nobody chose that number.
			s.Backups.Cron = DefaultBackupCron
			s.Backups.CronMaxKeep = DefaultBackupKeep
			if err := tx.Save(s); err != nil {
				return fmt.Errorf("backup schedule: %w", err)
			}
		}
		col, err := tx.FindCollectionByNameOrId(models.AppStateCollection)
		if err != nil {
			return err
		}
		mark := core.NewRecord(col)
		mark.Set("key", backupDefaultsKey)
		mark.Set("value", DefaultBackupCron)
		return tx.Save(mark)
	})
}

// VerifyBackup checks the audit trail inside a backup archive without restoring it: it
// extracts the files at the archive's root (the database and the audit chain's head
// file; not the uploads, nor the request logs' auxiliary database) into a temporary
// directory, opens them as an app, and calls verify with it (the audit capability's
// verification; `frontdesk audit verify --backup FILE`). The directory is removed after.
func VerifyBackup(zipPath string, verify func(app core.App) error) error {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return fmt.Errorf("verify backup: %w", err)
	}
	defer zr.Close()
	dir, err := os.MkdirTemp("", "frontdesk-verify-")
	if err != nil {
		return fmt.Errorf("verify backup: %w", err)
	}
	defer os.RemoveAll(dir)
	found := false
	for _, f := range zr.File {
		name := f.Name
		// SQLite rebuilds a -shm index from its log; a stale copy could only mislead it.
		if strings.ContainsAny(name, `/\`) || name == "." || name == ".." || !f.Mode().IsRegular() ||
			strings.HasPrefix(name, "auxiliary.db") || strings.HasSuffix(name, "-shm") {
			continue
		}
		if err := extract(f, filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("verify backup: %s: %w", name, err)
		}
		found = found || name == "data.db"
	}
	if !found {
		return errors.New("verify backup: the archive holds no data.db: not a Frontdesk backup")
	}
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return fmt.Errorf("verify backup: open: %w", err)
	}
	defer app.ResetBootstrapState()
	return verify(app)
}

func extract(f *zip.File, path string) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, rc)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
