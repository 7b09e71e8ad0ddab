package hooks_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
	"frontdesk/tests"
)

// access says which actors of practice A may do an action; nil means no rule (superusers only).
type access []string

var (
	everyone    = access{tests.Owner, tests.Admin, tests.Viewer}
	editors     = access{tests.Owner, tests.Admin}
	ownersOnly  = access{tests.Owner}
	superusers  access // nil
	permissions = map[string]map[string]access{
		models.BusinessesCollection:    {"list": everyone, "view": everyone, "create": superusers, "update": editors, "delete": superusers},
		models.StaffCollection:         {"list": everyone, "view": everyone, "create": editors, "update": editors, "delete": ownersOnly},
		models.FAQsCollection:          {"list": everyone, "view": everyone, "create": editors, "update": editors, "delete": ownersOnly},
		models.DocumentsCollection:     {"list": everyone, "view": everyone, "create": editors, "update": editors, "delete": ownersOnly},
		models.ConversationsCollection: {"list": everyone, "view": everyone, "create": superusers, "update": editors, "delete": ownersOnly},
		models.MessagesCollection:      {"list": everyone, "view": everyone, "create": editors, "update": superusers, "delete": ownersOnly},
		models.LeadsCollection:         {"list": everyone, "view": everyone, "create": editors, "update": editors, "delete": ownersOnly},
		models.AuditCollection:         {"list": editors, "view": editors, "create": superusers, "update": superusers, "delete": superusers},
		models.CredentialsCollection:   {"list": editors, "view": editors, "create": editors, "update": editors, "delete": ownersOnly},
		models.OutboxCollection:        {"list": editors, "view": editors, "create": superusers, "update": superusers, "delete": superusers},
		models.AppStateCollection:      {"list": superusers, "view": superusers, "create": superusers, "update": superusers, "delete": superusers},
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

func TestTenancyMatrix(t *testing.T) {
	f := tests.NewPractices(t)
	cells := 0
	for collection, rules := range permissions {
		for _, action := range []string{"list", "view", "create", "update", "delete"} {
			for _, actor := range tests.Actors {
				name := fmt.Sprintf("%s/%s/%s", collection, action, actor)
				t.Run(name, func(t *testing.T) {
					cells++
					var method, url, fixture string
					var body []byte
					base := "/api/collections/" + collection + "/records"
					switch action {
					case "list":
						fixture = f.Record(t, collection).Id
						method, url = http.MethodGet, base+"?perPage=500"
					case "view":
						method, url = http.MethodGet, base+"/"+f.Record(t, collection).Id
					case "create":
						method, url = http.MethodPost, base
						body, _ = json.Marshal(f.Body(t, collection, action))
					case "update":
						method, url = http.MethodPatch, base+"/"+f.Record(t, collection).Id
						body, _ = json.Marshal(f.Body(t, collection, action))
					case "delete":
						method, url = http.MethodDelete, base+"/"+f.Record(t, collection).Id
					}
					req := httptest.NewRequest(method, url, strings.NewReader(string(body)))
					req.Header.Set("Content-Type", "application/json")
					if tok := f.Tokens[actor]; tok != "" {
						req.Header.Set("Authorization", tok)
					}
					rec := httptest.NewRecorder()
					f.H.ServeHTTP(rec, req)

					wantStatus, wantSees := expected(action, rules[action], actor)
					if rec.Code != wantStatus {
						t.Fatalf("status %d, want %d; body %s", rec.Code, wantStatus, models.Truncate(rec.Body.String(), 300))
					}
					if action == "list" && rec.Code == http.StatusOK {
						var page struct {
							Items []map[string]any `json:"items"`
						}
						if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
							t.Fatal(err)
						}
						own := f.A.Id
						if actor == tests.OtherOwner {
							own = f.B.Id
						}
						sees := false
						for _, it := range page.Items {
							biz := it["business"]
							if collection == models.BusinessesCollection {
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
	if want := len(permissions) * 5 * len(tests.Actors); cells != want {
		t.Fatalf("ran %d cells, want %d", cells, want)
	}
}

// staffRoute is one of Frontdesk's own staff routes, with what each actor gets: the
// status for practice A's staff by role, for practice B's owner acting on A's records
// (or, for a list, on their own practice), and for a request without a token.
type staffRoute struct {
	method, path, body string
	// path and body may name a fresh record of A: made per cell by fixture.
	fixture func(t *testing.T, f *tests.Practices) string
	status  map[string]int
	// private is text of practice A's that no other practice's answer may hold.
	private string
}

// TestStaffRoutesMatrix checks every /api/frontdesk staff route against every actor.
func TestStaffRoutesMatrix(t *testing.T) {
	f := tests.NewPractices(t)
	f.UpdateSettings(t, tests.NoRateLimits)
	conv := f.Record(t, models.ConversationsCollection)
	f.Create(t, models.LeadsCollection, map[string]any{"business": f.A.Id, "conversation": conv.Id, "name": "Private Person", "email": "pp@example.com", "status": models.LeadNew})
	viewerOfA := func(t *testing.T, f *tests.Practices) string { return f.Record(t, models.StaffCollection).Id }
	gapOfA := func(t *testing.T, f *tests.Practices) string {
		return f.Create(t, models.KnowledgeGapsCollection, map[string]any{"business": f.A.Id, "question": "q " + core.GenerateDefaultRandomId(), "count": 1}).Id
	}
	invites := 0
	routes := []staffRoute{
		{method: "GET", path: "/api/frontdesk/inbox", private: conv.Id,
			status: map[string]int{tests.Owner: 200, tests.Admin: 200, tests.Viewer: 200, tests.OtherOwner: 200, tests.Anonymous: 401}},
		{method: "GET", path: "/api/frontdesk/dashboard?days=7",
			status: map[string]int{tests.Owner: 200, tests.Admin: 200, tests.Viewer: 403, tests.OtherOwner: 200, tests.Anonymous: 401}},
		{method: "GET", path: "/api/frontdesk/leads.csv", private: "Private Person",
			status: map[string]int{tests.Owner: 200, tests.Admin: 403, tests.Viewer: 403, tests.OtherOwner: 200, tests.Anonymous: 401}},
		{method: "GET", path: "/api/frontdesk/team", private: "viewer@example.com",
			status: map[string]int{tests.Owner: 200, tests.Admin: 200, tests.Viewer: 403, tests.OtherOwner: 200, tests.Anonymous: 401}},
		{method: "POST", path: "/api/frontdesk/team/invite", body: `{"email": "invite-%s@example.com", "name": "New", "role": "viewer"}`,
			status: map[string]int{tests.Owner: 201, tests.Admin: 201, tests.Viewer: 403, tests.OtherOwner: 201, tests.Anonymous: 401}},
		{method: "POST", path: "/api/frontdesk/team/%s/role", body: `{"role": "admin"}`, fixture: viewerOfA,
			status: map[string]int{tests.Owner: 200, tests.Admin: 403, tests.Viewer: 403, tests.OtherOwner: 404, tests.Anonymous: 401}},
		{method: "DELETE", path: "/api/frontdesk/team/%s", fixture: viewerOfA,
			status: map[string]int{tests.Owner: 204, tests.Admin: 403, tests.Viewer: 403, tests.OtherOwner: 404, tests.Anonymous: 401}},
		{method: "POST", path: "/api/frontdesk/gaps/%s/answer", body: `{"answer": "Yes."}`, fixture: gapOfA,
			status: map[string]int{tests.Owner: 201, tests.Admin: 201, tests.Viewer: 403, tests.OtherOwner: 404, tests.Anonymous: 401}},
	}
	cells := 0
	for _, r := range routes {
		for _, actor := range tests.Actors {
			t.Run(r.method+" "+r.path+"/"+actor, func(t *testing.T) {
				cells++
				path, body := r.path, r.body
				if r.fixture != nil {
					path = fmt.Sprintf(path, r.fixture(t, f))
				}
				if strings.Contains(body, "%s") {
					invites++
					body = fmt.Sprintf(body, fmt.Sprint(invites))
				}
				rec := f.Do(r.method, path, body, actor)
				if rec.Code != r.status[actor] {
					t.Fatalf("status %d, want %d; body %s", rec.Code, r.status[actor], models.Truncate(rec.Body.String(), 300))
				}
				if rec.Code >= 400 {
					var e struct{ Code, Message string }
					if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == "" || e.Message == "" {
						t.Fatalf("error %q is not {code, message}", rec.Body.String())
					}
				}
				if r.private != "" && actor == tests.OtherOwner && strings.Contains(rec.Body.String(), r.private) {
					t.Fatalf("another practice's owner reads practice A's %q", r.private)
				}
				if r.private != "" && r.status[actor] == 200 && actor != tests.OtherOwner && !strings.Contains(rec.Body.String(), r.private) {
					t.Fatalf("practice A's %s doesn't see its own %q", actor, r.private)
				}
			})
		}
	}
	if want := len(routes) * len(tests.Actors); cells != want {
		t.Fatalf("ran %d cells, want %d", cells, want)
	}
}
