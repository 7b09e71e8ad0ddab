package hooks_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/tests"
)

// actor names used in the matrix.
const (
	owner    = "owner"
	admin    = "admin"
	viewer   = "viewer"
	otherOwn = "other_owner"
	anon     = "anonymous"
)

var actors = []string{owner, admin, viewer, otherOwn, anon}

// access says which actors of practice A may do an action; nil means no rule (superusers only).
type access []string

var (
	everyone    = access{owner, admin, viewer}
	editors     = access{owner, admin}
	ownersOnly  = access{owner}
	superusers  access // nil
	permissions = map[string]map[string]access{
		"businesses":    {"list": everyone, "view": everyone, "create": superusers, "update": editors, "delete": superusers},
		"staff":         {"list": everyone, "view": everyone, "create": editors, "update": editors, "delete": ownersOnly},
		"faqs":          {"list": everyone, "view": everyone, "create": editors, "update": editors, "delete": ownersOnly},
		"documents":     {"list": everyone, "view": everyone, "create": editors, "update": editors, "delete": ownersOnly},
		"conversations": {"list": everyone, "view": everyone, "create": superusers, "update": editors, "delete": ownersOnly},
		"messages":      {"list": everyone, "view": everyone, "create": editors, "update": superusers, "delete": ownersOnly},
		"leads":         {"list": everyone, "view": everyone, "create": editors, "update": editors, "delete": ownersOnly},
		"audit_log":     {"list": editors, "view": editors, "create": superusers, "update": superusers, "delete": superusers},
		"credentials":   {"list": editors, "view": editors, "create": editors, "update": editors, "delete": ownersOnly},
		"outbox":        {"list": editors, "view": editors, "create": superusers, "update": superusers, "delete": superusers},
		"app_state":     {"list": superusers, "view": superusers, "create": superusers, "update": superusers, "delete": superusers},
	}
)

// expected is the exact status PocketBase answers: allowed actions succeed; with no rule
// every non-superuser gets 403; a rule that doesn't match hides the record (404 on
// view/update/delete, an empty list) and refuses a create with 400.
func expected(action string, rule access, actor string) (status int, sees bool) {
	allowed := false
	for _, a := range rule {
		allowed = allowed || a == actor
	}
	switch {
	case rule == nil:
		return http.StatusForbidden, false
	case allowed && action == "delete":
		return http.StatusNoContent, false
	case allowed:
		return http.StatusOK, action == "list"
	case action == "list":
		return http.StatusOK, false
	case action == "create":
		return http.StatusBadRequest, false
	default:
		return http.StatusNotFound, false
	}
}

type tenancyFixture struct {
	app     core.App
	h       http.Handler
	bizA    *core.Record
	bizB    *core.Record
	tokens  map[string]string
	counter int
}

func newTenancyFixture(t *testing.T, opts ...tests.Options) *tenancyFixture {
	var o tests.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	app := tests.NewApp(t, o)
	f := &tenancyFixture{app: app, tokens: map[string]string{}}
	var err error
	if f.bizA, err = app.FindFirstRecordByData("businesses", "slug", "demo"); err != nil {
		t.Fatal(err)
	}
	f.bizB = f.create(t, "businesses", map[string]any{"slug": "other-practice", "name": "Other Practice", "timezone": "Europe/Madrid"})
	for role, biz := range map[string]*core.Record{owner: f.bizA, admin: f.bizA, viewer: f.bizA, otherOwn: f.bizB} {
		r := role
		if role == otherOwn {
			r = owner
		}
		s := f.create(t, "staff", map[string]any{"business": biz.Id, "role": r, "name": role, "email": role + "@example.com", "password": "correct horse battery", "verified": true})
		tok, err := s.NewAuthToken()
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = tok
	}
	f.h = tests.Handler(t, app)
	return f
}

func (f *tenancyFixture) create(t *testing.T, collection string, data map[string]any) *core.Record {
	t.Helper()
	col, err := f.app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(col)
	r.Load(data)
	if pw, ok := data["password"].(string); ok {
		r.SetPassword(pw)
	}
	if err := f.app.SaveNoValidate(r); err != nil {
		t.Fatalf("fixture %s: %v", collection, err)
	}
	return r
}

// record makes a fresh record of practice A in collection, so update and delete cells
// don't depend on each other.
func (f *tenancyFixture) record(t *testing.T, collection string) *core.Record {
	f.counter++
	n := f.counter
	a := f.bizA.Id
	switch collection {
	case "businesses":
		return f.bizA
	case "staff":
		return f.create(t, "staff", map[string]any{"business": a, "role": "viewer", "name": "x", "email": fmt.Sprintf("v%d@example.com", n), "password": "correct horse battery"})
	case "faqs":
		return f.create(t, collection, map[string]any{"business": a, "question": "Q?", "answer": "A."})
	case "documents":
		return f.create(t, collection, map[string]any{"business": a, "title": "Doc", "url": "https://brightsmile.example/", "status": "ready"})
	case "conversations":
		return f.create(t, collection, map[string]any{"business": a, "visitor_id": "v", "status": "open"})
	case "messages":
		c := f.record(t, "conversations")
		return f.create(t, collection, map[string]any{"business": a, "conversation": c.Id, "role": "visitor", "text": "hello"})
	case "leads":
		return f.create(t, collection, map[string]any{"business": a, "name": "Ana", "email": fmt.Sprintf("ana%d@example.com", n), "status": "new"})
	case "audit_log":
		// Only Frontdesk writes entries: an owner's audited read makes one.
		req := httptest.NewRequest(http.MethodGet, "/api/collections/leads/records/"+f.record(t, "leads").Id, nil)
		req.Header.Set("Authorization", f.tokens[owner])
		f.h.ServeHTTP(httptest.NewRecorder(), req)
		entries, err := f.app.FindRecordsByFilter(collection, "business = {:b}", "-seq", 1, 0, map[string]any{"b": a})
		if err != nil || len(entries) == 0 {
			t.Fatalf("no audit entry after a read: %v", err)
		}
		return entries[0]
	case "credentials":
		return f.create(t, collection, map[string]any{"business": a, "kind": fmt.Sprintf("kind%d", n), "value": "v1:x"})
	case "outbox":
		return f.create(t, collection, map[string]any{"business": a, "channel": "email", "event": "new_lead", "status": "pending"})
	case "app_state":
		return f.create(t, collection, map[string]any{"key": fmt.Sprintf("k%d", n), "value": "v"})
	}
	t.Fatalf("no fixture for %s", collection)
	return nil
}

// body is a valid create or update body for practice A.
func (f *tenancyFixture) body(t *testing.T, collection, action string) map[string]any {
	f.counter++
	n := f.counter
	a := f.bizA.Id
	update := action == "update"
	switch collection {
	case "businesses":
		if update {
			return map[string]any{"greeting": "Hello there"}
		}
		return map[string]any{"slug": fmt.Sprintf("new-%d", n), "name": "New", "timezone": "UTC"}
	case "staff":
		if update {
			return map[string]any{"name": "Renamed"}
		}
		return map[string]any{"business": a, "role": "viewer", "email": fmt.Sprintf("new%d@example.com", n), "password": "correct horse battery", "passwordConfirm": "correct horse battery"}
	case "faqs":
		return map[string]any{"business": a, "question": "Do you open late?", "answer": "On Wednesdays."}
	case "documents":
		return map[string]any{"business": a, "title": "Page", "url": "https://brightsmile.example/about"}
	case "conversations":
		return map[string]any{"business": a, "status": "closed"}
	case "messages":
		if update {
			return map[string]any{"text": "changed"}
		}
		c := f.record(t, "conversations")
		return map[string]any{"business": a, "conversation": c.Id, "role": "staff", "text": "Hi, this is Maria from the front desk."}
	case "leads":
		return map[string]any{"business": a, "name": "Ben", "phone": "+1 503 555 0100", "status": "contacted"}
	case "audit_log":
		return map[string]any{"action": "forged", "seq": 1, "at": "x", "hash": "x"}
	case "credentials":
		return map[string]any{"business": a, "kind": fmt.Sprintf("new%d", n), "value": `{"api_key": "s3cret"}`}
	case "outbox":
		return map[string]any{"business": a, "channel": "sms", "event": "x", "status": "sent"}
	case "app_state":
		return map[string]any{"key": fmt.Sprintf("new%d", n), "value": "x"}
	}
	t.Fatalf("no body for %s", collection)
	return nil
}

func TestTenancyMatrix(t *testing.T) {
	f := newTenancyFixture(t)
	cells := 0
	for collection, rules := range permissions {
		for _, action := range []string{"list", "view", "create", "update", "delete"} {
			for _, actor := range actors {
				name := fmt.Sprintf("%s/%s/%s", collection, action, actor)
				t.Run(name, func(t *testing.T) {
					cells++
					var method, url, fixture string
					var body []byte
					base := "/api/collections/" + collection + "/records"
					switch action {
					case "list":
						fixture = f.record(t, collection).Id
						method, url = http.MethodGet, base+"?perPage=500"
					case "view":
						method, url = http.MethodGet, base+"/"+f.record(t, collection).Id
					case "create":
						method, url = http.MethodPost, base
						body, _ = json.Marshal(f.body(t, collection, action))
					case "update":
						method, url = http.MethodPatch, base+"/"+f.record(t, collection).Id
						body, _ = json.Marshal(f.body(t, collection, action))
					case "delete":
						method, url = http.MethodDelete, base+"/"+f.record(t, collection).Id
					}
					req := httptest.NewRequest(method, url, strings.NewReader(string(body)))
					req.Header.Set("Content-Type", "application/json")
					if tok := f.tokens[actor]; tok != "" {
						req.Header.Set("Authorization", tok)
					}
					rec := httptest.NewRecorder()
					f.h.ServeHTTP(rec, req)

					wantStatus, wantSees := expected(action, rules[action], actor)
					if rec.Code != wantStatus {
						t.Fatalf("status %d, want %d; body %s", rec.Code, wantStatus, truncate(rec.Body.String()))
					}
					if action == "list" && rec.Code == http.StatusOK {
						var page struct {
							Items []map[string]any `json:"items"`
						}
						if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
							t.Fatal(err)
						}
						own := f.bizA.Id
						if actor == otherOwn {
							own = f.bizB.Id
						}
						sees := false
						for _, it := range page.Items {
							biz := it["business"]
							if collection == "businesses" {
								biz = it["id"]
							}
							if biz != own {
								t.Fatalf("%s sees a record of another practice: %v", actor, it["id"])
							}
							sees = sees || it["id"] == fixture
						}
						if sees != wantSees {
							t.Fatalf("sees practice A's record: %v, want %v", sees, wantSees)
						}
					}
				})
			}
		}
	}
	if want := len(permissions) * 5 * len(actors); cells != want {
		t.Fatalf("ran %d cells, want %d", cells, want)
	}
}

func truncate(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

func newRecord(col *core.Collection, data map[string]any) *core.Record {
	r := core.NewRecord(col)
	r.Load(data)
	return r
}
