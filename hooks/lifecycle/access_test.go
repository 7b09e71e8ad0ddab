package lifecycle_test

import (
	"net/http"
	"testing"
)

// Every route is the owner's: admins and viewers are refused, another practice's
// owner reaches only their own practice, and a request without a token is asked for one.
func TestRoutesAreForOwnersOnly(t *testing.T) {
	f := newFixture(t)
	conv := f.conversation(f.demo, t0, "hello")
	f.lead(f.demo, conv, t0, "Ana Perez", "ana@example.com", "")

	routes := []struct {
		name, method, path, body string
		// ownerStatus is what the demo's owner gets; the other practice's owner gets
		// otherStatus, acting on the same body within their own practice.
		ownerStatus, otherStatus int
	}{
		{"erasure", "POST", "/api/frontdesk/erasure", `{"conversation": "` + conv.Id + `"}`, 200, 404},
		{"export", "GET", "/api/frontdesk/export", "", 200, 200},
		{"practice deletion", "DELETE", "/api/frontdesk/practice", `{"confirm": "demo"}`, 200, 400},
	}
	for _, r := range routes {
		for _, c := range []struct {
			actor, code string
			status      int
		}{
			{anonymous, "unauthorized", 401},
			{viewer, "forbidden", 403},
			{admin, "forbidden", 403},
			{superuser, "invalid_input", 400}, // must name the practice
		} {
			rec := f.do(r.method, r.path, c.actor, r.body)
			if rec.Code != c.status {
				t.Errorf("%s as %s: %d; want %d (%s)", r.name, c.actor, rec.Code, c.status, rec.Body.String())
				continue
			}
			if code, _ := errorCode(t, rec); code != c.code {
				t.Errorf("%s as %s: code %s; want %s", r.name, c.actor, code, c.code)
			}
		}
		rec := f.do(r.method, r.path, otherOwner, r.body)
		if rec.Code != r.otherStatus {
			t.Errorf("%s as another practice's owner: %d; want %d (%s)", r.name, rec.Code, r.otherStatus, rec.Body.String())
		}
		if r.name == "export" && rec.Code == 200 {
			if files := openExport(t, rec.Body.Bytes()); len(readCSV(t, files["leads.csv"])) != 0 || len(readCSV(t, files["conversations.csv"])) != 0 {
				t.Error("another practice's owner exported the demo's visitor data")
			}
		}
		// (The owner's erasure, below, is the one request that may delete the conversation.)
		if r.name == "erasure" && !f.exists("conversations", conv.Id) || !f.exists("businesses", f.demo.Id) {
			t.Fatalf("%s: a refused request deleted the demo's data", r.name)
		}
		if rec := f.do(r.method, r.path, owner, r.body); rec.Code != r.ownerStatus {
			t.Errorf("%s as the owner: %d; want %d (%s)", r.name, rec.Code, r.ownerStatus, rec.Body.String())
		}
	}
	if f.exists("businesses", f.demo.Id) {
		t.Error("the owner's confirmed deletion left the practice")
	}
	if rec := f.do("GET", "/api/frontdesk/export", owner, ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("the deleted practice's owner token still works: %d", rec.Code)
	}
}
