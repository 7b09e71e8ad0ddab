package sse

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a ResponseWriter that keeps each write apart, so a test sees which events
// shared one, and tells of each write on a channel, for the timer's.
type recorder struct {
	header http.Header
	status int
	wrote  chan struct{}
	fail   bool // every write fails, as to a client that went away

	mu      sync.Mutex
	writes  []string
	flushes int
}

func newRecorder() *recorder {
	return &recorder{header: http.Header{}, wrote: make(chan struct{}, 100)}
}

func (r *recorder) Header() http.Header  { return r.header }
func (r *recorder) WriteHeader(code int) { r.status = code }

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		r.writes = append(r.writes, "(failed)")
		return 0, errors.New("broken pipe")
	}
	r.writes = append(r.writes, string(p))
	select {
	case r.wrote <- struct{}{}:
	default: // a test that makes many writes doesn't wait for them
	}
	return len(p), nil
}

func (r *recorder) Flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushes++
}

func (r *recorder) written() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.writes...)
}

// start is New on a recorder, with the delta window set for the test.
func start(t *testing.T, window time.Duration) (*Writer, *recorder, context.CancelFunc) {
	t.Helper()
	rec := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w := New(rec, httptest.NewRequestWithContext(ctx, "POST", "/", nil))
	w.window = window
	t.Cleanup(w.Close)
	return w, rec, cancel
}

func delta(text string) string {
	return "event: delta\ndata: {\"text\":\"" + text + "\"}\n\n"
}

func assertWrites(t *testing.T, rec *recorder, want ...string) {
	t.Helper()
	got := rec.written()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("writes\n%q\nwant\n%q", got, want)
	}
}

func TestNewStartsAnUnbufferedStream(t *testing.T) {
	_, rec, _ := start(t, deltaWindow)
	if rec.status != 200 || rec.header.Get("Content-Type") != "text/event-stream" ||
		rec.header.Get("Cache-Control") != "no-store" || rec.header.Get("X-Accel-Buffering") != "no" {
		t.Fatalf("status %d header %v", rec.status, rec.header)
	}
}

func TestEveryWriteIsFlushed(t *testing.T) {
	w, rec, _ := start(t, 0)
	w.Send("message", map[string]string{"id": "m1"})
	w.Delta("Hi")
	w.Ping()
	if rec.flushes != 3 {
		t.Fatalf("%d flushes for 3 writes", rec.flushes)
	}
}

func TestFirstDeltaIsWrittenAtOnceAndFollowersShareAWrite(t *testing.T) {
	w, rec, _ := start(t, time.Hour)
	w.Send("message", map[string]string{"id": "m1"})
	w.Delta("We are ")
	w.Delta("open ")
	w.Delta("Monday")
	assertWrites(t, rec,
		"event: message\ndata: {\"id\":\"m1\"}\n\n",
		delta("We are "))
	w.Send("done", map[string]string{"id": "m2"})
	assertWrites(t, rec,
		"event: message\ndata: {\"id\":\"m1\"}\n\n",
		delta("We are "),
		delta("open ")+delta("Monday")+"event: done\ndata: {\"id\":\"m2\"}\n\n")
}

func TestHeldDeltaIsWrittenWhenTheWindowEndsWithoutAnotherChunk(t *testing.T) {
	w, rec, _ := start(t, 100*time.Millisecond)
	w.Delta("one ")
	w.Delta("two ")
	w.Delta("three")
	for range 2 {
		select {
		case <-rec.wrote:
		case <-time.After(5 * time.Second):
			t.Fatalf("held deltas never written: %q", rec.written())
		}
	}
	assertWrites(t, rec, delta("one "), delta("two ")+delta("three"))
	time.Sleep(150 * time.Millisecond) // no second timer
	assertWrites(t, rec, delta("one "), delta("two ")+delta("three"))
}

func TestDeltaAfterTheWindowIsWrittenAtOnce(t *testing.T) {
	w, rec, _ := start(t, 10*time.Millisecond)
	w.Delta("one ")
	time.Sleep(20 * time.Millisecond)
	w.Delta("two")
	assertWrites(t, rec, delta("one "), delta("two"))
}

func TestWritesAfterTheClientIsGoneAreDropped(t *testing.T) {
	w, rec, cancel := start(t, 0)
	w.Delta("one ")
	if w.Gone() {
		t.Fatal("gone while reading")
	}
	cancel()
	w.Delta("two")
	w.Send("done", nil)
	w.Ping()
	if !w.Gone() {
		t.Fatal("not gone after the request ended")
	}
	assertWrites(t, rec, delta("one "))
}

func TestAFailedWriteEndsTheStream(t *testing.T) {
	w, rec, _ := start(t, 0)
	rec.fail = true
	w.Delta("one ")
	if !w.Gone() {
		t.Fatal("not gone after a failed write")
	}
	w.Delta("two")
	w.Send("done", nil)
	assertWrites(t, rec, "(failed)")
}

func TestNothingIsWrittenAfterClose(t *testing.T) {
	w, rec, _ := start(t, time.Hour)
	w.Delta("one ")
	w.Delta("two") // held
	w.Close()
	w.flushHeld() // as a timer that fired while Close ran
	w.Delta("three")
	w.Send("done", nil)
	w.SendID("7", "message", nil)
	w.Ping()
	assertWrites(t, rec, delta("one "))
	if !w.Gone() {
		t.Fatal("a closed stream is not gone")
	}
}

func TestSendIDWritesTheIDFirst(t *testing.T) {
	w, rec, _ := start(t, 0)
	w.SendID("42", "message", map[string]string{"role": "staff"})
	w.SendID("4\r\n3\x00", "status", map[string]string{"status": "human"})
	assertWrites(t, rec,
		"id: 42\nevent: message\ndata: {\"role\":\"staff\"}\n\n",
		"id: 43\nevent: status\ndata: {\"status\":\"human\"}\n\n")
}

func TestPingIsACommentAfterHeldDeltas(t *testing.T) {
	w, rec, _ := start(t, time.Hour)
	w.Ping()
	w.Delta("one ")
	w.Delta("two")
	w.Ping()
	assertWrites(t, rec, ": ping\n\n", delta("one "), delta("two")+": ping\n\n")
}

func TestOnBeforeRunsJustBeforeItsEvent(t *testing.T) {
	w, rec, cancel := start(t, time.Hour)
	var seen []int
	w.OnBefore("done", func() { seen = append(seen, len(rec.written())) })
	w.Send("message", nil)
	w.Delta("one ")
	w.Delta("two")
	if len(seen) != 0 {
		t.Fatalf("ran before %v", seen)
	}
	w.Send("done", nil)
	cancel()
	w.Send("done", nil) // still runs: the lock is released whether or not the visitor stayed
	if len(seen) != 2 || seen[0] != 2 || seen[1] != 3 {
		t.Fatalf("ran with %v writes made", seen)
	}
}

func TestDeltaTextIsJSON(t *testing.T) {
	w, rec, _ := start(t, 0)
	text := "say \"hi\" \\ <b>&</b>\n\t\x01 é \u2028 \xff"
	w.Delta(text)
	r := NewReader(strings.NewReader(rec.written()[0]))
	ev, err := r.Next()
	if err != nil || ev.Name != "delta" {
		t.Fatalf("%v %v", ev, err)
	}
	want := `{"text":"say \"hi\" \\ \u003cb\u003e\u0026\u003c/b\u003e\n\t\u0001 é \u2028 \ufffd"}`
	if string(ev.Data) != want {
		t.Fatalf("data %s\nwant %s", ev.Data, want)
	}
}

// The writer's events read back through the reader, across a real connection.
func TestWriterAndReaderAgree(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w := New(rw, r)
		defer w.Close()
		w.SendID("1", "message", map[string]string{"text": "hello"})
		w.Delta("a")
		w.Delta("b\nc")
		w.Ping()
		w.Send("done", map[string]string{"text": "ab\nc"})
	}))
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	r := NewReader(res.Body)
	var got []string
	for {
		ev, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev.ID+" "+ev.Name+" "+string(ev.Data))
	}
	want := []string{
		`1 message {"text":"hello"}`,
		`1 delta {"text":"a"}`,
		`1 delta {"text":"b\nc"}`,
		`1 done {"text":"ab\nc"}`,
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("events\n%q\nwant\n%q", got, want)
	}
}

func TestWriterIsSafeForConcurrentUse(t *testing.T) {
	w, _, _ := start(t, time.Millisecond)
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 200 {
			w.Ping()
		}
	})
	for range 200 {
		w.Delta("x")
	}
	wg.Wait()
	w.Send("done", nil)
}

// discard is a ResponseWriter that keeps nothing, for measuring the writer alone.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) WriteHeader(int)             {}
func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) Flush()                      {}
func newDiscard() (*Writer, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	w := New(discard{http.Header{}}, httptest.NewRequestWithContext(ctx, "POST", "/", nil))
	w.window = 0 // every delta written: the timer is the one allocation a held delta costs
	return w, cancel
}

func TestDeltaAllocatesNothing(t *testing.T) {
	w, cancel := newDiscard()
	defer cancel()
	w.Delta("warm up the buffer")
	if n := testing.AllocsPerRun(100, func() { w.Delta("a chunk of a reply, \"quoted\"") }); n != 0 {
		t.Fatalf("%v allocations per delta", n)
	}
}

func BenchmarkDelta(b *testing.B) {
	w, cancel := newDiscard()
	defer cancel()
	b.ReportAllocs()
	for b.Loop() {
		w.Delta("a chunk of a reply, ")
	}
}
