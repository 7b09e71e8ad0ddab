package lifecycle_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	pbtests "github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"frontdesk/hooks"
	"frontdesk/hooks/lifecycle"
	"frontdesk/hooks/practice"
	"frontdesk/tests"
)

// t0 is the fixtures' "now": the clock the Manager reads until a test moves it.
var t0 = time.Date(2031, 3, 10, 12, 0, 0, 0, time.UTC)

// fakeAuditor keeps entries in memory, in place of the audit capability's chain (hooks
// does not bind this package yet; its own entries still go to the real chain).
type fakeAuditor struct {
	mu      sync.Mutex
	entries []lifecycle.AuditEntry
	pruned  []time.Time
	fail    error
}

func (a *fakeAuditor) Record(e lifecycle.AuditEntry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return a.fail
	}
	a.entries = append(a.entries, e)
	return nil
}

func (a *fakeAuditor) PruneBefore(t time.Time) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pruned = append(a.pruned, t)
	return 0, nil
}

// actions lists the entries of action, oldest first.
func (a *fakeAuditor) actions(action string) []lifecycle.AuditEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []lifecycle.AuditEntry
	for _, e := range a.entries {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

// Actors of the role matrix.
const (
	owner      = "owner"
	admin      = "admin"
	viewer     = "viewer"
	otherOwner = "other_owner"
	superuser  = "superuser"
	anonymous  = "anonymous"
)

// fixture is a test app with the lifecycle bound, the demo practice and a second one,
// their staff, and a superuser.
type fixture struct {
	t      *testing.T
	app    *pbtests.TestApp
	h      http.Handler
	m      *lifecycle.Manager
	audit  *fakeAuditor
	clock  *tests.Clock
	demo   *core.Record
	other  *core.Record
	tokens map[string]string
}

func newFixture(t *testing.T, opts ...tests.Options) *fixture {
	t.Helper()
	var o tests.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	return newFixtureWith(t, o, lifecycle.Options{})
}

// newFixtureWith is newFixture with lifecycle options (Auditor and Now are the fixture's).
func newFixtureWith(t *testing.T, o tests.Options, lo lifecycle.Options) *fixture {
	t.Helper()
	// Bookings here are written straight to the collection, without the booking
	// capability's slot guard (which would refuse overlapping fixture bookings).
	configure := o.Configure
	o.Configure = func(c *hooks.Config) {
		c.Skip.Booking, c.Skip.Lifecycle = true, true
		if configure != nil {
			configure(c)
		}
	}
	f := &fixture{t: t, app: tests.NewApp(t, o), audit: &fakeAuditor{}, clock: tests.NewClock(t0), tokens: map[string]string{}}
	lo.Auditor, lo.Now = f.audit, f.clock.Now
	var err error
	f.m, err = lifecycle.Bind(f.app, lo)
	if err != nil {
		t.Fatal(err)
	}
	if f.demo, err = f.app.FindFirstRecordByData("businesses", "slug", practice.DemoSlug); err != nil {
		t.Fatal(err)
	}
	f.other = f.create("businesses", map[string]any{"slug": "other-practice", "name": "Other Practice", "timezone": "Europe/Madrid", "phone": "+34 910 000 000"})
	for role, biz := range map[string]*core.Record{owner: f.demo, admin: f.demo, viewer: f.demo, otherOwner: f.other} {
		r := role
		if role == otherOwner {
			r = owner
		}
		s := f.create("staff", map[string]any{"business": biz.Id, "role": r, "name": role, "email": role + "@example.com", "password": "correct horse battery", "verified": true})
		if f.tokens[role], err = s.NewAuthToken(); err != nil {
			t.Fatal(err)
		}
	}
	su := f.create(core.CollectionNameSuperusers, map[string]any{"email": "root@example.com", "password": "correct horse battery"})
	if f.tokens[superuser], err = su.NewAuthToken(); err != nil {
		t.Fatal(err)
	}
	f.h = tests.Handler(t, f.app)
	return f
}

// create saves a record of collection with data, through every hook.
func (f *fixture) create(collection string, data map[string]any) *core.Record {
	f.t.Helper()
	col, err := f.app.FindCollectionByNameOrId(collection)
	if err != nil {
		f.t.Fatal(err)
	}
	r := core.NewRecord(col)
	r.Load(data)
	if pw, ok := data["password"].(string); ok {
		r.SetPassword(pw)
	}
	if err := f.app.Save(r); err != nil {
		f.t.Fatalf("create %s: %v", collection, err)
	}
	return r
}

// backdate sets date columns of a record directly in SQLite, as if written then.
func (f *fixture) backdate(collection, id string, cols map[string]time.Time) {
	f.t.Helper()
	p := dbx.Params{}
	for k, v := range cols {
		p[k] = v.UTC().Format(types.DefaultDateLayout)
	}
	if _, err := f.app.DB().Update(collection, p, dbx.HashExp{"id": id}).Execute(); err != nil {
		f.t.Fatal(err)
	}
}

// conversation adds a conversation of biz whose last message was at last, with the
// visitor's texts as its messages.
func (f *fixture) conversation(biz *core.Record, last time.Time, texts ...string) *core.Record {
	f.t.Helper()
	c := f.create("conversations", map[string]any{"business": biz.Id, "status": "open", "visitor_id": "v-" + biz.Id})
	for _, text := range texts {
		f.create("messages", map[string]any{"conversation": c.Id, "business": biz.Id, "role": "visitor", "text": text})
	}
	f.backdate("conversations", c.Id, map[string]time.Time{"created": last, "updated": last, "last_message_at": last})
	return c
}

// lead adds a lead of biz in conversation conv (may be nil), created at created.
func (f *fixture) lead(biz, conv *core.Record, created time.Time, name, email, phone string) *core.Record {
	f.t.Helper()
	data := map[string]any{"business": biz.Id, "name": name, "email": email, "phone": phone, "status": "new"}
	if conv != nil {
		data["conversation"] = conv.Id
	}
	l := f.create("leads", data)
	f.backdate("leads", l.Id, map[string]time.Time{"created": created, "updated": created})
	return l
}

// bookingsCollection gives the booking capability's collection the contact fields an
// older or extended schema may carry, so erasure is checked against them too.
func (f *fixture) bookingsCollection() {
	f.t.Helper()
	c, err := f.app.FindCollectionByNameOrId(lifecycle.BookingsCollection)
	if err != nil {
		f.t.Fatal(err)
	}
	c.Fields.Add(&core.TextField{Name: "name"}, &core.TextField{Name: "email"}, &core.TextField{Name: "phone"})
	if err := f.app.Save(c); err != nil {
		f.t.Fatal(err)
	}
}

// booking adds a booking of biz ending at end.
func (f *fixture) booking(biz *core.Record, data map[string]any, end time.Time) *core.Record {
	f.t.Helper()
	data["business"] = biz.Id
	data["start"] = end.Add(-time.Hour)
	data["end"] = end
	for k, v := range map[string]any{"service": "Cleaning", "status": "confirmed", "source": "staff"} {
		if _, ok := data[k]; !ok {
			data[k] = v
		}
	}
	return f.create(lifecycle.BookingsCollection, data)
}

// do sends a request as actor through the app's router.
func (f *fixture) do(method, path, actor, body string) *httptest.ResponseRecorder {
	f.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if tok := f.tokens[actor]; tok != "" {
		req.Header.Set("Authorization", tok)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

// exists reports whether collection holds a record id.
func (f *fixture) exists(collection, id string) bool {
	_, err := f.app.FindRecordById(collection, id)
	return err == nil
}

// count is how many records of collection biz has.
func (f *fixture) count(collection string, biz *core.Record) int {
	f.t.Helper()
	n, err := f.app.CountRecords(collection, dbx.HashExp{"business": biz.Id})
	if err != nil {
		f.t.Fatal(err)
	}
	return int(n)
}

// errorCode decodes a {code, message} answer.
func errorCode(t *testing.T, rec *httptest.ResponseRecorder) (code, message string) {
	t.Helper()
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == "" {
		t.Fatalf("not a {code, message} answer (%v): %d %s", err, rec.Code, rec.Body.String())
	}
	return e.Code, e.Message
}
