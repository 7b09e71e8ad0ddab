package console_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"frontdesk/models"
	"frontdesk/tests"
)

func TestLeadsExportIsForOwnersAndSuperusers(t *testing.T) {
	f := tests.NewPractices(t)
	f.Create(t, models.LeadsCollection, map[string]any{"business": f.A.Id, "name": "Ana", "email": "ana@example.com", "status": models.LeadNew})
	f.Create(t, models.LeadsCollection, map[string]any{"business": f.B.Id, "name": "Bo", "email": "bo@example.com", "status": models.LeadNew})
	for _, tc := range []struct {
		actor  string
		status int
		holds  string // a name the export must hold
	}{
		{tests.Owner, http.StatusOK, "Ana"},
		{tests.Admin, http.StatusForbidden, ""},
		{tests.Viewer, http.StatusForbidden, ""},
		{tests.Anonymous, http.StatusUnauthorized, ""},
		{tests.OtherOwner, http.StatusOK, "Bo"},
	} {
		rec := f.Do("GET", "/api/frontdesk/leads.csv", "", tc.actor)
		if rec.Code != tc.status {
			t.Fatalf("%s: %d %s, want %d", tc.actor, rec.Code, rec.Body.String(), tc.status)
		}
		if tc.holds != "" && (!strings.Contains(rec.Body.String(), tc.holds) || strings.Count(rec.Body.String(), "\n") != 2) {
			t.Fatalf("%s: export %q, want the header and %s's lead only", tc.actor, rec.Body.String(), tc.holds)
		}
	}
	su := tests.AsSuperuser(t, f.App, f.H)
	if rec := su("GET", "/api/frontdesk/leads.csv", nil); rec.Code != http.StatusBadRequest {
		t.Fatalf("superuser without ?business: %d", rec.Code)
	}
	if rec := su("GET", "/api/frontdesk/leads.csv?business="+f.B.Id, nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Bo") {
		t.Fatalf("superuser: %d %s", rec.Code, rec.Body.String())
	}
}

// An export larger than a page holds every lead once, oldest first, and its audit
// entry counts them.
func TestLeadsExportStreamsEveryPage(t *testing.T) {
	f := tests.NewPractices(t)
	const n = 1234
	for i := range n {
		// Many share a created time to the millisecond: the pages must not skip them.
		f.Create(t, models.LeadsCollection, map[string]any{"business": f.A.Id, "name": fmt.Sprintf("Lead %04d", i), "email": fmt.Sprintf("l%d@example.com", i), "status": models.LeadNew})
	}
	f.Create(t, models.LeadsCollection, map[string]any{"business": f.A.Id, "name": "=HYPERLINK(\"x\")", "email": "z@example.com", "status": models.LeadNew})
	rec := f.Do("GET", "/api/frontdesk/leads.csv", "", tests.Owner)
	if rec.Code != http.StatusOK {
		t.Fatalf("export: %d %s", rec.Code, rec.Body.String())
	}
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n+2 {
		t.Fatalf("%d rows, want the header and %d leads", len(rows), n+1)
	}
	seen := map[string]bool{}
	for i, r := range rows[1:] {
		if seen[r[1]] {
			t.Fatalf("row %d: %s twice", i, r[1])
		}
		seen[r[1]] = true
		if i > 0 && r[0] < rows[i][0] {
			t.Fatalf("row %d: %s after %s, want oldest first", i, r[0], rows[i][0])
		}
	}
	if !seen[`'=HYPERLINK("x")`] {
		t.Fatal("a formula cell was exported as a formula")
	}
	entries, err := f.App.FindRecordsByFilter(models.AuditCollection, "action = 'export'", "", 0, 0)
	if err != nil || len(entries) != 1 || entries[0].GetString("target") != fmt.Sprintf("leads.csv (%d records)", n+1) {
		t.Fatalf("audit entries %v (%v), want one export of %d records", entries, err, n+1)
	}
}
