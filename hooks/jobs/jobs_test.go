package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/jobs"
	_ "frontdesk/migrations"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if template.dir != "" {
		_ = os.RemoveAll(template.dir)
	}
	os.Exit(code)
}

// template is a database with every migration applied, made once: migrating takes
// seconds under -race, copying it milliseconds.
var template struct {
	once sync.Once
	dir  string
	err  error
}

// dataDir returns a new data dir holding a copy of the migrated template database.
func dataDir(t testing.TB) string {
	t.Helper()
	template.once.Do(func() {
		if template.dir, template.err = os.MkdirTemp("", "jobs-template-"); template.err != nil {
			return
		}
		app := core.NewBaseApp(core.BaseAppConfig{DataDir: template.dir})
		if template.err = app.Bootstrap(); template.err == nil {
			template.err = app.RunAllMigrations()
		}
		_ = app.ResetBootstrapState()
	})
	if template.err != nil {
		t.Fatalf("template database: %v", template.err)
	}
	dir := t.TempDir()
	files, err := os.ReadDir(template.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !f.Type().IsRegular() || strings.HasSuffix(f.Name(), "-shm") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(template.dir, f.Name()))
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, f.Name()), b, 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// newApp opens the Frontdesk database in dir (from dataDir), closed when the test ends.
// Two apps on one dir are two runners' views of one queue.
func newApp(t testing.TB, dir string) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.ResetBootstrapState() })
	if err := app.RunAllMigrations(); err != nil { // none left to apply: a check
		t.Fatal(err)
	}
	return app
}

// start starts a runner with handlers and stops it when the test ends (before the app closes).
func start(t testing.TB, app core.App, opts jobs.Options, handlers map[string]jobs.Handler) *jobs.Runner {
	t.Helper()
	r := jobs.New(app, opts)
	for kind, h := range handlers {
		r.Handle(kind, h)
	}
	r.Start()
	t.Cleanup(r.Stop)
	return r
}

func enqueue(t testing.TB, app core.App, kind, key string, payload any, opts ...jobs.EnqueueOption) string {
	t.Helper()
	id, err := jobs.Enqueue(app, kind, key, payload, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// row is a job's stored state.
type row struct {
	status    string
	attempts  int
	lastError string
	leasedBy  string
}

func jobRow(t testing.TB, app core.App, id string) row {
	t.Helper()
	r, err := app.FindRecordById(jobs.Collection, id)
	if err != nil {
		t.Fatalf("job %s: %v", id, err)
	}
	return row{r.GetString("status"), r.GetInt("attempts"), r.GetString("last_error"), r.GetString("leased_by")}
}

func countJobs(t testing.TB, app core.App) int {
	t.Helper()
	n, err := app.CountRecords(jobs.Collection)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitStatus(t testing.TB, app core.App, id, status string) row {
	t.Helper()
	var last row
	waitFor(t, 10*time.Second, "job "+status, func() bool {
		last = jobRow(t, app, id)
		return last.status == status
	})
	return last
}

// slowPoll is a poll interval no test waits for: what happens sooner was woken.
const slowPoll = time.Minute

func TestRunsAJobAtOnceWhenItsTransactionCommits(t *testing.T) {
	t.Parallel()
	app := newApp(t, dataDir(t))
	type payload struct {
		Document string `json:"document"`
	}
	got := make(chan *jobs.Job, 1)
	var ran time.Time
	start(t, app, jobs.Options{PollInterval: slowPoll}, map[string]jobs.Handler{
		"document.ingest": func(ctx context.Context, j *jobs.Job) error {
			ran = time.Now()
			got <- j
			return nil
		},
	})
	time.Sleep(50 * time.Millisecond) // the runner's first look at the queue is behind it

	var id string
	var committed time.Time
	err := app.RunInTransaction(func(txApp core.App) error {
		var err error
		id, err = jobs.Enqueue(txApp, "document.ingest", "document:abc", payload{"abc"})
		// Had Enqueue woken the runner now, it would find nothing yet and sleep a full poll.
		time.Sleep(100 * time.Millisecond)
		committed = time.Now()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var j *jobs.Job
	select {
	case j = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the job did not run after its transaction committed")
	}
	if ran.Before(committed) {
		t.Fatal("the job ran before its transaction committed")
	}
	if d := ran.Sub(committed); d > time.Second {
		t.Fatalf("the job ran %v after the commit; want at once", d)
	}
	var p payload
	if err := j.Decode(&p); err != nil || p.Document != "abc" {
		t.Fatalf("payload %+v, %v", p, err)
	}
	if j.ID != id || j.Kind != "document.ingest" || j.Key != "document:abc" || j.Attempt != 1 || j.MaxAttempts != jobs.DefaultMaxAttempts {
		t.Fatalf("job %+v", j)
	}
	if r := waitStatus(t, app, id, jobs.StatusDone); r.attempts != 1 || r.lastError != "" {
		t.Fatalf("done row %+v", r)
	}
}

func TestEnqueueInARolledBackTransactionLeavesNoJob(t *testing.T) {
	t.Parallel()
	app := newApp(t, dataDir(t))
	var runs atomic.Int32
	start(t, app, jobs.Options{PollInterval: 20 * time.Millisecond}, map[string]jobs.Handler{
		"x": func(ctx context.Context, j *jobs.Job) error { runs.Add(1); return nil },
	})
	rollback := errors.New("the record failed to save")
	err := app.RunInTransaction(func(txApp core.App) error {
		enqueue(t, txApp, "x", "", nil)
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("transaction: %v", err)
	}
	time.Sleep(200 * time.Millisecond) // ten polls
	if n := runs.Load(); n != 0 {
		t.Fatalf("ran %d times", n)
	}
	if n := countJobs(t, app); n != 0 {
		t.Fatalf("%d jobs stored", n)
	}
}

func TestRetriesWithBackoffThenSucceeds(t *testing.T) {
	t.Parallel()
	app := newApp(t, dataDir(t))
	var mu sync.Mutex
	var at []time.Time
	start(t, app, jobs.Options{PollInterval: 10 * time.Millisecond, RetryBase: 100 * time.Millisecond, RetryMax: 150 * time.Millisecond},
		map[string]jobs.Handler{
			"flaky": func(ctx context.Context, j *jobs.Job) error {
				mu.Lock()
				defer mu.Unlock()
				at = append(at, time.Now())
				if j.Attempt != len(at) {
					t.Errorf("attempt %d, want %d", j.Attempt, len(at))
				}
				if j.Attempt < 3 {
					return fmt.Errorf("smtp: try again (%d)", j.Attempt)
				}
				return nil
			},
		})
	id := enqueue(t, app, "flaky", "", nil)
	r := waitStatus(t, app, id, jobs.StatusDone)
	if r.attempts != 3 || r.lastError != "" {
		t.Fatalf("done row %+v", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(at) != 3 {
		t.Fatalf("ran %d times, want 3", len(at))
	}
	// Retry n waits between half and all of min(base*2^(n-1), max).
	for i, min := range []time.Duration{50 * time.Millisecond, 75 * time.Millisecond} {
		if gap := at[i+1].Sub(at[i]); gap < min {
			t.Fatalf("retry %d came after %v, want at least %v", i+1, gap, min)
		}
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	app := newApp(t, dataDir(t))
	var runs atomic.Int32
	type failure struct {
		job *jobs.Job
		err error
	}
	failed := make(chan failure, 10)
	start(t, app, jobs.Options{
		PollInterval: 10 * time.Millisecond, RetryBase: 10 * time.Millisecond,
		OnFailed: func(txApp core.App, job *jobs.Job, err error) error {
			if !txApp.IsTransactional() {
				t.Error("OnFailed outside the transaction that marks the job failed")
			}
			failed <- failure{job, err}
			return nil
		},
	}, map[string]jobs.Handler{
		"webhook": func(ctx context.Context, j *jobs.Job) error {
			return fmt.Errorf("endpoint answered 503 (attempt %d)", runs.Add(1))
		},
	})
	id := enqueue(t, app, "webhook", "", nil, jobs.MaxAttempts(3))
	r := waitStatus(t, app, id, jobs.StatusFailed)
	if r.attempts != 3 || r.lastError != "endpoint answered 503 (attempt 3)" {
		t.Fatalf("failed row %+v", r)
	}
	f := <-failed
	if f.job.ID != id || f.job.Attempt != 3 || f.err == nil || !strings.Contains(f.err.Error(), "attempt 3") {
		t.Fatalf("OnFailed got %+v, %v", f.job, f.err)
	}
	time.Sleep(100 * time.Millisecond)
	if n := runs.Load(); n != 3 || len(failed) != 0 {
		t.Fatalf("ran %d times, OnFailed %d more; want 3 and none", n, len(failed))
	}
}

func TestGivesUpWhenTheNextRetryIsPastMaxAge(t *testing.T) {
	t.Parallel()
	app := newApp(t, dataDir(t))
	var runs atomic.Int32
	start(t, app, jobs.Options{PollInterval: 10 * time.Millisecond, RetryBase: time.Hour, MaxAge: time.Minute},
		map[string]jobs.Handler{
			"calendar.sync": func(ctx context.Context, j *jobs.Job) error { runs.Add(1); return errors.New("caldav: timeout") },
		})
	id := enqueue(t, app, "calendar.sync", "", nil)
	if r := waitStatus(t, app, id, jobs.StatusFailed); r.attempts != 1 || r.lastError != "caldav: timeout" {
		t.Fatalf("failed row %+v", r)
	}
}

func TestPermanentErrorFailsWithoutRetry(t *testing.T) {
	t.Parallel()
	app := newApp(t, dataDir(t))
	var runs atomic.Int32
	start(t, app, jobs.Options{PollInterval: 10 * time.Millisecond, RetryBase: 10 * time.Millisecond},
		map[string]jobs.Handler{
			"sms": func(ctx context.Context, j *jobs.Job) error {
				runs.Add(1)
				return fmt.Errorf("twilio: %w", jobs.Permanent(errors.New("number unsubscribed")))
			},
		})
	id := enqueue(t, app, "sms", "", nil)
	r := waitStatus(t, app, id, jobs.StatusFailed)
	if r.attempts != 1 || r.lastError != "twilio: number unsubscribed" {
		t.Fatalf("failed row %+v", r)
	}
	time.Sleep(100 * time.Millisecond)
	if n := runs.Load(); n != 1 {
		t.Fatalf("ran %d times, want 1", n)
	}
}

func TestNeverRunsMoreThanConcurrencyJobsAtOnce(t *testing.T) {
	t.Parallel()
	app := newApp(t, dataDir(t))
	const limit, total = 2, 8
	var now, done atomic.Int32
	var mu sync.Mutex
	var peak int32
	start(t, app, jobs.Options{Concurrency: limit, PollInterval: slowPoll}, map[string]jobs.Handler{
		"crawl": func(ctx context.Context, j *jobs.Job) error {
			n := now.Add(1)
			mu.Lock()
			peak = max(peak, n)
			mu.Unlock()
			time.Sleep(30 * time.Millisecond)
			now.Add(-1)
			done.Add(1)
			return nil
		},
	})
	for range total {
		enqueue(t, app, "crawl", "", nil)
	}
	// With a one-minute poll, all eight finishing proves that a freed slot takes the next.
	waitFor(t, 10*time.Second, "all jobs done", func() bool { return done.Load() == total })
	mu.Lock()
	defer mu.Unlock()
	if peak != limit {
		t.Fatalf("peak of %d handlers at once, want %d", peak, limit)
	}
}

func TestDedupesByKeyWhilePending(t *testing.T) {
	t.Parallel()
	app := newApp(t, dataDir(t))
	// Not started yet: both enqueues find the first job queued.
	first := enqueue(t, app, "document.ingest", "document:1", map[string]int{"v": 1})
	if again := enqueue(t, app, "document.ingest", "document:1", map[string]int{"v": 2}); again != first {
		t.Fatalf("second enqueue made job %s beside %s", again, first)
	}
	other := enqueue(t, app, "document.ingest", "document:2", map[string]int{"v": 1})
	if other == first || countJobs(t, app) != 2 {
		t.Fatalf("another key is another job: %s, %d jobs", other, countJobs(t, app))
	}

	var mu sync.Mutex
	seen := map[string][]int{}
	release := make(chan struct{})
	start(t, app, jobs.Options{PollInterval: 10 * time.Millisecond}, map[string]jobs.Handler{
		"document.ingest": func(ctx context.Context, j *jobs.Job) error {
			var p struct{ V int }
			if err := j.Decode(&p); err != nil {
				return jobs.Permanent(err)
			}
			mu.Lock()
			seen[j.Key] = append(seen[j.Key], p.V)
			n := len(seen[j.Key])
			mu.Unlock()
			if j.Key == "document:1" && n == 1 {
				<-release
			}
			return nil
		},
	})
	waitFor(t, 5*time.Second, "document:1 running", func() bool { return jobRow(t, app, first).status == jobs.StatusRunning })
	// Saved again while it runs: the same job, which runs once more when this run ends,
	// with the newest payload.
	if again := enqueue(t, app, "document.ingest", "document:1", map[string]int{"v": 3}); again != first {
		t.Fatalf("enqueue while running made job %s beside %s", again, first)
	}
	close(release)
	waitFor(t, 5*time.Second, "the rerun", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen["document:1"]) == 2
	})
	waitStatus(t, app, first, jobs.StatusDone)
	waitStatus(t, app, other, jobs.StatusDone)
	mu.Lock()
	if got := fmt.Sprint(seen); got != "map[document:1:[2 3] document:2:[1]]" {
		t.Errorf("runs %s", got)
	}
	mu.Unlock()
	// Done is no longer pending: the key is free for a new job.
	if next := enqueue(t, app, "document.ingest", "document:1", map[string]int{"v": 4}); next == first {
		t.Fatal("enqueue after done reused the done job")
	}
}

func TestTwoRunnersOnOneDatabaseRunEachJobOnce(t *testing.T) {
	t.Parallel()
	dir := dataDir(t)
	a, b := newApp(t, dir), newApp(t, dir)
	const total = 24
	var mu sync.Mutex
	runs := map[string]int{}
	h := func(ctx context.Context, j *jobs.Job) error {
		mu.Lock()
		runs[j.ID]++
		mu.Unlock()
		time.Sleep(time.Millisecond)
		return nil
	}
	opts := jobs.Options{Concurrency: 4, PollInterval: 10 * time.Millisecond}
	start(t, a, opts, map[string]jobs.Handler{"x": h})
	start(t, b, opts, map[string]jobs.Handler{"x": h})
	ids := make([]string, total)
	for i := range ids {
		ids[i] = enqueue(t, []core.App{a, b}[i%2], "x", "", i)
	}
	for _, id := range ids {
		waitStatus(t, a, id, jobs.StatusDone)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, id := range ids {
		if runs[id] != 1 {
			t.Errorf("job %s ran %d times", id, runs[id])
		}
	}
}

func TestStopCancelsRunningJobsAndRequeuesThem(t *testing.T) {
	t.Parallel()
	app := newApp(t, dataDir(t))
	running := make(chan struct{})
	r := jobs.New(app, jobs.Options{PollInterval: slowPoll, StopTimeout: 50 * time.Millisecond})
	r.Handle("backup", func(ctx context.Context, j *jobs.Job) error {
		close(running)
		<-ctx.Done()
		return ctx.Err()
	})
	r.Start()
	id := enqueue(t, app, "backup", "", nil)
	<-running
	r.Stop()
	// Interrupted by shutdown, not failed: queued again, the attempt not counted.
	if row := jobRow(t, app, id); row.status != jobs.StatusQueued || row.attempts != 0 {
		t.Fatalf("after Stop: %+v", row)
	}
}

func TestEveryEnqueuesFromCron(t *testing.T) {
	t.Parallel()
	app := newApp(t, dataDir(t))
	ran := make(chan struct{}, 2)
	r := start(t, app, jobs.Options{PollInterval: slowPoll}, map[string]jobs.Handler{
		"retention": func(ctx context.Context, j *jobs.Job) error { ran <- struct{}{}; return nil },
	})
	if err := r.Every("retention", "0 3 * * *", "retention"); err != nil {
		t.Fatal(err)
	}
	if err := r.Every("bad", "every night", "retention"); err == nil {
		t.Fatal("a bad cron expression was accepted")
	}
	var cron func()
	for _, j := range app.Cron().Jobs() {
		if j.Id() == "jobs:retention" && j.Expression() == "0 3 * * *" {
			cron = j.Run
		}
	}
	if cron == nil {
		t.Fatal("no cron job jobs:retention")
	}
	cron() // as PocketBase's cron does at 03:00
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("the cron's job did not run")
	}
	var keys []string
	if err := app.DB().NewQuery("SELECT [[key]] FROM jobs").Column(&keys); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != "cron:retention" {
		t.Fatalf("job keys %v", keys)
	}
}

// helperDirEnv names the data dir of TestHelperProcess, the child that
// TestRestartAfterKillRunsTheJobOnce kills mid-job.
const helperDirEnv = "FRONTDESK_JOBS_HELPER_DIR"

// helperLease is the child's lease: short, so that the parent takes over soon after
// the kill, yet renewed (every third of it) in time by a child slowed by -race.
const helperLease = time.Second

func TestRestartAfterKillRunsTheJobOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	t.Parallel()
	dir := dataDir(t)
	app := newApp(t, dir)
	id := enqueue(t, app, "ingest", "document:1", nil)

	child := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	child.Env = append(os.Environ(), helperDirEnv+"="+dir)
	child.Stdout, child.Stderr = os.Stderr, os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	started := filepath.Join(dir, "started")
	waitFor(t, 60*time.Second, "the child to start the job", func() bool {
		_, err := os.Stat(started)
		return err == nil
	})
	if r := jobRow(t, app, id); r.status != jobs.StatusRunning || r.attempts != 1 || r.leasedBy == "" {
		t.Fatalf("child's job %+v", r)
	}

	// A second runner here, while the child lives and renews its lease, must not take it.
	var runs atomic.Int32
	start(t, app, jobs.Options{PollInterval: 10 * time.Millisecond}, map[string]jobs.Handler{
		"ingest": func(ctx context.Context, j *jobs.Job) error {
			runs.Add(1)
			return appendLine(filepath.Join(dir, "runs"), j.ID)
		},
	})
	time.Sleep(3 * helperLease / 2)
	if n := runs.Load(); n != 0 {
		t.Fatalf("took the job while its runner lived (%d runs)", n)
	}

	if err := child.Process.Kill(); err != nil { // SIGKILL: no Stop, no cleanup
		t.Fatal(err)
	}
	_ = child.Wait()
	r := waitStatus(t, app, id, jobs.StatusDone)
	time.Sleep(200 * time.Millisecond) // twenty polls: time for a wrongful second run
	if n := runs.Load(); n != 1 || r.attempts != 2 {
		t.Fatalf("after the kill: %d runs, attempts %d; want 1 and 2", n, r.attempts)
	}
	for name, want := range map[string]string{"started": id + "\n", "runs": id + "\n"} {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); string(b) != want {
			t.Errorf("%s holds %q, want %q", name, b, want)
		}
	}
	if r := jobRow(t, app, id); r.status != jobs.StatusDone || r.attempts != 2 {
		t.Fatalf("finally %+v", r)
	}
}

// TestHelperProcess is not a test: it is the child process of
// TestRestartAfterKillRunsTheJobOnce, which runs the job until killed.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("the child process of TestRestartAfterKillRunsTheJobOnce")
	}
	app := newApp(t, dir)
	start(t, app, jobs.Options{Lease: helperLease, PollInterval: 10 * time.Millisecond}, map[string]jobs.Handler{
		"ingest": func(ctx context.Context, j *jobs.Job) error {
			if err := appendLine(filepath.Join(dir, "started"), j.ID); err != nil {
				return err
			}
			<-ctx.Done() // a crawl that takes longer than the parent waits
			return ctx.Err()
		},
	})
	time.Sleep(2 * time.Minute)
	t.Fatal("the parent did not kill this process")
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// The poll must stay one read on idx_jobs_due, never a scan of the table or a sort.
func TestPollUsesTheDueIndex(t *testing.T) {
	t.Parallel()
	app := newApp(t, dataDir(t))
	query, params := jobs.DueQuery([]string{"document.ingest", "outbox.send"}, 2)
	var plan []struct {
		Detail string `db:"detail"`
	}
	if err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + query).Bind(params).All(&plan); err != nil {
		t.Fatal(err)
	}
	uses := 0
	for _, p := range plan {
		if strings.HasPrefix(p.Detail, "SCAN") || strings.Contains(p.Detail, "TEMP B-TREE") {
			t.Fatalf("query plan %+v", plan)
		}
		if strings.Contains(p.Detail, "USING INDEX idx_jobs_due") {
			uses++
		}
	}
	if uses != 2 {
		t.Fatalf("query plan %+v", plan)
	}
}

// A server stopped while it was still starting terminates before its serve hooks have
// all returned: the runner's, coming back after that, must not start on the closed app
// (it polled a database that was gone, and crashed the process).
func TestRunnerBoundToAnAppThatTerminatedDoesNotStart(t *testing.T) {
	t.Parallel()
	app := newApp(t, dataDir(t))
	r := jobs.New(app, jobs.Options{PollInterval: 10 * time.Millisecond})
	ran := make(chan struct{}, 1)
	r.Handle("late.start", func(ctx context.Context, j *jobs.Job) error {
		ran <- struct{}{}
		return nil
	})
	r.Bind()
	t.Cleanup(r.Stop)
	if err := app.OnTerminate().Trigger(&core.TerminateEvent{App: app}); err != nil {
		t.Fatal(err)
	}
	if err := app.OnServe().Trigger(&core.ServeEvent{App: app}); err != nil {
		t.Fatal(err)
	}
	enqueue(t, app, "late.start", "", nil)
	select {
	case <-ran:
		t.Fatal("a runner started after its app terminated")
	case <-time.After(300 * time.Millisecond):
	}
}
