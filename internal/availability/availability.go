// Package availability works out which appointment starts a practice can offer, from its
// weekly hours, closures, the service's duration, a buffer between appointments, how many
// appointments can run at once, the bookings it has and the busy time of its calendars,
// all read in the practice's own time zone. It does no I/O and reads no clock (the caller
// passes now), so the same request always gets the same answer.
//
// The rules it keeps, and why:
//
//   - Hours and closures are wall-clock times: the practice is open at an instant when
//     the clocks then show a time inside its hours and outside its closures, so "09:00"
//     is nine whatever the season. Durations, buffers and notice are absolute: a
//     60-minute visit lasts 60 real minutes even across a daylight-saving change, since
//     that is how long the chair is in use, and it must be open all that time.
//   - On a spring-forward day a wall time the clocks skip (02:30 in New York on
//     2026-03-08) is no start: it doesn't exist; hours that open inside the gap open when
//     the clocks jump. On a fall-back day a repeated wall time (01:30 on 2026-11-01) is
//     offered once, at its first pass, so the visitor never sees the same time twice and
//     no two slots share a start; the second pass starts no slot, though a slot that
//     began earlier may run through it. Hours and closures hold on both passes.
//   - Starts lie on a grid of Step (default 15 minutes) counted from each opening time, not
//     of the service's duration: quarter hours read well in a chat, and after a booking
//     with an odd length (50 minutes, plus a buffer) the next start is at most one step
//     away rather than a whole duration. Hours of one day that overlap or touch are one
//     stretch with one grid; a slot may run on past midnight into the next day's hours
//     when they begin at 00:00.
//   - A booking holds one unit of capacity (a chair, a room, a therapist) from its start to
//     its end plus the buffer. A slot is free when holding one more unit over its own span
//     plus the buffer never needs more units than Capacity at any moment: two bookings
//     that don't overlap each other leave a second chair free for a slot covering both.
//   - Busy time from a connected calendar blocks every unit: the calendar belongs to the
//     practice or its staff, and a staff meeting or a closed afternoon stops the whole
//     practice; we can't know which chair an outside event would use. The caller must
//     leave out the calendar events of Frontdesk's own bookings, which are already in
//     Bookings and hold one unit only. The buffer separates appointments from each other,
//     so busy time, hours and closures are checked against the appointment alone.
package availability

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// maxDays bounds a window's length: a few thousand years, far past any horizon.
const maxDays = 1 << 20

// Defaults for the Request fields left zero.
const (
	DefaultCapacity    = 1
	DefaultNotice      = 2 * time.Hour
	DefaultHorizonDays = 90
	DefaultStep        = 15 * time.Minute
)

// Reasons Check gives for a start that can't be booked. The booking route answers
// ErrTaken with 409 slot_taken (it was free a moment ago, or another visitor got there
// first) and every other reason with 400 slot_unavailable.
var (
	ErrInvalid = errors.New("no time zone or no service duration")
	ErrPast    = errors.New("the start is in the past")
	ErrNotice  = errors.New("the start is sooner than the practice's minimum notice")
	ErrHorizon = errors.New("the start is further ahead than the practice books")
	ErrClosed  = errors.New("the practice is closed then")
	ErrOffGrid = errors.New("the start is not one of the offered slot times")
	ErrTaken   = errors.New("the slot is taken")
)

// Interval is one opening period of a day, "HH:MM" wall-clock times in the practice's zone;
// Close may be "24:00". It has the shape of models.Interval, so availability.Interval(iv)
// converts one.
type Interval struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

// Closure closes the practice on the dates From through To (inclusive; a zero To means
// From alone), for a holiday, a training day or a vacation. Start and End ("HH:MM", End
// may be "24:00") make it partial: closed from Start to End on each of those dates; an
// empty Start means from midnight and an empty End until midnight, so "closing at 13:00
// on Christmas Eve" is Start "13:00" alone. A closure from Friday 14:00 through Monday is
// two closures. Times that don't parse close the whole day: a mistyped closure must not
// open the practice.
type Closure struct {
	Label string `json:"label"`
	From  Date   `json:"from"`
	To    Date   `json:"to"`
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// Span is a stretch of time already spoken for: an existing booking, or busy time on a
// connected calendar.
type Span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Slot is one bookable appointment. Start and End are in the practice's zone, so their
// RFC 3339 form carries its offset.
type Slot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Request is everything one question about availability needs. Location, Duration and Now
// are required; the other settings fall back to the defaults when zero.
type Request struct {
	// Location is the practice's time zone: hours, closures and dates are read in it.
	Location *time.Location
	// Hours are the opening periods per weekday; a weekday with none is closed. Periods
	// that are empty, backwards or don't parse open nothing.
	Hours map[time.Weekday][]Interval
	// Closures are the dates (or parts of them) the practice is shut despite its hours.
	Closures []Closure

	// Duration is the service's length.
	Duration time.Duration
	// Buffer follows each appointment before the next can use its unit of capacity.
	Buffer time.Duration
	// Capacity is how many appointments can run at once (0: DefaultCapacity).
	Capacity int
	// Notice is how long before its start a slot stops being offered (0: DefaultNotice;
	// negative: none, any start from Now on).
	Notice time.Duration
	// HorizonDays is how far ahead a slot may start: up to the same wall-clock time that
	// many days after Now (0: DefaultHorizonDays).
	HorizonDays int
	// Step is the spacing of starts, counted from each opening time, in whole minutes
	// (0: DefaultStep; a part of a minute counts as a whole one).
	Step time.Duration

	// Bookings are the appointments already made, each holding one unit of capacity.
	Bookings []Span
	// Busy is time the practice's calendars are busy, which holds every unit.
	Busy []Span

	// Now is the present moment: nothing before it, or within Notice of it, is offered.
	Now time.Time
	// From is the first date Slots lists, and Days how many dates it lists (at least 1).
	From Date
	Days int
}

// Validate reports what in r is missing or malformed, for the settings screens; Slots and
// Check never fail on such input, they just offer no time a mistake could have opened.
func (r Request) Validate() error {
	var errs []error
	if r.Location == nil {
		errs = append(errs, errors.New("no time zone"))
	}
	if r.Duration <= 0 {
		errs = append(errs, errors.New("the service duration must be positive"))
	}
	if r.Buffer < 0 {
		errs = append(errs, errors.New("the buffer can't be negative"))
	}
	if r.Capacity < 0 {
		errs = append(errs, errors.New("the capacity can't be negative"))
	}
	if r.HorizonDays < 0 {
		errs = append(errs, errors.New("the horizon can't be negative"))
	}
	if r.Step < 0 || r.Step%time.Minute != 0 {
		errs = append(errs, errors.New("the slot step must be a whole number of minutes"))
	}
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		for _, iv := range r.Hours[wd] {
			o, ok1 := parseClock(iv.Open)
			c, ok2 := parseClock(iv.Close)
			if !ok1 || !ok2 || o >= c {
				errs = append(errs, fmt.Errorf("%s: %q–%q must be HH:MM with the opening before the closing", wd, iv.Open, iv.Close))
			}
		}
	}
	for _, c := range r.Closures {
		if c.From.IsZero() {
			errs = append(errs, fmt.Errorf("closure %q has no date", c.Label))
			continue
		}
		if !c.To.IsZero() && c.To.Compare(c.From) < 0 {
			errs = append(errs, fmt.Errorf("closure %q ends before it begins", c.Label))
		}
		if _, _, ok := c.clock(); !ok {
			errs = append(errs, fmt.Errorf("closure %q: %q–%q must be HH:MM with the start before the end", c.Label, c.Start, c.End))
		}
	}
	return errors.Join(errs...)
}

// Slots lists the free slots starting on the dates From through From+Days-1, in order of
// start. It is nil when there are none, or when r has no Location or no Duration.
func Slots(r Request) []Slot {
	p, ok := compile(r)
	if !ok {
		return nil
	}
	// The horizon bounds the dates listed below; bounding Days too keeps the date
	// arithmetic from overflowing on absurd input.
	days := min(max(r.Days, 1), maxDays)
	// Starting a day before the earliest bookable date and ending a day after the last
	// costs two empty days and covers a zone whose clock goes back across midnight.
	first := r.From
	if e := DateOf(time.Unix(p.earliest, 0).In(p.loc)).AddDays(-1); first.Compare(e) < 0 {
		first = e
	}
	last := r.From.AddDays(days - 1)
	if h := DateOf(time.Unix(p.latest, 0).In(p.loc)).AddDays(1); last.Compare(h) > 0 {
		last = h
	}
	if first.Compare(last) > 0 {
		return nil
	}
	dates := p.load(first, last, math.MinInt64, math.MaxInt64)

	var out []Slot
	dur := time.Duration(p.dur) * time.Second
	for _, d := range dates {
		if d.date.Compare(first) < 0 || d.date.Compare(last) > 0 {
			continue
		}
		for _, w := range p.hours[d.date.Weekday()] {
			for m := w.open; m < w.close; m += p.step {
				s, ok := d.at(m)
				if !ok || s < p.earliest || s > p.latest {
					continue
				}
				if _, err := p.free(s); err == nil {
					start := time.Unix(s, 0).In(p.loc)
					out = append(out, Slot{Start: start, End: start.Add(dur)})
				}
			}
		}
	}
	return out
}

// Available reports whether start can be booked: Check found no reason against it.
func Available(r Request, start time.Time) bool { return Check(r, start) == nil }

// Check says why start can't be booked, or nil when it can: exactly when Slots, asked for
// its date, would list it. The reasons are the Err values; a closure's comes wrapped with
// its label.
func Check(r Request, start time.Time) error {
	p, ok := compile(r)
	if !ok {
		return ErrInvalid
	}
	s := start.Unix()
	switch {
	case start.Before(r.Now):
		return ErrPast
	case start.Before(time.Unix(p.earliest, 0)):
		return ErrNotice
	case s > p.latest:
		return ErrHorizon
	}
	local := start.In(p.loc)
	date, m := DateOf(local), local.Hour()*60+local.Minute()
	i := slices.IndexFunc(p.hours[date.Weekday()], func(w window) bool { return w.open <= m && m < w.close })
	if i < 0 {
		return ErrClosed
	}
	if (m-p.hours[date.Weekday()][i].open)%p.step != 0 || local.Second() != 0 || local.Nanosecond() != 0 {
		return ErrOffGrid
	}
	if first, _ := newDay(p.loc, date).at(m); first != s {
		// The second pass of a fall-back hour: the slot list offers its first pass only.
		return ErrOffGrid
	}
	p.load(date, date, s, s+p.dur+p.buf)
	label, err := p.free(s)
	if err != nil && label != "" {
		return fmt.Errorf("%w: %s", err, label)
	}
	return err
}

// window is an opening period of a day in minutes after midnight, [open, close).
type window struct{ open, close int }

// plan is a Request read once into the form the sweep needs.
type plan struct {
	loc                *time.Location
	hours              [7][]window
	closures           []Closure
	dur, buf           int64 // seconds
	step               int   // minutes
	capacity           int
	earliest, latest   int64 // the first and last instant a slot may start
	bookings, busyTime []Span
	// Filled by load: where the practice is open, closed, busy, and where bookings fill
	// every unit of capacity.
	open, closed, busy, full spans
}

func compile(r Request) (*plan, bool) {
	if r.Location == nil || r.Duration <= 0 {
		return nil, false
	}
	p := &plan{
		loc:      r.Location,
		closures: r.Closures,
		dur:      ceilSeconds(r.Duration),
		buf:      ceilSeconds(max(r.Buffer, 0)),
		step:     int(DefaultStep / time.Minute),
		capacity: DefaultCapacity,
		bookings: r.Bookings,
		busyTime: r.Busy,
	}
	if r.Step > 0 {
		p.step = int((r.Step + time.Minute - 1) / time.Minute)
	}
	if r.Capacity > 0 {
		p.capacity = r.Capacity
	}
	notice := DefaultNotice
	switch {
	case r.Notice < 0:
		notice = 0
	case r.Notice > 0:
		notice = r.Notice
	}
	// Starts are whole seconds, so the first allowed one is the ceiling of now+notice.
	p.earliest = ceilUnix(r.Now.Add(notice))
	horizon := DefaultHorizonDays
	if r.HorizonDays > 0 {
		horizon = r.HorizonDays
	}
	// AddDate keeps the wall-clock time, so the horizon ends at the same time of day even
	// across a daylight-saving change.
	p.latest = r.Now.In(r.Location).AddDate(0, 0, horizon).Unix()
	for wd := range p.hours {
		p.hours[wd] = windows(r.Hours[time.Weekday(wd)])
	}
	return p, true
}

// windows parses a day's intervals, drops the ones that open nothing, and joins the ones
// that overlap or touch, so the day has one grid per stretch of opening.
func windows(ivs []Interval) []window {
	var ws []window
	for _, iv := range ivs {
		o, ok1 := parseClock(iv.Open)
		c, ok2 := parseClock(iv.Close)
		if ok1 && ok2 && o < c {
			ws = append(ws, window{o, c})
		}
	}
	slices.SortFunc(ws, func(a, b window) int { return a.open - b.open })
	out := ws[:0]
	for _, w := range ws {
		if n := len(out); n > 0 && w.open <= out[n-1].close {
			out[n-1].close = max(out[n-1].close, w.close)
			continue
		}
		out = append(out, w)
	}
	return out
}

// clock is the closure's daily stretch in minutes, and false when its times don't parse
// or run backwards (then it is the whole day).
func (c Closure) clock() (start, end int, ok bool) {
	start, end = 0, minutesPerDay
	okS, okE := true, true
	if c.Start != "" {
		start, okS = parseClock(c.Start)
	}
	if c.End != "" {
		end, okE = parseClock(c.End)
	}
	if !okS || !okE || start >= end {
		return 0, minutesPerDay, false
	}
	return start, end, true
}

// covers reports whether the closure applies on d.
func (c Closure) covers(d Date) bool {
	to := c.To
	if to.IsZero() || to.Compare(c.From) < 0 {
		to = c.From
	}
	return d.Compare(c.From) >= 0 && d.Compare(to) <= 0
}

// load reads hours, closures, busy time and bookings into instants for slots starting on
// the dates first through last, and returns the dates it read. It reads a day before
// them, for a zone whose clock goes back across midnight, and as many after as a slot
// can run into, so that a slot running past midnight sees the next day's hours. Busy
// time and bookings outside [lo, hi) are left out: Check asks about one slot only.
func (p *plan) load(first, last Date, lo, hi int64) []day {
	last = last.AddDays(1 + int(p.dur/secondsPerDay))
	var dates []day
	for d := first.AddDays(-1); d.Compare(last) <= 0; d = d.AddDays(1) {
		dates = append(dates, newDay(p.loc, d))
	}
	var open, closed []span
	for _, d := range dates {
		for _, w := range p.hours[d.date.Weekday()] {
			open = d.spans(w.open, w.close, "", open)
		}
		for _, c := range p.closures {
			if c.covers(d.date) {
				s, e, _ := c.clock()
				closed = d.spans(s, e, c.Label, closed)
			}
		}
	}
	p.open, p.closed = normalize(open), normalize(closed)
	if len(p.open) == 0 {
		return dates
	}
	// Bookings and busy time outside the stretch the slots can reach change nothing, and
	// leaving them out keeps the sort small when only a few dates are asked about.
	lo, hi = max(lo, p.open[0].s), min(hi, p.open[len(p.open)-1].e+p.buf)
	p.busy = normalize(within(p.busyTime, 0, lo, hi))
	p.full = full(within(p.bookings, p.buf, lo, hi), p.capacity)
	return dates
}

// within is the spans of in, each extended by tail, that overlap [lo, hi), in seconds.
func within(in []Span, tail, lo, hi int64) []span {
	n := 0
	for _, b := range in {
		if b.Start.Unix() < hi && ceilUnix(b.End)+tail > lo {
			n++
		}
	}
	out := make([]span, 0, n)
	for _, b := range in {
		if s, e := b.Start.Unix(), ceilUnix(b.End)+tail; s < hi && e > lo {
			out = append(out, span{s: s, e: e})
		}
	}
	return out
}

// free says why a slot starting at s (on the grid, within notice and horizon) can't be
// booked, with the label of the closure that shuts it, or nil when it can. The label
// comes apart from the error so that Slots, which drops the reason, formats nothing.
func (p *plan) free(s int64) (label string, err error) {
	e := s + p.dur
	if !p.open.contains(s, e) {
		return "", ErrClosed
	}
	if c, ok := p.closed.overlapping(s, e); ok {
		return c.label, ErrClosed
	}
	if _, ok := p.busy.overlapping(s, e); ok {
		return "", ErrTaken
	}
	if _, ok := p.full.overlapping(s, e+p.buf); ok {
		return "", ErrTaken
	}
	return "", nil
}

func ceilSeconds(d time.Duration) int64 { return int64((d + time.Second - 1) / time.Second) }

// ceilUnix is t's Unix second, rounded up: a booking ending at 10:00:00.5 still holds 10:00:00.
func ceilUnix(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}
