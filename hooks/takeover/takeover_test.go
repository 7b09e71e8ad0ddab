package takeover_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	pbtests "github.com/pocketbase/pocketbase/tests"

	"frontdesk/models"
	"frontdesk/tests"
)

// fixture is the two practices with a visitor of practice A (the demo) on the same app.
type fixture struct {
	*tests.Practices
	v *tests.Visitor
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := tests.NewPractices(t)
	f.UpdateSettings(t, tests.NoRateLimits)
	return &fixture{Practices: f, v: &tests.Visitor{T: t, App: f.App.(*pbtests.TestApp), H: f.H}}
}

// patch updates conversation id as actor and returns the response.
func (f *fixture) patch(id, body, actor string) *httptest.ResponseRecorder {
	return f.Do(http.MethodPatch, "/api/collections/conversations/records/"+id, body, actor)
}

// write creates a staff message in conversation id as actor.
func (f *fixture) write(id, text, actor string) *httptest.ResponseRecorder {
	b, _ := json.Marshal(map[string]any{"conversation": id, "role": models.RoleStaff, "text": text})
	return f.Do(http.MethodPost, "/api/collections/messages/records", string(b), actor)
}

func (f *fixture) conversation(t *testing.T, id string) *core.Record {
	t.Helper()
	r, err := f.App.FindRecordById(models.ConversationsCollection, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) staffID(t *testing.T, actor string) string {
	t.Helper()
	r, err := f.App.FindAuthRecordByEmail(models.StaffCollection, actor+"@example.com")
	if err != nil {
		t.Fatal(err)
	}
	return r.Id
}

func TestOwnersAndAdminsTakeOverViewersAndOtherPracticesCannot(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		actor  string
		status int
	}{
		{tests.Viewer, http.StatusNotFound},     // the rule hides the record from who can't change it
		{tests.OtherOwner, http.StatusNotFound}, // another practice's conversation
		{tests.Anonymous, http.StatusNotFound},
		{tests.Admin, http.StatusOK},
		{tests.Owner, http.StatusOK},
	} {
		t.Run(tc.actor, func(t *testing.T) {
			id, _ := f.v.Start()
			if rec := f.patch(id, `{"status":"human"}`, tc.actor); rec.Code != tc.status {
				t.Fatalf("take over: %d, want %d: %s", rec.Code, tc.status, rec.Body.String())
			}
			c := f.conversation(t, id)
			if tc.status != http.StatusOK {
				if c.GetString("status") != models.StatusOpen || c.GetString("assigned_to") != "" {
					t.Fatalf("refused takeover changed the conversation: %v %v", c.GetString("status"), c.GetString("assigned_to"))
				}
				return
			}
			if c.GetString("status") != models.StatusHuman || c.GetString("assigned_to") != f.staffID(t, tc.actor) {
				t.Fatalf("status %q assigned_to %q, want human held by %s", c.GetString("status"), c.GetString("assigned_to"), tc.actor)
			}
		})
	}
}

func TestStaffChangeOnlyStatusAndHolder(t *testing.T) {
	f := newFixture(t)
	id, _ := f.v.Start()
	for _, body := range []string{
		`{"status":"needs_human"}`,             // the visitor's to ask, not staff's to set
		`{"status":"human","message_count":0}`, // the engine's counters
		`{"visitor_id":"someone-else"}`,
		`{"needs_human_at":""}`,
		`{"page_url":"https://evil.example/"}`,
	} {
		if rec := f.patch(id, body, tests.Owner); rec.Code == http.StatusOK {
			t.Errorf("%s: %d, want refused", body, rec.Code)
		}
	}
	if c := f.conversation(t, id); c.GetString("status") != models.StatusOpen || c.GetString("visitor_id") != "v-123" {
		t.Fatalf("a refused update changed the conversation: %v", c.FieldsData())
	}
	// Another practice's staff can't be made the holder.
	other := f.Create(t, models.StaffCollection, map[string]any{"business": f.B.Id, "role": models.RoleAdmin, "name": "Mallory", "email": "mallory@example.com", "password": "correct horse battery"})
	if rec := f.patch(id, `{"status":"human","assigned_to":"`+other.Id+`"}`, tests.Owner); rec.Code != http.StatusBadRequest {
		t.Fatalf("holder of another practice: %d %s", rec.Code, rec.Body.String())
	}
	// The owner hands it to the admin.
	admin := f.staffID(t, tests.Admin)
	if rec := f.patch(id, `{"status":"human","assigned_to":"`+admin+`"}`, tests.Owner); rec.Code != http.StatusOK {
		t.Fatalf("assign: %d %s", rec.Code, rec.Body.String())
	}
	if got := f.conversation(t, id).GetString("assigned_to"); got != admin {
		t.Fatalf("assigned_to %q, want the admin named", got)
	}
}

func TestHandbackAndCloseEndTheWait(t *testing.T) {
	f := newFixture(t)
	for _, end := range []string{models.StatusOpen, models.StatusClosed} {
		id, tok := f.v.Start()
		if rec := f.v.Do("POST", "/api/widget/demo/conversations/"+id+"/handoff", "", map[string]string{tests.TokenHeader: tok}); rec.Code != http.StatusOK {
			t.Fatalf("handoff: %d %s", rec.Code, rec.Body.String())
		}
		c := f.conversation(t, id)
		if c.GetString("status") != models.StatusNeedsHuman || c.GetDateTime("needs_human_at").IsZero() {
			t.Fatalf("after handoff: status %q needs_human_at %v", c.GetString("status"), c.GetDateTime("needs_human_at"))
		}
		if rec := f.patch(id, `{"status":"human"}`, tests.Admin); rec.Code != http.StatusOK {
			t.Fatalf("take over: %d %s", rec.Code, rec.Body.String())
		}
		if f.conversation(t, id).GetDateTime("needs_human_at").IsZero() {
			t.Fatal("taking over cleared when the visitor asked (the wait is still worth knowing)")
		}
		// Asking again while held leaves it with the person who holds it.
		rec := f.v.Do("POST", "/api/widget/demo/conversations/"+id+"/handoff", "", map[string]string{tests.TokenHeader: tok})
		if got := tests.Decode(t, rec)["status"]; got != models.StatusHuman {
			t.Fatalf("handoff while held answers status %v, want human", got)
		}
		if rec := f.patch(id, `{"status":"`+end+`"}`, tests.Admin); rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", end, rec.Code, rec.Body.String())
		}
		c = f.conversation(t, id)
		if c.GetString("status") != end || !c.GetDateTime("needs_human_at").IsZero() {
			t.Fatalf("after %s: status %q needs_human_at %v", end, c.GetString("status"), c.GetDateTime("needs_human_at"))
		}
	}
}

func TestStaffMessagesRecordTheirAuthor(t *testing.T) {
	f := newFixture(t)
	id, _ := f.v.Start()
	before := f.conversation(t, id).GetDateTime("last_message_at")
	time.Sleep(5 * time.Millisecond)

	for _, actor := range []string{tests.Viewer, tests.OtherOwner, tests.Anonymous} {
		if rec := f.write(id, "Hi, I'm here.", actor); rec.Code == http.StatusOK {
			t.Fatalf("%s wrote to a visitor: %s", actor, rec.Body.String())
		}
	}
	// A body naming another author, another practice and engine flags: the hook decides.
	owner := f.staffID(t, tests.Owner)
	body, _ := json.Marshal(map[string]any{"conversation": id, "role": models.RoleStaff, "text": "Hi, this is the front desk.",
		"author": owner, "flags": map[string]any{"offline": true}, "provider": "ollama"})
	rec := f.Do(http.MethodPost, "/api/collections/messages/records", string(body), tests.Admin)
	if rec.Code != http.StatusOK {
		t.Fatalf("admin writes: %d %s", rec.Code, rec.Body.String())
	}
	m, err := f.App.FindRecordById(models.MessagesCollection, tests.Decode(t, rec)["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if m.GetString("author") != f.staffID(t, tests.Admin) || m.GetString("business") != f.A.Id || m.GetString("provider") != "" || m.GetString("flags") != "null" && m.GetString("flags") != "" {
		t.Fatalf("stored staff message: author %q business %q provider %q flags %q", m.GetString("author"), m.GetString("business"), m.GetString("provider"), m.GetString("flags"))
	}
	if after := f.conversation(t, id).GetDateTime("last_message_at"); !after.Time().After(before.Time()) {
		t.Fatalf("last_message_at %v did not move from %v", after, before)
	}
	// The business, when sent, must be the writer's own.
	body, _ = json.Marshal(map[string]any{"conversation": id, "business": f.B.Id, "role": models.RoleStaff, "text": "x"})
	if rec := f.Do(http.MethodPost, "/api/collections/messages/records", string(body), tests.Owner); rec.Code != http.StatusBadRequest {
		t.Fatalf("message naming another practice: %d %s", rec.Code, rec.Body.String())
	}
	// Only staff messages: not as the assistant, nor as the visitor.
	body, _ = json.Marshal(map[string]any{"conversation": id, "role": models.RoleAssistant, "text": "x"})
	if rec := f.Do(http.MethodPost, "/api/collections/messages/records", string(body), tests.Owner); rec.Code != http.StatusBadRequest {
		t.Fatalf("assistant message by staff: %d %s", rec.Code, rec.Body.String())
	}

	// A closed conversation takes no more.
	if rec := f.patch(id, `{"status":"closed"}`, tests.Owner); rec.Code != http.StatusOK {
		t.Fatal(rec.Body.String())
	}
	n := len(f.v.Messages(id))
	if rec := f.write(id, "Still there?", tests.Owner); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "conversation_closed") {
		t.Fatalf("message to a closed conversation: %d %s", rec.Code, rec.Body.String())
	}
	if len(f.v.Messages(id)) != n {
		t.Fatal("a refused message was stored")
	}
}

func TestTakeoverIsAudited(t *testing.T) {
	f := newFixture(t)
	id, _ := f.v.Start()
	steps := []func() *httptest.ResponseRecorder{
		func() *httptest.ResponseRecorder { return f.patch(id, `{"status":"human"}`, tests.Admin) },
		func() *httptest.ResponseRecorder {
			return f.write(id, "Hello, my date of birth is on file", tests.Admin)
		},
		func() *httptest.ResponseRecorder { return f.patch(id, `{"status":"open"}`, tests.Admin) },
		func() *httptest.ResponseRecorder { return f.patch(id, `{"status":"closed"}`, tests.Owner) },
	}
	for i, step := range steps {
		if rec := step(); rec.Code != http.StatusOK {
			t.Fatalf("step %d: %d %s", i, rec.Code, rec.Body.String())
		}
	}
	var rows []struct {
		Actor  string `db:"actor"`
		Action string `db:"action"`
		Target string `db:"target"`
	}
	err := f.App.DB().Select("actor", "action", "target").From(models.AuditCollection).
		Where(dbx.HashExp{"business": f.A.Id}).AndWhere(dbx.In("action", "takeover", "staff_message", "handback", "close")).
		OrderBy("seq").All(&rows)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		if strings.Contains(r.Target, "date of birth") {
			t.Fatalf("audit entry holds the message's text: %v", r)
		}
		got = append(got, r.Action+" "+strings.SplitN(r.Target, "/", 2)[0]+" "+r.Actor)
	}
	admin, owner := "staff:"+f.staffID(t, tests.Admin), "staff:"+f.staffID(t, tests.Owner)
	want := []string{"takeover conversations " + admin, "staff_message messages " + admin, "handback conversations " + admin, "close conversations " + owner}
	if !slices.Equal(got, want) {
		t.Fatalf("audit entries %q, want %q", got, want)
	}
}

// realtime connects to PocketBase's realtime API as actor with one subscription, the way
// the console does, and returns once the subscription is set; the connection closes when
// the test ends or when the returned func is called.
func realtime(t *testing.T, srv *httptest.Server, token string) func() {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/realtime", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	closeConn := func() { _ = res.Body.Close() }
	t.Cleanup(closeConn)
	sc := bufio.NewScanner(res.Body)
	var clientID string
	for clientID == "" && sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data:"); ok {
			var m struct{ ClientID string }
			if err := json.Unmarshal([]byte(data), &m); err != nil {
				t.Fatal(err)
			}
			clientID = m.ClientID
		}
	}
	if clientID == "" {
		t.Fatal("no PB_CONNECT")
	}
	body, _ := json.Marshal(map[string]any{"clientId": clientID, "subscriptions": []string{"conversations"}})
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/api/realtime", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", token)
	sub, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = sub.Body.Close()
	if sub.StatusCode != http.StatusNoContent {
		t.Fatalf("subscribe: %d", sub.StatusCode)
	}
	return closeConn
}

func TestHandoffSaysWhetherSomeoneIsThere(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.H)
	t.Cleanup(srv.Close)
	handoff := func() map[string]any {
		t.Helper()
		id, tok := f.v.Start()
		rec := f.v.Do("POST", "/api/widget/demo/conversations/"+id+"/handoff", "", map[string]string{tests.TokenHeader: tok})
		if rec.Code != http.StatusOK {
			t.Fatalf("handoff: %d %s", rec.Code, rec.Body.String())
		}
		return tests.Decode(t, rec)
	}
	available := func(want bool) {
		t.Helper()
		// The server unregisters a closed realtime client when it notices, not at once.
		deadline := time.Now().Add(10 * time.Second)
		for {
			got := handoff()
			if got["status"] != models.StatusNeedsHuman {
				t.Fatalf("handoff answer %v", got)
			}
			if _, ok := got["open_now"].(bool); !ok {
				t.Fatalf("handoff answer without open_now: %v", got)
			}
			if got["available"] == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("available %v, want %v", got["available"], want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	available(false)
	// A viewer can't answer, and another practice's owner isn't this practice's team.
	realtime(t, srv, f.Tokens[tests.Viewer])
	realtime(t, srv, f.Tokens[tests.OtherOwner])
	available(false)
	leave := realtime(t, srv, f.Tokens[tests.Admin])
	available(true)
	leave()
	available(false)
}

// The conversation keeps when staff first answered and how long the visitor had waited
// since their last message: set by the first staff message, kept by the next, and not
// the staff's to write.
func TestFirstReplyIsRecordedOnce(t *testing.T) {
	f := newFixture(t)
	id, tok := f.v.Start()
	if rec, _ := f.v.Send(id, tok, "Do you take Delta Dental?"); rec.Code != http.StatusOK {
		t.Fatalf("send: %d %s", rec.Code, rec.Body.String())
	}
	if !f.conversation(t, id).GetDateTime("first_reply_at").IsZero() {
		t.Fatal("first_reply_at set before any staff message")
	}
	time.Sleep(1100 * time.Millisecond)
	rec := f.write(id, "Hi, this is the front desk.", tests.Admin)
	if rec.Code != http.StatusOK {
		t.Fatalf("write: %d %s", rec.Code, rec.Body.String())
	}
	first, err := f.App.FindRecordById(models.MessagesCollection, tests.Decode(t, rec)["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var asked core.Record
	if err := f.App.RecordQuery(models.MessagesCollection).AndWhere(dbx.HashExp{"conversation": id, "role": models.RoleVisitor}).One(&asked); err != nil {
		t.Fatal(err)
	}
	want := int(first.GetDateTime("created").Time().Sub(asked.GetDateTime("created").Time()).Round(time.Second) / time.Second)
	c := f.conversation(t, id)
	if !c.GetDateTime("first_reply_at").Equal(first.GetDateTime("created")) || c.GetInt("first_reply_secs") != want || want < 1 {
		t.Fatalf("first reply at %v after %ds; want %v after %ds", c.GetDateTime("first_reply_at"), c.GetInt("first_reply_secs"), first.GetDateTime("created"), want)
	}
	time.Sleep(1100 * time.Millisecond)
	if rec := f.write(id, "Are you still there?", tests.Owner); rec.Code != http.StatusOK {
		t.Fatalf("second write: %d %s", rec.Code, rec.Body.String())
	}
	if rec := f.patch(id, `{"first_reply_secs": 1}`, tests.Owner); rec.Code == http.StatusOK {
		t.Fatalf("the owner set the wait: %s", rec.Body.String())
	}
	if c2 := f.conversation(t, id); !c2.GetDateTime("first_reply_at").Equal(c.GetDateTime("first_reply_at")) || c2.GetInt("first_reply_secs") != want {
		t.Fatalf("first reply moved to %v after %ds", c2.GetDateTime("first_reply_at"), c2.GetInt("first_reply_secs"))
	}
}
