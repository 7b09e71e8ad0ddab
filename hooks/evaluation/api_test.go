package evaluation_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"frontdesk/models"
	"frontdesk/tests"
)

// runsPage is GET /api/frontdesk/eval's answer.
type runsPage struct {
	Items []struct {
		ID, Provider   string
		Total, Correct int
		Results        []struct {
			Question string
			OK       bool
		}
		Changes *struct {
			Previous           string
			Fixed, Broken, New []string
		}
	}
}

func listRuns(t *testing.T, f *tests.Practices, actor, query string) runsPage {
	t.Helper()
	rec := f.Do(http.MethodGet, "/api/frontdesk/eval"+query, "", actor)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET eval%s as %s: %d %s", query, actor, rec.Code, rec.Body.String())
	}
	var p runsPage
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// The practice's runs are listed newest first, each with what changed since the run
// before it: an FAQ added between two offline runs fixes the question it answers, and
// a question added since is new. Only the newest run carries its answers. Any of the
// practice's staff reads the list, a viewer too; a bad limit is refused.
func TestRunsListWhatChanged(t *testing.T) {
	f := tests.NewPractices(t)
	if p := listRuns(t, f, tests.Viewer, ""); len(p.Items) != 0 {
		t.Fatalf("%d runs before any", len(p.Items))
	}
	const nitrous, insurance, parking = "Do you offer nitrous oxide?", "Which insurance do you accept?", "Is parking free?"
	ask := func(q, expect string) {
		f.Create(t, models.EvalQuestionsCollection, map[string]any{"business": f.A.Id, "question": q, "expect": expect})
	}
	run := func() {
		t.Helper()
		if rec := f.Do(http.MethodPost, "/api/frontdesk/eval", "", tests.Owner); rec.Code != http.StatusOK {
			t.Fatalf("run: %d %s", rec.Code, rec.Body.String())
		}
	}
	ask(nitrous, "laughing gas is available")
	ask(insurance, "Delta Dental")
	run()
	first := listRuns(t, f, tests.Viewer, "")
	if len(first.Items) != 1 || first.Items[0].Changes != nil || first.Items[0].Total != 2 || first.Items[0].Provider != "offline" {
		t.Fatalf("after the first run: %+v", first)
	}
	if r := first.Items[0].Results; len(r) != 2 || r[0].Question != nitrous || r[0].OK || !r[1].OK {
		t.Fatalf("first run's results %+v: want nitrous oxide wrong, insurance right", r)
	}

	f.Create(t, models.FAQsCollection, map[string]any{"business": f.A.Id, "question": "Do you offer nitrous oxide?", "answer": "Yes, laughing gas is available for anxious patients."})
	ask(parking, "garage")
	run()
	p := listRuns(t, f, tests.Viewer, "")
	if len(p.Items) != 2 {
		t.Fatalf("%d runs, want 2", len(p.Items))
	}
	latest, older := p.Items[0], p.Items[1]
	c := latest.Changes
	if c == nil || c.Previous != older.ID || !slices.Equal(c.Fixed, []string{nitrous}) || len(c.Broken) != 0 || !slices.Equal(c.New, []string{parking}) {
		t.Fatalf("changes of the latest run: %+v", c)
	}
	if latest.Correct != 3 || len(latest.Results) != 3 || older.Results != nil || older.Changes != nil {
		t.Fatalf("latest %d right of %d results; older run's results %v, changes %v", latest.Correct, len(latest.Results), older.Results, older.Changes)
	}
	// A list shorter than the runs still compares its oldest with the run before it.
	if one := listRuns(t, f, tests.Admin, "?limit=1"); len(one.Items) != 1 || one.Items[0].ID != latest.ID || one.Items[0].Changes == nil {
		t.Fatalf("?limit=1: %+v", one)
	}
	for _, bad := range []string{"0", "51", "ten", "-1"} {
		rec := f.Do(http.MethodGet, "/api/frontdesk/eval?limit="+bad, "", tests.Owner)
		tests.AssertError(t, rec, http.StatusBadRequest, "invalid_input")
	}
}
