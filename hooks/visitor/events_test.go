package visitor_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	pbtests "github.com/pocketbase/pocketbase/tests"

	"frontdesk/models"
	"frontdesk/tests"
)

// within bounds each wait for an event: a deadline for a failure message, not a speed goal.
const within = 10 * time.Second

// staffFixture is the two practices, a visitor of practice A and a listening server.
type staffFixture struct {
	*tests.Practices
	v   *tests.Visitor
	url string
}

func newStaffFixture(t *testing.T) *staffFixture {
	t.Helper()
	f := tests.NewPractices(t)
	f.UpdateSettings(t, tests.NoRateLimits)
	srv := httptest.NewServer(f.H)
	t.Cleanup(srv.Close)
	return &staffFixture{Practices: f, v: &tests.Visitor{T: t, App: f.App.(*pbtests.TestApp), H: f.H}, url: srv.URL}
}

func (f *staffFixture) status(t *testing.T, id, status, actor string) {
	t.Helper()
	if rec := f.Do(http.MethodPatch, "/api/collections/conversations/records/"+id, `{"status":"`+status+`"}`, actor); rec.Code != http.StatusOK {
		t.Fatalf("status %s: %d %s", status, rec.Code, rec.Body.String())
	}
}

func (f *staffFixture) write(t *testing.T, id, text, actor string) string {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"conversation": id, "role": models.RoleStaff, "text": text})
	rec := f.Do(http.MethodPost, "/api/collections/messages/records", string(b), actor)
	if rec.Code != http.StatusOK {
		t.Fatalf("staff message: %d %s", rec.Code, rec.Body.String())
	}
	return tests.Decode(t, rec)["id"].(string)
}

// next reads the stream's next event and checks its name.
func next(t *testing.T, s *tests.EventStream, name string) tests.Event {
	t.Helper()
	e, ok := s.Next(t, within)
	if !ok {
		t.Fatalf("stream ended; want %s", name)
	}
	if e.Name != name {
		t.Fatalf("event %s %v, want %s", e.Name, e.Data, name)
	}
	return e
}

func TestHeldTurnStoresTheMessageAndEndsWithoutReply(t *testing.T) {
	f := newStaffFixture(t)
	id, tok := f.v.Start()
	f.status(t, id, models.StatusHuman, tests.Admin)

	rec, events := f.v.Send(id, tok, "Are you there?")
	if rec.Code != http.StatusOK {
		t.Fatalf("message while held: %d %s", rec.Code, rec.Body.String())
	}
	if names := tests.Names(events); !slices.Equal(names, []string{"message", "held"}) {
		t.Fatalf("events while held %v, want message, held", names)
	}
	msgs := f.v.Messages(id)
	if len(msgs) != 1 || msgs[0]["role"] != models.RoleVisitor || msgs[0]["id"] != events[0].Data["id"] {
		t.Fatalf("stored while held: %v", msgs)
	}
	c, _ := f.App.FindRecordById(models.ConversationsCollection, id)
	if c.GetInt("message_count") != 1 {
		t.Fatalf("message_count %d, want 1", c.GetInt("message_count"))
	}
	// Sent on held, the next message is not refused as a turn still running.
	if rec, events := f.v.Send(id, tok, "Hello?"); rec.Code != http.StatusOK || !slices.Equal(tests.Names(events), []string{"message", "held"}) {
		t.Fatalf("second message while held: %d %v", rec.Code, tests.Names(events))
	}

	// Handed back, the assistant answers again.
	f.status(t, id, models.StatusOpen, tests.Admin)
	_, events = f.v.Send(id, tok, "When are you open?")
	if names := tests.Names(events); !slices.Equal(names, []string{"message", "delta", "done"}) {
		t.Fatalf("events after hand-back %v", names)
	}
}

func TestEventsStreamStaffMessagesAndStatus(t *testing.T) {
	f := newStaffFixture(t)
	id, tok := f.v.Start()
	s := tests.OpenEvents(t, f.url, "demo", id, tok, "")
	if ct := s.Response.Header.Get("Content-Type"); s.Response.StatusCode != http.StatusOK || ct != "text/event-stream" {
		t.Fatalf("events: %d %s", s.Response.StatusCode, ct)
	}
	if e := next(t, s, "status"); e.Data["status"] != models.StatusOpen || e.ID == "" {
		t.Fatalf("first event %v id %q, want the status now, with an id", e.Data, e.ID)
	}

	f.status(t, id, models.StatusHuman, tests.Admin)
	if e := next(t, s, "status"); e.Data["status"] != models.StatusHuman || e.Data["author"] != "admin" {
		t.Fatalf("takeover event %v", e.Data)
	}
	mid := f.write(t, id, "Hi, this is the front desk. How can I help?", tests.Admin)
	e := next(t, s, "message")
	want := map[string]any{"id": mid, "role": "staff", "text": "Hi, this is the front desk. How can I help?", "author": "admin"}
	for k, v := range want {
		if e.Data[k] != v {
			t.Fatalf("message event %v, want %v", e.Data, want)
		}
	}
	if e.ID != mid || strings.Contains(e.Data["author"].(string), "@") {
		t.Fatalf("message event id %q author %v", e.ID, e.Data["author"])
	}
	// A visitor's own message while held is not echoed back (the widget has it).
	f.v.Send(id, tok, "Thanks!")
	f.status(t, id, models.StatusOpen, tests.Admin)
	if e := next(t, s, "status"); e.Data["status"] != models.StatusOpen || e.Data["author"] != "admin" || e.ID != mid {
		t.Fatalf("hand-back event %v id %q", e.Data, e.ID)
	}
	// The history has the staff message by its author's name.
	rec := f.v.Do("GET", "/api/widget/demo/conversations/"+id, "", map[string]string{tests.TokenHeader: tok})
	var hist struct {
		Messages []map[string]any `json:"messages"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &hist); err != nil {
		t.Fatal(err)
	}
	if len(hist.Messages) < 2 || hist.Messages[0]["role"] != "staff" || hist.Messages[0]["author"] != "admin" {
		t.Fatalf("history %v", hist.Messages)
	}
	if _, ok := hist.Messages[1]["author"]; ok {
		t.Fatalf("a visitor message has an author: %v", hist.Messages[1])
	}

	f.status(t, id, models.StatusClosed, tests.Owner)
	if e := next(t, s, "status"); e.Data["status"] != models.StatusClosed {
		t.Fatalf("close event %v", e.Data)
	}
	if e, ok := s.Next(t, within); ok {
		t.Fatalf("stream went on after close: %v", e)
	}
}

func TestEventsResumeWithoutDuplicates(t *testing.T) {
	f := newStaffFixture(t)
	id, tok := f.v.Start()
	f.status(t, id, models.StatusHuman, tests.Owner)
	s := tests.OpenEvents(t, f.url, "demo", id, tok, "")
	next(t, s, "status")
	m1 := f.write(t, id, "one", tests.Owner)
	if e := next(t, s, "message"); e.ID != m1 {
		t.Fatalf("first message id %q, want %q", e.ID, m1)
	}
	s.Close()

	// Missed while away: two staff messages and the visitor's own.
	m2 := f.write(t, id, "two", tests.Owner)
	f.v.Send(id, tok, "I'm back")
	m3 := f.write(t, id, "three", tests.Admin)

	s = tests.OpenEvents(t, f.url, "demo", id, tok, m1)
	var got []string
	for _, want := range []string{m2, m3} {
		e := next(t, s, "message")
		if e.ID != want || e.Data["id"] != want {
			t.Fatalf("replayed %q, want %q", e.ID, want)
		}
		got = append(got, e.Data["text"].(string))
	}
	if !slices.Equal(got, []string{"two", "three"}) {
		t.Fatalf("replayed %q", got)
	}
	if e := next(t, s, "status"); e.ID != m3 || e.Data["status"] != models.StatusHuman {
		t.Fatalf("status after replay %v id %q", e.Data, e.ID)
	}
	// Live again: the next one comes once, right after.
	m4 := f.write(t, id, "four", tests.Owner)
	if e := next(t, s, "message"); e.ID != m4 {
		t.Fatalf("live message %q, want %q", e.ID, m4)
	}

	// ?since= resumes the same way, and "0" is before the first message.
	for since, want := range map[string][]string{m3: {m4}, "0": {m1, m2, m3, m4}} {
		req, _ := http.NewRequest(http.MethodGet, f.url+"/api/widget/demo/conversations/"+id+"/events?since="+since, nil)
		req.Header.Set(tests.TokenHeader, tok)
		// Read up to the status, which follows the replay.
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = tests.EachEvent(res.Body, func(e tests.Event) bool {
				if e.Name == "message" {
					ids = append(ids, e.ID)
				}
				return e.Name != "status"
			})
		}()
		select {
		case <-done:
		case <-time.After(within):
			t.Fatal("no status after the replay")
		}
		_ = res.Body.Close()
		if !slices.Equal(ids, want) {
			t.Fatalf("since %s replayed %v, want %v", since, ids, want)
		}
	}
}

func TestEventsRefusals(t *testing.T) {
	f := newStaffFixture(t)
	id, tok := f.v.Start()
	get := func(slug, id, tok, query string) *httptest.ResponseRecorder {
		return f.v.Do("GET", "/api/widget/"+slug+"/conversations/"+id+"/events"+query, "", map[string]string{tests.TokenHeader: tok})
	}
	tests.AssertError(t, get("demo", id, "wrong", ""), http.StatusForbidden, "bad_token")
	tests.AssertError(t, get("demo", id, "", ""), http.StatusForbidden, "bad_token")
	tests.AssertError(t, get("demo", "nosuchconversation", tok, ""), http.StatusNotFound, "not_found")
	tests.AssertError(t, get("other-practice", id, tok, ""), http.StatusNotFound, "not_found")
	tests.AssertError(t, get("demo", id, tok, "?since="+strings.Repeat("x", 31)), http.StatusBadRequest, "invalid_input")
}

func TestEventsStreamsPerConversationAreFew(t *testing.T) {
	f := newStaffFixture(t)
	id, tok := f.v.Start()
	var streams []*tests.EventStream
	for range 4 {
		s := tests.OpenEvents(t, f.url, "demo", id, tok, "")
		next(t, s, "status")
		streams = append(streams, s)
	}
	// The fourth ended the first, the oldest: a widget reconnecting is never refused.
	if e, ok := streams[0].Next(t, within); ok {
		t.Fatalf("the oldest stream goes on: %v", e)
	}
	mid := f.write(t, id, "hello", tests.Owner)
	for _, s := range streams[1:] {
		if e := next(t, s, "message"); e.ID != mid {
			t.Fatalf("message %q, want %q", e.ID, mid)
		}
	}
}
