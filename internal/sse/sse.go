// Package sse writes and reads server-sent events (text/event-stream): the one
// implementation Frontdesk's streaming routes, its tests and its load benchmark share.
// It knows nothing of PocketBase: a handler hands the Writer its response and request.
package sse

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// deltaWindow is how long deltas that follow a written one are held so they go out
// together: the first delta of a reply is written at once, and at a fast model's pace a
// few share one write (one system call here and one at the reader's end) instead of one
// each, with no delay a reader could notice. A slow model's chunks, further apart than
// this, are each written as they come.
const deltaWindow = 50 * time.Millisecond

// Writer writes server-sent events to one client until it disconnects; after that
// writes are dropped, so the caller can go on with work that must finish anyway (a reply
// is stored even when the visitor left). It is safe for concurrent use: a held delta is
// written by a timer, and a keep-alive may come from another goroutine.
type Writer struct {
	w      http.ResponseWriter
	rc     *http.ResponseController
	ctx    context.Context
	window time.Duration // deltaWindow; tests change it to make timing certain

	beforeEvent string
	before      func()

	mu      sync.Mutex  // held while writing
	gone    bool        // the client stopped reading, or Close was called
	pending []byte      // events to write with the next write: held deltas, then the one being sent
	wrote   time.Time   // when a delta was last written
	timer   *time.Timer // writes held deltas when it fires; nil when none is held
}

// New starts an event stream on w: it sets the headers that keep proxies from buffering
// or caching the stream and writes the 200 status. The stream is over for the client
// when r's context ends.
func New(w http.ResponseWriter, r *http.Request) *Writer {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	return &Writer{w: w, rc: http.NewResponseController(w), ctx: r.Context(), window: deltaWindow}
}

// OnBefore has fn run just before each event named event is written, whether or not the
// client is still reading. Chat releases the conversation's lock before done this way,
// so a visitor who sends the next message on done isn't refused. Call it before the
// first Send.
func (w *Writer) OnBefore(event string, fn func()) {
	w.beforeEvent, w.before = event, fn
}

// Send writes an event with data encoded as JSON, at once and after any held deltas.
func (w *Writer) Send(event string, data any) {
	w.send("", false, event, data)
}

// SendID is Send with an id field: the client's EventSource sends the last id it saw
// back as Last-Event-ID when it reconnects, so the stream can resume after it. An id is
// one line without NUL (the spec ignores such ids): line breaks and NULs are dropped.
func (w *Writer) SendID(id, event string, data any) {
	w.send(id, true, event, data)
}

func (w *Writer) send(id string, withID bool, event string, data any) {
	if w.before != nil && event == w.beforeEvent {
		w.before()
	}
	b, err := json.Marshal(data)
	if err != nil {
		b = []byte("null") // a value JSON can't hold is the caller's bug; the event stays well-formed
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopTimer()
	if withID {
		w.pending = append(w.pending, "id: "...)
		w.pending = append(w.pending, oneLine(id)...)
		w.pending = append(w.pending, '\n')
	}
	w.pending = append(w.pending, "event: "...)
	w.pending = append(w.pending, event...)
	w.pending = append(w.pending, "\ndata: "...)
	w.pending = append(w.pending, b...)
	w.pending = append(w.pending, "\n\n"...)
	w.write()
}

// Delta sends one chunk of a reply as the event `delta` with data {"text": text}. It is
// the hot path, built without maps or reflection. A delta that comes within 50 ms of the
// last one written is held and written with the next event, or by a timer when the window
// ends, so no chunk waits for the one after it.
func (w *Writer) Delta(text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gone {
		return
	}
	w.pending = append(w.pending, "event: delta\ndata: {\"text\":"...)
	w.pending = appendQuote(w.pending, text)
	w.pending = append(w.pending, "}\n\n"...)
	if w.timer != nil {
		return // already due to be written
	}
	if wait := w.window - time.Since(w.wrote); !w.wrote.IsZero() && wait > 0 {
		w.timer = time.AfterFunc(wait, w.flushHeld)
		return
	}
	w.write()
	w.wrote = time.Now()
}

// Ping writes a comment line, which EventSource ignores: a keep-alive, so proxies that
// close idle connections leave a quiet stream open, and a failed write shows the client
// has gone.
func (w *Writer) Ping() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopTimer()
	w.pending = append(w.pending, ": ping\n\n"...)
	w.write()
}

// Gone reports whether the client has stopped reading the stream (or it was closed).
func (w *Writer) Gone() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.gone = w.gone || w.ctx.Err() != nil
	return w.gone
}

// Close ends the stream; call it before the handler returns, since a held delta's timer
// must not write to a finished response. Deltas still held are dropped: a stream ends
// with an event that is sent, which writes them first.
func (w *Writer) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopTimer()
	w.pending = w.pending[:0]
	w.gone = true
}

// flushHeld writes the held deltas when their window ends.
func (w *Writer) flushHeld() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer == nil {
		return // written meanwhile with another event
	}
	w.timer = nil
	w.write()
	w.wrote = time.Now()
}

// stopTimer cancels the held deltas' timer: they go out with the write that follows.
// w.mu is held.
func (w *Writer) stopTimer() {
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
}

// write writes and flushes what is pending, or drops it once the client is gone. w.mu is
// held.
func (w *Writer) write() {
	out := w.pending
	w.pending = w.pending[:0] // reused: Write keeps no reference to out
	if len(out) == 0 {
		return
	}
	if w.gone || w.ctx.Err() != nil {
		w.gone = true
		return
	}
	if _, err := w.w.Write(out); err != nil {
		w.gone = true
		return
	}
	if err := w.rc.Flush(); err != nil {
		w.gone = true
	}
}

// oneLine drops what would end an id's line early or make readers ignore it.
func oneLine(id string) string {
	if !strings.ContainsAny(id, "\r\n\x00") {
		return id
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == 0 {
			return -1
		}
		return r
	}, id)
}
