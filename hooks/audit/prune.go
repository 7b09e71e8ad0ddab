package audit

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"

	"frontdesk/models"
)

// The checkpoint entry that PruneBefore appends before it deletes: who wrote it and the
// action it is filed under. Its target records the last pruned entry's seq and hash,
// which Verify needs to check the first remaining entry's link.
const (
	actorAudit   = "system:audit"
	actionPruned = "audit_pruned"
)

// checkpointTarget is the target of a checkpoint entry; checkpointRE reads it back.
const checkpointTarget = "pruned %d entries written before %s, through seq %d; last hash %s"

var checkpointRE = regexp.MustCompile(`through seq (\d+); last hash ([0-9a-f]{64})$`)

// prunedRange is the pruned start of the chain: entries 1 to Through, the last of
// which had Hash.
type prunedRange struct {
	Through int
	Hash    string
}

// parseCheckpoint reads a checkpoint entry's claim, if the entry is one.
func parseCheckpoint(action, target string) (prunedRange, bool) {
	if action != actionPruned {
		return prunedRange{}, false
	}
	m := checkpointRE.FindStringSubmatch(target)
	if m == nil {
		return prunedRange{}, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return prunedRange{}, false
	}
	return prunedRange{Through: n, Hash: m[2]}, true
}

// PruneBefore deletes the oldest entries of the trail, those written before t (a
// prefix of the chain: it stops at the first entry written at t or later), keeping the
// chain verifiable. First it appends a checkpoint entry, itself a link of the chain,
// recording the seq and hash of the last entry to go; then it deletes them in one
// statement, so no reader sees part of the range gone. Verify then checks the chain
// from its first remaining entry, whose prev_hash must be the checkpoint's hash. A
// crash between the two leaves every entry and an extra checkpoint, which verifies.
// It returns how many entries it deleted. Retention calls it with now minus six years.
func (a *Auditor) PruneBefore(t time.Time) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	type row struct {
		Seq  int    `db:"seq"`
		At   string `db:"at"`
		Hash string `db:"hash"`
	}
	const page = 1000
	var last row
	n, after := 0, 0
walk:
	for {
		var rows []row
		err := a.app.DB().Select("seq", "at", "hash").From(models.AuditCollection).
			Where(dbx.NewExp("seq > {:s}", dbx.Params{"s": after})).OrderBy("seq ASC").Limit(page).All(&rows)
		if err != nil {
			return 0, fmt.Errorf("audit prune: %w", err)
		}
		for _, r := range rows {
			at, err := time.Parse(time.RFC3339Nano, r.At)
			if err != nil || !at.Before(t) {
				break walk
			}
			last, n = r, n+1
		}
		if len(rows) < page {
			break
		}
		after = rows[len(rows)-1].Seq
	}
	if n == 0 {
		return 0, nil
	}
	target := fmt.Sprintf(checkpointTarget, n, t.UTC().Format(time.RFC3339), last.Seq, last.Hash)
	if err := a.appendLocked(entry{Actor: actorAudit, Action: actionPruned, Target: target}); err != nil {
		return 0, fmt.Errorf("audit prune: checkpoint: %w", err)
	}
	// Below the record hooks, which refuse every delete of an entry: the auditor alone
	// prunes, and only the prefix its checkpoint covers.
	res, err := a.app.NonconcurrentDB().Delete(models.AuditCollection, dbx.NewExp("seq <= {:s}", dbx.Params{"s": last.Seq})).Execute()
	if err != nil {
		return 0, fmt.Errorf("audit prune: %w", err)
	}
	deleted, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("audit prune: %w", err)
	}
	return int(deleted), nil
}
