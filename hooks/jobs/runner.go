package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"frontdesk/models"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Options tune a Runner; zero values take the defaults.
type Options struct {
	// Concurrency is how many jobs run at once (default 2, for a 2-core VPS that also chats).
	Concurrency int
	// PollInterval is how often due rows are looked for when nothing woke the runner:
	// retries coming due, jobs another process added (default 2s).
	PollInterval time.Duration
	// Lease is how long a claimed job stays the runner's without a renewal; it is renewed
	// every Lease/3 while the handler runs, and a crashed runner's job runs again once it
	// expires (default 1m).
	Lease time.Duration
	// RetryBase is the longest wait before the first retry; each further retry waits up to
	// twice as long, capped at RetryMax, and at least half of that (default 10s, 1h).
	RetryBase, RetryMax time.Duration
	// MaxAge gives a job up when its next retry would fall later than this after it was
	// enqueued (default 24h).
	MaxAge time.Duration
	// StopTimeout is how long Stop waits for running jobs before cancelling them (default 10s).
	StopTimeout time.Duration
	// KeepDone is how long done jobs stay in the table (default 7 days). Failed jobs stay,
	// for the operator to read their last_error.
	KeepDone time.Duration
	// OnFailed, if set, runs when a job is given up, inside the transaction that marks it
	// failed, so what it writes (an alert, say) commits with that mark. An error from it
	// is logged and the job is marked failed without it.
	OnFailed func(txApp core.App, job *Job, err error) error
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 2
	}
	def(&o.PollInterval, 2*time.Second)
	def(&o.Lease, time.Minute)
	def(&o.RetryBase, 10*time.Second)
	def(&o.RetryMax, time.Hour)
	def(&o.MaxAge, 24*time.Hour)
	def(&o.StopTimeout, 10*time.Second)
	def(&o.KeepDone, 7*24*time.Hour)
}

// backoff is the wait before the retry that follows attempt: RetryBase doubled per
// attempt, capped at RetryMax, then jittered into its upper half so that jobs failing
// together don't retry together.
func (o *Options) backoff(attempt int) time.Duration {
	d := o.RetryBase
	for i := 1; i < attempt && d < o.RetryMax; i++ {
		d *= 2
	}
	d = min(d, o.RetryMax)
	return d - rand.N(d/2+1)
}

// Causes of a running job's cancellation.
var (
	errStopping  = errors.New("job runner stopping")
	errLeaseLost = errors.New("job lease lost to another runner")
)

// Runner claims due jobs and runs their handlers, a bounded number at a time. Several
// runners, in one process or several, may share a database: a claim is one conditional
// UPDATE, so each run of a job belongs to exactly one of them.
type Runner struct {
	app  core.App
	opts Options
	// id is leased_by on the rows this runner claims: random per runner, so a restarted
	// process never mistakes its predecessor's leases for its own.
	id string

	wake chan struct{}

	mu       sync.Mutex
	handlers map[string]Handler
	running  map[string]context.CancelCauseFunc // in-flight jobs by id
	stop     context.CancelFunc                 // ends the loop; nil when not started
	loopDone chan struct{}
	// terminated is set when the app terminates: a serve hook that returns after the
	// app was already shut down (a server stopped while it was starting) starts nothing.
	terminated bool
	wg         sync.WaitGroup // in-flight jobs
}

// New returns a runner over app's jobs collection; register handlers with Handle, then
// Bind it to the app's serve and terminate (or Start and Stop it).
func New(app core.App, opts Options) *Runner {
	opts.defaults()
	return &Runner{
		app:      app,
		opts:     opts,
		id:       security.RandomString(12),
		wake:     make(chan struct{}, 1),
		handlers: map[string]Handler{},
		running:  map[string]context.CancelCauseFunc{},
	}
}

// Handle sets the handler of kind. The runner claims only jobs of kinds it handles;
// others stay queued for a runner that does.
func (r *Runner) Handle(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers[kind] = h
}

// Bind starts the runner when the app serves and stops it when the app terminates.
func (r *Runner) Bind() {
	r.app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := se.Next(); err != nil {
			return err
		}
		r.Start()
		return nil
	})
	r.app.OnTerminate().BindFunc(func(te *core.TerminateEvent) error {
		r.mu.Lock()
		r.terminated = true
		r.mu.Unlock()
		r.Stop()
		return te.Next()
	})
}

// Every enqueues a job of kind (with no payload) on PocketBase's cron schedule expr,
// which has minute granularity: for hourly or daily work such as retention and
// backups, which then runs, retries and survives restarts like any other job. Its key
// is "cron:"+name, so a run still pending is not doubled.
func (r *Runner) Every(name, expr, kind string) error {
	return r.app.Cron().Add("jobs:"+name, expr, func() {
		if _, err := Enqueue(r.app, kind, "cron:"+name, nil); err != nil {
			r.app.Logger().Error("jobs: cron enqueue", "cron", name, "error", err)
		}
	})
}

// Wake makes the runner look for due jobs now instead of at its next poll.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default: // already woken
	}
}

// Start starts claiming and running jobs; it returns at once. Starting a started
// runner, or one whose app has terminated, does nothing.
func (r *Runner) Start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stop != nil || r.terminated {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.stop, r.loopDone = cancel, make(chan struct{})
	r.app.Store().Set(storeKey, r)
	go r.loop(ctx)
}

// Stop stops claiming jobs, waits up to Options.StopTimeout for running ones, then
// cancels those left and waits a little more. A job cancelled by Stop goes back to the
// queue without counting as an attempt; one whose handler ignores its ctx runs again
// after its lease expires.
func (r *Runner) Stop() {
	r.mu.Lock()
	stop, loopDone := r.stop, r.loopDone
	r.stop = nil
	r.mu.Unlock()
	if stop == nil {
		return
	}
	if cur, _ := r.app.Store().Get(storeKey).(*Runner); cur == r {
		r.app.Store().Remove(storeKey)
	}
	stop()
	<-loopDone

	idle := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(idle)
	}()
	select {
	case <-idle:
		return
	case <-time.After(r.opts.StopTimeout):
	}
	r.mu.Lock()
	for _, cancel := range r.running {
		cancel(errStopping)
	}
	r.mu.Unlock()
	select {
	case <-idle:
	case <-time.After(2 * time.Second):
		r.app.Logger().Warn("jobs: handlers still running after cancel; they run again when their leases expire")
	}
}

// loop dispatches due jobs whenever it is woken (an enqueue, a finished job) or its
// poll interval passes, and prunes old done jobs hourly.
func (r *Runner) loop(ctx context.Context) {
	defer close(r.loopDone)
	tick := time.NewTicker(r.opts.PollInterval)
	defer tick.Stop()
	var pruned time.Time
	for {
		r.dispatch(ctx)
		if time.Since(pruned) > time.Hour {
			pruned = time.Now()
			r.prune()
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-tick.C:
		}
	}
}

// dueSQL finds claimable jobs with one read on idx_jobs_due: expired leases first (few:
// at most the runners' concurrency), then queued jobs in the order they came due.
// Without an ORDER BY over both halves SQLite stops at the LIMIT instead of sorting.
const dueSQL = `SELECT id FROM jobs WHERE status = 'running' AND lease_until < {:now} AND kind IN (%[1]s)
UNION ALL
SELECT id FROM jobs WHERE status = 'queued' AND next_attempt <= {:now} AND kind IN (%[1]s)
LIMIT {:limit}`

// dueQuery is dueSQL for kinds, at most limit rows, due now.
func dueQuery(kinds []string, limit int) (string, dbx.Params) {
	params := dbx.Params{"now": dbTime(time.Now()), "limit": limit}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = fmt.Sprintf("{:k%d}", i)
		params[fmt.Sprintf("k%d", i)] = k
	}
	return fmt.Sprintf(dueSQL, strings.Join(names, ", ")), params
}

// claimSQL takes a job for this runner if it is still claimable: the WHERE makes two
// runners racing for one row a single winner.
const claimSQL = `UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = {:lease}, leased_by = {:runner}, updated = {:now}
WHERE id = {:id} AND (status = 'queued' AND next_attempt <= {:now} OR status = 'running' AND lease_until < {:now})
RETURNING id, kind, [[key]], payload, attempts, max_attempts, created`

// jobRow is a claimed row.
type jobRow struct {
	ID          string         `db:"id"`
	Kind        string         `db:"kind"`
	Key         string         `db:"key"`
	Payload     types.JSONRaw  `db:"payload"`
	Attempts    int            `db:"attempts"`
	MaxAttempts int            `db:"max_attempts"`
	Created     types.DateTime `db:"created"`
}

// dispatch claims due jobs up to the free slots and starts them.
func (r *Runner) dispatch(ctx context.Context) {
	r.mu.Lock()
	free := r.opts.Concurrency - len(r.running)
	kinds := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		kinds = append(kinds, k)
	}
	r.mu.Unlock()
	slices.Sort(kinds)
	if free <= 0 || len(kinds) == 0 || ctx.Err() != nil {
		return
	}
	var ids []string
	query, params := dueQuery(kinds, free)
	err := r.app.ConcurrentDB().NewQuery(query).Bind(params).Column(&ids)
	if err != nil {
		r.app.Logger().Error("jobs: poll", "error", err)
		return
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			return
		}
		r.mu.Lock()
		_, mine := r.running[id] // our own lease expired under us: leave it to its handler
		r.mu.Unlock()
		if mine {
			continue
		}
		job, err := r.claim(id)
		if err != nil {
			r.app.Logger().Error("jobs: claim", "job", id, "error", err)
			continue
		}
		if job != nil {
			r.start(job)
		}
	}
}

// claim takes job id for this runner, or returns nil if another runner was first.
func (r *Runner) claim(id string) (*Job, error) {
	now := time.Now()
	var row jobRow
	err := r.app.NonconcurrentDB().NewQuery(claimSQL).Bind(dbx.Params{
		"id":     id,
		"runner": r.id,
		"now":    dbTime(now),
		"lease":  dbTime(now.Add(r.opts.Lease)),
	}).One(&row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	job := &Job{
		ID:          row.ID,
		Kind:        row.Kind,
		Key:         row.Key,
		Payload:     payloadBytes(row.Payload),
		Attempt:     row.Attempts,
		MaxAttempts: row.MaxAttempts,
		Created:     row.Created.Time(),
	}
	if job.MaxAttempts < 1 {
		job.MaxAttempts = DefaultMaxAttempts
	}
	return job, nil
}

// payloadBytes is a stored payload as Job.Payload holds it: JSON null for none.
func payloadBytes(raw types.JSONRaw) []byte {
	if len(raw) == 0 {
		return []byte("null")
	}
	return slices.Clone([]byte(raw))
}

// start runs job in its own goroutine, holding one of the runner's slots.
func (r *Runner) start(job *Job) {
	ctx, cancel := context.WithCancelCause(context.Background())
	r.mu.Lock()
	h := r.handlers[job.Kind]
	r.running[job.ID] = cancel
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() {
			r.mu.Lock()
			delete(r.running, job.ID)
			r.mu.Unlock()
			cancel(nil)
			r.Wake() // a slot is free
		}()
		r.run(ctx, cancel, h, job)
	}()
}

// run calls the handler while renewing the lease, then records the outcome.
func (r *Runner) run(ctx context.Context, cancel context.CancelCauseFunc, h Handler, job *Job) {
	if job.Attempt > job.MaxAttempts {
		// Its lease expired during its last attempt: a crash, or a handler that kills
		// the process. Running it again could crash again.
		r.fail(job, errors.New("the runner stopped during the last attempt"))
		return
	}
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		r.renew(ctx, cancel, job)
	}()
	err := r.call(ctx, h, job)
	cause := context.Cause(ctx)
	cancel(nil) // ends the renewal
	<-renewed

	switch {
	case errors.Is(cause, errLeaseLost):
		r.app.Logger().Warn("jobs: lease lost; another runner has the job", "job", job.ID, "kind", job.Kind)
	case err == nil:
		r.finish(job, finishDoneSQL, nil)
	case errors.Is(cause, errStopping):
		r.finish(job, finishReleaseSQL, nil)
	case IsPermanent(err):
		r.fail(job, err)
	default:
		delay := r.opts.backoff(job.Attempt)
		if job.Attempt >= job.MaxAttempts || time.Since(job.Created)+delay > r.opts.MaxAge {
			r.fail(job, err)
			return
		}
		r.app.Logger().Warn("jobs: will retry", "job", job.ID, "kind", job.Kind, "attempt", job.Attempt, "in", delay.Round(time.Second), "error", err)
		r.finish(job, finishRetrySQL, dbx.Params{"error": lastError(err), "next": dbTime(time.Now().Add(delay))})
	}
}

// call runs h, turning a panic into an error (retried like any other) so one bad job
// can't take the server down.
func (r *Runner) call(ctx context.Context, h Handler, job *Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.app.Logger().Error("jobs: handler panicked", "job", job.ID, "kind", job.Kind, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(ctx, job)
}

const renewSQL = `UPDATE jobs SET lease_until = {:lease}
WHERE id = {:id} AND status = 'running' AND leased_by = {:runner} AND attempts = {:attempt}`

// renew extends job's lease every Lease/3 until ctx ends, and cancels ctx with
// errLeaseLost if the row is no longer this attempt's.
func (r *Runner) renew(ctx context.Context, cancel context.CancelCauseFunc, job *Job) {
	tick := time.NewTicker(r.opts.Lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		res, err := r.app.NonconcurrentDB().NewQuery(renewSQL).Bind(dbx.Params{
			"lease": dbTime(time.Now().Add(r.opts.Lease)), "id": job.ID, "runner": r.id, "attempt": job.Attempt,
		}).Execute()
		if err != nil {
			// The database is busy or gone: try again next tick, while the lease holds.
			r.app.Logger().Warn("jobs: renew lease", "job", job.ID, "error", err)
			continue
		}
		if n, _ := res.RowsAffected(); n == 0 {
			cancel(errLeaseLost)
			return
		}
	}
}

// The outcomes of an attempt. Each applies only to the row as this attempt claimed it,
// and each honours rerun (the job was enqueued again while it ran): the job goes back to
// the queue, when it was asked, with a fresh count of attempts.
const (
	finishWhere = `
WHERE id = {:id} AND status = 'running' AND leased_by = {:runner} AND attempts = {:attempt}`

	finishDoneSQL = `UPDATE jobs SET
	status = CASE WHEN rerun THEN 'queued' ELSE 'done' END,
	attempts = CASE WHEN rerun THEN 0 ELSE attempts END,
	rerun = FALSE, lease_until = '', last_error = '', updated = {:now}` + finishWhere

	finishRetrySQL = `UPDATE jobs SET status = 'queued',
	next_attempt = CASE WHEN rerun THEN next_attempt ELSE {:next} END,
	attempts = CASE WHEN rerun THEN 0 ELSE attempts END,
	rerun = FALSE, lease_until = '', last_error = {:error}, updated = {:now}` + finishWhere

	// finishReleaseSQL hands back a job that Stop interrupted, as if it never started.
	finishReleaseSQL = `UPDATE jobs SET status = 'queued', attempts = attempts - 1,
	rerun = FALSE, lease_until = '', updated = {:now}` + finishWhere

	finishFailSQL = `UPDATE jobs SET
	status = CASE WHEN rerun THEN 'queued' ELSE 'failed' END,
	attempts = CASE WHEN rerun THEN 0 ELSE attempts END,
	rerun = FALSE, lease_until = '', last_error = {:error}, updated = {:now}` + finishWhere + `
RETURNING status`
)

// finish records an attempt's outcome with one UPDATE.
func (r *Runner) finish(job *Job, query string, params dbx.Params) {
	if _, err := r.app.NonconcurrentDB().NewQuery(query).Bind(r.finishParams(job, params)).Execute(); err != nil {
		// The lease expires and the job runs again: at least once.
		r.app.Logger().Error("jobs: record outcome", "job", job.ID, "kind", job.Kind, "error", err)
	}
}

func (r *Runner) finishParams(job *Job, extra dbx.Params) dbx.Params {
	p := dbx.Params{"id": job.ID, "runner": r.id, "attempt": job.Attempt, "now": dbTime(time.Now())}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

// fail gives job up with cause as its last_error, and runs OnFailed in the same
// transaction. If OnFailed (or the transaction) errs, the job is marked failed without it,
// so a broken callback can't leave the job running until its lease expires.
func (r *Runner) fail(job *Job, cause error) {
	params := r.finishParams(job, dbx.Params{"error": lastError(cause)})
	var failed bool
	mark := func(txApp core.App, onFailed func(core.App, *Job, error) error) error {
		var status string
		err := txApp.NonconcurrentDB().NewQuery(finishFailSQL).Bind(params).Row(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // no longer this attempt's row
		}
		if err != nil {
			return err
		}
		// Otherwise it was enqueued again while it ran, and is queued afresh.
		failed = status == StatusFailed
		if failed && onFailed != nil {
			return onFailed(txApp, job, cause)
		}
		return nil
	}
	err := r.app.RunInTransaction(func(txApp core.App) error { return mark(txApp, r.opts.OnFailed) })
	if err != nil && r.opts.OnFailed != nil {
		r.app.Logger().Error("jobs: OnFailed", "job", job.ID, "kind", job.Kind, "error", err)
		err = mark(r.app, nil)
	}
	if err != nil {
		r.app.Logger().Error("jobs: mark failed", "job", job.ID, "kind", job.Kind, "error", err)
		return
	}
	if failed {
		r.app.Logger().Error("jobs: gave up", "job", job.ID, "kind", job.Kind, "attempt", job.Attempt, "error", cause)
	}
}

// prune deletes done jobs older than KeepDone, by idx_jobs_due: a done job's
// next_attempt is when its last run came due.
func (r *Runner) prune() {
	_, err := r.app.NonconcurrentDB().NewQuery(`DELETE FROM jobs WHERE status = 'done' AND next_attempt < {:before}`).
		Bind(dbx.Params{"before": dbTime(time.Now().Add(-r.opts.KeepDone))}).Execute()
	if err != nil {
		r.app.Logger().Error("jobs: prune done jobs", "error", err)
	}
}

// lastError is err's text as last_error holds it (the field's 2,000 characters).
func lastError(err error) string {
	s := strings.ToValidUTF8(err.Error(), "")
	if models.Truncate(s, 2000) != s {
		s = models.Truncate(s, 1997) + "..."
	}
	return s
}

// dbTime is t in PocketBase's stored date format, which orders as text.
func dbTime(t time.Time) string {
	return t.UTC().Format(types.DefaultDateLayout)
}
