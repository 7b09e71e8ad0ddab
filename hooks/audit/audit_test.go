package audit_test

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks"
	"frontdesk/hooks/audit"
	"frontdesk/hooks/practice"
	"frontdesk/models"
	"frontdesk/tests"
)

func auditActions(t *testing.T, app core.App) []string {
	t.Helper()
	recs, err := app.FindRecordsByFilter(models.AuditCollection, "", "seq", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.GetString("action")+" "+r.GetString("target"))
	}
	return out
}

func TestAuditTrail(t *testing.T) {
	f := tests.NewPractices(t)
	// Three logins in a row would trip PocketBase's auth rate limit; this test is about the trail.
	f.UpdateSettings(t, tests.NoRateLimits)
	do := func(method, url, body, token string) int {
		req := httptest.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		rec := httptest.NewRecorder()
		f.H.ServeHTTP(rec, req)
		return rec.Code
	}
	conv := f.Record(t, models.ConversationsCollection)
	lead := f.Record(t, models.LeadsCollection)
	steps := []struct {
		method, url, body, token string
		status                   int
		action                   string
	}{
		{"GET", "/api/collections/conversations/records", "", f.Tokens[tests.Owner], 200, "list conversations"},
		{"GET", "/api/collections/conversations/records/" + conv.Id, "", f.Tokens[tests.Viewer], 200, "view conversations/" + conv.Id},
		{"GET", "/api/collections/messages/records?filter=conversation%3D'" + conv.Id + "'", "", f.Tokens[tests.Admin], 200, "list messages (0 records)"},
		{"GET", "/api/collections/leads/records/" + lead.Id, "", f.Tokens[tests.Owner], 200, "view leads/" + lead.Id},
		{"GET", "/api/frontdesk/leads.csv", "", f.Tokens[tests.Owner], 200, "export leads.csv"},
		{"GET", "/api/frontdesk/leads.csv", "", f.Tokens[tests.Viewer], 403, ""},
		{"POST", "/api/collections/staff/auth-with-password", `{"identity":"owner@example.com","password":"correct horse battery"}`, "", 200, "login "},
		{"POST", "/api/collections/staff/auth-with-password", `{"identity":"owner@example.com","password":"wrong"}`, "", 400, "login_failed "},
		{"POST", "/api/collections/staff/auth-with-password", `{"identity":"nobody@example.com","password":"wrong"}`, "", 400, "login_failed "},
		{"PATCH", "/api/collections/businesses/records/" + f.A.Id, `{"greeting":"Welcome!"}`, f.Tokens[tests.Admin], 200, "update businesses/" + f.A.Id},
		{"POST", "/api/collections/faqs/records", `{"business":"` + f.A.Id + `","question":"Q?","answer":"A."}`, f.Tokens[tests.Owner], 200, "create faqs/"},
	}
	for _, s := range steps {
		before := len(auditActions(t, f.App))
		if got := do(s.method, s.url, s.body, s.token); got != s.status {
			t.Fatalf("%s %s: %d, want %d", s.method, s.url, got, s.status)
		}
		actions := auditActions(t, f.App)
		if s.action == "" {
			if len(actions) != before {
				t.Fatalf("%s %s: refused request wrote %v", s.method, s.url, actions[before:])
			}
			continue
		}
		if len(actions) != before+1 || !strings.HasPrefix(actions[before], s.action) {
			t.Fatalf("%s %s: audit %v, want one %q", s.method, s.url, actions[before:], s.action)
		}
	}
	recs, _ := f.App.FindRecordsByFilter(models.AuditCollection, "action = 'view'", "", 1, 0)
	if recs[0].GetString("business") != f.A.Id || !strings.HasPrefix(recs[0].GetString("actor"), "staff:") || recs[0].GetString("ip") == "" {
		t.Fatalf("entry %v", recs[0].PublicExport())
	}
	n, broken, err := audit.Verify(f.App)
	if err != nil || broken != nil || n != len(auditActions(t, f.App)) {
		t.Fatalf("verify: %d %v %v", n, broken, err)
	}
}

func TestAuditEntriesAreImmutable(t *testing.T) {
	f := tests.NewPractices(t)
	do := func(method, url, body string) { // as the owner: a read that writes an entry
		req := httptest.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Authorization", f.Tokens[tests.Owner])
		f.H.ServeHTTP(httptest.NewRecorder(), req)
	}
	do("GET", "/api/collections/leads/records", "")
	do("GET", "/api/collections/conversations/records", "")
	entries, _ := f.App.FindRecordsByFilter(models.AuditCollection, "", "seq", 0, 0)
	if len(entries) < 2 {
		t.Fatalf("%d entries", len(entries))
	}
	tok := tests.SuperuserToken(t, f.App)
	for _, req := range []*http.Request{
		httptest.NewRequest("PATCH", "/api/collections/audit_log/records/"+entries[0].Id, strings.NewReader(`{"action":"nothing"}`)),
		httptest.NewRequest("DELETE", "/api/collections/audit_log/records/"+entries[0].Id, nil),
		httptest.NewRequest("DELETE", "/api/collections/audit_log", nil),
	} {
		req.Header.Set("Authorization", tok)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		f.H.ServeHTTP(rec, req)
		if rec.Code < 400 {
			t.Fatalf("superuser %s %s: %d", req.Method, req.URL, rec.Code)
		}
	}
	entries[0].Set("action", "nothing")
	if err := f.App.Save(entries[0]); err == nil {
		t.Fatal("app.Save changed an audit entry")
	}
	if err := f.App.Delete(entries[1]); err == nil {
		t.Fatal("app.Delete removed an audit entry")
	}
	if _, broken, _ := audit.Verify(f.App); broken != nil {
		t.Fatalf("chain broken: %+v", broken)
	}
}

func TestAuditVerifyCatchesDirectEdits(t *testing.T) {
	f := tests.NewPractices(t)
	f.ListLeads(t, 5)
	if _, broken, err := audit.Verify(f.App); err != nil || broken != nil {
		t.Fatalf("intact chain reported broken: %v %v", broken, err)
	}
	// Someone with the SQLite file edits entry 3 directly.
	if _, err := f.App.DB().NewQuery("UPDATE audit_log SET actor = 'staff:someone-else' WHERE seq = 3").Execute(); err != nil {
		t.Fatal(err)
	}
	_, broken, err := audit.Verify(f.App)
	if err != nil || broken == nil || broken.Seq != 3 {
		t.Fatalf("edit not caught at 3: %+v %v", broken, err)
	}
	// Deleting a row is caught too.
	if _, err := f.App.DB().NewQuery("UPDATE audit_log SET actor = (SELECT actor FROM audit_log WHERE seq = 2) WHERE seq = 3").Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.DB().NewQuery("DELETE FROM audit_log WHERE seq = 4").Execute(); err != nil {
		t.Fatal(err)
	}
	_, broken, _ = audit.Verify(f.App)
	if broken == nil || broken.Seq > 4 {
		t.Fatalf("deletion not caught: %+v", broken)
	}
}

func TestRealtimeSubscriptionsAreAudited(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	b, _ := srv.App.FindFirstRecordByData(models.BusinessesCollection, "slug", practice.DemoSlug)
	staff := tests.NewRecord(t, srv.App, models.StaffCollection, map[string]any{"business": b.Id, "role": models.RoleViewer, "email": "v@example.com"})
	staff.SetPassword("correct horse battery")
	if err := srv.App.Save(staff); err != nil {
		t.Fatal(err)
	}
	tok, _ := staff.NewAuthToken()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/realtime", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var clientID string
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() && clientID == "" {
		if line := sc.Text(); strings.HasPrefix(line, "id:") {
			clientID = strings.TrimSpace(strings.TrimPrefix(line, "id:"))
		}
	}
	// Topics can carry a filter (options) and any text as a record id: neither may reach
	// the audit log, which nobody can erase.
	conv := tests.NewRecord(t, srv.App, models.ConversationsCollection, map[string]any{"business": b.Id, "visitor_id": "v", "status": "open"})
	if err := srv.App.Save(conv); err != nil {
		t.Fatal(err)
	}
	options := url.QueryEscape(`{"query":{"filter":"email='jane.roe@example.com'"}}`)
	subs, _ := json.Marshal([]string{"conversations/*", "leads", "faqs", "leads?options=" + options,
		"conversations/" + conv.Id + "?options=" + options, "leads/jane.roe@example.com", "conversations/*"})
	body := `{"clientId":"` + clientID + `","subscriptions":` + string(subs) + `}`
	sub, _ := http.NewRequest("POST", srv.URL+"/api/realtime", strings.NewReader(body))
	sub.Header.Set("Content-Type", "application/json")
	sub.Header.Set("Authorization", tok)
	sres, err := http.DefaultClient.Do(sub)
	if err != nil {
		t.Fatal(err)
	}
	sres.Body.Close()
	if sres.StatusCode != http.StatusNoContent {
		t.Fatalf("subscribe: %d", sres.StatusCode)
	}
	got := strings.Join(auditActions(t, srv.App), "|")
	want := "subscribe conversations/*|subscribe leads|subscribe conversations/" + conv.Id + "|subscribe leads/(unknown record)"
	if got != want {
		t.Fatalf("audit %q, want %q", got, want)
	}
}

// auditRows is every column of every audit entry, in order, for comparing snapshots and
// searching for what must not be there.
func auditRows(t *testing.T, app core.App) []dbx.NullStringMap {
	t.Helper()
	var rows []dbx.NullStringMap
	if err := app.DB().NewQuery("SELECT * FROM audit_log ORDER BY seq").All(&rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

// chainHash is the audit chain's hash, computed here the way an attacker who read the
// source would, to forge an entry that the chain alone would accept.
func chainHash(fields ...string) string {
	h := sha256.New()
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0x1f})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestAuditLogRefusesWritesThroughAnyAPI(t *testing.T) {
	f := tests.NewPractices(t)
	f.ListLeads(t, 3)
	f.UpdateSettings(t, tests.EnableBatch)
	tok := tests.SuperuserToken(t, f.App)
	before := auditRows(t, f.App)
	last := before[len(before)-1]
	seq := strconv.Itoa(len(before) + 1)
	at := "2026-01-01T00:00:00Z"
	forged := map[string]any{
		"seq": len(before) + 1, "business": f.A.Id, "actor": "staff:nobody", "action": "view",
		"target": "leads", "ip": "10.0.0.1", "at": at, "prev_hash": last["hash"].String,
		"hash": chainHash(seq, f.A.Id, "staff:nobody", "view", "leads", "10.0.0.1", at, last["hash"].String),
	}
	forgedJSON, _ := json.Marshal(forged)
	id := last["id"].String
	batch := func(method, url string, body any) string {
		b, _ := json.Marshal(map[string]any{"requests": []map[string]any{{"method": method, "url": url, "body": body}}})
		return string(b)
	}
	auditCol, _ := f.App.FindCollectionByNameOrId(models.AuditCollection)
	opened := *auditCol
	opened.CreateRule = new(string)
	importBody, _ := json.Marshal(map[string]any{"collections": []any{&opened}, "deleteMissing": false})

	// Each refusal must come from the audit log's guard, not from a malformed request.
	const alone, fixed = "written by Frontdesk alone", "collection can't be changed"
	for _, c := range []struct{ method, url, body, why string }{
		{"POST", "/api/collections/audit_log/records", string(forgedJSON), alone},
		{"PATCH", "/api/collections/audit_log/records/" + id, `{"action":"nothing"}`, alone},
		{"DELETE", "/api/collections/audit_log/records/" + id, "", alone},
		{"DELETE", "/api/collections/audit_log/truncate", "", "Failed to truncate"},
		{"DELETE", "/api/collections/audit_log", "", "Failed to delete"},
		{"PATCH", "/api/collections/audit_log", `{"createRule":""}`, fixed},
		{"PUT", "/api/collections/import", string(importBody), fixed},
		{"POST", "/api/batch", batch("POST", "/api/collections/audit_log/records", forged), alone},
		{"POST", "/api/batch", batch("PUT", "/api/collections/audit_log/records", forged), alone},
		{"POST", "/api/batch", batch("PATCH", "/api/collections/audit_log/records/"+id, map[string]any{"action": "nothing"}), alone},
		{"POST", "/api/batch", batch("DELETE", "/api/collections/audit_log/records/"+id, nil), alone},
	} {
		req := httptest.NewRequest(c.method, c.url, strings.NewReader(c.body))
		req.Header.Set("Authorization", tok)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		f.H.ServeHTTP(rec, req)
		if (rec.Code != http.StatusForbidden && rec.Code != http.StatusBadRequest) || !strings.Contains(rec.Body.String(), c.why) {
			t.Errorf("superuser %s %s: %d %s, want 403 or 400 saying %q", c.method, c.url, rec.Code, rec.Body.String(), c.why)
		}
	}
	if after := auditRows(t, f.App); !reflect.DeepEqual(after, before) {
		t.Fatalf("the API wrote the audit log: %d entries before, %d after", len(before), len(after))
	}

	// Frontdesk's own code can't add entries beside the auditor either.
	r := core.NewRecord(auditCol)
	r.Load(forged)
	if err := f.App.SaveNoValidate(r); err == nil {
		t.Fatal("app.SaveNoValidate added an audit entry")
	}
	if _, broken, err := audit.Verify(f.App); err != nil || broken != nil {
		t.Fatalf("verify: %+v %v", broken, err)
	}
}

func TestAuditBatchOfAuditedWritesCompletes(t *testing.T) {
	// A batch runs in one transaction; the audit entries of its writes must not wait
	// for that transaction's connection.
	f := tests.NewPractices(t)
	f.UpdateSettings(t, tests.EnableBatch)
	body, _ := json.Marshal(map[string]any{"requests": []map[string]any{
		{"method": "POST", "url": "/api/collections/faqs/records", "body": map[string]any{"business": f.A.Id, "question": "Q1?", "answer": "A1."}},
		{"method": "POST", "url": "/api/collections/faqs/records", "body": map[string]any{"business": f.A.Id, "question": "Q2?", "answer": "A2."}},
	}})
	req := httptest.NewRequest("POST", "/api/batch", strings.NewReader(string(body)))
	req.Header.Set("Authorization", f.Tokens[tests.Owner])
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() { f.H.ServeHTTP(rec, req); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("batch of two FAQ creates did not finish in 20s")
	}
	if rec.Code != http.StatusOK {
		t.Fatalf("batch: %d %s", rec.Code, rec.Body.String())
	}
	if got := strings.Count(strings.Join(auditActions(t, f.App), "|"), "create faqs/"); got != 2 {
		t.Fatalf("%d create entries: %v", got, auditActions(t, f.App))
	}
	if _, broken, err := audit.Verify(f.App); err != nil || broken != nil {
		t.Fatalf("verify: %+v %v", broken, err)
	}
}

func TestAuditVerifyCatchesATruncatedTail(t *testing.T) {
	f := tests.NewPractices(t)
	f.ListLeads(t, 6)
	n, broken, err := audit.Verify(f.App)
	if err != nil || broken != nil || n != 6 {
		t.Fatalf("intact chain: %d %+v %v", n, broken, err)
	}
	// Someone with the SQLite file deletes the newest entries: the rest is a valid chain.
	if _, err := f.App.DB().NewQuery("DELETE FROM audit_log WHERE seq > 4").Execute(); err != nil {
		t.Fatal(err)
	}
	_, broken, err = audit.Verify(f.App)
	if err != nil || broken == nil || broken.Seq != 5 || !strings.Contains(broken.Reason, "truncated") {
		t.Fatalf("truncation not reported at 5: %+v %v", broken, err)
	}
	// Also after rewriting the newest remaining entries to look like the lost ones.
	if _, err := f.App.DB().NewQuery("DELETE FROM audit_log WHERE seq > 2").Execute(); err != nil {
		t.Fatal(err)
	}
	if _, broken, _ = audit.Verify(f.App); broken == nil {
		t.Fatal("a shorter truncation went unreported")
	}
}

func TestAuditHeadFile(t *testing.T) {
	f := tests.NewPractices(t)
	f.ListLeads(t, 3)
	path := filepath.Join(f.App.DataDir(), audit.HeadFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
	rows := auditRows(t, f.App)
	b, _ := os.ReadFile(path)
	var head struct {
		Seq  int    `json:"seq"`
		Hash string `json:"hash"`
	}
	if err := json.Unmarshal(b, &head); err != nil || head.Seq != len(rows) || head.Hash != rows[len(rows)-1]["hash"].String {
		t.Fatalf("head %s (%v), want seq %d", b, err, len(rows))
	}

	// The head travels in every backup, so a restored log is checked against its own head.
	if err := f.App.CreateBackup(context.Background(), "b.zip"); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(filepath.Join(f.App.DataDir(), core.LocalBackupsDirName, "b.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
	}
	if !slices.Contains(names, audit.HeadFile) {
		t.Fatalf("backup holds %v, not %s", names, audit.HeadFile)
	}
}

func TestAuditHeadStaysAsEvidenceAfterRestart(t *testing.T) {
	key := make([]byte, 32)
	sameKey := func(c *hooks.Config) { c.SecretKey = key }
	app := tests.NewApp(t, tests.Options{NoDemo: true, Configure: sameKey})
	h := tests.Handler(t, app)
	tok := tests.SuperuserToken(t, app)
	list := func(h http.Handler) {
		req := httptest.NewRequest("GET", "/api/collections/leads/records", nil)
		req.Header.Set("Authorization", tok)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	for range 5 {
		list(h)
	}
	if _, err := app.DB().NewQuery("DELETE FROM audit_log WHERE seq > 3").Execute(); err != nil {
		t.Fatal(err)
	}
	tests.Stop(app)
	// The server starts again on the truncated log and writes on: the head file must
	// not follow the table, or the truncation would vanish.
	again := tests.NewApp(t, tests.Options{NoDemo: true, DataDir: app.DataDir(), Configure: sameKey})
	h2 := tests.Handler(t, again)
	for range 4 {
		list(h2)
	}
	_, broken, err := audit.Verify(again)
	if err != nil || broken == nil || broken.Seq != 5 {
		t.Fatalf("truncation before the restart not reported at 5: %+v %v", broken, err)
	}
}

func TestAuditEntriesHoldNoIdentifiers(t *testing.T) {
	f := tests.NewPractices(t)
	f.UpdateSettings(t, tests.NoRateLimits)
	const email, phone = "jane.roe@example.com", "5035550143"
	f.Create(t, models.LeadsCollection, map[string]any{"business": f.A.Id, "name": "Jane Roe", "email": email, "phone": phone, "status": "new"})
	filter := url.QueryEscape("email='" + email + "' || phone~'" + phone + "'")
	convFilter := url.QueryEscape("page_url~'" + email + "' || visitor_id='" + phone + "'")
	for _, c := range []struct{ method, url, body, token string }{
		{"GET", "/api/collections/leads/records?filter=" + filter, "", f.Tokens[tests.Owner]},
		{"GET", "/api/collections/conversations/records?filter=" + convFilter, "", f.Tokens[tests.Admin]},
		{"GET", "/api/collections/leads/records?filter=" + filter, "", tests.SuperuserToken(t, f.App)},
		{"POST", "/api/collections/staff/auth-with-password", `{"identity":"` + email + `","password":"wrong"}`, ""},
		{"POST", "/api/collections/staff/auth-with-password", `{"identity":"` + phone + `","password":"wrong"}`, ""},
	} {
		req := httptest.NewRequest(c.method, c.url, strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		if c.token != "" {
			req.Header.Set("Authorization", c.token)
		}
		f.H.ServeHTTP(httptest.NewRecorder(), req)
	}
	rows := auditRows(t, f.App)
	if len(rows) < 5 {
		t.Fatalf("%d entries, want at least 5: %v", len(rows), auditActions(t, f.App))
	}
	for _, r := range rows {
		for col, v := range r {
			if strings.Contains(v.String, email) || strings.Contains(v.String, phone) || strings.Contains(v.String, "jane") {
				t.Errorf("entry %s: %s = %q holds an identifier", r["seq"].String, col, v.String)
			}
		}
	}
	if got := strings.Join(auditActions(t, f.App), "|"); !strings.Contains(got, "list leads (1 record)") {
		t.Fatalf("audit %q: the list entry should say how many records were read", got)
	}
}

// Another process appending to the chain (`frontdesk retention run` beside the server)
// costs the server no entry: its next append reads the head again.
func TestAuditAppendAfterAnotherProcessKeepsEveryEntry(t *testing.T) {
	app := tests.NewApp(t, tests.Options{NoDemo: true})
	server := audit.New(app)
	other := audit.New(app) // the other process's auditor, with its own cached head
	for i, a := range []*audit.Auditor{server, other, server, other, server} {
		if err := a.Record("", "system", "test", fmt.Sprintf("entry %d", i), ""); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	n, broken, err := audit.Verify(app)
	if err != nil || broken != nil || n != 5 {
		t.Fatalf("%d entries, break %+v, %v; want 5 intact", n, broken, err)
	}
}
