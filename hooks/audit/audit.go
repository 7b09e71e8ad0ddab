// Package audit keeps Frontdesk's tamper-evident trail of who read, exported or changed
// what: a hash chain of entries in the audit_log collection with its head kept in a file
// beside the database, the hooks that write an entry for each audited action, and
// Verify, which `frontdesk audit verify` runs. What is audited is one table, policy.
package audit

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// What is audited of a collection.
const (
	// reads: every list, view and realtime subscription through the API.
	reads = 1 << iota
	// changes: every create, update and delete through the API.
	changes
	// logins: every password or emailed-code login, failed ones too.
	logins
)

// policy is what is audited, per collection: a new collection of visitor data or
// settings is one line here.
var policy = map[string]int{
	models.BusinessesCollection:    changes,
	models.StaffCollection:         changes | logins,
	models.FAQsCollection:          changes,
	models.DocumentsCollection:     changes,
	models.CredentialsCollection:   changes,
	models.ConversationsCollection: reads | changes,
	models.MessagesCollection:      reads | changes,
	models.LeadsCollection:         reads | changes,
	models.BookingsCollection:      changes, // who made, moved or cancelled a visit
	core.CollectionNameSuperusers:  logins,
}

// named are the changes through the API audited under a name of their own instead of
// create or update, by the record as it was (nil for a create) and as it is: a
// conversation taken over, handed back or closed, and a staff member's message to a
// visitor. An entry names the record, never a message's text.
var named = map[string]func(action string, before, after *core.Record) string{
	models.ConversationsCollection: func(action string, before, after *core.Record) string {
		if action != "update" {
			return ""
		}
		was, is := before.GetString("status"), after.GetString("status")
		switch {
		case was == is:
			return ""
		case is == models.StatusHuman:
			return "takeover"
		case is == models.StatusOpen:
			return "handback"
		case is == models.StatusClosed:
			return "close"
		}
		return ""
	},
	models.MessagesCollection: func(action string, _, after *core.Record) string {
		if action == "create" && after.GetString("role") == models.RoleStaff {
			return "staff_message"
		}
		return ""
	},
}

// audited are the collections policy audits for what, in a fixed order.
func audited(what int) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(policy)) {
		if policy[name]&what != 0 {
			out = append(out, name)
		}
	}
	return out
}

var (
	errImmutable = errors.New("audit log entries can't be changed or deleted")
	errForged    = errors.New("audit log entries are written by Frontdesk alone")
)

// Bind writes entries for what policy names and for changes of the app's settings and
// schema, and refuses any change to the trail itself, superusers included. Entries hold
// no identifiers: not the filter of a list (email='...'), not a realtime topic's options,
// not the identity of a failed login; only what was read and how much.
func Bind(app core.App) *Auditor {
	a := &Auditor{app: app}
	bindImmutable(app)
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

	read := audited(reads)
	app.OnRecordsListRequest(read...).BindFunc(func(e *core.RecordsListRequestEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		// One entry per practice whose records were read (a superuser may read several).
		counts := map[string]int{}
		for _, r := range e.Records {
			counts[r.GetString("business")]++
		}
		if len(counts) == 0 {
			counts[""] = 0
		}
		for _, b := range slices.Sorted(maps.Keys(counts)) {
			logErr(a.Read(e.RequestEvent, "list", e.Collection.Name, counts[b], b))
		}
		return nil
	})
	app.OnRecordViewRequest(read...).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		logErr(a.Request(e.RequestEvent, "view", e.Collection.Name+"/"+e.Record.Id, e.Record.GetString("business")))
		return nil
	})
	// Realtime subscriptions are a read path too: each topic on audited collections is
	// audited (PocketBase still applies the collection's view rule to every event sent).
	app.OnRealtimeSubscribeRequest().BindFunc(func(e *core.RealtimeSubscribeRequestEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, topic := range e.Subscriptions {
			target, ok := subscriptionTarget(e.App, topic)
			if ok && !seen[target] {
				seen[target] = true
				logErr(a.Request(e.RequestEvent, "subscribe", target, ""))
			}
		}
		return nil
	})

	// A login's entry: "login", "login_mfa" when the first factor passed and PocketBase
	// asks for a second (a practice requiring it, hooks/console), or "login_failed".
	login := func(re *core.RequestEvent, collection string, record *core.Record, err error) {
		entry := fromRequest(re, "login", "", "")
		if record != nil {
			entry.Actor = collection + ":" + record.Id
			entry.Business = record.GetString("business")
		} else {
			// The identity tried (an email) is not kept: the log can't be erased.
			entry.Actor = collection + ":unknown"
		}
		switch {
		case errors.Is(err, apis.ErrMFA):
			entry.Action = "login_mfa"
		case err != nil:
			entry.Action = "login_failed"
		}
		logErr(a.record(re.App, entry))
	}
	app.OnRecordAuthWithPasswordRequest(audited(logins)...).BindFunc(func(e *core.RecordAuthWithPasswordRequestEvent) error {
		err := e.Next()
		login(e.RequestEvent, e.Collection.Name, e.Record, err)
		return err
	})
	// A code emailed by PocketBase (OTP) signs in too, alone or as the second factor.
	app.OnRecordAuthWithOTPRequest(audited(logins)...).BindFunc(func(e *core.RecordAuthWithOTPRequestEvent) error {
		err := e.Next()
		login(e.RequestEvent, e.Collection.Name, e.Record, err)
		return err
	})

	change := func(action string) func(e *core.RecordRequestEvent) error {
		return func(e *core.RecordRequestEvent) error {
			name := named[e.Collection.Name]
			var before *core.Record
			if name != nil && action == "update" {
				before = e.Record.Original()
			}
			if err := e.Next(); err != nil {
				return err
			}
			b := e.Record.GetString("business")
			if e.Collection.Name == models.BusinessesCollection {
				b = e.Record.Id
			}
			what := action
			if name != nil {
				if n := name(action, before, e.Record); n != "" {
					what = n
				}
			}
			logErr(a.Request(e.RequestEvent, what, e.Collection.Name+"/"+e.Record.Id, b))
			return nil
		}
	}
	changed := audited(changes)
	app.OnRecordCreateRequest(changed...).BindFunc(change("create"))
	app.OnRecordUpdateRequest(changed...).BindFunc(change("update"))
	app.OnRecordDeleteRequest(changed...).BindFunc(change("delete"))
	app.OnSettingsUpdateRequest().BindFunc(func(e *core.SettingsUpdateRequestEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		logErr(a.Request(e.RequestEvent, "update", "app_settings", ""))
		return nil
	})
	schema := func(action string) func(e *core.CollectionRequestEvent) error {
		return func(e *core.CollectionRequestEvent) error {
			if err := e.Next(); err != nil {
				return err
			}
			logErr(a.Request(e.RequestEvent, "schema_"+action, "collections/"+e.Collection.Name, ""))
			return nil
		}
	}
	app.OnCollectionCreateRequest().BindFunc(schema("create"))
	app.OnCollectionUpdateRequest().BindFunc(schema("update"))
	app.OnCollectionDeleteRequest().BindFunc(schema("delete"))
	return a
}

// bindImmutable refuses every write to the trail but the auditor's own. Superusers pass
// every API rule, so the API's writes are refused by hook: the record routes (the batch
// API runs the same ones, with the same hooks), and, for any other path, the model hooks
// below. Only the auditor's own saves carry writeKey.
func bindImmutable(app core.App) {
	refuse := func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("Audit log entries are written by Frontdesk alone; they can't be created, changed or deleted.", nil)
	}
	app.OnRecordCreateRequest(models.AuditCollection).BindFunc(refuse)
	app.OnRecordUpdateRequest(models.AuditCollection).BindFunc(refuse)
	app.OnRecordDeleteRequest(models.AuditCollection).BindFunc(refuse)
	app.OnRecordCreate(models.AuditCollection).BindFunc(func(e *core.RecordEvent) error {
		if e.Context == nil || e.Context.Value(writeKey{}) == nil {
			return errForged
		}
		return e.Next()
	})
	app.OnRecordUpdate(models.AuditCollection).BindFunc(func(e *core.RecordEvent) error { return errImmutable })
	app.OnRecordDelete(models.AuditCollection).BindFunc(func(e *core.RecordEvent) error { return errImmutable })
	// The collection itself (its rules, its fields) can't change either: not through the
	// collections API nor an import of collections, which saves through the same hooks.
	app.OnCollectionUpdate(models.AuditCollection).BindFunc(func(e *core.CollectionEvent) error {
		return errors.New("the audit_log collection can't be changed")
	})
	app.OnCollectionDelete(models.AuditCollection).BindFunc(func(e *core.CollectionEvent) error { return errImmutable })
}

// subscriptionTarget is what the audit keeps of a realtime topic on a collection whose
// reads are audited: the collection and the record id, or "*" for all. Not the topic's
// options, which can hold a filter such as email='...', nor an id that names no record,
// since the id is free text too; false when the topic's reads are not audited.
func subscriptionTarget(app core.App, topic string) (string, bool) {
	topic, _, _ = strings.Cut(topic, "?")
	name, id, hasID := strings.Cut(topic, "/")
	col, err := app.FindCachedCollectionByNameOrId(name)
	if err != nil || policy[col.Name]&reads == 0 {
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
