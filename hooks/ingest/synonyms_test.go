package ingest_test

import (
	"net/http"
	"strings"
	"testing"

	"frontdesk/models"
	"frontdesk/tests"
)

// An owner's own synonyms, typed in the practice's settings, make a question in the
// visitors' words find the FAQ written in the practice's; a line that is not a group is
// refused with the line named, and nothing changes.
func TestOwnerSynonymsAnswer(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	owner := tests.AsStaff(t, v.App, v.H, models.RoleOwner)
	b, err := v.App.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
	if err != nil {
		t.Fatal(err)
	}
	const question = "do you have a parkade?"
	ask := func() string {
		id, tok := v.Start()
		_, events := v.Send(id, tok, question)
		return tests.Text(events)
	}
	if got := ask(); strings.Contains(got, "2nd Avenue") {
		t.Fatalf("answered before the owner's synonyms: %q", got)
	}

	rec := owner("PATCH", "/api/collections/businesses/records/"+b.Id, map[string]any{"synonyms": "parkade, parking"})
	if rec.Code != http.StatusOK {
		t.Fatalf("owner saves synonyms: %d %s", rec.Code, rec.Body.String())
	}
	if got := ask(); !strings.Contains(got, "2nd Avenue") {
		t.Fatalf("%q answered %q with the owner's synonyms, want the parking FAQ", question, got)
	}

	rec = owner("PATCH", "/api/collections/businesses/records/"+b.Id, map[string]any{"synonyms": "parkade, parking\ntrolley"})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "line 2") {
		t.Fatalf("a one-word line: %d %s, want 400 naming line 2", rec.Code, rec.Body.String())
	}
	b, _ = v.App.FindRecordById(models.BusinessesCollection, b.Id)
	if got := b.GetString("synonyms"); got != "parkade, parking" {
		t.Fatalf("refused save changed synonyms to %q", got)
	}
}
