package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"frontdesk/models"
)

// HeadFile is the file, in the data directory, that holds the audit chain's head
// (the newest entry's seq and hash) outside the database. Deleting the newest entries in
// SQLite leaves a shorter chain that is valid link by link; only a copy of the head kept
// elsewhere shows what is gone. PocketBase's backups zip the whole data directory except
// backups/, its temp and notify folders, .autocert_cache and lost+found
// (core/base_backup.go), so each backup carries the head of the log it holds.
const HeadFile = "audit.head"

// head is the head file's content.
type head struct {
	Seq  int    `json:"seq"`
	Hash string `json:"hash"`
}

// readHead returns the head file's record, and false when there is no file.
func readHead(dataDir string) (head, bool, error) {
	var h head
	b, err := os.ReadFile(filepath.Join(dataDir, HeadFile))
	if errors.Is(err, fs.ErrNotExist) {
		return h, false, nil
	}
	if err != nil {
		return h, false, fmt.Errorf("read %s: %w", HeadFile, err)
	}
	if err := json.Unmarshal(b, &h); err != nil || h.Seq < 0 {
		return h, false, fmt.Errorf("%s is not a head record: %q", HeadFile, models.Truncate(string(b), 100))
	}
	return h, true, nil
}

// writeHead records a committed entry as the chain's head, in a way that keeps the
// file from ever naming an entry the database could lose:
//
//  1. The entry's row has committed (the caller's save returned).
//  2. SQLite's write-ahead log is synced. Under synchronous=NORMAL a commit survives a
//     crash of the process but not a power cut until the log reaches the disk, and a head
//     that outlived its entry would look exactly like a deleted one.
//  3. The head goes to a temp file (mode 0600), synced, then renamed over the old one,
//     so a reader sees the old head or the new, never a torn one.
//
// A crash between the steps leaves the head behind the table, never ahead of it. Verify
// accepts a head behind the table as long as the table holds the head's entry unchanged:
// the entries after it are still checked link by link. A head ahead of the table, or
// naming an entry the table holds differently, is reported.
func writeHead(dataDir string, h head) error {
	if err := syncFile(filepath.Join(dataDir, "data.db-wal")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("sync the database log before %s: %w", HeadFile, err)
	}
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dataDir, HeadFile+".tmp*") // created with mode 0600
	if err != nil {
		return fmt.Errorf("write %s: %w", HeadFile, err)
	}
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dataDir, HeadFile))
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", HeadFile, err)
	}
	return nil
}

// syncFile flushes a file another handle wrote (here SQLite's) to the disk.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// compareHead says how the table disagrees with the head file, given the table's
// newest seq and the entry it holds at the head's seq (id and hash, empty when none), or
// nil when the table holds the head's entry unchanged.
func compareHead(h head, lastSeq int, idAtHead, hashAtHead string) *Break {
	switch {
	case h.Seq > lastSeq:
		return &Break{Seq: lastSeq + 1, Reason: fmt.Sprintf(
			"the log was truncated: entries %d to %d are missing (%s records %d entries)", lastSeq+1, h.Seq, HeadFile, h.Seq)}
	case h.Seq > 0 && hashAtHead != h.Hash:
		return &Break{Seq: h.Seq, ID: idAtHead, Reason: fmt.Sprintf(
			"the entry differs from the one %s records: entries up to %d were deleted or changed, and the log written on after", HeadFile, h.Seq)}
	}
	return nil
}
