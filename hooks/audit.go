package hooks

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"frontdesk/internal/secrets"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// AuditCollection holds the tamper-evident trail of reads, exports, logins and changes.
const AuditCollection = "audit_log"

// auditEntry is what happened, by whom, to what. It never holds visitor text or contact details.
type auditEntry struct {
	Business string
	Actor    string
	Action   string
	Target   string
	IP       string
}

// auditor appends entries to a hash chain: each entry's hash covers its own fields and the
// previous entry's hash, so editing or deleting any row in SQLite breaks every link after it.
// After each entry it records the chain's head in AuditHeadFile (see writeAuditHead), which
// shows the newest entries deleted, which the chain alone can't.
type auditor struct {
	app core.App

	mu       sync.Mutex
	loaded   bool
	lastSeq  int
	lastHash string
	// keepHead is set when the head file disagreed with the table at load: the file is
	// then the evidence of entries deleted or changed, and writing on must not replace it.
	keepHead bool
}

// auditWriteKey marks the context of the auditor's own saves, the one way an entry is
// created: any other create of an audit_log record, from any API or code path, is refused.
type auditWriteKey struct{}

// auditHash is an entry's link in the chain: the digest of its fields and the previous
// entry's hash, each ended by a unit separator (0x1f), which no field holds.
func auditHash(seq int, business, actor, action, target, ip, at, prev string) string {
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
func (a *auditor) record(app core.App, e auditEntry) error {
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

// request appends an entry for a request, with its actor and IP.
func (a *auditor) request(re *core.RequestEvent, action, target, business string) error {
	return a.record(re.App, auditFromRequest(re, action, target, business))
}

func (a *auditor) append(e auditEntry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.load(); err != nil {
		return err
	}
	col, err := a.app.FindCachedCollectionByNameOrId(AuditCollection)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	seq := a.lastSeq + 1
	at := time.Now().UTC().Format(time.RFC3339Nano)
	hash := auditHash(seq, e.Business, e.Actor, e.Action, e.Target, e.IP, at, a.lastHash)
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
	if err := a.app.SaveNoValidateWithContext(context.WithValue(context.Background(), auditWriteKey{}, true), r); err != nil {
		// The head may have moved under us (another process); reload it next time.
		a.loaded = false
		return fmt.Errorf("audit: append: %w", err)
	}
	a.lastSeq, a.lastHash = seq, hash
	if !a.keepHead {
		if err := writeAuditHead(a.app.DataDir(), auditHead{Seq: seq, Hash: hash}); err != nil {
			// The entry is stored; a head left behind the table is checked as far as it goes.
			a.app.Logger().Error("audit head write failed", "error", err)
		}
	}
	return nil
}

// load reads the chain's head from the table, once, and checks the head file against it.
// A missing file is started from the table (a new install, or one from before the file);
// a file that disagrees with the table is left as it is for `frontdesk audit verify`.
func (a *auditor) load() error {
	if a.loaded {
		return nil
	}
	last := struct {
		Seq  int    `db:"seq"`
		Hash string `db:"hash"`
	}{}
	err := a.app.DB().NewQuery("SELECT seq, hash FROM " + AuditCollection + " ORDER BY seq DESC LIMIT 1").One(&last)
	if err != nil && !isNoRows(err) {
		return fmt.Errorf("audit: read chain head: %w", err)
	}
	dir := a.app.DataDir()
	head, found, err := readAuditHead(dir)
	switch {
	case err != nil:
		a.keepHead = true
		a.app.Logger().Error("audit head unreadable; leaving it as it is: run frontdesk audit verify", "error", err)
	case !found:
		if last.Seq > 0 {
			a.app.Logger().Warn("audit head file missing; starting it from the table's newest entry", "seq", last.Seq)
		}
		if err := writeAuditHead(dir, auditHead{Seq: last.Seq, Hash: last.Hash}); err != nil {
			a.app.Logger().Error("audit head write failed", "error", err)
		}
	default:
		at := struct {
			ID   string `db:"id"`
			Hash string `db:"hash"`
		}{}
		err := a.app.DB().Select("id", "hash").From(AuditCollection).Where(dbx.HashExp{"seq": head.Seq}).One(&at)
		if err != nil && !isNoRows(err) {
			return fmt.Errorf("audit: read chain: %w", err)
		}
		if b := compareAuditHead(head, last.Seq, at.ID, at.Hash); b != nil {
			a.keepHead = true
			a.app.Logger().Error("audit log disagrees with its head file; leaving the file as evidence: run frontdesk audit verify", "seq", b.Seq, "reason", b.Reason)
		}
	}
	a.lastSeq, a.lastHash, a.loaded = last.Seq, last.Hash, true
	return nil
}

// auditFromRequest fills the actor and IP of an entry from the request's auth.
func auditFromRequest(e *core.RequestEvent, action, target, business string) auditEntry {
	actor := "guest"
	if e.Auth != nil {
		actor = e.Auth.Collection().Name + ":" + e.Auth.Id
		if business == "" && e.Auth.Collection().Name == "staff" {
			business = e.Auth.GetString("business")
		}
	}
	return auditEntry{Business: business, Actor: actor, Action: action, Target: target, IP: e.RealIP()}
}

// AuditBreak describes the first entry whose link in the chain does not hold.
type AuditBreak struct {
	Seq    int
	ID     string
	Reason string
}

// VerifyAudit walks the whole chain in order, then checks its end against AuditHeadFile,
// and returns how many entries it checked and the first broken link (a changed, missing
// or truncated entry), or nil when the trail is intact.
func VerifyAudit(app core.App) (int, *AuditBreak, error) {
	// The head is read before the table: the server writes it after each entry commits,
	// so read in this order it can't name an entry the walk below has not yet seen.
	head, headFound, headErr := readAuditHead(app.DataDir())
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
	for {
		var rows []row
		err := app.DB().Select("id", "seq", "business", "actor", "action", "target", "ip", "at", "prev_hash", "hash").
			From(AuditCollection).Where(dbx.NewExp("seq >= {:s}", dbx.Params{"s": want})).
			OrderBy("seq ASC").Limit(page).All(&rows)
		if err != nil {
			return n, nil, fmt.Errorf("audit verify: %w", err)
		}
		for _, r := range rows {
			n++
			switch {
			case r.Seq != want:
				return n, &AuditBreak{Seq: want, ID: r.ID, Reason: fmt.Sprintf("entry %d is missing (next is %d)", want, r.Seq)}, nil
			case r.PrevHash != prev:
				return n, &AuditBreak{Seq: r.Seq, ID: r.ID, Reason: "prev_hash does not match the previous entry"}, nil
			case auditHash(r.Seq, r.Business, r.Actor, r.Action, r.Target, r.IP, r.At, r.PrevHash) != r.Hash:
				return n, &AuditBreak{Seq: r.Seq, ID: r.ID, Reason: "entry was changed after it was written"}, nil
			}
			if r.Seq == head.Seq {
				idAtHead, hashAtHead = r.ID, r.Hash
			}
			prev, want = r.Hash, want+1
		}
		if len(rows) < page {
			break
		}
	}
	switch {
	case headErr != nil:
		return n, &AuditBreak{Seq: want, Reason: headErr.Error()}, nil
	case !headFound && n > 0:
		return n, &AuditBreak{Seq: want, Reason: fmt.Sprintf("%s is missing from the data directory, so deleted newest entries can't be ruled out", AuditHeadFile)}, nil
	}
	return n, compareAuditHead(head, want-1, idAtHead, hashAtHead), nil
}

var (
	errAuditImmutable = errors.New("audit log entries can't be changed or deleted")
	errAuditForged    = errors.New("audit log entries are written by Frontdesk alone")
)

// auditedReads are the collections of visitor data whose every read is audited.
var auditedReads = []string{"conversations", "messages", "leads"}

// bindAudit writes entries for reads of visitor data, logins and settings changes, and
// refuses any change to the trail itself, superusers included. Entries hold no
// identifiers: not the filter of a list (email='...'), not a realtime topic's options,
// not the identity of a failed login; only what was read and how much.
func bindAudit(app core.App, a *auditor) {
	// Superusers pass every API rule, so the API's writes are refused by hook: the record
	// routes (the batch API runs the same ones, with the same hooks), and, for any other
	// path, the model hooks below. Only the auditor's own saves carry auditWriteKey.
	refuse := func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("Audit log entries are written by Frontdesk alone; they can't be created, changed or deleted.", nil)
	}
	app.OnRecordCreateRequest(AuditCollection).BindFunc(refuse)
	app.OnRecordUpdateRequest(AuditCollection).BindFunc(refuse)
	app.OnRecordDeleteRequest(AuditCollection).BindFunc(refuse)
	app.OnRecordCreate(AuditCollection).BindFunc(func(e *core.RecordEvent) error {
		if e.Context == nil || e.Context.Value(auditWriteKey{}) == nil {
			return errAuditForged
		}
		return e.Next()
	})
	app.OnRecordUpdate(AuditCollection).BindFunc(func(e *core.RecordEvent) error { return errAuditImmutable })
	app.OnRecordDelete(AuditCollection).BindFunc(func(e *core.RecordEvent) error { return errAuditImmutable })
	// The collection itself (its rules, its fields) can't change either: not through the
	// collections API nor an import of collections, which saves through the same hooks.
	app.OnCollectionUpdate(AuditCollection).BindFunc(func(e *core.CollectionEvent) error {
		return errors.New("the audit_log collection can't be changed")
	})
	app.OnCollectionDelete(AuditCollection).BindFunc(func(e *core.CollectionEvent) error { return errAuditImmutable })

	logErr := func(err error) {
		if err != nil {
			app.Logger().Error("audit write failed", "error", err)
		}
	}

	// At start, the head file is checked against the table (or started), so a
	// disagreement is logged when the server starts rather than at the first entry.
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		a.mu.Lock()
		logErr(a.load())
		a.mu.Unlock()
		return se.Next()
	})

	app.OnRecordsListRequest(auditedReads...).BindFunc(func(e *core.RecordsListRequestEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		// One entry per practice whose records were read (a superuser may read several).
		read := map[string]int{}
		for _, r := range e.Records {
			read[r.GetString("business")]++
		}
		if len(read) == 0 {
			read[""] = 0
		}
		for _, b := range slices.Sorted(maps.Keys(read)) {
			logErr(a.request(e.RequestEvent, "list", recordsRead(e.Collection.Name, read[b]), b))
		}
		return nil
	})
	app.OnRecordViewRequest(auditedReads...).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		logErr(a.request(e.RequestEvent, "view", e.Collection.Name+"/"+e.Record.Id, e.Record.GetString("business")))
		return nil
	})

	// Realtime subscriptions are a read path too: each topic on visitor data is audited
	// (PocketBase still applies the collection's view rule to every event sent).
	app.OnRealtimeSubscribeRequest().BindFunc(func(e *core.RealtimeSubscribeRequestEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, topic := range e.Subscriptions {
			target, ok := subscriptionTarget(e.App, topic)
			if ok && !seen[target] {
				seen[target] = true
				logErr(a.request(e.RequestEvent, "subscribe", target, ""))
			}
		}
		return nil
	})

	app.OnRecordAuthWithPasswordRequest("staff", core.CollectionNameSuperusers).BindFunc(func(e *core.RecordAuthWithPasswordRequestEvent) error {
		err := e.Next()
		entry := auditFromRequest(e.RequestEvent, "login", "", "")
		if e.Record != nil {
			entry.Actor = e.Collection.Name + ":" + e.Record.Id
			entry.Business = e.Record.GetString("business")
		} else {
			// The identity tried (an email) is not kept: the log can't be erased.
			entry.Actor = e.Collection.Name + ":unknown"
		}
		if err != nil {
			entry.Action = "login_failed"
		}
		logErr(a.record(e.App, entry))
		return err
	})

	settings := []string{"businesses", "staff", "faqs", "documents", "credentials", "leads", "conversations", "messages"}
	change := func(action string, e *core.RecordRequestEvent) {
		b := e.Record.GetString("business")
		if e.Collection.Name == "businesses" {
			b = e.Record.Id
		}
		logErr(a.request(e.RequestEvent, action, e.Collection.Name+"/"+e.Record.Id, b))
	}
	app.OnRecordCreateRequest(settings...).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		change("create", e)
		return nil
	})
	app.OnRecordUpdateRequest(settings...).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		change("update", e)
		return nil
	})
	app.OnRecordDeleteRequest(settings...).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		change("delete", e)
		return nil
	})
	app.OnSettingsUpdateRequest().BindFunc(func(e *core.SettingsUpdateRequestEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		logErr(a.request(e.RequestEvent, "update", "app_settings", ""))
		return nil
	})
	schema := func(action string) func(e *core.CollectionRequestEvent) error {
		return func(e *core.CollectionRequestEvent) error {
			if err := e.Next(); err != nil {
				return err
			}
			logErr(a.request(e.RequestEvent, "schema_"+action, "collections/"+e.Collection.Name, ""))
			return nil
		}
	}
	app.OnCollectionCreateRequest().BindFunc(schema("create"))
	app.OnCollectionUpdateRequest().BindFunc(schema("update"))
	app.OnCollectionDeleteRequest().BindFunc(schema("delete"))
}

// recordsRead is an entry's target for n records of a collection read.
func recordsRead(collection string, n int) string {
	if n == 1 {
		return collection + " (1 record)"
	}
	return fmt.Sprintf("%s (%d records)", collection, n)
}

// subscriptionTarget is what the audit keeps of a realtime topic on visitor data: the
// collection and the record id, or "*" for all. Not the topic's options, which can hold
// a filter such as email='...', nor an id that names no record, since the id is free
// text too; false when the topic is not on visitor data.
func subscriptionTarget(app core.App, topic string) (string, bool) {
	topic, _, _ = strings.Cut(topic, "?")
	name, id, hasID := strings.Cut(topic, "/")
	col, err := app.FindCachedCollectionByNameOrId(name)
	if err != nil || !slices.Contains(auditedReads, col.Name) {
		return "", false
	}
	switch {
	case !hasID:
		return col.Name, true
	case id == "*":
		return col.Name + "/*", true
	}
	if _, err := app.FindRecordById(col, id); err != nil {
		return col.Name + "/(unknown record)", true
	}
	return col.Name + "/" + id, true
}
