package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// maxRetries is how many more times a call that failed before its first event is tried.
const maxRetries = 2

// retryBackoff is the wait before the first retry; it doubles for the next.
// A variable so tests of the retry path stay quick.
var retryBackoff = 100 * time.Millisecond

// WithTimeouts wraps p so that a reply fails with ErrFirstTokenTimeout when no
// Event arrives within firstToken, and the whole reply is bounded by total
// (a zero duration disables either bound). Connection failures and HTTP
// 5xx/429 answers are retried up to twice with a short backoff, but only
// while nothing has been emitted: once the visitor has seen part of a reply, a
// retry would show them a second, different one.
func WithTimeouts(p Provider, firstToken, total time.Duration) Provider {
	return &resilient{p: p, firstToken: firstToken, total: total}
}

type resilient struct {
	p                 Provider
	firstToken, total time.Duration
}

func (r *resilient) Name() string { return r.p.Name() }

func (r *resilient) Chat(ctx context.Context, req Request, emit func(Event) error) error {
	parent := ctx
	if r.total > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.total)
		defer cancel()
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	// emitted and timedOut are decided under one lock so that an event racing
	// the first-token timer is either delivered or the timeout wins, never both.
	var (
		mu       sync.Mutex
		emitted  bool
		timedOut bool
	)
	if r.firstToken > 0 {
		timer := time.AfterFunc(r.firstToken, func() {
			mu.Lock()
			defer mu.Unlock()
			if !emitted {
				timedOut = true
				cancel(ErrFirstTokenTimeout)
			}
		})
		defer timer.Stop()
	}
	guarded := func(ev Event) error {
		mu.Lock()
		if timedOut {
			mu.Unlock()
			return ErrFirstTokenTimeout
		}
		emitted = true
		mu.Unlock()
		return emit(ev)
	}
	hasEmitted := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return emitted
	}

	backoff := retryBackoff
	for attempt := 0; ; attempt++ {
		err := r.p.Chat(ctx, req, guarded)
		if err == nil {
			return nil
		}
		if attempt < maxRetries && !hasEmitted() && retryable(err) && sleep(ctx, backoff) {
			backoff *= 2
			continue
		}
		switch {
		case errors.Is(context.Cause(ctx), ErrFirstTokenTimeout):
			return fmt.Errorf("%s: %w", r.p.Name(), ErrFirstTokenTimeout)
		case parent.Err() == nil && ctx.Err() != nil:
			return fmt.Errorf("%s: reply took longer than %s: %w", r.p.Name(), r.total, context.DeadlineExceeded)
		}
		return err
	}
}

// Embed bounds the call by the total timeout and retries connection failures;
// embedding is idempotent, so a retry is always safe.
func (r *resilient) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	if r.total > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.total)
		defer cancel()
	}
	backoff := retryBackoff
	for attempt := 0; ; attempt++ {
		vecs, err := r.p.Embed(ctx, model, texts)
		if err != nil && attempt < maxRetries && retryable(err) && sleep(ctx, backoff) {
			backoff *= 2
			continue
		}
		return vecs, err
	}
}

// sleep waits for d or until ctx ends, reporting whether the full wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// statusError is an HTTP error answer from a model server, kept apart from
// transport failures so retryable can tell an overloaded server from a bad request.
type statusError struct {
	provider string
	code     int
	err      error
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s: HTTP %d: %v", e.provider, e.code, e.err)
}

func (e *statusError) Unwrap() error { return e.err }

// retryable reports whether err means the server could not take the request
// right now (refused, reset, cut off, overloaded, rate limited), as opposed to
// a request it will refuse every time.
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.code == http.StatusTooManyRequests || se.code >= 500
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// errTruncated reports a stream that ended without the server's end marker:
// the connection dropped mid-reply.
func errTruncated(provider string) error {
	return fmt.Errorf("%s: stream ended before the reply was complete: %w", provider, io.ErrUnexpectedEOF)
}
