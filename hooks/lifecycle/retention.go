package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"frontdesk/models"
)

// BookingsCollection is where the booking capability keeps bookings. Retention and
// erasure handle it when it exists.
const BookingsCollection = "bookings"

// batchSize is how many records one retention transaction deletes: SQLite has one
// writer, so a visitor's message waits at most for one batch, not for the whole run.
const batchSize = 100

// orphanGrace is how old a stored file must be before the sweep may remove it for
// having no record: PocketBase uploads a new record's files before the record commits.
const orphanGrace = time.Hour

// actorRetention is the audit actor of retention runs, the job's and the command's.
const actorRetention = "system:retention"

// Report is what a retention run deleted.
type Report struct {
	// Practices is how many practices have a retention period.
	Practices     int
	Conversations int
	Messages      int
	Leads         int
	Bookings      int
	// Outbox is how many alerts and texts that were sent, skipped or given up were
	// deleted: a visitor text's entry keeps the number it went to.
	Outbox int
	// Files is how many stored files of deleted records were removed by the sweep
	// (PocketBase removes a deleted record's files itself, in the background, which a
	// process that exits right after, like `frontdesk retention run`, may cut short).
	Files int
	// AuditPruned is how many audit entries older than AuditKeepYears were pruned.
	AuditPruned int
}

func (r *Report) add(o Report) {
	r.Conversations += o.Conversations
	r.Messages += o.Messages
	r.Leads += o.Leads
	r.Bookings += o.Bookings
	r.Outbox += o.Outbox
}

// counts is the audit target of a run: numbers only.
func (r Report) counts() string {
	return fmt.Sprintf("deleted %d conversations, %d messages, %d leads, %d bookings, %d outbox entries", r.Conversations, r.Messages, r.Leads, r.Bookings, r.Outbox)
}

// String is the report as `frontdesk retention run` prints it.
func (r Report) String() string {
	return fmt.Sprintf("retention: %d practices with a retention period; %s; %d orphaned files removed; %d audit entries older than %d years pruned",
		r.Practices, r.counts(), r.Files, r.AuditPruned, AuditKeepYears)
}

func (r Report) logAttrs() []any {
	return []any{"practices", r.Practices, "conversations", r.Conversations, "messages", r.Messages,
		"leads", r.Leads, "bookings", r.Bookings, "outbox", r.Outbox, "files", r.Files, "audit_pruned", r.AuditPruned}
}

// RunRetention runs the retention job once, now: `frontdesk retention run`. It works
// beside a running server on the same data directory (SQLite takes a second process;
// each batch is its own short transaction). The error joins every practice's failure;
// the report counts what was deleted all the same.
func RunRetention(app core.App, opts Options) (Report, error) {
	m, err := New(app, opts)
	if err != nil {
		return Report{}, err
	}
	return m.RunRetention(context.Background())
}

// RunRetention deletes, per practice, conversations (with their messages) whose last
// activity is older than retention_days, and the outbox entries (alerts, texts) finished
// before then, and leads and past bookings older than
// lead_retention_days (retention_days when unset) after they were created; then prunes audit entries older than
// AuditKeepYears, sweeps the files of deleted records, and audits each practice's
// counts and the run's. Running it twice deletes nothing more: the job may rerun.
func (m *Manager) RunRetention(ctx context.Context) (Report, error) {
	now := m.now().UTC()
	var total Report
	businesses, err := m.app.FindAllRecords(models.BusinessesCollection)
	if err != nil {
		return total, fmt.Errorf("retention: %w", err)
	}
	var errs []error
	for _, b := range businesses {
		convDays, leadDays := b.GetInt("retention_days"), b.GetInt("lead_retention_days")
		if leadDays == 0 {
			leadDays = convDays
		}
		if convDays <= 0 && leadDays <= 0 {
			continue // kept until deleted by hand
		}
		total.Practices++
		rep, err := m.retainPractice(ctx, b.Id, now, convDays, leadDays)
		total.add(rep)
		if err != nil {
			errs = append(errs, fmt.Errorf("practice %s: %w", b.Id, err))
		}
		// Audited even when a batch failed: what was deleted stays deleted.
		if err := m.opts.Auditor.Record(AuditEntry{Business: b.Id, Actor: actorRetention, Action: "retention", Target: rep.counts()}); err != nil {
			errs = append(errs, fmt.Errorf("audit: %w", err))
		}
	}
	if p, ok := m.opts.Auditor.(AuditPruner); ok {
		n, err := p.PruneBefore(now.AddDate(-AuditKeepYears, 0, 0))
		total.AuditPruned = n
		if err != nil {
			errs = append(errs, fmt.Errorf("audit prune: %w", err))
		}
	}
	n, err := m.sweepOrphanFiles(ctx, now)
	total.Files = n
	if err != nil {
		errs = append(errs, fmt.Errorf("file sweep: %w", err))
	}
	target := fmt.Sprintf("%d practices: %s; %d files; %d audit entries pruned", total.Practices, total.counts(), total.Files, total.AuditPruned)
	if err := m.opts.Auditor.Record(AuditEntry{Actor: actorRetention, Action: "retention", Target: target}); err != nil {
		errs = append(errs, fmt.Errorf("audit: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return total, fmt.Errorf("retention: %w", err)
	}
	return total, nil
}

// retainPractice applies one practice's retention periods (in days; 0 keeps).
func (m *Manager) retainPractice(ctx context.Context, business string, now time.Time, convDays, leadDays int) (Report, error) {
	var rep Report
	if convDays > 0 {
		cut := dbTime(now.Add(-time.Duration(convDays) * 24 * time.Hour))
		// Last activity: the newest message, or the last change of a conversation that
		// never had one (staff closing it, say).
		where := dbx.NewExp("business = {:b} AND COALESCE(NULLIF(last_message_at, ''), updated) < {:cut}", dbx.Params{"b": business, "cut": cut})
		n, err := m.deleteBatches(ctx, models.ConversationsCollection, where, func(tx core.App, ids []string) error {
			msgs, err := countIn(tx, models.MessagesCollection, "conversation", ids)
			rep.Messages += msgs
			return err
		})
		rep.Conversations += n
		if err != nil {
			return rep, err
		}
		// The outbox's finished entries (a text's holds the number it went to); pending
		// ones wait for their send, whatever their age.
		where = dbx.NewExp("business = {:b} AND status IN ('sent', 'skipped', 'failed') AND created < {:cut}", dbx.Params{"b": business, "cut": cut})
		n, err = m.deleteBatches(ctx, models.OutboxCollection, where, nil)
		rep.Outbox += n
		if err != nil {
			return rep, err
		}
	}
	if leadDays > 0 {
		cut := dbTime(now.Add(-time.Duration(leadDays) * 24 * time.Hour))
		// By creation: a lead's updated moves whenever a deleted conversation is unlinked
		// from it, which would restart its clock.
		n, err := m.deleteBatches(ctx, models.LeadsCollection, dbx.NewExp("business = {:b} AND created < {:cut}", dbx.Params{"b": business, "cut": cut}), nil)
		rep.Leads += n
		if err != nil {
			return rep, err
		}
		if col, err := m.app.FindCachedCollectionByNameOrId(BookingsCollection); err == nil {
			// Past bookings only: one that ended before the cut. A booking's own time is
			// its end (or start); without either field, its creation.
			field := "created"
			for _, f := range []string{"end", "start"} {
				if col.Fields.GetByName(f) != nil {
					field = f
					break
				}
			}
			where := dbx.NewExp("business = {:b} AND [["+field+"]] != '' AND [["+field+"]] < {:cut}", dbx.Params{"b": business, "cut": cut})
			n, err := m.deleteBatches(ctx, col.Name, where, nil)
			rep.Bookings += n
			if err != nil {
				return rep, err
			}
		}
	}
	return rep, nil
}

// deleteBatches deletes the records of collection that match where, batchSize at a
// time, each batch in its own transaction, with PocketBase's delete (so relations
// cascade, files go, and every hook runs). before, if set, runs in each batch's
// transaction first, with the ids about to go. It returns how many it deleted.
func (m *Manager) deleteBatches(ctx context.Context, collection string, where dbx.Expression, before func(tx core.App, ids []string) error) (int, error) {
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		var recs []*core.Record
		if err := m.app.RecordQuery(collection).AndWhere(where).OrderBy("rowid").Limit(batchSize).All(&recs); err != nil {
			return n, fmt.Errorf("find %s: %w", collection, err)
		}
		if len(recs) == 0 {
			return n, nil
		}
		err := m.app.RunInTransaction(func(tx core.App) error {
			if before != nil {
				if err := before(tx, recordIDs(recs)); err != nil {
					return err
				}
			}
			for _, r := range recs {
				if err := tx.Delete(r); err != nil {
					return fmt.Errorf("delete %s: %w", collection, err)
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(recs)
		if len(recs) < batchSize {
			return n, nil
		}
	}
}

// sweepOrphanFiles removes stored files whose record no longer exists and that are
// older than orphanGrace: what a delete's background file removal left behind when
// its process ended first. Files live at <collection id>/<record id>/<name>.
func (m *Manager) sweepOrphanFiles(ctx context.Context, now time.Time) (int, error) {
	cols, err := m.app.FindAllCollections()
	if err != nil {
		return 0, err
	}
	fsys, err := m.app.NewFilesystem()
	if err != nil {
		return 0, err
	}
	defer fsys.Close()
	fsys.SetContext(ctx)
	removed := 0
	for _, col := range cols {
		if col.IsView() || !hasFileField(col) {
			continue
		}
		objs, err := fsys.List(col.Id + "/")
		if err != nil {
			return removed, fmt.Errorf("list %s files: %w", col.Name, err)
		}
		byRecord := map[string][]time.Time{}
		for _, o := range objs {
			parts := strings.SplitN(o.Key, "/", 3)
			if len(parts) == 3 && parts[1] != "" {
				byRecord[parts[1]] = append(byRecord[parts[1]], o.ModTime)
			}
		}
		for id, times := range byRecord {
			if _, err := m.app.FindRecordById(col, id); err == nil {
				continue
			}
			recent := false
			for _, t := range times {
				recent = recent || now.Sub(t) < orphanGrace
			}
			if recent {
				continue
			}
			if errs := fsys.DeletePrefix(col.Id + "/" + id + "/"); len(errs) > 0 {
				return removed, fmt.Errorf("delete files of %s/%s: %w", col.Name, id, errors.Join(errs...))
			}
			removed += len(times)
		}
	}
	return removed, nil
}

func hasFileField(col *core.Collection) bool {
	for _, f := range col.Fields {
		if f.Type() == core.FieldTypeFile {
			return true
		}
	}
	return false
}

// countIn counts the records of collection whose field is one of ids.
func countIn(app core.App, collection, field string, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var n int
	err := app.DB().Select("COUNT(*)").From(collection).Where(dbx.In(field, toAny(ids)...)).Row(&n)
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", collection, err)
	}
	return n, nil
}

func recordIDs(recs []*core.Record) []string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.Id
	}
	return ids
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// dbTime is t in PocketBase's stored date format, which orders as text.
func dbTime(t time.Time) string {
	return t.UTC().Format(types.DefaultDateLayout)
}
