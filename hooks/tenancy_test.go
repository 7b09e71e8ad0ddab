package hooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
		models.EvalQuestionsCollection: {"list": everyone, "view": everyone, "create": editors, "update": editors, "delete": editors},
		models.EvalRunsCollection:      {"list": everyone, "view": everyone, "create": superusers, "update": superusers, "delete": superusers},
		models.BookingsCollection:      {"list": everyone, "view": everyone, "create": editors, "update": editors, "delete": ownersOnly},
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

// TestVisitorRoutesTenancy is the matrix of the visitor routes of one conversation: its
// own token passes, a wrong or missing one is refused (403), and another practice's
// conversation is not found (404), with its token or without, through either slug.
func TestVisitorRoutesTenancy(t *testing.T) {
	f := tests.NewPractices(t)
	f.UpdateSettings(t, tests.NoRateLimits)
	srv := httptest.NewServer(f.H)
	t.Cleanup(srv.Close)
	start := func(slug string) (string, string) {
		t.Helper()
		rec := f.Do(http.MethodPost, "/api/widget/"+slug+"/conversations", `{"visitor_id":"v1"}`, tests.Anonymous)
		if rec.Code != http.StatusCreated {
			t.Fatalf("start %s: %d %s", slug, rec.Code, rec.Body.String())
		}
		m := tests.Decode(t, rec)
		return m["id"].(string), m["token"].(string)
	}
	idA, tokA := start("demo")
	idB, tokB := start("other-practice")
	routes := []struct{ method, path, body string }{
		{http.MethodGet, "", ""},
		{http.MethodGet, "/events", ""},
		{http.MethodPost, "/messages", `{"text":"hello"}`},
		{http.MethodPost, "/lead", `{"name":"Ana","email":"ana@example.com"}`},
		{http.MethodPost, "/handoff", ""},
	}
	for _, r := range routes {
		for _, c := range []struct {
			name, slug, id, token string
			status                int
			code                  string
		}{
			{"own token", "demo", idA, tokA, http.StatusOK, ""},
			{"wrong token", "demo", idA, tokB, http.StatusForbidden, "bad_token"},
			{"no token", "demo", idA, "", http.StatusForbidden, "bad_token"},
			{"other practice's conversation", "demo", idB, tokB, http.StatusNotFound, "not_found"},
			{"other practice's conversation, our token", "demo", idB, tokA, http.StatusNotFound, "not_found"},
			{"through the other practice's slug", "other-practice", idA, tokA, http.StatusNotFound, "not_found"},
		} {
			t.Run(r.method+" "+r.path+"/"+c.name, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, r.method, srv.URL+"/api/widget/"+c.slug+"/conversations/"+c.id+r.path, strings.NewReader(r.body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(tests.TokenHeader, c.token)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				want := c.status
				if want == http.StatusOK && r.path == "/lead" {
					want = http.StatusCreated
				}
				if res.StatusCode != want {
					t.Fatalf("status %d, want %d", res.StatusCode, want)
				}
				if c.code == "" {
					return // the events stream stays open: cancelled above
				}
				var e struct{ Code string }
				if err := json.NewDecoder(res.Body).Decode(&e); err != nil || e.Code != c.code {
					t.Fatalf("error %q (%v), want %q", e.Code, err, c.code)
				}
			})
		}
	}
}

// POST /api/frontdesk/eval runs the practice's own evaluation: its owner and admins may,
// for their own practice only; a viewer, another practice's owner and nobody may not; a
// superuser names the practice. The run is the caller's practice's, stored, and answered.
func TestEvalRouteRoles(t *testing.T) {
	f := tests.NewPractices(t)
	f.Record(t, models.EvalQuestionsCollection) // practice A: "do you open on saturdays?" -> 9:00
	for _, tc := range []struct {
		actor, query string
		status       int
		code         string
	}{
		{tests.Owner, "", http.StatusOK, ""},
		{tests.Admin, "", http.StatusOK, ""},
		{tests.Viewer, "", http.StatusForbidden, "forbidden"},
		{tests.Anonymous, "", http.StatusUnauthorized, "unauthorized"},
		{tests.OtherOwner, "", http.StatusBadRequest, "no_questions"}, // its own practice, which has none
		{tests.Owner, "?business=" + "nope", http.StatusOK, ""},       // staff can't name another practice: the query is ignored
	} {
		t.Run(tc.actor+tc.query, func(t *testing.T) {
			before, _ := f.App.CountRecords(models.EvalRunsCollection)
			rec := f.Do(http.MethodPost, "/api/frontdesk/eval"+tc.query, "", tc.actor)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, models.Truncate(rec.Body.String(), 300))
			}
			after, _ := f.App.CountRecords(models.EvalRunsCollection)
			if tc.status != http.StatusOK {
				tests.AssertError(t, rec, tc.status, tc.code)
				if after != before {
					t.Fatalf("a refused request stored a run")
				}
				return
			}
			var run struct {
				ID, Business string
				Total        int
				Score        float64
				Results      []struct {
					Question, Expect, Answer string
					OK                       bool
				}
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &run); err != nil {
				t.Fatal(err)
			}
			if run.Business != f.A.Id || run.Total != 1 || len(run.Results) != 1 || after != before+1 {
				t.Fatalf("run %+v, %d runs stored before, %d after", run, before, after)
			}
			if run.Results[0].OK != strings.Contains(run.Results[0].Answer, "9:00") {
				t.Fatalf("result %+v: ok disagrees with the answer", run.Results[0])
			}
		})
	}
	su := tests.AsSuperuser(t, f.App, f.H)
	if rec := su(http.MethodPost, "/api/frontdesk/eval", nil); rec.Code != http.StatusBadRequest {
		t.Fatalf("superuser without ?business: %d", rec.Code)
	}
	if rec := su(http.MethodPost, "/api/frontdesk/eval?business="+f.A.Id, nil); rec.Code != http.StatusOK {
		t.Fatalf("superuser for practice A: %d %s", rec.Code, rec.Body.String())
	}
	if rec := su(http.MethodPost, "/api/frontdesk/eval?business=nope", nil); rec.Code != http.StatusNotFound {
		t.Fatalf("superuser for no practice: %d", rec.Code)
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
	tests.UseMailServer(f.App, tests.StartMailServer(t))
	conv := f.Record(t, models.ConversationsCollection)
	f.Create(t, models.LeadsCollection, map[string]any{"business": f.A.Id, "conversation": conv.Id, "name": "Private Person", "email": "pp@example.com", "status": models.LeadNew})
	// A colleague invited, who has not chosen a password yet (unverified).
	viewerOfA := func(t *testing.T, f *tests.Practices) string { return f.Record(t, models.StaffCollection).Id }
	gapOfA := func(t *testing.T, f *tests.Practices) string {
		return f.Create(t, models.KnowledgeGapsCollection, map[string]any{"business": f.A.Id, "question": "q " + core.GenerateDefaultRandomId(), "count": 1}).Id
	}
	f.Create(t, models.EvalRunsCollection, map[string]any{"business": f.A.Id, "started": "2026-03-12 10:00:00.000Z", "score": 1, "total": 1, "provider": "offline",
		"results": []map[string]any{{"question": "Private evaluation question", "expect": "x", "answer": "x", "ok": true}}})
	invites := 0
	routes := []staffRoute{
		{method: "GET", path: "/api/frontdesk/inbox", private: conv.Id,
			status: map[string]int{tests.Owner: 200, tests.Admin: 200, tests.Viewer: 200, tests.OtherOwner: 200, tests.Anonymous: 401}},
		{method: "GET", path: "/api/frontdesk/inbox?q=private+person", private: conv.Id,
			status: map[string]int{tests.Owner: 200, tests.Admin: 200, tests.Viewer: 200, tests.OtherOwner: 200, tests.Anonymous: 401}},
		{method: "GET", path: "/api/frontdesk/dashboard?days=7",
			status: map[string]int{tests.Owner: 200, tests.Admin: 200, tests.Viewer: 403, tests.OtherOwner: 200, tests.Anonymous: 401}},
		{method: "GET", path: "/api/frontdesk/eval", private: "Private evaluation question",
			status: map[string]int{tests.Owner: 200, tests.Admin: 200, tests.Viewer: 200, tests.OtherOwner: 200, tests.Anonymous: 401}},
		{method: "GET", path: "/api/frontdesk/leads.csv", private: "Private Person",
			status: map[string]int{tests.Owner: 200, tests.Admin: 403, tests.Viewer: 403, tests.OtherOwner: 200, tests.Anonymous: 401}},
		{method: "GET", path: "/api/frontdesk/team", private: "viewer@example.com",
			status: map[string]int{tests.Owner: 200, tests.Admin: 200, tests.Viewer: 403, tests.OtherOwner: 200, tests.Anonymous: 401}},
		{method: "POST", path: "/api/frontdesk/team/invite", body: `{"email": "invite-%s@example.com", "name": "New", "role": "viewer"}`,
			status: map[string]int{tests.Owner: 201, tests.Admin: 201, tests.Viewer: 403, tests.OtherOwner: 201, tests.Anonymous: 401}},
		{method: "POST", path: "/api/frontdesk/team/%s/resend", fixture: viewerOfA,
			status: map[string]int{tests.Owner: 200, tests.Admin: 200, tests.Viewer: 403, tests.OtherOwner: 404, tests.Anonymous: 401}},
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

// A booking staff make through the record API stays in their practice: its lead, made
// from the details they typed, is their practice's; a lead or conversation of another
// practice can't be linked, and another practice's owner can't book in theirs.
func TestStaffBookingsStayInTheirPractice(t *testing.T) {
	f := tests.NewPractices(t)
	leadB := f.Create(t, models.LeadsCollection, map[string]any{"business": f.B.Id, "name": "Bea", "email": "bea@example.com", "status": models.LeadNew})
	convB := f.Create(t, models.ConversationsCollection, map[string]any{"business": f.B.Id, "visitor_id": "v", "status": models.StatusOpen})
	body := func(extra string) string {
		return `{"business": "` + f.A.Id + `", "service": "fillings", "start": "2031-02-03T18:00:00Z"` + extra + `}`
	}
	for _, tc := range []struct {
		name, actor, extra, field string
	}{
		{"another practice's lead", tests.Owner, `, "lead": "` + leadB.Id + `"`, "lead"},
		{"another practice's conversation", tests.Owner, `, "conversation": "` + convB.Id + `", "name": "Ana", "email": "ana@example.com"`, "conversation"},
		{"into another practice", tests.OtherOwner, `, "name": "Ana", "email": "ana@example.com"`, ""},
	} {
		rec := f.Do(http.MethodPost, "/api/collections/bookings/records", body(tc.extra), tc.actor)
		if rec.Code != http.StatusBadRequest || (tc.field != "" && !strings.Contains(rec.Body.String(), `"`+tc.field+`"`)) {
			t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body.String())
		}
	}
	if n, _ := f.App.CountRecords(models.BookingsCollection); n != 0 {
		t.Fatalf("%d bookings stored by refused requests", n)
	}
	if n, _ := f.App.CountRecords(models.LeadsCollection); n != 1 {
		t.Fatalf("%d leads after refused requests, want practice B's one", n)
	}

	rec := f.Do(http.MethodPost, "/api/collections/bookings/records", body(`, "name": "Ana Diaz", "phone": "(503) 555-0199", "sms_consent": true`), tests.Admin)
	if rec.Code != http.StatusOK {
		t.Fatalf("admin's booking: %d %s", rec.Code, rec.Body.String())
	}
	bk, err := f.App.FindRecordById(models.BookingsCollection, tests.Decode(t, rec)["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	lead, err := f.App.FindRecordById(models.LeadsCollection, bk.GetString("lead"))
	if err != nil {
		t.Fatal(err)
	}
	if lead.GetString("business") != f.A.Id || lead.GetString("phone") != "+15035550199" || !lead.GetBool("sms_consent") ||
		lead.GetString("status") != models.LeadBooked || bk.GetString("service") != "Fillings" || bk.GetString("source") != models.SourceStaff ||
		bk.GetDateTime("end").Time().Sub(bk.GetDateTime("start").Time()) != 45*time.Minute {
		t.Errorf("booking %v, lead %v", bk.FieldsData(), lead.FieldsData())
	}
}
