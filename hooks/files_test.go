package hooks_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/tests"
)

// The data directory holds patients' conversations and the key file: after a start,
// nothing in it is readable by other users, whatever modes it was left with.
func TestDataDirIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pb_data")
	if err := os.MkdirAll(filepath.Join(dir, "storage", "abc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "storage", "abc", "upload.pdf"), []byte("%PDF"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := tests.ServeOnce(t, dir, tests.Options{}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == core.LocalNotifyDirName {
			return filepath.SkipDir // PocketBase's empty, watched sync folder
		}
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v: readable by others", path, info.Mode().Perm())
		}
		seen[filepath.Base(path)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"data.db", "auxiliary.db", "upload.pdf"} {
		if !seen[name] {
			t.Errorf("%s not found in the data directory", name)
		}
	}
}
