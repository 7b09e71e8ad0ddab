package profile

import (
	"slices"
	"strings"
	"time"

	"frontdesk/internal/availability"
)

// weekdayKeys are the keys of Profile.Hours, by time.Weekday.
var weekdayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// span is an opening period in minutes after midnight, close after open.
type span struct{ open, close int }

// parseClock reads "HH:MM" (up to "24:00") as minutes after midnight, and the 12-hour
// forms an owner may type instead ("9am", "5:30 pm", "12 PM").
func parseClock(s string) (int, bool) {
	s = strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(s), " ", ""), ".", ""))
	if s == "24:00" {
		return 24 * 60, true
	}
	for _, layout := range []string{"15:04", "3:04pm", "3pm", "15"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Hour()*60 + t.Minute(), true
		}
	}
	return 0, false
}

// weekly is a weekday's opening periods, in order; periods that don't parse or run
// backwards open nothing (an owner's typo must not open the practice at 3 am).
func (p *Profile) weekly(d time.Weekday) []span {
	var out []span
	for _, iv := range p.Hours[weekdayKeys[d]] {
		o, ok1 := parseClock(iv.Open)
		c, ok2 := parseClock(iv.Close)
		if ok1 && ok2 && o < c {
			out = append(out, span{o, c})
		}
	}
	slices.SortFunc(out, func(a, b span) int { return a.open - b.open })
	return out
}

// hasHours reports whether the profile has any opening hours at all.
func (p *Profile) hasHours() bool {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if len(p.weekly(d)) > 0 {
			return true
		}
	}
	return false
}

// opening is what one date's hours are: the weekly periods less the closures of the date.
type opening struct {
	date    availability.Date
	spans   []span
	closure *availability.Closure // the (first) closure that changed the day, if any
}

// on is the opening of date d.
func (p *Profile) on(d availability.Date) opening {
	o := opening{date: d, spans: p.weekly(d.Weekday())}
	for i := range p.Closures {
		c := &p.Closures[i]
		if !covers(c, d) {
			continue
		}
		from, to := 0, 24*60
		partial := true
		if c.Start != "" {
			var ok bool
			if from, ok = parseClock(c.Start); !ok {
				partial = false
			}
		}
		if c.End != "" {
			var ok bool
			if to, ok = parseClock(c.End); !ok {
				partial = false
			}
		}
		if !partial || from >= to {
			from, to = 0, 24*60 // a mistyped closure closes the whole day, as in availability
		}
		o.spans = cut(o.spans, from, to)
		if o.closure == nil {
			o.closure = c
		}
	}
	return o
}

func covers(c *availability.Closure, d availability.Date) bool {
	if c.From.IsZero() {
		return false
	}
	to := c.To
	if to.IsZero() {
		to = c.From
	}
	return d.Compare(c.From) >= 0 && d.Compare(to) <= 0
}

// cut removes [from, to) from spans.
func cut(spans []span, from, to int) []span {
	var out []span
	for _, s := range spans {
		if s.close <= from || s.open >= to {
			out = append(out, s)
			continue
		}
		if s.open < from {
			out = append(out, span{s.open, from})
		}
		if s.close > to {
			out = append(out, span{to, s.close})
		}
	}
	return out
}

// dateAt is the practice's date at t (t already in the practice's zone).
func dateAt(t time.Time) availability.Date { return availability.DateOf(t) }

// holiday is a named day a visitor may ask about, with how to find its next date.
type holiday struct {
	names []string // folded word sequences, longest first within a holiday
	date  func(year int, canada bool) availability.Date
}

func fixed(m time.Month, d int) func(int, bool) availability.Date {
	return func(y int, _ bool) availability.Date { return availability.Date{Year: y, Month: m, Day: d} }
}

// nthWeekday is the n-th wd of month m in year y; n < 0 counts from the month's end.
func nthWeekday(y int, m time.Month, wd time.Weekday, n int) availability.Date {
	if n > 0 {
		d := availability.Date{Year: y, Month: m, Day: 1}
		for d.Weekday() != wd {
			d = d.AddDays(1)
		}
		return d.AddDays(7 * (n - 1))
	}
	d := availability.Date{Year: y, Month: m + 1, Day: 1}.AddDays(-1) // December+1 is next January
	for d.Weekday() != wd {
		d = d.AddDays(-1)
	}
	return d
}

// easter is Easter Sunday of year y (the anonymous Gregorian algorithm).
func easter(y int) availability.Date {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return availability.Date{Year: y, Month: time.Month(month), Day: day}
}

func thanksgiving(y int, canada bool) availability.Date {
	if canada {
		return nthWeekday(y, time.October, time.Monday, 2)
	}
	return nthWeekday(y, time.November, time.Thursday, 4)
}

// holidays a visitor names. The practice's closures say whether it is shut then; a
// holiday alone never closes it.
var holidays = []holiday{
	{[]string{"christmas eve"}, fixed(time.December, 24)},
	{[]string{"boxing day"}, fixed(time.December, 26)},
	{[]string{"christmas day", "christmas"}, fixed(time.December, 25)},
	{[]string{"new year's eve", "new years eve", "new year eve"}, fixed(time.December, 31)},
	{[]string{"new year's day", "new years day", "new year's", "new years", "new year"}, fixed(time.January, 1)},
	{[]string{"black friday"}, func(y int, ca bool) availability.Date { return thanksgiving(y, false).AddDays(1) }},
	{[]string{"thanksgiving day", "thanksgiving"}, thanksgiving},
	{[]string{"independence day", "fourth of july", "4th of july", "july 4th", "july fourth", "july 4"}, fixed(time.July, 4)},
	{[]string{"labor day", "labour day"}, func(y int, _ bool) availability.Date { return nthWeekday(y, time.September, time.Monday, 1) }},
	{[]string{"memorial day"}, func(y int, _ bool) availability.Date { return nthWeekday(y, time.May, time.Monday, -1) }},
	{[]string{"martin luther king day", "mlk day"}, func(y int, _ bool) availability.Date { return nthWeekday(y, time.January, time.Monday, 3) }},
	{[]string{"presidents day", "president's day", "presidents' day"}, func(y int, _ bool) availability.Date { return nthWeekday(y, time.February, time.Monday, 3) }},
	{[]string{"columbus day", "indigenous peoples day"}, func(y int, _ bool) availability.Date { return nthWeekday(y, time.October, time.Monday, 2) }},
	{[]string{"veterans day", "veteran's day", "remembrance day"}, fixed(time.November, 11)},
	{[]string{"juneteenth"}, fixed(time.June, 19)},
	{[]string{"halloween"}, fixed(time.October, 31)},
	{[]string{"valentine's day", "valentines day", "valentines"}, fixed(time.February, 14)},
	{[]string{"st patrick's day", "st patricks day", "saint patrick's day"}, fixed(time.March, 17)},
	{[]string{"cinco de mayo"}, fixed(time.May, 5)},
	{[]string{"good friday"}, func(y int, _ bool) availability.Date { return easter(y).AddDays(-2) }},
	{[]string{"easter monday"}, func(y int, _ bool) availability.Date { return easter(y).AddDays(1) }},
	{[]string{"easter sunday", "easter"}, func(y int, _ bool) availability.Date { return easter(y) }},
	{[]string{"august bank holiday", "summer bank holiday"}, func(y int, _ bool) availability.Date { return nthWeekday(y, time.August, time.Monday, -1) }},
	{[]string{"early may bank holiday", "may day bank holiday", "may bank holiday", "may day"}, func(y int, _ bool) availability.Date { return nthWeekday(y, time.May, time.Monday, 1) }},
	{[]string{"spring bank holiday", "whitsun"}, func(y int, _ bool) availability.Date { return nthWeekday(y, time.May, time.Monday, -1) }},
}

// canadian reports whether a zone is in Canada, for Thanksgiving's date.
func canadian(loc *time.Location) bool {
	switch loc.String() {
	case "America/Toronto", "America/Vancouver", "America/Edmonton", "America/Winnipeg",
		"America/Halifax", "America/Regina", "America/St_Johns", "America/Montreal",
		"America/Moncton", "America/Whitehorse", "America/Yellowknife", "America/Iqaluit":
		return true
	}
	return false
}

// nextOccurrence is the first date on or after from that date(year) gives.
func nextOccurrence(from availability.Date, date func(int, bool) availability.Date, canada bool) availability.Date {
	d := date(from.Year, canada)
	if d.Compare(from) < 0 {
		d = date(from.Year+1, canada)
	}
	return d
}
