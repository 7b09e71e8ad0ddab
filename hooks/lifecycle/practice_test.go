package lifecycle_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"frontdesk/hooks/audit"
)

// practiceData gives the demo practice one record of each kind it can hold, and a
// document with a file, and returns the document.
func practiceData(f *fixture) *core.Record {
	f.t.Helper()
	c := f.conversation(f.demo, t0, "hello")
	f.lead(f.demo, c, t0, "Ana Perez", "ana@example.com", "+15035550199")
	f.create("credentials", map[string]any{"business": f.demo.Id, "kind": "twilio", "value": `{"api_key": "sk-demo"}`})
	f.create("knowledge_gaps", map[string]any{"business": f.demo.Id, "question": "do you do implants", "count": 1})
	file, err := filesystem.NewFileFromBytes([]byte("price list"), "prices.txt")
	if err != nil {
		f.t.Fatal(err)
	}
	return f.create("documents", map[string]any{"business": f.demo.Id, "title": "Prices", "file": file})
}

// auditedRead makes the real audit chain write an entry of the demo practice: an
// owner's list of its leads.
func auditedRead(f *fixture) {
	f.t.Helper()
	if rec := f.do("GET", "/api/collections/leads/records", owner, ""); rec.Code != 200 {
		f.t.Fatalf("list leads: %d %s", rec.Code, rec.Body.String())
	}
}

// demoGone checks that nothing of the demo practice is left but its audit entries,
// the other practice untouched, and the document's file removed from storage.
func demoGone(f *fixture, doc *core.Record, otherBefore map[string]int) {
	f.t.Helper()
	if f.exists("businesses", f.demo.Id) {
		f.t.Fatal("the practice is still there")
	}
	for _, c := range []string{"staff", "faqs", "documents", "conversations", "messages", "leads", "credentials", "knowledge_gaps", "outbox"} {
		if n := f.count(c, f.demo); n != 0 {
			f.t.Errorf("%d %s of the deleted practice left", n, c)
		}
		if n := f.count(c, f.other); n != otherBefore[c] {
			f.t.Errorf("the other practice's %s: %d, was %d", c, n, otherBefore[c])
		}
	}
	if n, _ := f.app.CountRecords("audit_log", dbx.HashExp{"business": f.demo.Id}); n == 0 {
		f.t.Error("the deleted practice's audit entries went with it")
	}
	if n, broken, err := audit.Verify(f.app); err != nil || broken != nil {
		f.t.Errorf("audit chain after the deletion: %d entries, %+v, %v", n, broken, err)
	}
	// PocketBase removes a deleted record's files in the background, after the commit.
	dir := filepath.Join(f.app.DataDir(), "storage", doc.BaseFilesPath())
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			f.t.Error("the deleted practice's document file is still stored")
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func otherCounts(f *fixture) map[string]int {
	out := map[string]int{}
	for _, c := range []string{"staff", "faqs", "documents", "conversations", "messages", "leads", "credentials", "knowledge_gaps", "outbox"} {
		out[c] = f.count(c, f.other)
	}
	return out
}

func TestPracticeDeletionByItsOwner(t *testing.T) {
	f := newFixture(t)
	doc := practiceData(f)
	f.conversation(f.other, t0, "hola")
	auditedRead(f)
	before := otherCounts(f)

	for _, body := range []string{`{}`, `{"confirm": "Demo"}`, `{"confirm": "other-practice"}`, `nope`} {
		rec := f.do("DELETE", "/api/frontdesk/practice", owner, body)
		if code, _ := errorCode(t, rec); rec.Code != 400 || code != "invalid_input" {
			t.Errorf("confirm %s: %d %s; want 400 invalid_input", body, rec.Code, rec.Body.String())
		}
	}
	if !f.exists("businesses", f.demo.Id) || f.count("leads", f.demo) != 1 {
		t.Fatal("an unconfirmed deletion changed something")
	}

	rec := f.do("DELETE", "/api/frontdesk/practice", owner, `{"confirm": "demo"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body.String())
	}
	var out struct {
		Deleted map[string]int `json:"deleted"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if out.Deleted["leads"] != 1 || out.Deleted["messages"] != 1 || out.Deleted["staff"] != 3 || out.Deleted["documents"] != 1 || out.Deleted["audit_log"] != 0 {
		t.Errorf("deleted %v", out.Deleted)
	}
	demoGone(f, doc, before)
	e := f.audit.actions("practice_delete")
	if len(e) != 1 || e[0].Business != f.demo.Id || !strings.Contains(e[0].Target, "1 leads") {
		t.Errorf("audit entries %+v", e)
	}
}

func TestPracticeDeletionBySuperuser(t *testing.T) {
	t.Run("through this route", func(t *testing.T) {
		f := newFixture(t)
		doc := practiceData(f)
		auditedRead(f)
		before := otherCounts(f)
		rec := f.do("DELETE", "/api/frontdesk/practice?business="+f.demo.Id, superuser, `{"confirm": "demo"}`)
		if rec.Code != http.StatusOK {
			t.Fatalf("delete: %d %s", rec.Code, rec.Body.String())
		}
		demoGone(f, doc, before)
	})
	// PocketBase's own delete of the record (the admin UI) cascades just the same.
	t.Run("through PocketBase's record API", func(t *testing.T) {
		f := newFixture(t)
		doc := practiceData(f)
		auditedRead(f)
		before := otherCounts(f)
		rec := f.do("DELETE", "/api/collections/businesses/records/"+f.demo.Id, superuser, "")
		if rec.Code != http.StatusNoContent {
			t.Fatalf("delete: %d %s", rec.Code, rec.Body.String())
		}
		demoGone(f, doc, before)
	})
}
