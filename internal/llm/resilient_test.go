package llm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// scripted is a Provider whose n-th Chat call runs script(n, ctx, emit).
type scripted struct {
	calls  atomic.Int32
	script func(n int, ctx context.Context, emit func(Event) error) error
}

func (s *scripted) Name() string { return "scripted" }

func (s *scripted) Chat(ctx context.Context, _ Request, emit func(Event) error) error {
	return s.script(int(s.calls.Add(1)), ctx, emit)
}

func (s *scripted) Embed(ctx context.Context, _ string, texts []string) ([][]float32, error) {
	if err := s.script(int(s.calls.Add(1)), ctx, nil); err != nil {
		return nil, err
	}
	return make([][]float32, len(texts)), nil
}

func TestWithTimeoutsRetries(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &net.OpError{Err: syscall.ECONNREFUSED}}
	for _, tc := range []struct {
		name      string
		err       error
		wantCalls int32
	}{
		{"dial refused", refused, 3},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), 3},
		{"503", &statusError{provider: "x", code: 503, err: errors.New("busy")}, 3},
		{"429", &statusError{provider: "x", code: 429, err: errors.New("slow down")}, 3},
		{"400", &statusError{provider: "x", code: 400, err: errors.New("bad")}, 1},
		{"401", &statusError{provider: "x", code: 401, err: errors.New("bad key")}, 1},
		{"other", errors.New("model not found"), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &scripted{script: func(int, context.Context, func(Event) error) error { return tc.err }}
			err := WithTimeouts(p, time.Minute, time.Minute).Chat(context.Background(), Request{}, func(Event) error { return nil })
			if !errors.Is(err, tc.err) {
				t.Errorf("err = %v, want %v", err, tc.err)
			}
			if n := p.calls.Load(); n != tc.wantCalls {
				t.Errorf("%d calls, want %d", n, tc.wantCalls)
			}
		})
	}
}

func TestWithTimeoutsRecoversOnRetry(t *testing.T) {
	p := &scripted{script: func(n int, _ context.Context, emit func(Event) error) error {
		if n == 1 {
			return syscall.ECONNREFUSED
		}
		return emit(Event{Text: "ok"})
	}}
	rec := &recorder{}
	if err := WithTimeouts(p, time.Minute, time.Minute).Chat(context.Background(), Request{}, rec.emit); err != nil {
		t.Fatal(err)
	}
	if rec.text() != "ok" || p.calls.Load() != 2 {
		t.Errorf("text %q after %d calls", rec.text(), p.calls.Load())
	}
}

func TestWithTimeoutsNeverRetriesAfterAnEvent(t *testing.T) {
	p := &scripted{script: func(_ int, _ context.Context, emit func(Event) error) error {
		if err := emit(Event{Text: "Hel"}); err != nil {
			return err
		}
		return syscall.ECONNRESET
	}}
	rec := &recorder{}
	err := WithTimeouts(p, time.Minute, time.Minute).Chat(context.Background(), Request{}, rec.emit)
	if !errors.Is(err, syscall.ECONNRESET) || p.calls.Load() != 1 || rec.text() != "Hel" {
		t.Errorf("err %v, text %q after %d calls; want the reset after 1 call", err, rec.text(), p.calls.Load())
	}
}

func TestWithTimeoutsFirstToken(t *testing.T) {
	p := &scripted{script: func(_ int, ctx context.Context, emit func(Event) error) error {
		<-ctx.Done() // a model that never speaks
		return ctx.Err()
	}}
	err := WithTimeouts(p, 20*time.Millisecond, time.Minute).Chat(context.Background(), Request{}, func(Event) error { return nil })
	if !errors.Is(err, ErrFirstTokenTimeout) || p.calls.Load() != 1 {
		t.Errorf("err = %v after %d calls, want ErrFirstTokenTimeout after 1", err, p.calls.Load())
	}
}

func TestWithTimeoutsFirstTokenOnlyBoundsTheFirst(t *testing.T) {
	p := &scripted{script: func(_ int, ctx context.Context, emit func(Event) error) error {
		if err := emit(Event{Text: "a"}); err != nil {
			return err
		}
		select { // slower than the first-token bound, but after the first token
		case <-time.After(60 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
		return emit(Event{Text: "b"})
	}}
	rec := &recorder{}
	if err := WithTimeouts(p, 20*time.Millisecond, time.Minute).Chat(context.Background(), Request{}, rec.emit); err != nil {
		t.Fatal(err)
	}
	if rec.text() != "ab" {
		t.Errorf("text = %q", rec.text())
	}
}

func TestWithTimeoutsTotal(t *testing.T) {
	p := &scripted{script: func(_ int, ctx context.Context, emit func(Event) error) error {
		for ctx.Err() == nil { // a model that never stops
			if err := emit(Event{Text: "."}); err != nil {
				return err
			}
			time.Sleep(time.Millisecond)
		}
		return ctx.Err()
	}}
	err := WithTimeouts(p, time.Minute, 30*time.Millisecond).Chat(context.Background(), Request{}, func(Event) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrFirstTokenTimeout) {
		t.Errorf("err = %v, want a deadline error", err)
	}
}

func TestWithTimeoutsCallerCancels(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := &scripted{script: func(_ int, ctx context.Context, emit func(Event) error) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}}
	err := WithTimeouts(p, time.Minute, time.Minute).Chat(ctx, Request{}, func(Event) error { return nil })
	if !errors.Is(err, context.Canceled) || p.calls.Load() != 1 {
		t.Errorf("err = %v after %d calls, want context.Canceled after 1", err, p.calls.Load())
	}
}

func TestWithTimeoutsPassesEmitErrors(t *testing.T) {
	gone := errors.New("visitor gone")
	p := &scripted{script: func(_ int, _ context.Context, emit func(Event) error) error {
		return emit(Event{Text: "x"})
	}}
	err := WithTimeouts(p, time.Minute, time.Minute).Chat(context.Background(), Request{}, func(Event) error { return gone })
	if !errors.Is(err, gone) || p.calls.Load() != 1 {
		t.Errorf("err = %v after %d calls", err, p.calls.Load())
	}
}

func TestWithTimeoutsEmbedRetries(t *testing.T) {
	p := &scripted{script: func(n int, _ context.Context, _ func(Event) error) error {
		if n == 1 {
			return syscall.ECONNREFUSED
		}
		return nil
	}}
	w := WithTimeouts(p, time.Minute, time.Minute)
	vecs, err := w.Embed(context.Background(), "", []string{"a", "b"})
	if err != nil || len(vecs) != 2 || p.calls.Load() != 2 {
		t.Errorf("vecs %d, err %v after %d calls", len(vecs), err, p.calls.Load())
	}
	if w.Name() != "scripted" {
		t.Errorf("Name = %q", w.Name())
	}
}

// TestWithTimeoutsRealRefusedPort dials a port nobody listens on, through the
// real Ollama client, and expects three attempts' worth of refusals.
func TestWithTimeoutsRealRefusedPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p, err := NewOllama("http://"+addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = WithTimeouts(p, 5*time.Second, 10*time.Second).Chat(context.Background(),
		Request{Messages: []Message{{Role: RoleUser, Content: "hi"}}}, func(Event) error { return nil })
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("err = %v, want ECONNREFUSED", err)
	}
}

func init() {
	// Retries in tests wait a few milliseconds, not the production backoff.
	retryBackoff = 5 * time.Millisecond
}
