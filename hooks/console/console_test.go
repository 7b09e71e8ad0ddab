package console_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

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

// ?from and ?to bound the export by the practice's days, both inclusive.
func TestLeadsExportDateRange(t *testing.T) {
	f := tests.NewPractices(t)
	s := seeder{t, f.App}
	// Los Angeles: 2026-03-01 00:00 is 08:00 UTC.
	d := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	s.lead(f.A.Id, "", "Feb Last", "a@example.com", d.Add(-time.Minute))
	s.lead(f.A.Id, "", "March First", "b@example.com", d)
	s.lead(f.A.Id, "", "March Second", "c@example.com", d.Add(24*time.Hour+time.Hour))
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{"Feb Last", "March First", "March Second"}},
		{"?from=2026-03-01", []string{"March First", "March Second"}},
		{"?to=2026-02-28", []string{"Feb Last"}},
		{"?from=2026-03-01&to=2026-03-01", []string{"March First"}},
		{"?from=2026-03-03", nil},
	} {
		rec := f.Do("GET", "/api/frontdesk/leads.csv"+c.query, "", tests.Owner)
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if rec.Code != http.StatusOK || err != nil {
			t.Fatalf("%s: %d %v", c.query, rec.Code, err)
		}
		var got []string
		for _, r := range rows[1:] {
			got = append(got, r[1])
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
	}
	if rec := f.Do("GET", "/api/frontdesk/leads.csv?from=March", "", tests.Owner); rec.Code != http.StatusBadRequest {
		t.Errorf("bad date: %d", rec.Code)
	}
	if got := auditEntries(t, f, "export"); len(got) != 5 || got[1] != f.A.Id+" leads.csv (2 records)" {
		t.Errorf("audit %v", got)
	}
}

// Admins work a lead's pipeline (status, notes); the contact details the visitor gave
// are the owner's to correct.
func TestAdminsChangeALeadsStatusAndNotesOnly(t *testing.T) {
	f := tests.NewPractices(t)
	l := f.Create(t, models.LeadsCollection, map[string]any{"business": f.A.Id, "name": "Ana", "email": "ana@example.com", "status": models.LeadNew})
	path := "/api/collections/leads/records/" + l.Id
	if rec := f.Do("PATCH", path, `{"status": "contacted", "notes": "Called, booked a cleaning."}`, tests.Admin); rec.Code != http.StatusOK {
		t.Fatalf("admin: %d %s", rec.Code, rec.Body.String())
	}
	for _, body := range []string{`{"name": "Someone Else"}`, `{"email": "x@example.com", "notes": "x"}`, `{"phone": "+15035550100"}`, `{"sms_consent": true}`} {
		if rec := f.Do("PATCH", path, body, tests.Admin); rec.Code != http.StatusNotFound {
			t.Errorf("admin %s: %d", body, rec.Code)
		}
	}
	if rec := f.Do("PATCH", path, `{"notes": "x"}`, tests.Viewer); rec.Code != http.StatusNotFound {
		t.Errorf("viewer: %d", rec.Code)
	}
	if rec := f.Do("PATCH", path, `{"name": "Ana Perez", "status": "booked"}`, tests.Owner); rec.Code != http.StatusOK {
		t.Errorf("owner: %d %s", rec.Code, rec.Body.String())
	}
	got, _ := f.App.FindRecordById(models.LeadsCollection, l.Id)
	if got.GetString("name") != "Ana Perez" || got.GetString("email") != "ana@example.com" || got.GetString("status") != models.LeadBooked || got.GetString("notes") != "Called, booked a cleaning." {
		t.Fatalf("lead %v", got)
	}
}
