package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/secrets"
	"frontdesk/models"
)

// entry is what happened, by whom, to what. It never holds visitor text or contact details.
type entry struct {
	Business string
	Actor    string
	Action   string
	Target   string
	IP       string
}

// Auditor appends entries to a hash chain: each entry's hash covers its own fields and the
// previous entry's hash, so editing or deleting any row in SQLite breaks every link after it.
// After each entry it records the chain's head in HeadFile (see writeHead), which shows
// the newest entries deleted, which the chain alone can't.
type Auditor struct {
	app core.App

	mu       sync.Mutex
	loaded   bool
	lastSeq  int
	lastHash string
	// keepHead is set when the head file disagreed with the table at load: the file is
	// then the evidence of entries deleted or changed, and writing on must not replace it.
	keepHead bool
}

// writeKey marks the context of the auditor's own saves, the one way an entry is
// created: any other create of an audit_log record, from any API or code path, is refused.
type writeKey struct{}

// chainHash is an entry's link in the chain: the digest of its fields and the previous
// entry's hash, each ended by a unit separator (0x1f), which no field holds.
func chainHash(seq int, business, actor, action, target, ip, at, prev string) string {
	var b strings.Builder
	for _, f := range []string{strconv.Itoa(seq), business, actor, action, target, ip, at, prev} {
		b.WriteString(f)
		b.WriteByte(0x1f)
	}
	return secrets.Digest([]byte(b.String()))
}

// record appends e. app is the app the caller runs on: inside a transaction (a batch
// request) the entry is written once the transaction commits, and not at all when it
// rolls back, since the transaction holds SQLite's only write connection until it ends.
func (a *Auditor) record(app core.App, e entry) error {
	if app.IsTransactional() {
		app.TxInfo().OnComplete(func(txErr error) error {
			if txErr == nil {
				if err := a.append(e); err != nil {
					a.app.Logger().Error("audit write failed", "error", err)
				}
			}
			return nil
		})
		return nil
	}
	return a.append(e)
}

// Request appends an entry for a request, with its actor and IP: action on target, of
// the practice business ("" for the staff member's own).
func (a *Auditor) Request(re *core.RequestEvent, action, target, business string) error {
	return a.record(re.App, fromRequest(re, action, target, business))
}

// Read appends an entry for a request that read n records of what (a collection, or an
// export such as leads.csv): how much was read, never which.
func (a *Auditor) Read(re *core.RequestEvent, action, what string, n int, business string) error {
	target := fmt.Sprintf("%s (%d records)", what, n)
	if n == 1 {
		target = what + " (1 record)"
	}
	return a.Request(re, action, target, business)
}

func (a *Auditor) append(e entry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.appendLocked(e)
}

// appendLocked appends e; the caller holds a.mu.
func (a *Auditor) appendLocked(e entry) error {
	col, err := a.app.FindCachedCollectionByNameOrId(models.AuditCollection)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	// A second try after reading the head again: another process on the same data
	// (`frontdesk retention run` beside the server) may have appended meanwhile, and
	// an entry must not be lost for it.
	for attempt := 0; ; attempt++ {
		if err := a.load(); err != nil {
			return err
		}
		seq := a.lastSeq + 1
		at := time.Now().UTC().Format(time.RFC3339Nano)
		hash := chainHash(seq, e.Business, e.Actor, e.Action, e.Target, e.IP, at, a.lastHash)
		r := core.NewRecord(col)
		r.Set("seq", seq)
		r.Set("business", e.Business)
		r.Set("actor", e.Actor)
		r.Set("action", e.Action)
		r.Set("target", e.Target)
		r.Set("ip", e.IP)
		r.Set("at", at)
		r.Set("prev_hash", a.lastHash)
		r.Set("hash", hash)
		if err := a.app.SaveNoValidateWithContext(context.WithValue(context.Background(), writeKey{}, true), r); err != nil {
			// The head may have moved under us (another process): read it again.
			a.loaded = false
			if attempt == 0 {
				continue
			}
			return fmt.Errorf("audit: append: %w", err)
		}
		a.lastSeq, a.lastHash = seq, hash
		if !a.keepHead {
			if err := writeHead(a.app.DataDir(), head{Seq: seq, Hash: hash}); err != nil {
				// The entry is stored; a head left behind the table is checked as far as it goes.
				a.app.Logger().Error("audit head write failed", "error", err)
			}
		}
		return nil
	}
}

// load reads the chain's head from the table, once, and checks the head file against it.
// A missing file is started from the table (a new install, or one from before the file);
// a file that disagrees with the table is left as it is for `frontdesk audit verify`.
func (a *Auditor) load() error {
	if a.loaded {
		return nil
	}
	last := struct {
		Seq  int    `db:"seq"`
		Hash string `db:"hash"`
	}{}
	err := a.app.DB().NewQuery("SELECT seq, hash FROM " + models.AuditCollection + " ORDER BY seq DESC LIMIT 1").One(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit: read chain head: %w", err)
	}
	dir := a.app.DataDir()
	h, found, err := readHead(dir)
	switch {
	case err != nil:
		a.keepHead = true
		a.app.Logger().Error("audit head unreadable; leaving it as it is: run frontdesk audit verify", "error", err)
	case !found:
		if last.Seq > 0 {
			a.app.Logger().Warn("audit head file missing; starting it from the table's newest entry", "seq", last.Seq)
		}
		if err := writeHead(dir, head{Seq: last.Seq, Hash: last.Hash}); err != nil {
			a.app.Logger().Error("audit head write failed", "error", err)
		}
	default:
		at := struct {
			ID   string `db:"id"`
			Hash string `db:"hash"`
		}{}
		err := a.app.DB().Select("id", "hash").From(models.AuditCollection).Where(dbx.HashExp{"seq": h.Seq}).One(&at)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("audit: read chain: %w", err)
		}
		if b := compareHead(h, last.Seq, at.ID, at.Hash); b != nil {
			a.keepHead = true
			a.app.Logger().Error("audit log disagrees with its head file; leaving the file as evidence: run frontdesk audit verify", "seq", b.Seq, "reason", b.Reason)
		}
	}
	a.lastSeq, a.lastHash, a.loaded = last.Seq, last.Hash, true
	return nil
}

// fromRequest fills the actor and IP of an entry from the request's auth.
func fromRequest(e *core.RequestEvent, action, target, business string) entry {
	if business == "" && e.Auth != nil && e.Auth.Collection().Name == models.StaffCollection {
		business = e.Auth.GetString("business")
	}
	return entry{Business: business, Actor: models.Actor(e.Auth), Action: action, Target: target, IP: e.RealIP()}
}

// Break describes the first entry whose link in the chain does not hold.
type Break struct {
	Seq    int
	ID     string
	Reason string
}

// Verify walks the whole chain in order, then checks its end against HeadFile, and
// returns how many entries it checked and the first broken link (a changed, missing or
// truncated entry), or nil when the trail is intact: `frontdesk audit verify`. A chain
// whose oldest entries were pruned (PruneBefore) is checked from its first remaining
// entry, which must link to the last pruned one as a checkpoint entry records it.
func Verify(app core.App) (int, *Break, error) {
	// The head is read before the table: the server writes it after each entry commits,
	// so read in this order it can't name an entry the walk below has not yet seen.
	h, headFound, headErr := readHead(app.DataDir())
	type row struct {
		ID       string `db:"id"`
		Seq      int    `db:"seq"`
		Business string `db:"business"`
		Actor    string `db:"actor"`
		Action   string `db:"action"`
		Target   string `db:"target"`
		IP       string `db:"ip"`
		At       string `db:"at"`
		PrevHash string `db:"prev_hash"`
		Hash     string `db:"hash"`
	}
	const page = 1000
	prev, want, n := "", 1, 0
	var idAtHead, hashAtHead string
	// A chain whose oldest entries were pruned starts after them: its first entry links
	// to the last one pruned, whose seq and hash a checkpoint entry further on records.
	pruned := prunedRange{}
	claims := map[prunedRange]bool{}
	for {
		var rows []row
		err := app.DB().Select("id", "seq", "business", "actor", "action", "target", "ip", "at", "prev_hash", "hash").
			From(models.AuditCollection).Where(dbx.NewExp("seq >= {:s}", dbx.Params{"s": want})).
			OrderBy("seq ASC").Limit(page).All(&rows)
		if err != nil {
			return n, nil, fmt.Errorf("audit verify: %w", err)
		}
		for _, r := range rows {
			n++
			if n == 1 && r.Seq > 1 {
				pruned = prunedRange{Through: r.Seq - 1, Hash: r.PrevHash}
				prev, want = r.PrevHash, r.Seq
			}
			switch {
			case r.Seq != want:
				return n, &Break{Seq: want, ID: r.ID, Reason: fmt.Sprintf("entry %d is missing (next is %d)", want, r.Seq)}, nil
			case r.PrevHash != prev:
				return n, &Break{Seq: r.Seq, ID: r.ID, Reason: "prev_hash does not match the previous entry"}, nil
			case chainHash(r.Seq, r.Business, r.Actor, r.Action, r.Target, r.IP, r.At, r.PrevHash) != r.Hash:
				return n, &Break{Seq: r.Seq, ID: r.ID, Reason: "entry was changed after it was written"}, nil
			}
			if r.Seq == h.Seq {
				idAtHead, hashAtHead = r.ID, r.Hash
			}
			if c, ok := parseCheckpoint(r.Action, r.Target); ok {
				claims[c] = true
			}
			prev, want = r.Hash, want+1
		}
		if len(rows) < page {
			break
		}
	}
	switch {
	case pruned.Through > 0 && !claims[pruned]:
		return n, &Break{Seq: 1, Reason: fmt.Sprintf("entries 1 to %d are missing and no checkpoint records their pruning", pruned.Through)}, nil
	case headErr != nil:
		return n, &Break{Seq: want, Reason: headErr.Error()}, nil
	case !headFound && n > 0:
		return n, &Break{Seq: want, Reason: fmt.Sprintf("%s is missing from the data directory, so deleted newest entries can't be ruled out", HeadFile)}, nil
	}
	return n, compareHead(h, want-1, idAtHead, hashAtHead), nil
}

// Record appends an entry made by the appliance itself or for a request already
// answered (retention runs, erasures, exports): who, what, which target, from where.
// It must not be called inside a transaction of app's: the entry waits for the commit.
func (a *Auditor) Record(business, actor, action, target, ip string) error {
	return a.record(a.app, entry{Business: business, Actor: actor, Action: action, Target: target, IP: ip})
}

// New is an Auditor of app that binds nothing: for a command that writes entries while
// the hooks of Bind, or a running server, guard the trail.
func New(app core.App) *Auditor { return &Auditor{app: app} }
