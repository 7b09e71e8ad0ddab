package availability

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func every(ivs ...Interval) map[time.Weekday][]Interval {
	h := map[time.Weekday][]Interval{}
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		h[wd] = ivs
	}
	return h
}

// at is the instant a wall-clock "2006-01-02 15:04" shows in loc (the first, if twice).
func at(loc *time.Location, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

// monday is a plain request for Monday 2026-06-01 in New York: a long way from any
// daylight-saving change, no notice, booked the day before.
func monday(t testing.TB) Request {
	ny := load(t, "America/New_York")
	return Request{
		Location: ny,
		Hours:    every(Interval{"09:00", "12:00"}),
		Duration: time.Hour,
		Step:     time.Hour,
		Notice:   -1,
		Now:      at(ny, "2026-05-31 00:00"),
		From:     date("2026-06-01"),
		Days:     1,
	}
}

// clocks renders slots as "15:04" (start only, all on one day) for short tables.
func clocks(slots []Slot) string {
	var s []string
	for _, sl := range slots {
		s = append(s, sl.Start.Format("15:04"))
	}
	return strings.Join(s, " ")
}

// stamps renders slots as "start/end" with offsets, for the daylight-saving tables.
func stamps(slots []Slot) []string {
	var s []string
	for _, sl := range slots {
		s = append(s, sl.Start.Format("2006-01-02T15:04-07:00")+"/"+sl.End.Format("15:04-07:00"))
	}
	return s
}

func TestSlotsHours(t *testing.T) {
	cases := []struct {
		name  string
		hours []Interval
		dur   time.Duration
		step  time.Duration
		want  string
	}{
		{"several intervals a day", []Interval{{"09:00", "12:00"}, {"13:00", "17:00"}}, time.Hour, time.Hour,
			"09:00 10:00 11:00 13:00 14:00 15:00 16:00"},
		{"intervals given out of order", []Interval{{"13:00", "15:00"}, {"09:00", "10:00"}}, time.Hour, time.Hour,
			"09:00 13:00 14:00"},
		{"a slot fits entirely before close", []Interval{{"09:00", "11:30"}}, time.Hour, 30 * time.Minute,
			"09:00 09:30 10:00 10:30"},
		{"a slot longer than the interval fits nowhere", []Interval{{"09:00", "09:45"}}, time.Hour, 15 * time.Minute,
			""},
		{"default step of 15 minutes", []Interval{{"09:00", "10:00"}}, 30 * time.Minute, 0,
			"09:00 09:15 09:30"},
		{"grid aligned to the opening time", []Interval{{"09:10", "10:00"}}, 20 * time.Minute, 15 * time.Minute,
			"09:10 09:25 09:40"},
		{"each interval its own grid", []Interval{{"09:00", "10:00"}, {"10:20", "11:20"}}, 30 * time.Minute, 30 * time.Minute,
			"09:00 09:30 10:20 10:50"},
		{"touching intervals are one stretch", []Interval{{"09:00", "10:00"}, {"10:00", "11:00"}}, time.Hour, 30 * time.Minute,
			"09:00 09:30 10:00"},
		{"overlapping intervals are one stretch", []Interval{{"09:00", "10:30"}, {"10:00", "11:00"}}, time.Hour, 30 * time.Minute,
			"09:00 09:30 10:00"},
		{"close at 24:00", []Interval{{"22:00", "24:00"}}, time.Hour, time.Hour,
			"22:00 23:00"},
		{"step rounded up to whole minutes", []Interval{{"09:00", "09:30"}}, 10 * time.Minute, 9*time.Minute + time.Second,
			"09:00 09:10 09:20"},
		{"malformed and backwards intervals open nothing", []Interval{{"9:00", "12:00"}, {"12:00", "11:00"}, {"10:00", "25:00"}}, time.Hour, time.Hour,
			""},
		{"no hours, closed", nil, time.Hour, time.Hour, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := monday(t)
			r.Hours = map[time.Weekday][]Interval{time.Monday: c.hours}
			r.Duration, r.Step = c.dur, c.step
			if got := clocks(Slots(r)); got != c.want {
				t.Errorf("slots %q, want %q", got, c.want)
			}
		})
	}
}

func TestSlotsOnlyOnOpenWeekdays(t *testing.T) {
	r := monday(t)
	r.Hours = map[time.Weekday][]Interval{time.Tuesday: {{"09:00", "11:00"}}, time.Thursday: {{"14:00", "15:00"}}}
	r.Days = 7
	var got []string
	for _, s := range Slots(r) {
		got = append(got, s.Start.Format("Mon 15:04"))
	}
	if want := []string{"Tue 09:00", "Tue 10:00", "Thu 14:00"}; !slices.Equal(got, want) {
		t.Errorf("slots %q, want %q", got, want)
	}
}

// Monday 23:00–24:00 and Tuesday 00:00–02:00 are one night's opening: a slot may run
// across midnight.
func TestSlotsAcrossMidnight(t *testing.T) {
	r := monday(t)
	r.Hours = map[time.Weekday][]Interval{time.Monday: {{"23:00", "24:00"}}, time.Tuesday: {{"00:00", "02:00"}}}
	r.Duration, r.Step, r.Days = 90*time.Minute, 30*time.Minute, 2
	var got []string
	for _, s := range Slots(r) {
		got = append(got, s.Start.Format("Mon 15:04")+"-"+s.End.Format("15:04"))
	}
	want := []string{"Mon 23:00-00:30", "Mon 23:30-01:00", "Tue 00:00-01:30", "Tue 00:30-02:00"}
	if !slices.Equal(got, want) {
		t.Errorf("slots %q, want %q", got, want)
	}
	// Asked for Monday alone, the slots running into Tuesday are still whole.
	r.Days = 1
	if got := clocks(Slots(r)); got != "23:00 23:30" {
		t.Errorf("Monday alone: %q", got)
	}
}

func TestSlotsClosures(t *testing.T) {
	cases := []struct {
		name     string
		closures []Closure
		want     string
	}{
		{"none", nil, "09:00 10:00 11:00 13:00 14:00 15:00 16:00"},
		{"whole day", []Closure{{Label: "Juneteenth", From: date("2026-06-01")}}, ""},
		{"range covering the day", []Closure{{Label: "Vacation", From: date("2026-05-28"), To: date("2026-06-03")}}, ""},
		{"range ending the day before", []Closure{{From: date("2026-05-28"), To: date("2026-05-31")}}, "09:00 10:00 11:00 13:00 14:00 15:00 16:00"},
		{"range starting the day after", []Closure{{From: date("2026-06-02"), To: date("2026-06-05")}}, "09:00 10:00 11:00 13:00 14:00 15:00 16:00"},
		{"partial, afternoon", []Closure{{Label: "Training", From: date("2026-06-01"), Start: "14:30", End: "16:00"}}, "09:00 10:00 11:00 13:00 16:00"},
		{"partial, closing early", []Closure{{From: date("2026-06-01"), Start: "11:00"}}, "09:00 10:00"},
		{"partial, opening late", []Closure{{From: date("2026-06-01"), End: "10:30"}}, "11:00 13:00 14:00 15:00 16:00"},
		{"partial on each day of a range", []Closure{{From: date("2026-05-31"), To: date("2026-06-02"), Start: "09:00", End: "10:00"}}, "10:00 11:00 13:00 14:00 15:00 16:00"},
		{"times that don't parse close the whole day", []Closure{{From: date("2026-06-01"), Start: "2pm"}}, ""},
		{"backwards times close the whole day", []Closure{{From: date("2026-06-01"), Start: "15:00", End: "14:00"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := monday(t)
			r.Hours = every(Interval{"09:00", "12:00"}, Interval{"13:00", "17:00"})
			r.Closures = c.closures
			if got := clocks(Slots(r)); got != c.want {
				t.Errorf("slots %q, want %q", got, c.want)
			}
		})
	}
}

func TestSlotsCapacity(t *testing.T) {
	r := monday(t)
	ny := r.Location
	b := func(from, to string) Span { return Span{at(ny, "2026-06-01 "+from), at(ny, "2026-06-01 "+to)} }
	cases := []struct {
		name     string
		capacity int
		bookings []Span
		want     string
	}{
		{"one chair, free", 1, nil, "09:00 10:00 11:00"},
		{"one chair, one booking takes its slot", 1, []Span{b("10:00", "11:00")}, "09:00 11:00"},
		{"one chair, a booking overlapping two slots takes both", 1, []Span{b("09:30", "10:30")}, "11:00"},
		{"back to back is no overlap", 1, []Span{b("08:00", "09:00"), b("12:00", "13:00")}, "09:00 10:00 11:00"},
		{"two chairs, one booking leaves the slot", 2, []Span{b("10:00", "11:00")}, "09:00 10:00 11:00"},
		{"two chairs, two bookings take the slot", 2, []Span{b("10:00", "11:00"), b("10:00", "11:00")}, "09:00 11:00"},
		{"two chairs, two bookings overlapping only partly", 2, []Span{b("09:30", "10:30"), b("10:15", "11:00")}, "09:00 11:00"},
		{"two chairs, two bookings in one slot but not at once", 2, []Span{b("10:00", "10:30"), b("10:30", "11:00")}, "09:00 10:00 11:00"},
		{"two chairs, three bookings, two at once", 2, []Span{b("09:00", "09:30"), b("09:15", "09:45"), b("11:00", "12:00")}, "10:00 11:00"},
		{"zero capacity means one", 0, []Span{b("10:00", "11:00")}, "09:00 11:00"},
		{"bookings in any order", 1, []Span{b("11:00", "12:00"), b("09:00", "10:00")}, "10:00"},
		{"a booking ending mid-second still holds the second", 1, []Span{{at(ny, "2026-06-01 08:00"), at(ny, "2026-06-01 09:00").Add(time.Millisecond)}}, "10:00 11:00"},
		{"an empty or backwards booking holds nothing", 1, []Span{b("10:00", "10:00"), b("11:00", "10:00")}, "09:00 10:00 11:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := monday(t)
			r.Capacity, r.Bookings = c.capacity, c.bookings
			if got := clocks(Slots(r)); got != c.want {
				t.Errorf("slots %q, want %q", got, c.want)
			}
		})
	}
}

func TestSlotsBuffer(t *testing.T) {
	r := monday(t)
	ny := r.Location
	r.Hours = every(Interval{"08:00", "13:00"})
	r.Step = 15 * time.Minute
	r.Buffer = 15 * time.Minute
	r.Bookings = []Span{{at(ny, "2026-06-01 10:00"), at(ny, "2026-06-01 11:00")}}
	// The booking holds 10:00–11:15; a new slot needs its own hour plus 15 minutes free.
	want := "08:00 08:15 08:30 08:45 11:15 11:30 11:45 12:00"
	if got := clocks(Slots(r)); got != want {
		t.Errorf("buffer 15: %q, want %q", got, want)
	}
	// Two chairs: the buffer holds one chair, the other stays free.
	r.Capacity = 2
	if got := clocks(Slots(r)); !strings.Contains(got, "09:00 09:15") || !strings.Contains(got, "10:30 10:45 11:00") {
		t.Errorf("buffer with two chairs: %q", got)
	}
	// The last slot of the day may end at closing; its buffer runs after it.
	r.Capacity, r.Bookings = 1, nil
	if got := clocks(Slots(r)); !strings.HasSuffix(got, "12:00") {
		t.Errorf("last slot: %q", got)
	}
}

func TestSlotsNotice(t *testing.T) {
	r := monday(t)
	ny := r.Location
	r.Hours = every(Interval{"09:00", "17:00"})
	r.Step = 15 * time.Minute
	r.Duration = 30 * time.Minute
	r.Now = at(ny, "2026-06-01 08:20")
	cases := []struct {
		name   string
		notice time.Duration
		first  string
	}{
		{"default two hours", 0, "10:30"},
		{"none: the next grid time after now", -1, "09:00"},
		{"three hours", 3 * time.Hour, "11:30"},
		{"a day: nothing today", 24 * time.Hour, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := r
			r.Notice = c.notice
			slots := Slots(r)
			first := ""
			if len(slots) > 0 {
				first = slots[0].Start.Format("15:04")
			}
			if first != c.first {
				t.Errorf("first slot %q, want %q", first, c.first)
			}
		})
	}
	// Mid-day with no notice: a slot starting exactly now is still offered.
	r.Notice, r.Now = -1, at(ny, "2026-06-01 13:00")
	if got := Slots(r); len(got) == 0 || got[0].Start.Format("15:04") != "13:00" {
		t.Errorf("now on the grid: %v", clocks(got))
	}
	r.Now = r.Now.Add(time.Nanosecond)
	if got := Slots(r); len(got) == 0 || got[0].Start.Format("15:04") != "13:15" {
		t.Errorf("just after a grid time: %v", clocks(got))
	}
}

func TestSlotsHorizon(t *testing.T) {
	r := monday(t)
	ny := r.Location
	r.Now = at(ny, "2026-06-01 10:00")
	r.Notice = 0
	r.HorizonDays = 2
	r.Days = 5
	var got []string
	for _, s := range Slots(r) {
		got = append(got, s.Start.Format("Mon 15:04"))
	}
	// Monday 10:00 is within the two-hour notice; Wednesday 10:00 is exactly the horizon.
	want := []string{"Tue 09:00", "Tue 10:00", "Tue 11:00", "Wed 09:00", "Wed 10:00"}
	if !slices.Equal(got, want) {
		t.Errorf("slots %q, want %q", got, want)
	}
	// The default horizon is 90 days.
	r.HorizonDays, r.From, r.Days = 0, date("2026-08-29"), 3
	got = nil
	for _, s := range Slots(r) {
		got = append(got, s.Start.Format("Jan 2 15:04"))
	}
	want = []string{"Aug 29 09:00", "Aug 29 10:00", "Aug 29 11:00", "Aug 30 09:00", "Aug 30 10:00"}
	if !slices.Equal(got, want) {
		t.Errorf("default horizon: %q, want %q", got, want)
	}
}

func TestSlotsBusy(t *testing.T) {
	r := monday(t)
	ny := r.Location
	r.Hours = every(Interval{"09:00", "13:00"})
	r.Capacity = 3
	r.Buffer = 30 * time.Minute
	r.Busy = []Span{{at(ny, "2026-06-01 10:00"), at(ny, "2026-06-01 11:00")}}
	// A staff meeting blocks all three chairs. The buffer separates appointments, not an
	// appointment from a meeting: the 09:00 slot ends as the meeting starts, and stays.
	if got, want := clocks(Slots(r)), "09:00 11:00 12:00"; got != want {
		t.Errorf("busy: %q, want %q", got, want)
	}
	r.Busy = append(r.Busy, Span{at(ny, "2026-06-01 11:30"), at(ny, "2026-06-01 13:00")})
	if got, want := clocks(Slots(r)), "09:00"; got != want {
		t.Errorf("busy twice: %q, want %q", got, want)
	}
}

func TestSlotsWindow(t *testing.T) {
	r := monday(t)
	r.From, r.Days = date("2026-06-02"), 0
	slots := Slots(r)
	if len(slots) != 3 || DateOf(slots[0].Start) != date("2026-06-02") {
		t.Errorf("Days 0 lists one day: %v", stamps(slots))
	}
	r.From = date("2026-05-01")
	r.Days = 40
	slots = Slots(r)
	if DateOf(slots[0].Start) != date("2026-05-31") || DateOf(slots[len(slots)-1].Start) != date("2026-06-09") {
		t.Errorf("a window reaching into the past starts today: %s … %s", slots[0].Start, slots[len(slots)-1].Start)
	}
	if len(slots) != 30 {
		t.Errorf("%d slots for 10 days, want 30", len(slots))
	}
}

func TestSlotsInvalid(t *testing.T) {
	r := monday(t)
	r.Location = nil
	if Slots(r) != nil || !errors.Is(Check(r, time.Now()), ErrInvalid) {
		t.Error("no location")
	}
	r = monday(t)
	r.Duration = 0
	if Slots(r) != nil || !errors.Is(Check(r, time.Now()), ErrInvalid) {
		t.Error("no duration")
	}
}

func TestSlotJSONCarriesTheOffset(t *testing.T) {
	r := monday(t)
	b, err := json.Marshal(Slots(r)[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"start":"2026-06-01T09:00:00-04:00","end":"2026-06-01T10:00:00-04:00"}`; string(b) != want {
		t.Errorf("json %s, want %s", b, want)
	}
}

func TestCheck(t *testing.T) {
	base := monday(t)
	ny := base.Location
	base.Hours = every(Interval{"09:00", "12:00"}, Interval{"13:00", "17:00"})
	base.Step = 30 * time.Minute
	base.Notice = 0
	base.HorizonDays = 7
	base.Now = at(ny, "2026-06-01 08:00")
	base.Closures = []Closure{{Label: "Staff training", From: date("2026-06-02"), Start: "13:00"}}
	base.Bookings = []Span{{at(ny, "2026-06-01 14:00"), at(ny, "2026-06-01 15:00")}}
	base.Busy = []Span{{at(ny, "2026-06-01 16:00"), at(ny, "2026-06-01 16:30")}}
	cases := []struct {
		name  string
		start time.Time
		want  error
	}{
		{"free", at(ny, "2026-06-01 10:00"), nil},
		{"free, in the second interval", at(ny, "2026-06-01 13:00"), nil},
		{"same instant in another zone", at(time.UTC, "2026-06-01 14:00"), nil},
		{"past", at(ny, "2026-05-29 10:00"), ErrPast},
		{"within the notice", at(ny, "2026-06-01 09:30"), ErrNotice},
		{"beyond the horizon", at(ny, "2026-06-08 09:00"), ErrHorizon},
		{"last day of the horizon", at(ny, "2026-06-08 08:00"), ErrClosed},
		{"before opening", at(ny, "2026-06-02 07:00"), ErrClosed},
		{"lunch", at(ny, "2026-06-01 12:00"), ErrClosed},
		{"doesn't fit before close", at(ny, "2026-06-01 11:30"), ErrClosed},
		{"closure", at(ny, "2026-06-02 14:00"), ErrClosed},
		{"off the grid", at(ny, "2026-06-01 10:15"), ErrOffGrid},
		{"off the grid by a second", at(ny, "2026-06-01 10:00").Add(time.Second), ErrOffGrid},
		{"booked", at(ny, "2026-06-01 14:30"), ErrTaken},
		{"busy", at(ny, "2026-06-01 15:30"), ErrTaken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check(base, c.start)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Errorf("Check(%s) = %v, want %v", c.start, err, c.want)
			}
			if Available(base, c.start) != (c.want == nil) {
				t.Errorf("Available(%s) disagrees with Check", c.start)
			}
		})
	}
	if err := Check(base, at(ny, "2026-06-02 14:00")); err == nil || !strings.Contains(err.Error(), "Staff training") {
		t.Errorf("a closure's reason names it: %v", err)
	}
}

// Check is the booking route's guard and Slots the list the visitor picked from: a start
// Slots lists must pass Check, and one it doesn't must fail, minute by minute.
func TestCheckAgreesWithSlots(t *testing.T) {
	r := monday(t)
	ny := r.Location
	r.Hours = every(Interval{"08:30", "12:00"}, Interval{"13:00", "18:00"})
	r.Step, r.Duration, r.Buffer, r.Capacity = 15*time.Minute, 45*time.Minute, 10*time.Minute, 2
	r.Now = at(ny, "2026-06-01 09:07")
	r.Notice = 0
	r.Bookings = []Span{
		{at(ny, "2026-06-01 10:00"), at(ny, "2026-06-01 11:00")},
		{at(ny, "2026-06-01 10:30"), at(ny, "2026-06-01 11:15")},
		{at(ny, "2026-06-01 14:00"), at(ny, "2026-06-01 14:45")},
	}
	r.Busy = []Span{{at(ny, "2026-06-01 16:00"), at(ny, "2026-06-01 16:20")}}
	r.Closures = []Closure{{From: date("2026-06-01"), Start: "17:00", End: "17:30"}}
	listed := map[time.Time]bool{}
	for _, s := range Slots(r) {
		listed[s.Start] = true
	}
	if len(listed) == 0 {
		t.Fatal("no slots")
	}
	for m := 0; m < 24*60; m++ {
		start := at(ny, "2026-06-01 00:00").Add(time.Duration(m) * time.Minute)
		if err := Check(r, start); (err == nil) != listed[start] {
			t.Errorf("%s: listed %v, Check says %v", start.Format("15:04"), listed[start], err)
		}
	}
}

func TestValidate(t *testing.T) {
	if err := monday(t).Validate(); err != nil {
		t.Errorf("valid request: %v", err)
	}
	r := Request{
		Hours:    map[time.Weekday][]Interval{time.Monday: {{"09:00", "08:00"}, {"9", "10:00"}}},
		Buffer:   -time.Minute,
		Capacity: -1,
		Step:     90 * time.Second,
		Closures: []Closure{{Label: "x", From: date("2026-06-02"), To: date("2026-06-01")}, {Label: "y"}, {Label: "z", From: date("2026-06-01"), Start: "25:00"}},
	}
	err := r.Validate()
	if err == nil {
		t.Fatal("invalid request passed")
	}
	for _, want := range []string{"time zone", "duration", "buffer", "capacity", "step", "Monday", `"9"`, `closure "x" ends`, `closure "y" has no date`, `closure "z"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error doesn't mention %q: %v", want, err)
		}
	}
}
