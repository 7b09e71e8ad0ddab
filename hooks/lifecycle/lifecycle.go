// Package lifecycle is what happens to a practice's data over time and on request:
// retention (a daily job that deletes what is older than the practice keeps), a
// visitor's erasure, a practice's deletion, the owner's full export, and backups that
// restore (no key inside, the knowledge index rebuilt rather than copied mid-write).
//
// It imports no other capability: the audit trail and the calendar reach it through the
// small interfaces declared here (Auditor, AuditPruner, CalendarEvents), which the wiring
// in hooks connects. Bind owns its routes, hooks and jobs.
package lifecycle

import (
	"context"
	"errors"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/jobs"
)

// Job kinds of this package on the job runner.
const (
	// KindRetention is the daily retention run.
	KindRetention = "lifecycle.retention"
	// KindCalendarDelete deletes an erased booking's calendar event. It is handled only
	// where Options.Calendar is set; until then the jobs wait in the queue, so no
	// erased booking's event is forgotten.
	KindCalendarDelete = "lifecycle.calendar_delete"
)

// DefaultRetentionCron is when the retention job runs (PocketBase's cron, UTC): before
// the default backup at 02:30 (migrations/1795392041_backup_schedule.go), so a night's backup holds nothing past its period.
const DefaultRetentionCron = "0 2 * * *"

// AuditKeepYears is how long audit entries are kept at least, whatever a practice's
// retention: six years, the longest record-keeping period HIPAA asks of its
// documentation (45 CFR 164.316(b)(2)).
const AuditKeepYears = 6

// knowledgeDir is the knowledge index's folder in the data directory (hooks' knowledge
// base opens it there, and rebuilds it from the database when it is missing).
const knowledgeDir = "knowledge"

// AuditEntry is one entry of the audit trail as this package writes it: what happened,
// by whom, to what, with counts only, never a visitor's identifiers or text.
type AuditEntry struct {
	Business string
	Actor    string
	Action   string
	Target   string
	IP       string
}

// Auditor appends entries to the practice's tamper-evident audit trail. The audit
// capability implements it; this package calls it outside any transaction.
type Auditor interface {
	Record(e AuditEntry) error
}

// AuditPruner is implemented by an Auditor that can drop entries older than a cutoff
// while keeping the chain verifiable: it deletes the oldest entries written before t,
// and records in a checkpoint entry the sequence number and hash of the last one
// removed, so verification starts from the checkpoint instead of from the first entry.
// It returns how many entries it removed. Retention calls it with now minus
// AuditKeepYears when the Auditor implements it, and prunes nothing otherwise.
type AuditPruner interface {
	PruneBefore(t time.Time) (int, error)
}

// CalendarEvents deletes an event from a practice's calendar: the booking capability
// implements it. event is the booking's calendar_event.
type CalendarEvents interface {
	DeleteEvent(ctx context.Context, business, event string) error
}

// Options configure the package; only Auditor is required.
type Options struct {
	// Auditor records the retention runs, erasures, practice deletions and exports.
	Auditor Auditor
	// Jobs is the app's job runner. Nil: Bind starts a runner of its own with the app.
	Jobs *jobs.Runner
	// Calendar deletes erased bookings' calendar events; nil leaves them queued.
	Calendar CalendarEvents
	// Now is the clock (tests move it); nil is time.Now.
	Now func() time.Time
	// RetentionCron is when the daily retention job runs; empty is DefaultRetentionCron.
	RetentionCron string
}

// Manager owns the data lifecycle of an app: its routes, hooks and jobs.
type Manager struct {
	app  core.App
	opts Options
}

// New returns a Manager over app without binding anything: RunRetention and tests use it.
func New(app core.App, opts Options) (*Manager, error) {
	if opts.Auditor == nil {
		return nil, errors.New("lifecycle: Options.Auditor is required: retention, erasure and export are audited")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetentionCron == "" {
		opts.RetentionCron = DefaultRetentionCron
	}
	return &Manager{app: app, opts: opts}, nil
}

// Bind binds the data lifecycle to app: the staff routes under /api/frontdesk/
// (erasure, practice, export), the backup hook that leaves the knowledge index out,
// and the daily retention job on opts.Jobs (or a runner of its own). It returns an
// error only for a wiring mistake (no Auditor, a bad cron expression).
func Bind(app core.App, opts Options) (*Manager, error) {
	m, err := New(app, opts)
	if err != nil {
		return nil, err
	}
	bindBackups(app)
	r, own := m.opts.Jobs, m.opts.Jobs == nil
	if own {
		r = jobs.New(app, jobs.Options{})
	}
	r.Handle(KindRetention, func(ctx context.Context, _ *jobs.Job) error {
		rep, err := m.RunRetention(ctx)
		if err != nil {
			return err
		}
		app.Logger().Info("retention run", rep.logAttrs()...)
		return nil
	})
	if err := r.Every("retention", m.opts.RetentionCron, KindRetention); err != nil {
		return nil, err
	}
	if m.opts.Calendar != nil {
		r.Handle(KindCalendarDelete, m.deleteCalendarEvent)
	}
	if own {
		r.Bind()
	}
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		m.bindRoutes(se)
		return se.Next()
	})
	return m, nil
}

// now is the Manager's clock.
func (m *Manager) now() time.Time { return m.opts.Now() }
