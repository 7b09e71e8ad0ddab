package availability

import (
	"fmt"
	"math"
	"time"
)

// Date is a calendar day in the practice's time zone, with no time of day and no zone of
// its own: opening hours and closures are wall-clock times on such a day.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads "YYYY-MM-DD", the form of the slots route's from parameter.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("availability: date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf is the date t's own location shows at t: pass t.In(loc) for the practice's date.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String is the date as "YYYY-MM-DD".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// MarshalText writes d as "YYYY-MM-DD" (the zero Date as ""), so closures keep as JSON.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads "YYYY-MM-DD", or "" as the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// IsZero reports whether d is the zero Date, which Closure.To uses for "same as From".
func (d Date) IsZero() bool { return d == Date{} }

// AddDays is the date n days after d (before, for negative n), by the calendar.
func (d Date) AddDays(n int) Date { return DateOf(d.utc().AddDate(0, 0, n)) }

// Weekday is d's day of the week.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.utc().Compare(e.utc()) }

func (d Date) utc() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// naive is the Unix second that the date's midnight would be if the practice kept UTC:
// the number a zone's offset is subtracted from to get a real instant.
func (d Date) naive() int64 { return d.utc().Unix() }

const (
	secondsPerDay = 24 * 60 * 60
	minutesPerDay = 24 * 60
)

// parseClock reads "HH:MM" (00:00 to 23:59, or "24:00" for the end of the day) as minutes
// after midnight. It is as strict as the hours validation of the businesses collection,
// so anything the admin UI accepts is read here the same way.
func parseClock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	digit := func(c byte) (int, bool) { return int(c - '0'), c >= '0' && c <= '9' }
	h1, ok1 := digit(s[0])
	h2, ok2 := digit(s[1])
	m1, ok3 := digit(s[3])
	m2, ok4 := digit(s[4])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return 0, false
	}
	h, m := h1*10+h2, m1*10+m2
	if h == 24 && m == 0 {
		return minutesPerDay, true
	}
	if h > 23 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

// zone is one period during which a location keeps one UTC offset: instants [start, end).
type zone struct{ start, end, off int64 }

// day is one local date's wall clock: which instants show which of its times. Every wall
// time is read through it, so the daylight-saving rules live in this one place.
type day struct {
	date  Date
	naive int64
	// zones are the offset periods in effect from two days before the date to three days
	// after, in order: every instant whose clock shows a time of this date lies in that
	// span, since no offset reaches 48 hours. An ordinary day has exactly one.
	zones []zone
}

func newDay(loc *time.Location, d Date) day {
	n := d.naive()
	lo, hi := n-2*secondsPerDay, n+3*secondsPerDay
	dy := day{date: d, naive: n}
	for t := lo; t < hi; {
		at := time.Unix(t, 0).In(loc)
		_, off := at.Zone()
		start, end := at.ZoneBounds()
		z := zone{start: lo, end: math.MaxInt64, off: int64(off)}
		if !start.IsZero() && start.Unix() > lo {
			z.start = start.Unix()
		}
		if !end.IsZero() {
			z.end = end.Unix()
		}
		if z.end <= t {
			// A location whose data says a period ends before it begins would loop here
			// forever; treat the rest of the span as one period instead.
			z.end = math.MaxInt64
		}
		dy.zones = append(dy.zones, z)
		t = z.end
	}
	return dy
}

// at is the first instant at which the clock shows min minutes after the date's midnight,
// and false when the clock never shows it (a spring-forward gap). Taking the first instant
// of a fall-back repeat is what keeps the slot list free of duplicate wall times.
func (d day) at(min int) (int64, bool) {
	w := d.naive + int64(min)*60
	for _, z := range d.zones {
		if c := w - z.off; c >= z.start && c < z.end {
			return c, true
		}
	}
	return 0, false
}

// span is every instant at which the clock shows a time of this date from a to b minutes
// after midnight (b up to 24:00): one stretch on an ordinary day, none for a stretch wholly
// inside a spring-forward gap, and two for one that a fall-back repeats partly, since the
// practice's hours and closures hold on both passes of a repeated hour.
func (d day) spans(a, b int, label string, out []span) []span {
	lo, hi := d.naive+int64(a)*60, d.naive+int64(b)*60
	for _, z := range d.zones {
		s, e := max(lo-z.off, z.start), min(hi-z.off, z.end)
		if s >= e {
			continue
		}
		if n := len(out); n > 0 && out[n-1].e == s && out[n-1].label == label {
			out[n-1].e = e
			continue
		}
		out = append(out, span{s: s, e: e, label: label})
	}
	return out
}
