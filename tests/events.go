package tests

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// EventStream is a visitor's open events stream (GET .../conversations/{id}/events), read
// as the widget reads it.
type EventStream struct {
	// Response is the stream's response; its body is read by the stream itself.
	Response *http.Response
	events   chan Event
	done     chan error
	cancel   context.CancelFunc
}

// OpenEvents opens the events stream of conversation id of the practice slug at baseURL
// (a listening server's), with lastID as Last-Event-ID when not empty. A response that
// is not a stream is returned unread, for its error. The stream closes when the test ends.
func OpenEvents(t testing.TB, baseURL, slug, id, token, lastID string) *EventStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/api/widget/"+slug+"/conversations/"+id+"/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(TokenHeader, token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("events: %v", err)
	}
	s := &EventStream{Response: res, events: make(chan Event, 64), done: make(chan error, 1), cancel: cancel}
	t.Cleanup(s.Close)
	if res.StatusCode != http.StatusOK {
		return s
	}
	go func() {
		err := EachEvent(res.Body, func(e Event) bool {
			s.events <- e
			return true
		})
		close(s.events)
		s.done <- err
	}()
	return s
}

// Next is the stream's next event, or false when the stream ended. within bounds the
// wait so a missing event fails the test rather than hanging it; it is no speed goal.
func (s *EventStream) Next(t testing.TB, within time.Duration) (Event, bool) {
	t.Helper()
	select {
	case e, ok := <-s.events:
		return e, ok
	case <-time.After(within):
		t.Fatalf("no event within %v", within)
		return Event{}, false
	}
}

// Events are the stream's events as they arrive, closed when it ends: for a reader of
// its own (Next reads the same channel).
func (s *EventStream) Events() <-chan Event { return s.events }

// Close ends the stream from the visitor's side.
func (s *EventStream) Close() {
	s.cancel()
	_ = s.Response.Body.Close()
}
