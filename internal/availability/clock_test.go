package availability

import (
	"encoding/json"
	"testing"
	"time"
)

func load(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func date(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestParseDate(t *testing.T) {
	d, err := ParseDate("2026-03-08")
	if err != nil || d != (Date{2026, time.March, 8}) || d.String() != "2026-03-08" || d.Weekday() != time.Sunday {
		t.Errorf("ParseDate: %v %v", d, err)
	}
	if d.AddDays(-8) != (Date{2026, time.February, 28}) || d.AddDays(300).String() != "2027-01-02" {
		t.Errorf("AddDays: %v %v", d.AddDays(-8), d.AddDays(300))
	}
	for _, bad := range []string{"", "2026-02-30", "2026-3-8", "08/03/2026"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) passed", bad)
		}
	}
}

func TestParseClock(t *testing.T) {
	for s, want := range map[string]int{"00:00": 0, "09:30": 570, "23:59": 1439, "24:00": 1440} {
		if got, ok := parseClock(s); !ok || got != want {
			t.Errorf("parseClock(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, bad := range []string{"", "9:30", "09:3", "24:01", "25:00", "12:60", "ab:cd", "09-30", " 9:30", "-1:00"} {
		if got, ok := parseClock(bad); ok {
			t.Errorf("parseClock(%q) = %d, want a refusal", bad, got)
		}
	}
}

// Zones whose clocks change at midnight or by half an hour, through the day reader alone.
func TestDayClock(t *testing.T) {
	cases := []struct {
		zone, date, wall string
		want             string // RFC 3339, or "" for a time the clocks skip
	}{
		{"America/New_York", "2026-03-08", "02:30", ""},
		{"America/New_York", "2026-03-08", "03:00", "2026-03-08T03:00:00-04:00"},
		{"America/New_York", "2026-11-01", "01:30", "2026-11-01T01:30:00-04:00"},
		{"Europe/Madrid", "2026-03-29", "02:00", ""},
		{"Europe/Madrid", "2026-10-25", "02:59", "2026-10-25T02:59:00+02:00"},
		{"America/Havana", "2026-03-08", "00:00", ""},
		{"America/Havana", "2026-03-08", "01:00", "2026-03-08T01:00:00-04:00"},
		{"America/Havana", "2026-11-01", "00:30", "2026-11-01T00:30:00-04:00"},
		{"America/Santiago", "2026-09-06", "00:30", ""},
		{"America/Santiago", "2026-04-04", "23:30", "2026-04-04T23:30:00-03:00"},
		{"America/Santiago", "2026-04-05", "00:00", "2026-04-05T00:00:00-04:00"},
		{"Australia/Lord_Howe", "2026-10-04", "02:15", ""},
		{"Australia/Lord_Howe", "2026-04-05", "01:45", "2026-04-05T01:45:00+11:00"},
		{"UTC", "2026-03-08", "02:30", "2026-03-08T02:30:00Z"},
	}
	for _, c := range cases {
		loc := load(t, c.zone)
		m, _ := parseClock(c.wall)
		s, ok := newDay(loc, date(c.date)).at(m)
		got := ""
		if ok {
			got = time.Unix(s, 0).In(loc).Format(time.RFC3339)
		}
		if got != c.want {
			t.Errorf("%s %s %s: %q, want %q", c.zone, c.date, c.wall, got, c.want)
		}
	}
}

func TestClosureJSON(t *testing.T) {
	in := `[{"label":"Christmas Eve","from":"2026-12-24","to":"","start":"13:00"},{"label":"Vacation","from":"2026-08-03","to":"2026-08-14"}]`
	var cs []Closure
	if err := json.Unmarshal([]byte(in), &cs); err != nil {
		t.Fatal(err)
	}
	if cs[0].From != date("2026-12-24") || !cs[0].To.IsZero() || cs[0].Start != "13:00" || cs[1].To != date("2026-08-14") {
		t.Errorf("read %+v", cs)
	}
	out, err := json.Marshal(cs)
	if err != nil || string(out) != in {
		t.Errorf("wrote %s, %v; want %s", out, err, in)
	}
	if err := json.Unmarshal([]byte(`[{"from":"24/12/2026"}]`), &cs); err == nil {
		t.Error("a malformed date passed")
	}
}
