package availability

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// fuzzZones change their clocks in every way the engine must survive: an hour at 02:00
// or 03:00, at midnight (Havana, Santiago), by half an hour (Lord Howe), or never.
var fuzzZones = []string{
	"America/New_York", "Europe/Madrid", "America/Santiago", "America/Havana",
	"Australia/Lord_Howe", "Asia/Kolkata", "UTC", "Europe/London",
}

// fuzzAnchors are dates near those changes in 2026, and one far from any.
var fuzzAnchors = []string{
	"2026-03-08", "2026-11-01", "2026-03-29", "2026-10-25",
	"2026-04-05", "2026-09-06", "2026-10-04", "2026-06-15",
}

// bytes hands out the fuzzer's input a byte at a time, zeros once it runs out, so that a
// mutation of one byte changes one choice.
type bytes []byte

func (b *bytes) next() int {
	if len(*b) == 0 {
		return 0
	}
	c := (*b)[0]
	*b = (*b)[1:]
	return int(c)
}

func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// fuzzRequest builds a request from data: hours, closures, bookings and busy time on
// whole minutes around a daylight-saving change.
func fuzzRequest(t *testing.T, data []byte) Request {
	in := bytes(data)
	loc := load(t, fuzzZones[in.next()%len(fuzzZones)])
	from := date(fuzzAnchors[in.next()%len(fuzzAnchors)]).AddDays(in.next()%5 - 2)
	r := Request{
		Location: loc,
		Hours:    map[time.Weekday][]Interval{},
		From:     from,
		Days:     1 + in.next()%3,
		Duration: time.Duration(1+in.next()%120) * time.Minute,
		Buffer:   time.Duration(in.next()%4*5) * time.Minute,
		Step:     time.Duration(in.next()%7*5) * time.Minute,
		Capacity: in.next() % 4,
	}
	switch n := in.next() % 10; {
	case n == 0:
		r.Notice = -1
	case n < 8:
		r.Notice = time.Duration(n*30) * time.Minute
	}
	if in.next()%4 == 3 {
		r.HorizonDays = 1 + in.next()%3
	}
	// Now is within two days before the window, on a whole minute.
	midnight := at(loc, from.String()+" 00:00")
	r.Now = midnight.Add(-time.Duration(in.next()%49) * time.Hour).Add(time.Duration(in.next()%60) * time.Minute)
	// Two sets of hours, for the weekdays a mask picks and for the rest, so that the few
	// dates a window spans are usually open and sometimes differ.
	var sets [2][]Interval
	for i := range sets {
		for range 1 + in.next()%3 {
			open := in.next() % 96 * 15
			sets[i] = append(sets[i], Interval{hhmm(open), hhmm(min(open+(1+in.next()%48)*15, minutesPerDay))})
		}
	}
	mask := in.next() ^ 0x7f
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		r.Hours[wd] = sets[mask>>wd&1]
	}
	for range in.next() % 3 {
		c := Closure{Label: "c", From: from.AddDays(in.next()%4 - 1)}
		c.To = c.From.AddDays(in.next() % 2)
		if s := in.next() % 97; s > 0 {
			c.Start = hhmm((s - 1) * 15)
		}
		if e := in.next() % 97; e > 0 {
			c.End = hhmm(e * 15)
		}
		r.Closures = append(r.Closures, c)
	}
	span := func() Span {
		s := midnight.Add(time.Duration(in.next()*in.next()*4%(4*minutesPerDay)-minutesPerDay/2) * time.Minute)
		return Span{s, s.Add(time.Duration(1+in.next()%16) * 15 * time.Minute)}
	}
	for range in.next() % 24 {
		r.Bookings = append(r.Bookings, span())
	}
	for range in.next() % 3 {
		r.Busy = append(r.Busy, span())
	}
	return r
}

// oracle answers the same questions as the engine the slow way, from the documented rules
// alone: it walks real time a minute at a time and reads each minute's wall clock. Every
// boundary the fuzzer makes is a whole minute, so a minute's first instant speaks for it.
type oracle struct {
	r        Request
	capacity int
	base     time.Time // the table's first minute, two days before From
	walls    []wall    // what the clock shows at each minute from base
	free     []bool    // open, not closed, not busy
	held     []int     // how many bookings (with their buffer) hold a unit
	// first is, for each wall minute of the dates from base's on, the first table minute
	// that shows it, or -1.
	first     []int
	firstDate Date
}

type wall struct {
	date Date
	min  int
}

func newOracle(r Request) *oracle {
	o := &oracle{r: r, capacity: max(r.Capacity, 1)}
	o.base = at(r.Location, r.From.String()+" 00:00").Add(-48 * time.Hour)
	o.firstDate = DateOf(o.base.In(r.Location)).AddDays(-1)
	n := (r.Days + 5) * minutesPerDay
	o.first = make([]int, n+2*minutesPerDay)
	for i := range o.first {
		o.first[i] = -1
	}
	o.walls, o.free, o.held = make([]wall, n), make([]bool, n), make([]int, n)
	busy := make([]int, n)
	add := func(to []int, s Span, tail time.Duration) {
		lo, hi := o.index(s.Start), o.index(s.End.Add(tail))
		for i := max(lo, 0); i < min(hi, n); i++ {
			to[i]++
		}
	}
	for _, b := range r.Bookings {
		add(o.held, b, r.Buffer)
	}
	for _, b := range r.Busy {
		add(busy, b, 0)
	}
	// The rules are read once per minute of the table; what they say of a whole date is
	// kept while consecutive minutes show the same date, the common case.
	var (
		last             Date
		lastIdx          int
		isOpen, isClosed [minutesPerDay]bool
	)
	for i := range n {
		u := o.base.Add(time.Duration(i) * time.Minute)
		l := u.In(r.Location)
		w := wall{DateOf(l), l.Hour()*60 + l.Minute()}
		if w.date != last {
			last, lastIdx = w.date, o.wallIndex(wall{w.date, 0})
			for m := range minutesPerDay {
				isOpen[m], isClosed[m] = o.open(wall{w.date, m}), o.closed(wall{w.date, m})
			}
		}
		o.walls[i] = w
		if k := lastIdx + w.min; k >= 0 && k < len(o.first) && o.first[k] < 0 {
			o.first[k] = i
		}
		o.free[i] = isOpen[w.min] && !isClosed[w.min] && busy[i] == 0
	}
	return o
}

func (o *oracle) index(t time.Time) int { return int(t.Sub(o.base) / time.Minute) }

func (o *oracle) wallIndex(w wall) int {
	return int(w.date.naive()-o.firstDate.naive())/60 + w.min
}

// open is whether one of w's weekday's intervals holds it.
func (o *oracle) open(w wall) bool {
	for _, iv := range o.r.Hours[w.date.Weekday()] {
		a, ok1 := parseClock(iv.Open)
		b, ok2 := parseClock(iv.Close)
		if ok1 && ok2 && a <= w.min && w.min < b {
			return true
		}
	}
	return false
}

// closed is whether a closure holds w: backwards times close the whole day.
func (o *oracle) closed(w wall) bool {
	for _, c := range o.r.Closures {
		to := c.To
		if to.IsZero() {
			to = c.From
		}
		if w.date.Compare(c.From) < 0 || w.date.Compare(to) > 0 {
			continue
		}
		a, b := 0, minutesPerDay
		if c.Start != "" {
			a, _ = parseClock(c.Start)
		}
		if c.End != "" {
			b, _ = parseClock(c.End)
		}
		if a >= b || (a <= w.min && w.min < b) {
			return true
		}
	}
	return false
}

// why is the oracle's reason a slot from start can't be booked, or "" when it can.
func (o *oracle) why(start time.Time) string {
	i := o.index(start)
	d, b := int(o.r.Duration/time.Minute), int(o.r.Buffer/time.Minute)
	if i < 0 || i+d+b > len(o.free) {
		panic("start outside the oracle's table")
	}
	for j := i; j < i+d; j++ {
		if !o.free[j] {
			return fmt.Sprintf("not free at %s (open %v, closed %v)", o.at(j), o.open(o.walls[j]), o.closed(o.walls[j]))
		}
	}
	for j := i; j < i+d+b; j++ {
		if o.held[j] >= o.capacity {
			return fmt.Sprintf("%d bookings at %s, capacity %d", o.held[j], o.at(j), o.capacity)
		}
	}
	return ""
}

func (o *oracle) at(i int) string {
	return o.base.Add(time.Duration(i) * time.Minute).In(o.r.Location).Format(time.RFC3339)
}

// starts are the grid starts of date d, each at the first instant its wall time shows:
// every wall time of the stretches of opening, counted in steps from their opening.
func (o *oracle) starts(d Date, step int) []time.Time {
	var ws [][2]int
	for _, iv := range o.r.Hours[d.Weekday()] {
		a, ok1 := parseClock(iv.Open)
		b, ok2 := parseClock(iv.Close)
		if ok1 && ok2 && a < b {
			ws = append(ws, [2]int{a, b})
		}
	}
	slices.SortFunc(ws, func(x, y [2]int) int { return x[0] - y[0] })
	var out []time.Time
	for i := 0; i < len(ws); {
		a, b := ws[i][0], ws[i][1]
		for i++; i < len(ws) && ws[i][0] <= b; i++ {
			b = max(b, ws[i][1])
		}
		for m := a; m < b; m += step {
			if i := o.first[o.wallIndex(wall{d, m})]; i >= 0 {
				out = append(out, o.base.Add(time.Duration(i)*time.Minute))
			}
		}
	}
	return out
}

// FuzzSlots checks Slots and Check against the oracle: every slot lies inside the hours,
// outside closures and busy time, and within capacity with the bookings there are; every
// grid start the oracle finds free is listed; Check agrees with the list.
func FuzzSlots(f *testing.F) {
	// A seed for each zone and date near its change, the rest of each seed random: run
	// without -fuzz, these are the test.
	rng := rand.New(rand.NewPCG(7, 11))
	for z := range fuzzZones {
		for a := range fuzzAnchors {
			seed := []byte{byte(z), byte(a), 2, 1}
			for range 60 {
				seed = append(seed, byte(rng.Uint32()))
			}
			f.Add(seed)
		}
	}
	f.Fuzz(againstOracle)
}

func againstOracle(t *testing.T, data []byte) {
	r := fuzzRequest(t, data)
	o := newOracle(r)
	step := int(r.Step / time.Minute)
	if step == 0 {
		step = int(DefaultStep / time.Minute)
	}
	notice := DefaultNotice
	if r.Notice < 0 {
		notice = 0
	} else if r.Notice > 0 {
		notice = r.Notice
	}
	horizon := DefaultHorizonDays
	if r.HorizonDays > 0 {
		horizon = r.HorizonDays
	}
	earliest, latest := r.Now.Add(notice), r.Now.In(r.Location).AddDate(0, 0, horizon)

	got := Slots(r)
	listed := map[time.Time]bool{}
	for i, s := range got {
		if s.Start.Location() != r.Location || !s.End.Equal(s.Start.Add(r.Duration)) {
			t.Fatalf("slot %v–%v: wrong zone or length", s.Start, s.End)
		}
		if i > 0 && !got[i-1].Start.Before(s.Start) {
			t.Fatalf("slots out of order or repeated: %v then %v", got[i-1].Start, s.Start)
		}
		if why := o.why(s.Start); why != "" {
			t.Fatalf("slot %s offered %s", s.Start.Format(time.RFC3339), why)
		}
		if s.Start.Before(earliest) || s.Start.After(latest) {
			t.Fatalf("slot %s outside notice or horizon", s.Start.Format(time.RFC3339))
		}
		listed[s.Start.UTC()] = true
	}

	var want []time.Time
	for i := range r.Days {
		for _, s := range o.starts(r.From.AddDays(i), step) {
			if !s.Before(earliest) && !s.After(latest) && o.why(s) == "" {
				want = append(want, s)
			}
		}
	}
	if len(want) != len(got) {
		t.Fatalf("%d slots, the oracle finds %d: got %v, want %v", len(got), len(want), stamps(got), want)
	}
	for _, s := range want {
		if !listed[s.UTC()] {
			t.Fatalf("free start %s not listed", s.In(r.Location).Format(time.RFC3339))
		}
	}

	// Check agrees with the list at every listed start and a spread of others.
	for s := range listed {
		if err := Check(r, s); err != nil {
			t.Fatalf("listed start %s: Check says %v", s.In(r.Location).Format(time.RFC3339), err)
		}
	}
	base := at(r.Location, r.From.String()+" 00:00")
	for m := 0; m < r.Days*minutesPerDay; m += 7 {
		s := base.Add(time.Duration(m) * time.Minute)
		if d := DateOf(s.In(r.Location)); d.Compare(r.From) < 0 || d.Compare(r.From.AddDays(r.Days-1)) > 0 {
			continue
		}
		err := Check(r, s)
		if (err == nil) != listed[s.UTC()] {
			t.Fatalf("start %s: listed %v, Check says %v", s.In(r.Location).Format(time.RFC3339), listed[s.UTC()], err)
		}
		if err != nil && !slices.ContainsFunc([]error{ErrPast, ErrNotice, ErrHorizon, ErrClosed, ErrOffGrid, ErrTaken}, func(e error) bool { return errors.Is(err, e) }) {
			t.Fatalf("start %s: unknown reason %v", s.Format(time.RFC3339), err)
		}
	}
}
