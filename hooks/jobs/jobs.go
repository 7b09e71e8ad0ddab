// Package jobs runs Frontdesk's background work (document ingestion, the alerts outbox,
// calendar sync, retention) on one runner with the database row as the queue, so a
// restart loses nothing: a job is a row of the jobs collection, added in the transaction
// of the record that caused it, claimed under a lease and retried with backoff.
//
// Delivery is at least once. A runner that dies mid-job (crash, kill, power cut) stops
// renewing its lease; once the lease expires another runner, or the same binary after
// its restart, runs the job again. So a handler must be idempotent: doing its work twice
// must end as doing it once (re-indexing a document replaces its chunks).
//
// Where a side effect must not repeat (an email, an SMS, a webhook), the outbox marks
// before and after: its handler returns nil at once if its outbox row is already "sent";
// otherwise it sets the row "sending" in its own write, sends, and sets it "sent" right
// after. A rerun after a crash then finds "sent" and sends nothing, so each success is
// sent and recorded once; only a crash in the one write between a send and its mark
// repeats it, and a row found "sending" tells the handler so (webhooks also carry a
// stable webhook-id, which lets the receiver drop the repeat).
//
// Enqueue works inside a caller's transaction, so the job commits or rolls back with the
// record that caused it. Document ingestion (hooks/ingest) is the model:
//
//	r := jobs.New(app, jobs.Options{})
//	r.Handle("ingest.document", func(ctx context.Context, j *jobs.Job) error {
//		var p struct{ Document string `json:"document"` }
//		if err := j.Decode(&p); err != nil {
//			return jobs.Permanent(err)
//		}
//		return k.ingest(ctx, p.Document) // idempotent: replaces the document's chunks
//	})
//	r.Bind() // starts with the server, stops with it
//
//	app.OnRecordCreateExecute("documents").BindFunc(func(e *core.RecordEvent) error {
//		return e.App.RunInTransaction(func(txApp core.App) error {
//			orig := e.App
//			e.App = txApp // the record saves in this transaction too
//			defer func() { e.App = orig }()
//			if err := e.Next(); err != nil {
//				return err
//			}
//			_, err := jobs.Enqueue(txApp, "ingest.document", "document:"+e.Record.Id,
//				map[string]string{"document": e.Record.Id})
//			return err
//		})
//	})
//
// The key "document:ID" makes a second save while the first is still queued the same
// job; a save while it runs makes it run once more afterwards, so no change is missed.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Collection is the name of the jobs collection (migrations/1795392020_jobs.go).
const Collection = "jobs"

// Job statuses.
const (
	StatusQueued  = "queued"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// DefaultMaxAttempts is how many times a job runs at most unless Enqueue says otherwise.
// With the default backoff that spans about twelve hours; Options.MaxAge ends it sooner.
const DefaultMaxAttempts = 20

// Handler does one job. A nil error marks it done; Permanent(err) fails it at once; any
// other error retries it later with backoff. ctx ends when the runner stops or loses
// the job's lease; a handler must honour it and must be idempotent (see the package doc).
// Its error is logged and kept in the job's last_error: no visitor data in it.
type Handler func(ctx context.Context, job *Job) error

// Job is one claimed job as its handler sees it.
type Job struct {
	ID   string
	Kind string
	// Key is the dedupe key given to Enqueue, or "".
	Key string
	// Payload is the JSON Enqueue stored; Decode reads it.
	Payload json.RawMessage
	// Attempt is 1 on the first run, 2 on the first retry, and so on.
	Attempt     int
	MaxAttempts int
	// Created is when the job was first enqueued.
	Created time.Time
}

// Decode unmarshals the job's payload into v.
func (j *Job) Decode(v any) error {
	if err := json.Unmarshal(j.Payload, v); err != nil {
		return fmt.Errorf("job %s payload: %w", j.Kind, err)
	}
	return nil
}

// permanentError is an error no retry can fix.
type permanentError struct{ err error }

func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

// Permanent marks err as one a retry can't fix (bad payload, deleted record, refused
// credentials): a handler returning it fails the job without retrying. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, was made by Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// EnqueueOption changes how Enqueue schedules a job.
type EnqueueOption func(*enqueueOptions)

type enqueueOptions struct {
	at          time.Time
	maxAttempts int
}

// At runs the job no earlier than t (default: now).
func At(t time.Time) EnqueueOption {
	return func(o *enqueueOptions) { o.at = t }
}

// MaxAttempts sets how many times the job runs at most (default DefaultMaxAttempts).
func MaxAttempts(n int) EnqueueOption {
	return func(o *enqueueOptions) { o.maxAttempts = n }
}

// enqueueSQL adds a job or, when key names one already queued or running, updates that
// one: the newest payload wins, a queued job becomes due no later than asked, and a
// running one is flagged to run once more when it finishes. The conflict target repeats
// idx_jobs_pending_key's WHERE, which is how SQLite matches a partial unique index.
const enqueueSQL = `INSERT INTO jobs (id, kind, [[key]], payload, status, attempts, max_attempts, next_attempt, lease_until, leased_by, last_error, rerun, created, updated)
VALUES ({:id}, {:kind}, {:key}, {:payload}, 'queued', 0, {:max}, {:at}, '', '', '', FALSE, {:now}, {:now})
ON CONFLICT ([[key]]) WHERE [[key]] != '' AND status != 'done' AND status != 'failed' DO UPDATE SET
	payload = excluded.payload,
	next_attempt = CASE WHEN status = 'running' OR excluded.next_attempt < next_attempt THEN excluded.next_attempt ELSE next_attempt END,
	rerun = rerun OR status = 'running',
	updated = excluded.updated
RETURNING id`

// Enqueue adds a job of kind with payload (marshalled to JSON) and returns its id. app
// may be a transaction's app (RunInTransaction's txApp): then the job commits or rolls
// back with the caller's other writes, and the runner is woken only after the commit.
//
// A non-empty key dedupes: while a job with that key is queued or running, Enqueue
// returns that job's id instead of adding another, and updates it as described in the
// package doc.
//
// It writes with one SQL statement, below PocketBase's record hooks, so it costs the
// caller's transaction a single indexed insert.
func Enqueue(app core.App, kind, key string, payload any, opts ...EnqueueOption) (string, error) {
	if kind == "" {
		return "", errors.New("enqueue: empty kind")
	}
	o := enqueueOptions{maxAttempts: DefaultMaxAttempts}
	for _, opt := range opts {
		opt(&o)
	}
	data, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("enqueue %s: payload: %w", kind, err)
	}
	now := time.Now()
	at := now
	if !o.at.IsZero() {
		at = o.at
	}
	if o.maxAttempts < 1 {
		o.maxAttempts = 1
	}
	var id string
	err = app.NonconcurrentDB().NewQuery(enqueueSQL).Bind(dbx.Params{
		"id":      core.GenerateDefaultRandomId(),
		"kind":    kind,
		"key":     key,
		"payload": string(data),
		"max":     o.maxAttempts,
		"at":      dbTime(at),
		"now":     dbTime(now),
	}).Row(&id)
	if err != nil {
		return "", fmt.Errorf("enqueue %s: %w", kind, err)
	}
	wakeAfterCommit(app)
	return id, nil
}

// storeKey is where a started Runner leaves itself in the app's store, which a
// transaction's app shares with its parent, so Enqueue can wake it.
const storeKey = "frontdesk.jobs.runner"

// wakeAfterCommit wakes app's runner now, or when app's transaction commits: woken
// earlier, the runner could read before the job is visible and then sleep a full poll.
func wakeAfterCommit(app core.App) {
	r, _ := app.Store().Get(storeKey).(*Runner)
	if r == nil {
		return // no runner in this process: a runner elsewhere polls for it
	}
	if tx := app.TxInfo(); tx != nil {
		tx.OnComplete(func(txErr error) error {
			if txErr == nil {
				r.Wake()
			}
			return nil
		})
		return
	}
	r.Wake()
}
