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
)

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
