package console_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"frontdesk/models"
	"frontdesk/tests"
)

// decode reads a JSON answer into v, failing the test on anything else.
func decode(t testing.TB, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("answer %q: %v", body, err)
	}
}

// code is the {code} of an error answer.
func code(t testing.TB, body []byte) string {
	t.Helper()
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	decode(t, body, &e)
	if e.Message == "" {
		t.Fatalf("error %s without a message", body)
	}
	return e.Code
}

// auditEntries are practice business's audit entries with action, oldest first.
func auditEntries(t testing.TB, f *tests.Practices, action string) []string {
	t.Helper()
	rs, err := f.App.FindRecordsByFilter(models.AuditCollection, "action = {:a}", "seq", 0, 0, map[string]any{"a": action})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		out = append(out, r.GetString("business")+" "+r.GetString("target"))
	}
	return out
}

var resetLink = regexp.MustCompile(`https://fd\.example/console/#/reset/([A-Za-z0-9._-]+)`)

// An admin invites a viewer: the staff record is made with a password nobody knows, and
// the invitee gets PocketBase's reset email, in the practice's name, linking to the
// console's reset page, whose token sets their own password.
func TestInviteEmailsTheConsoleResetLink(t *testing.T) {
	f := tests.NewPractices(t)
	mail := tests.StartMailServer(t)
	tests.UseMailServer(f.App, mail)
	f.UpdateSettings(t, tests.NoRateLimits)
	tests.UseMailServer(f.App, mail)

	rec := f.Do("POST", "/api/frontdesk/team/invite", `{"email": " Nia@Example.com ", "name": "Nia", "role": "viewer"}`, tests.Admin)
	if rec.Code != http.StatusCreated {
		t.Fatalf("invite: %d %s", rec.Code, rec.Body.String())
	}
	var out struct {
		ID        string `json:"id"`
		EmailSent bool   `json:"email_sent"`
	}
	decode(t, rec.Body.Bytes(), &out)
	s, err := f.App.FindRecordById(models.StaffCollection, out.ID)
	if err != nil || !out.EmailSent || s.GetString("business") != f.A.Id || s.GetString("role") != models.RoleViewer || s.Email() != "nia@example.com" || s.Verified() {
		t.Fatalf("invited %+v: %v %v", out, s, err)
	}
	msgs := mail.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "nia@example.com" {
		t.Fatalf("mail %+v, want one to the invitee", msgs)
	}
	m := msgs[0].Parse(t)
	if !strings.Contains(m.Subject(), "Bright Smile Dental console") {
		t.Fatalf("subject %q, want the practice's console", m.Subject())
	}
	link := resetLink.FindStringSubmatch(m.Parts["text/html"])
	if link == nil || strings.Contains(m.Parts["text/html"], "{PRACTICE_NAME}") {
		t.Fatalf("mail body %s: want the console's reset link and the practice's name", m.Parts["text/html"])
	}
	rec = f.Do("POST", "/api/collections/staff/confirm-password-reset",
		`{"token": "`+link[1]+`", "password": "nia's own password", "passwordConfirm": "nia's own password"}`, tests.Anonymous)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("reset with the emailed token: %d %s", rec.Code, rec.Body.String())
	}
	rec = f.Do("POST", "/api/collections/staff/auth-with-password", `{"identity": "nia@example.com", "password": "nia's own password"}`, tests.Anonymous)
	if rec.Code != http.StatusOK {
		t.Fatalf("login with the chosen password: %d %s", rec.Code, rec.Body.String())
	}
	if got := auditEntries(t, f, "team.invite"); len(got) != 1 || got[0] != f.A.Id+" staff/"+out.ID+" as viewer" {
		t.Fatalf("audit %v", got)
	}
}

func TestInviteRefusals(t *testing.T) {
	f := tests.NewPractices(t)
	for _, c := range []struct {
		actor, body string
		status      int
		code        string
	}{
		{tests.Admin, `{"email": "o@example.com", "name": "O", "role": "owner"}`, 403, "forbidden"},
		{tests.Viewer, `{"email": "v@example.com", "name": "V", "role": "viewer"}`, 403, "forbidden"},
		{tests.Anonymous, `{"email": "v@example.com", "name": "V", "role": "viewer"}`, 401, "unauthorized"},
		{tests.Owner, `{"email": "admin@example.com", "name": "Dup", "role": "viewer"}`, 409, "email_taken"},
		{tests.Owner, `{"email": "x@example.com", "name": "X", "role": "boss"}`, 400, "invalid_input"},
		{tests.Owner, `{"email": "not an email", "name": "X", "role": "viewer"}`, 400, "invalid_input"},
		{tests.Owner, `{"email": `, 400, "invalid_input"},
	} {
		rec := f.Do("POST", "/api/frontdesk/team/invite", c.body, c.actor)
		if rec.Code != c.status || code(t, rec.Body.Bytes()) != c.code {
			t.Errorf("%s %s: %d %s, want %d %s", c.actor, c.body, rec.Code, rec.Body.String(), c.status, c.code)
		}
	}
	if n, _ := f.App.CountRecords(models.StaffCollection); n != 4 {
		t.Fatalf("%d staff after refused invites, want the fixture's 4", n)
	}
	// Without mail settings the member is added all the same, and told so.
	rec := f.Do("POST", "/api/frontdesk/team/invite", `{"email": "new@example.com", "name": "New", "role": "owner"}`, tests.Owner)
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"email_sent":false`) {
		t.Fatalf("invite without SMTP: %d %s", rec.Code, rec.Body.String())
	}
}

// Roles change and members go only by an owner's hand, within their practice; the last
// owner stays, whichever way the change comes.
func TestTeamRolesAndTheLastOwner(t *testing.T) {
	f := tests.NewPractices(t)
	staffID := func(name string) string {
		r, err := f.App.FindFirstRecordByData(models.StaffCollection, "email", name+"@example.com")
		if err != nil {
			t.Fatal(err)
		}
		return r.Id
	}
	owner, admin, viewer := staffID(tests.Owner), staffID(tests.Admin), staffID(tests.Viewer)
	su := tests.AsSuperuser(t, f.App, f.H)

	for _, c := range []struct {
		name, actor, method, path, body string
		status                          int
		code                            string
	}{
		{"admin changes a role", tests.Admin, "POST", "/api/frontdesk/team/" + viewer + "/role", `{"role": "admin"}`, 403, "forbidden"},
		{"viewer removes", tests.Viewer, "DELETE", "/api/frontdesk/team/" + admin, "", 403, "forbidden"},
		{"another practice's owner", tests.OtherOwner, "POST", "/api/frontdesk/team/" + viewer + "/role", `{"role": "owner"}`, 404, "not_found"},
		{"another practice's owner removes", tests.OtherOwner, "DELETE", "/api/frontdesk/team/" + viewer, "", 404, "not_found"},
		{"unknown role", tests.Owner, "POST", "/api/frontdesk/team/" + viewer + "/role", `{"role": "boss"}`, 400, "invalid_input"},
		{"the only owner steps down", tests.Owner, "POST", "/api/frontdesk/team/" + owner + "/role", `{"role": "admin"}`, 409, "last_owner"},
		{"the only owner removed", tests.Owner, "DELETE", "/api/frontdesk/team/" + owner, "", 409, "last_owner"},
	} {
		rec := f.Do(c.method, c.path, c.body, c.actor)
		if rec.Code != c.status || code(t, rec.Body.Bytes()) != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, rec.Code, rec.Body.String(), c.status, c.code)
		}
	}
	// The record API and the admin UI (a superuser's record API) can't go around it.
	if rec := su("PATCH", "/api/collections/staff/records/"+owner, map[string]any{"role": "viewer"}); rec.Code != http.StatusConflict {
		t.Errorf("superuser demotes the last owner: %d %s", rec.Code, rec.Body.String())
	}
	if rec := su("DELETE", "/api/collections/staff/records/"+owner, nil); rec.Code != http.StatusConflict {
		t.Errorf("superuser deletes the last owner: %d %s", rec.Code, rec.Body.String())
	}
	if rec := su("PATCH", "/api/collections/staff/records/"+owner, map[string]any{"business": f.B.Id}); rec.Code != http.StatusConflict {
		t.Errorf("superuser moves the last owner away: %d %s", rec.Code, rec.Body.String())
	}
	if rec := f.Do("PATCH", "/api/collections/staff/records/"+owner, `{"role": "admin"}`, tests.Owner); rec.Code != http.StatusConflict {
		t.Errorf("the last owner demotes themselves by the record API: %d %s", rec.Code, rec.Body.String())
	}
	if r, _ := f.App.FindRecordById(models.StaffCollection, owner); r == nil || r.GetString("role") != models.RoleOwner || r.GetString("business") != f.A.Id {
		t.Fatal("the last owner is no longer the practice's owner")
	}

	// With a second owner, the first may step down, and then the second is the last.
	rec := f.Do("POST", "/api/frontdesk/team/"+admin+"/role", `{"role": "owner"}`, tests.Owner)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"role":"owner"`) {
		t.Fatalf("promote: %d %s", rec.Code, rec.Body.String())
	}
	if rec := f.Do("POST", "/api/frontdesk/team/"+owner+"/role", `{"role": "viewer"}`, tests.Owner); rec.Code != http.StatusOK {
		t.Fatalf("step down beside another owner: %d %s", rec.Code, rec.Body.String())
	}
	if rec := su("DELETE", "/api/frontdesk/team/"+admin+"?business="+f.A.Id, nil); rec.Code != http.StatusConflict {
		t.Fatalf("remove the new last owner: %d %s", rec.Code, rec.Body.String())
	}
	if rec := su("DELETE", "/api/frontdesk/team/"+viewer+"?business="+f.A.Id, nil); rec.Code != http.StatusNoContent {
		t.Fatalf("superuser removes a viewer: %d %s", rec.Code, rec.Body.String())
	}
	if _, err := f.App.FindRecordById(models.StaffCollection, viewer); err == nil {
		t.Fatal("the removed viewer is still there")
	}
	if got := auditEntries(t, f, "team.role"); len(got) != 2 || got[0] != f.A.Id+" staff/"+admin+" admin -> owner" || got[1] != f.A.Id+" staff/"+owner+" owner -> viewer" {
		t.Fatalf("role audit %v", got)
	}
	if got := auditEntries(t, f, "team.remove"); len(got) != 1 || got[0] != f.A.Id+" staff/"+viewer {
		t.Fatalf("remove audit %v", got)
	}

	// A practice's deletion takes its last owner with it.
	if err := f.App.Delete(f.B); err != nil {
		t.Fatalf("delete a practice with its owner: %v", err)
	}
}

// The team list shows owners and admins their colleagues' emails and who signs in with
// a code.
func TestTeamList(t *testing.T) {
	f := tests.NewPractices(t)
	f.A.Set("require_mfa", true)
	if err := f.App.Save(f.A); err != nil {
		t.Fatal(err)
	}
	if rec := f.Do("GET", "/api/frontdesk/team", "", tests.Viewer); rec.Code != http.StatusForbidden {
		t.Fatalf("viewer: %d", rec.Code)
	}
	rec := f.Do("GET", "/api/frontdesk/team", "", tests.Admin)
	var out struct {
		Items []struct {
			Name, Email, Role string
			MFA               bool
		}
	}
	decode(t, rec.Body.Bytes(), &out)
	var got []string
	for _, m := range out.Items {
		mfa := ""
		if m.MFA {
			mfa = " mfa"
		}
		got = append(got, m.Role+" "+m.Email+mfa)
	}
	if strings.Join(got, ", ") != "owner owner@example.com mfa, admin admin@example.com mfa, viewer viewer@example.com" {
		t.Fatalf("team %v (%s)", got, rec.Body.String())
	}
}

// An owner or admin re-sends the invite of a colleague who has not chosen a password
// yet: a new reset link, which works, at most once per pause (the invite's own email
// counts), audited like the invite; once the colleague has chosen their password there
// is nothing to re-send.
func TestResendInvite(t *testing.T) {
	f := tests.NewPractices(t)
	f.UpdateSettings(t, tests.NoRateLimits)
	invite := func(email, role string) string {
		t.Helper()
		rec := f.Do("POST", "/api/frontdesk/team/invite", `{"email": "`+email+`", "name": "New", "role": "`+role+`"}`, tests.Owner)
		if rec.Code != http.StatusCreated {
			t.Fatalf("invite: %d %s", rec.Code, rec.Body.String())
		}
		var out struct{ ID string }
		decode(t, rec.Body.Bytes(), &out)
		return out.ID
	}
	resend := func(actor, id string) *httptest.ResponseRecorder {
		t.Helper()
		return f.Do("POST", "/api/frontdesk/team/"+id+"/resend", "", actor)
	}
	// Invited while the server had no mail settings: nothing was sent, nor can be.
	nia, pendingOwner := invite("nia@example.com", models.RoleViewer), invite("po@example.com", models.RoleOwner)
	if rec := resend(tests.Admin, nia); rec.Code != http.StatusServiceUnavailable || code(t, rec.Body.Bytes()) != "mail_unavailable" {
		t.Fatalf("without mail settings: %d %s", rec.Code, rec.Body.String())
	}

	mail := tests.StartMailServer(t)
	tests.UseMailServer(f.App, mail)
	rec := resend(tests.Admin, nia)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"email_sent":true`) {
		t.Fatalf("resend: %d %s", rec.Code, rec.Body.String())
	}
	msgs := mail.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "nia@example.com" {
		t.Fatalf("mail %+v, want one to the invitee", msgs)
	}
	// Again at once: too soon, and nothing sent.
	rec = resend(tests.Owner, nia)
	if rec.Code != http.StatusTooManyRequests || code(t, rec.Body.Bytes()) != "rate_limited" {
		t.Fatalf("resend at once: %d %s", rec.Code, rec.Body.String())
	}
	if s, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || s < 1 || s > 120 {
		t.Errorf("Retry-After %q, want the seconds left of two minutes", rec.Header().Get("Retry-After"))
	}
	if n := len(mail.Messages()); n != 1 {
		t.Fatalf("%d emails after a refused resend", n)
	}

	for _, c := range []struct {
		what, actor, id string
		status          int
		code            string
	}{
		{"a viewer", tests.Viewer, pendingOwner, 403, "forbidden"},
		{"an admin, an owner's invite", tests.Admin, pendingOwner, 403, "forbidden"},
		{"without a token", tests.Anonymous, pendingOwner, 401, "unauthorized"},
		{"another practice's owner", tests.OtherOwner, pendingOwner, 404, "not_found"},
		{"no such member", tests.Owner, "nosuchmember123", 404, "not_found"},
		{"a member who chose their password", tests.Owner, staffID(t, f, "admin@example.com"), 409, "not_pending"},
	} {
		rec := resend(c.actor, c.id)
		if rec.Code != c.status || code(t, rec.Body.Bytes()) != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.what, rec.Code, rec.Body.String(), c.status, c.code)
		}
	}
	if n := len(mail.Messages()); n != 1 {
		t.Fatalf("%d emails after refused resends", n)
	}

	// The re-sent link sets the invitee's password; then there is nothing to re-send.
	link := resetLink.FindStringSubmatch(msgs[0].Parse(t).Parts["text/html"])
	if link == nil {
		t.Fatal("no reset link in the re-sent invite")
	}
	rec = f.Do("POST", "/api/collections/staff/confirm-password-reset",
		`{"token": "`+link[1]+`", "password": "nia's own password", "passwordConfirm": "nia's own password"}`, tests.Anonymous)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("reset with the re-sent token: %d %s", rec.Code, rec.Body.String())
	}
	if rec := resend(tests.Owner, nia); rec.Code != http.StatusConflict || code(t, rec.Body.Bytes()) != "not_pending" {
		t.Fatalf("resend after the password was chosen: %d %s", rec.Code, rec.Body.String())
	}

	// A failed send is not counted against the pause: once mail works, it goes.
	mail.Down()
	if rec := resend(tests.Owner, pendingOwner); rec.Code != http.StatusBadGateway || code(t, rec.Body.Bytes()) != "mail_failed" {
		t.Fatalf("mail server down: %d %s", rec.Code, rec.Body.String())
	}
	mail.Up()
	if rec := resend(tests.Owner, pendingOwner); rec.Code != http.StatusOK {
		t.Fatalf("resend once mail works: %d %s", rec.Code, rec.Body.String())
	}
	// An invite sent by email starts the pause too.
	if rec := resend(tests.Owner, invite("kai@example.com", models.RoleAdmin)); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("resend right after the invite's email: %d %s", rec.Code, rec.Body.String())
	}

	got := auditEntries(t, f, "team.resend")
	if len(got) != 3 || got[0] != f.A.Id+" staff/"+nia || got[2] != f.A.Id+" staff/"+pendingOwner {
		t.Fatalf("audit %v: want each resend attempted", got)
	}
}

// staffID is the id of practice f's staff member with email.
func staffID(t *testing.T, f *tests.Practices, email string) string {
	t.Helper()
	r, err := f.App.FindAuthRecordByEmail(models.StaffCollection, email)
	if err != nil {
		t.Fatal(err)
	}
	return r.Id
}
