package console_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"frontdesk/hooks/console"
	"frontdesk/tests"
)

// The dashboard's figures on a small seeded week of the demo practice (Los Angeles),
// across the end of daylight saving time (1 November 2026), exactly.
func TestDashboardFigures(t *testing.T) {
	f := tests.NewPractices(t)
	s := seeder{t, f.App}
	a := f.A.Id
	la, _ := time.LoadLocation("America/Los_Angeles")
	local := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, la) }
	sec := func(t time.Time, n int) time.Time { return t.Add(time.Duration(n) * time.Second) }
	visitor := func(text string, at time.Time) msg { return msg{role: "visitor", text: text, at: at} }
	staff := func(at time.Time) msg { return msg{role: "staff", text: "Hi, this is Olive.", at: at} }

	// Before the range (27 October, local), though the 28th in UTC.
	s.conversation(a, "open", local(10, 27, 23, 59), visitor("what are your hours", local(10, 27, 23, 59)))
	// 30 October, 00:30 PDT: the 29th at a winter offset. Waits 120 s and 30 s.
	c1 := local(10, 30, 0, 30)
	s.conversation(a, "open", c1, visitor("What are your hours?", c1), visitor("Hello", sec(c1, 60)), staff(sec(c1, 180)), visitor("Thanks", sec(c1, 200)), staff(sec(c1, 500)))
	c3 := local(10, 30, 10, 0)
	s.conversation(a, "closed", c3, visitor("what are your hours", c3), staff(sec(c3, 30)))
	// 1 November, 23:30 PST: the 2nd at a summer offset. Waiting for a person.
	s.conversation(a, "needs_human", local(11, 1, 23, 30), visitor("Do you take Delta?", local(11, 1, 23, 30)))
	c4 := local(11, 1, 12, 0)
	s.conversation(a, "open", c4, visitor("What are your HOURS?!", c4), staff(sec(c4, 600)))
	c5 := local(11, 2, 9, 0)
	conv5 := s.conversation(a, "open", c5, visitor("do you take delta", c5), msg{role: "visitor", text: "what are your hours", at: sec(c5, 5), flags: `{"health":true}`})
	s.lead(a, conv5, "Ana", "ana@example.com", sec(c5, 60))
	s.booking(a, conv5, sec(c5, 120))
	s.lead(a, "", "Walk-in", "w@example.com", local(10, 29, 9, 0))
	// Another practice's week is not this one's.
	s.conversation(f.B.Id, "open", c3, visitor("what are your hours", c3), staff(sec(c3, 5)))
	s.lead(f.B.Id, "", "Bo", "bo@example.com", c3)
	gap := func(business, q string, count int, last time.Time, resolved bool) string {
		return s.row("knowledge_gaps", dbx.Params{"business": business, "question": q, "count": count, "last_asked": at(last), "resolved": resolved})
	}
	g1 := gap(a, "do you see cats", 5, local(11, 2, 8, 0), false)
	gap(a, "is there parking", 9, local(11, 2, 8, 0), true)
	gap(a, "old question asked long ago", 7, local(10, 1, 8, 0), false)
	g4 := gap(a, "do you whiten teeth", 3, local(11, 3, 8, 0), false)
	gap(f.B.Id, "do you see cats", 50, local(11, 2, 8, 0), false)

	d, err := console.DashboardAt(f.App, f.A, 7, local(11, 3, 12, 0))
	if err != nil {
		t.Fatal(err)
	}
	format := func(date, week string, conv, leads, handoffs, bookings int, median *float64) string {
		m := "-"
		if median != nil {
			m = fmt.Sprint(*median)
		}
		return strings.Join(strings.Fields(fmt.Sprintf("%s %s c%d l%d h%d b%d r%s", date, week, conv, leads, handoffs, bookings, m)), " ")
	}
	var days, weeks []string
	for _, x := range d.Days {
		days = append(days, format(x.Date, x.Week, x.Conversations, x.Leads, x.Handoffs, x.Bookings, x.FirstReplySecondsMedian))
	}
	for _, x := range d.Weeks {
		weeks = append(weeks, format(x.Date, x.Week, x.Conversations, x.Leads, x.Handoffs, x.Bookings, x.FirstReplySecondsMedian))
	}
	wantDays := []string{
		"2026-10-28 c0 l0 h0 b0 r-",
		"2026-10-29 c0 l1 h0 b0 r-",
		"2026-10-30 c2 l0 h2 b0 r75",
		"2026-10-31 c0 l0 h0 b0 r-",
		"2026-11-01 c2 l0 h2 b0 r600",
		"2026-11-02 c1 l1 h0 b1 r-",
		"2026-11-03 c0 l0 h0 b0 r-",
	}
	if strings.Join(days, "\n") != strings.Join(wantDays, "\n") {
		t.Errorf("days:\n%s\nwant:\n%s", strings.Join(days, "\n"), strings.Join(wantDays, "\n"))
	}
	wantWeeks := []string{"2026-10-26 2026-W44 c4 l1 h4 b0 r120", "2026-11-02 2026-W45 c1 l1 h0 b1 r-"}
	if strings.Join(weeks, "\n") != strings.Join(wantWeeks, "\n") {
		t.Errorf("weeks:\n%s\nwant:\n%s", strings.Join(weeks, "\n"), strings.Join(wantWeeks, "\n"))
	}
	tot := d.Totals
	if got := format("", "", tot.Conversations, tot.Leads, tot.Handoffs, tot.Bookings, tot.FirstReplySecondsMedian); got != "c5 l2 h4 b1 r120" || tot.Conversion == nil || *tot.Conversion != 0.4 {
		t.Errorf("totals %s, conversion %v", got, tot.Conversion)
	}
	if fmt.Sprint(d.TopQuestions) != "[{what are your hours 3} {do you take delta 2}]" {
		t.Errorf("top questions %v", d.TopQuestions)
	}
	if fmt.Sprint(d.Gaps) != fmt.Sprintf("[{%s do you see cats 5} {%s do you whiten teeth 3}]", g1, g4) {
		t.Errorf("gaps %v", d.Gaps)
	}

	// A week with no change of offset: the 2nd is the first day.
	d, err = console.DashboardAt(f.App, f.A, 7, local(11, 8, 23, 59))
	if err != nil {
		t.Fatal(err)
	}
	if x := d.Days[0]; x.Date != "2026-11-02" || x.Conversations != 1 || x.Leads != 1 || x.Bookings != 1 || d.Totals.Conversations != 1 {
		t.Errorf("the week after: %+v, totals %+v", x, d.Totals)
	}
}

func TestDashboardRoute(t *testing.T) {
	f := tests.NewPractices(t)
	for actor, status := range map[string]int{tests.Viewer: 403, tests.Anonymous: 401, tests.Admin: 200, tests.Owner: 200, tests.OtherOwner: 200} {
		if rec := f.Do("GET", "/api/frontdesk/dashboard", "", actor); rec.Code != status {
			t.Errorf("%s: %d, want %d", actor, rec.Code, status)
		}
	}
	for days, n := range map[string]int{"7": 7, "30": 30, "90": 90, "365": 365} {
		rec := f.Do("GET", "/api/frontdesk/dashboard?days="+days, "", tests.Owner)
		var d struct {
			Days, Weeks []map[string]any
			Totals      map[string]any
		}
		decode(t, rec.Body.Bytes(), &d)
		if rec.Code != http.StatusOK || len(d.Days) != n || len(d.Weeks) < n/7 || d.Totals == nil {
			t.Errorf("days=%s: %d, %d days, %d weeks", days, rec.Code, len(d.Days), len(d.Weeks))
		}
	}
	for _, q := range []string{"?days=8", "?days=x", "?days=-7"} {
		if rec := f.Do("GET", "/api/frontdesk/dashboard"+q, "", tests.Owner); rec.Code != http.StatusBadRequest || code(t, rec.Body.Bytes()) != "invalid_input" {
			t.Errorf("%s: %d %s", q, rec.Code, rec.Body.String())
		}
	}
}
