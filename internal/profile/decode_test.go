package profile

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The record's own shape loads, and so do the shapes an owner or importer may use.
func TestUnmarshalForgiving(t *testing.T) {
	var p Profile
	err := json.Unmarshal([]byte(`{
		"name": "Paws", "timezone": "America/Denver",
		"hours": {"Monday": [{"open": "9am", "close": "5:30 pm"}], "tue": "08:00-12:00, 13:00-17:00", "sun": "closed", "sat": {"open": "09:00", "close": "12:00"}},
		"closures": [{"date": "2026-12-25", "name": "Christmas"}, {"from": "2026-12-31T00:00:00Z", "until": "2027-01-01", "label": "New Year"}],
		"services": [{"name": "Exam", "price": 65, "duration": "30 min"}, {"name": "Nails", "price": "$15", "duration_min": 10}],
		"insurance": "Trupanion, Nationwide",
		"languages": ["English"]
	}`), &p)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Hours["mon"]) != 1 || len(p.Hours["tue"]) != 2 || len(p.Hours["sun"]) != 0 || len(p.Hours["sat"]) != 1 {
		t.Errorf("hours %+v", p.Hours)
	}
	if len(p.Closures) != 2 || p.Closures[0].From.String() != "2026-12-25" || p.Closures[0].Label != "Christmas" || p.Closures[1].To.String() != "2027-01-01" {
		t.Errorf("closures %+v", p.Closures)
	}
	if p.Services[0].Price != "65" || p.Services[0].DurationMin != 30 || p.Services[1].DurationMin != 10 {
		t.Errorf("services %+v", p.Services)
	}
	if strings.Join(p.Insurance, "|") != "Trupanion|Nationwide" {
		t.Errorf("insurance %q", p.Insurance)
	}
	loc, _ := time.LoadLocation("America/Denver")
	a, ok := p.Answer("what time do you close on monday", time.Date(2026, 3, 12, 10, 0, 0, 0, loc))
	if !ok || !strings.Contains(a.Text, "5:30 pm") {
		t.Errorf("monday: %q", a.Text)
	}
	if a, ok := p.Answer("are you open on christmas", time.Date(2026, 3, 12, 10, 0, 0, 0, loc)); !ok || !strings.Contains(a.Text, "Christmas") {
		t.Errorf("christmas: %q", a.Text)
	}
	for _, bad := range []string{`{"hours": {"someday": []}}`, `{"closures": [{"date": "25/12/2026"}]}`, `{"insurance": 7}`} {
		if err := json.Unmarshal([]byte(bad), &p); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
