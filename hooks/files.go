package hooks

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pocketbase/pocketbase/core"
)

// bindPrivateFiles keeps the data directory readable by the service's own user only: it
// holds the database of patients' conversations, uploaded documents and the key file.
// The binary sets a 077 umask so that what it creates is private; this tightens what an
// earlier version, a copy or a restore left group- or world-readable, at every start.
func bindPrivateFiles(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		// After the other start-up hooks, which create the knowledge index and the demo.
		if err := se.Next(); err != nil {
			return err
		}
		if err := restrictTree(se.App.DataDir()); err != nil {
			return fmt.Errorf("data directory permissions: %w", err)
		}
		return nil
	})
}

// restrictTree removes group and other permissions from dir and everything under it.
// Symbolic links are left alone: chmod would follow them out of the tree.
func restrictTree(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil // removed meanwhile (a temporary file)
			}
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		if d.IsDir() && d.Name() == core.LocalNotifyDirName {
			// PocketBase watches it to sync instances on one data dir: a chmod is an
			// event there. It holds no data, only empty marker files.
			return filepath.SkipDir
		}
		info, err := d.Info()
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if mode := info.Mode().Perm(); mode&0o077 != 0 {
			if err := os.Chmod(path, mode&^0o077); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
		return nil
	})
}
