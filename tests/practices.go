package tests

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// The actors of Practices: staff of practice A by role, practice B's owner, and nobody.
const (
	Owner      = models.RoleOwner
	Admin      = models.RoleAdmin
	Viewer     = models.RoleViewer
	OtherOwner = "other_owner"
	Anonymous  = "anonymous"
)

// Actors are every actor of Practices.
var Actors = []string{Owner, Admin, Viewer, OtherOwner, Anonymous}

// Practices is two practices on one app: A (the demo) with an owner, an admin and a
// viewer, and B with its owner; for tenancy, audit and permission tests.
type Practices struct {
	App  core.App
	H    http.Handler
	A, B *core.Record
	// Tokens are the actors' auth tokens (none for Anonymous).
	Tokens  map[string]string
	counter int
}

// NewPractices starts a test app (with opts[0], if given) holding the two practices.
func NewPractices(t testing.TB, opts ...Options) *Practices {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	app := NewApp(t, o)
	f := &Practices{App: app, Tokens: map[string]string{}}
	var err error
	if f.A, err = app.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo"); err != nil {
		t.Fatal(err)
	}
	f.B = f.Create(t, models.BusinessesCollection, map[string]any{"slug": "other-practice", "name": "Other Practice", "timezone": "Europe/Madrid"})
	for actor, biz := range map[string]*core.Record{Owner: f.A, Admin: f.A, Viewer: f.A, OtherOwner: f.B} {
		role := actor
		if actor == OtherOwner {
			role = models.RoleOwner
		}
		s := f.Create(t, models.StaffCollection, map[string]any{"business": biz.Id, "role": role, "name": actor, "email": actor + "@example.com", "password": "correct horse battery", "verified": true})
		tok, err := s.NewAuthToken()
		if err != nil {
			t.Fatal(err)
		}
		f.Tokens[actor] = tok
	}
	f.H = Handler(t, app)
	return f
}

// As sends requests to the app as actor.
func (f *Practices) As(t testing.TB, actor string) API {
	return APIAs(t, f.H, f.Tokens[actor])
}

// Do sends a request with a raw body as actor and returns the response.
func (f *Practices) Do(method, url, body, actor string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if tok := f.Tokens[actor]; tok != "" {
		req.Header.Set("Authorization", tok)
	}
	rec := httptest.NewRecorder()
	f.H.ServeHTTP(rec, req)
	return rec
}

// Create stores a record as it is, without validation.
func (f *Practices) Create(t testing.TB, collection string, data map[string]any) *core.Record {
	t.Helper()
	r := NewRecord(t, f.App, collection, data)
	if pw, ok := data["password"].(string); ok {
		r.SetPassword(pw)
	}
	if err := f.App.SaveNoValidate(r); err != nil {
		t.Fatalf("fixture %s: %v", collection, err)
	}
	return r
}

// Record makes a fresh record of practice A in collection, so tests that change or
// delete records don't depend on each other.
func (f *Practices) Record(t testing.TB, collection string) *core.Record {
	t.Helper()
	f.counter++
	n := f.counter
	a := f.A.Id
	switch collection {
	case models.BusinessesCollection:
		return f.A
	case models.StaffCollection:
		return f.Create(t, collection, map[string]any{"business": a, "role": models.RoleViewer, "name": "x", "email": fmt.Sprintf("v%d@example.com", n), "password": "correct horse battery"})
	case models.FAQsCollection:
		return f.Create(t, collection, map[string]any{"business": a, "question": "Q?", "answer": "A."})
	case models.DocumentsCollection:
		return f.Create(t, collection, map[string]any{"business": a, "title": "Doc", "url": "https://brightsmile.example/", "status": models.DocReady})
	case models.ConversationsCollection:
		return f.Create(t, collection, map[string]any{"business": a, "visitor_id": "v", "status": models.StatusOpen})
	case models.MessagesCollection:
		c := f.Record(t, models.ConversationsCollection)
		return f.Create(t, collection, map[string]any{"business": a, "conversation": c.Id, "role": models.RoleVisitor, "text": "hello"})
	case models.LeadsCollection:
		return f.Create(t, collection, map[string]any{"business": a, "name": "Ana", "email": fmt.Sprintf("ana%d@example.com", n), "status": models.LeadNew})
	case models.AuditCollection:
		// Only Frontdesk writes entries: an owner's audited read makes one.
		f.Do(http.MethodGet, "/api/collections/leads/records/"+f.Record(t, models.LeadsCollection).Id, "", Owner)
		entries, err := f.App.FindRecordsByFilter(collection, "business = {:b}", "-seq", 1, 0, map[string]any{"b": a})
		if err != nil || len(entries) == 0 {
			t.Fatalf("no audit entry after a read: %v", err)
		}
		return entries[0]
	case models.CredentialsCollection:
		return f.Create(t, collection, map[string]any{"business": a, "kind": fmt.Sprintf("kind%d", n), "value": "v1:x"})
	case models.OutboxCollection:
		return f.Create(t, collection, map[string]any{"business": a, "channel": "email", "event": "new_lead", "status": "pending"})
	case models.AppStateCollection:
		return f.Create(t, collection, map[string]any{"key": fmt.Sprintf("k%d", n), "value": "v"})
	case models.EvalQuestionsCollection:
		return f.Create(t, collection, map[string]any{"business": a, "question": "do you open on saturdays?", "expect": "9:00"})
	case models.EvalRunsCollection:
		return f.Create(t, collection, map[string]any{"business": a, "started": "2026-03-12 10:00:00.000Z", "score": 0.5, "total": 2, "results": []any{}, "provider": "offline"})
	case models.BookingsCollection:
		// A day of its own, so no fixture collides with another in the booking guard.
		start := bookingDay(n)
		return f.Create(t, collection, map[string]any{"business": a, "service": "Fillings", "start": start, "end": start.Add(45 * time.Minute), "status": models.BookingConfirmed, "source": models.SourceStaff})
	}
	t.Fatalf("no fixture for %s", collection)
	return nil
}

// Body is a valid create or update (action) body for practice A in collection.
func (f *Practices) Body(t testing.TB, collection, action string) map[string]any {
	t.Helper()
	f.counter++
	n := f.counter
	a := f.A.Id
	update := action == "update"
	switch collection {
	case models.BusinessesCollection:
		if update {
			return map[string]any{"greeting": "Hello there"}
		}
		return map[string]any{"slug": fmt.Sprintf("new-%d", n), "name": "New", "timezone": "UTC"}
	case models.StaffCollection:
		if update {
			return map[string]any{"name": "Renamed"}
		}
		return map[string]any{"business": a, "role": models.RoleViewer, "email": fmt.Sprintf("new%d@example.com", n), "password": "correct horse battery", "passwordConfirm": "correct horse battery"}
	case models.FAQsCollection:
		return map[string]any{"business": a, "question": "Do you open late?", "answer": "On Wednesdays."}
	case models.DocumentsCollection:
		return map[string]any{"business": a, "title": "Page", "url": "https://brightsmile.example/about"}
	case models.ConversationsCollection:
		return map[string]any{"business": a, "status": models.StatusClosed}
	case models.MessagesCollection:
		if update {
			return map[string]any{"text": "changed"}
		}
		c := f.Record(t, models.ConversationsCollection)
		return map[string]any{"business": a, "conversation": c.Id, "role": models.RoleStaff, "text": "Hi, this is Maria from the front desk."}
	case models.LeadsCollection:
		if update {
			// What admins may change: the pipeline, not the visitor's contact details.
			return map[string]any{"status": models.LeadContacted, "notes": "Called back, left a voicemail."}
		}
		return map[string]any{"business": a, "name": "Ben", "phone": "+1 503 555 0100", "status": models.LeadContacted}
	case models.AuditCollection:
		return map[string]any{"action": "forged", "seq": 1, "at": "x", "hash": "x"}
	case models.CredentialsCollection:
		return map[string]any{"business": a, "kind": fmt.Sprintf("new%d", n), "value": `{"api_key": "s3cret"}`}
	case models.OutboxCollection:
		return map[string]any{"business": a, "channel": "sms", "event": "x", "status": "sent"}
	case models.AppStateCollection:
		return map[string]any{"key": fmt.Sprintf("new%d", n), "value": "x"}
	case models.EvalQuestionsCollection:
		return map[string]any{"business": a, "question": "is parking free?", "expect": "garage"}
	case models.EvalRunsCollection:
		return map[string]any{"business": a, "started": "2026-03-12 10:00:00.000Z", "score": 1, "total": 1, "results": []any{}, "provider": "forged"}
	case models.BookingsCollection:
		// What the console sends: a move, or a visit with the visitor's details.
		if update {
			return map[string]any{"start": bookingDay(n).Add(2 * time.Hour)}
		}
		return map[string]any{"business": a, "service": "Fillings", "start": bookingDay(n), "name": "Ben", "phone": "+1 503 555 0100"}
	}
	t.Fatalf("no body for %s", collection)
	return nil
}

// bookingDay is 10:00 UTC on the n-th day of 2031: a future time no other fixture's
// booking holds.
func bookingDay(n int) time.Time {
	return time.Date(2031, 1, 1, 10, 0, 0, 0, time.UTC).AddDate(0, 0, n)
}

// TargetOf stores a bare record of target for the practice biz, without validation.
func (f *Practices) TargetOf(t testing.TB, target *core.Collection, biz *core.Record) *core.Record {
	t.Helper()
	f.counter++
	data := map[string]any{"business": biz.Id}
	if target.IsAuth() {
		data["email"] = fmt.Sprintf("target%d@example.com", f.counter)
		data["password"] = "correct horse battery"
	}
	if target.Name == "webhooks" {
		// The alerts refuse a webhook without a public URL and a Standard Webhooks secret.
		data["url"] = fmt.Sprintf("https://hooks.example.com/%d", f.counter)
		data["secret"] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	}
	return f.Create(t, target.Name, data)
}

// ListLeads makes n audit entries: the owner's lists of leads.
func (f *Practices) ListLeads(t testing.TB, n int) {
	t.Helper()
	for range n {
		f.Do(http.MethodGet, "/api/collections/leads/records", "", Owner)
	}
}

// UpdateSettings saves a change to the app's settings.
func (f *Practices) UpdateSettings(t testing.TB, change func(*core.Settings)) {
	t.Helper()
	s := f.App.Settings()
	change(s)
	if err := f.App.Save(s); err != nil {
		t.Fatal(err)
	}
}

// EnableBatch turns on PocketBase's batch API, off by default, to test it as a way in.
func EnableBatch(s *core.Settings) {
	s.Batch.Enabled, s.Batch.MaxRequests, s.Batch.Timeout = true, 10, 5
}

// NoRateLimits lets a test log in, or send as one IP, many times in a row.
func NoRateLimits(s *core.Settings) { s.RateLimits.Enabled = false }
