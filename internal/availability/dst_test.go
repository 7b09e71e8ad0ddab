package availability

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// The four 2026 daylight-saving days of two zones, each with hours around the change, a
// 60-minute service and a 30-minute grid. Skipped wall times start nothing; a repeated
// hour starts its slots once, at the first pass; a slot lasts 60 real minutes, so one
// that spans the change ends at a wall time an hour off.
func TestSlotsDaylightSaving(t *testing.T) {
	cases := []struct {
		name, zone, date string
		hours            Interval
		want             []string
	}{
		{"New York spring forward: 02:00 EST becomes 03:00 EDT", "America/New_York", "2026-03-08", Interval{"00:00", "05:00"}, []string{
			"2026-03-08T00:00-05:00/01:00-05:00",
			"2026-03-08T00:30-05:00/01:30-05:00",
			"2026-03-08T01:00-05:00/03:00-04:00",
			"2026-03-08T01:30-05:00/03:30-04:00",
			"2026-03-08T03:00-04:00/04:00-04:00",
			"2026-03-08T03:30-04:00/04:30-04:00",
			"2026-03-08T04:00-04:00/05:00-04:00",
		}},
		{"New York fall back: 02:00 EDT becomes 01:00 EST", "America/New_York", "2026-11-01", Interval{"00:00", "04:00"}, []string{
			"2026-11-01T00:00-04:00/01:00-04:00",
			"2026-11-01T00:30-04:00/01:30-04:00",
			"2026-11-01T01:00-04:00/01:00-05:00",
			"2026-11-01T01:30-04:00/01:30-05:00",
			"2026-11-01T02:00-05:00/03:00-05:00",
			"2026-11-01T02:30-05:00/03:30-05:00",
			"2026-11-01T03:00-05:00/04:00-05:00",
		}},
		{"Madrid spring forward: 02:00 CET becomes 03:00 CEST", "Europe/Madrid", "2026-03-29", Interval{"00:00", "05:00"}, []string{
			"2026-03-29T00:00+01:00/01:00+01:00",
			"2026-03-29T00:30+01:00/01:30+01:00",
			"2026-03-29T01:00+01:00/03:00+02:00",
			"2026-03-29T01:30+01:00/03:30+02:00",
			"2026-03-29T03:00+02:00/04:00+02:00",
			"2026-03-29T03:30+02:00/04:30+02:00",
			"2026-03-29T04:00+02:00/05:00+02:00",
		}},
		{"Madrid fall back: 03:00 CEST becomes 02:00 CET", "Europe/Madrid", "2026-10-25", Interval{"01:00", "05:00"}, []string{
			"2026-10-25T01:00+02:00/02:00+02:00",
			"2026-10-25T01:30+02:00/02:30+02:00",
			"2026-10-25T02:00+02:00/02:00+01:00",
			"2026-10-25T02:30+02:00/02:30+01:00",
			"2026-10-25T03:00+01:00/04:00+01:00",
			"2026-10-25T03:30+01:00/04:30+01:00",
			"2026-10-25T04:00+01:00/05:00+01:00",
		}},
		{"Madrid spring forward, office hours after the change", "Europe/Madrid", "2026-03-29", Interval{"09:00", "11:00"}, []string{
			"2026-03-29T09:00+02:00/10:00+02:00",
			"2026-03-29T09:30+02:00/10:30+02:00",
			"2026-03-29T10:00+02:00/11:00+02:00",
		}},
		{"New York fall back, opening inside the repeated hour", "America/New_York", "2026-11-01", Interval{"01:30", "02:30"}, []string{
			// Open while the clocks show 01:30 to 02:30: 01:30–02:00 EDT, then, after they
			// go back to 01:00 and show 01:30 again, 01:30–02:30 EST. No 60-minute slot
			// fits in either; the test of 30-minute slots below shows the pieces.
		}},
		{"New York spring forward, opening inside the skipped hour", "America/New_York", "2026-03-08", Interval{"02:30", "04:30"}, []string{
			// Open from the moment the clocks jump (03:00 EDT) to 04:30: 90 real minutes.
			"2026-03-08T03:00-04:00/04:00-04:00",
			"2026-03-08T03:30-04:00/04:30-04:00",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := dstRequest(t, c.zone, c.date, c.hours)
			got := stamps(Slots(r))
			if !slices.Equal(got, c.want) {
				t.Errorf("slots\n%q\nwant\n%q", got, c.want)
			}
			if len(c.want) > 0 {
				checkAgreesAround(t, r, c.date)
			}
		})
	}
}

// Hours that begin inside the repeated hour hold on both of its passes; no start is
// offered twice, and none is offered while the clocks show a time before opening.
func TestSlotsDaylightSavingOpeningInTheRepeatedHour(t *testing.T) {
	r := dstRequest(t, "America/New_York", "2026-11-01", Interval{"01:30", "02:30"})
	r.Duration = 30 * time.Minute
	want := []string{
		"2026-11-01T01:30-04:00/01:00-05:00",
		"2026-11-01T02:00-05:00/02:30-05:00",
	}
	if got := stamps(Slots(r)); !slices.Equal(got, want) {
		t.Errorf("slots\n%q\nwant\n%q", got, want)
	}
	checkAgreesAround(t, r, "2026-11-01")
}

func dstRequest(t *testing.T, zone, day string, hours Interval) Request {
	loc := load(t, zone)
	return Request{
		Location:    loc,
		Hours:       every(hours),
		Duration:    time.Hour,
		Step:        30 * time.Minute,
		Notice:      -1,
		HorizonDays: 365,
		Now:         at(loc, "2026-01-01 00:00"),
		From:        date(day),
		Days:        1,
	}
}

// checkAgreesAround checks Check against Slots for every minute of real time the date
// and its neighbours span, both passes of a repeated hour included.
func checkAgreesAround(t *testing.T, r Request, day string) {
	t.Helper()
	listed := map[int64]bool{}
	for _, s := range Slots(r) {
		listed[s.Start.Unix()] = true
	}
	if len(listed) == 0 {
		t.Fatal("no slots to check against")
	}
	from := at(r.Location, day+" 00:00").Add(-2 * time.Hour)
	for m := 0; m < 28*60; m++ {
		start := from.Add(time.Duration(m) * time.Minute)
		if DateOf(start.In(r.Location)) != r.From {
			continue
		}
		if err := Check(r, start); (err == nil) != listed[start.Unix()] {
			t.Errorf("%s: listed %v, Check says %v", start.In(r.Location).Format(time.RFC3339), listed[start.Unix()], err)
		}
	}
}

func TestSlotsDaylightSavingClosureHoldsOnBothPasses(t *testing.T) {
	r := dstRequest(t, "America/New_York", "2026-11-01", Interval{"00:00", "04:00"})
	r.Step = time.Hour
	r.Closures = []Closure{{Label: "Maintenance", From: date("2026-11-01"), Start: "01:00", End: "02:00"}}
	want := []string{
		"2026-11-01T00:00-04:00/01:00-04:00",
		"2026-11-01T02:00-05:00/03:00-05:00",
		"2026-11-01T03:00-05:00/04:00-05:00",
	}
	if got := stamps(Slots(r)); !slices.Equal(got, want) {
		t.Errorf("slots\n%q\nwant\n%q", got, want)
	}
	// A closure of the first half of the repeated hour holds on its second pass too: the
	// slot from the first 01:30 would run through 01:00–01:30 EST.
	r.Step = 30 * time.Minute
	r.Closures = []Closure{{From: date("2026-11-01"), Start: "01:00", End: "01:30"}}
	want = []string{
		"2026-11-01T00:00-04:00/01:00-04:00",
		"2026-11-01T02:00-05:00/03:00-05:00",
		"2026-11-01T02:30-05:00/03:30-05:00",
		"2026-11-01T03:00-05:00/04:00-05:00",
	}
	if got := stamps(Slots(r)); !slices.Equal(got, want) {
		t.Errorf("slots\n%q\nwant\n%q", got, want)
	}
	checkAgreesAround(t, r, "2026-11-01")
}

func TestSlotsDaylightSavingBookingInTheRepeatedHour(t *testing.T) {
	r := dstRequest(t, "America/New_York", "2026-11-01", Interval{"00:00", "04:00"})
	est := time.FixedZone("EST", -5*3600)
	// A booking on the second pass of 01:00–01:30.
	r.Bookings = []Span{{time.Date(2026, 11, 1, 1, 0, 0, 0, est), time.Date(2026, 11, 1, 1, 30, 0, 0, est)}}
	want := []string{
		"2026-11-01T00:00-04:00/01:00-04:00",
		"2026-11-01T00:30-04:00/01:30-04:00",
		// 01:00 EDT would run to 01:00 EST and is free; 01:30 EDT runs into the booking.
		"2026-11-01T01:00-04:00/01:00-05:00",
		"2026-11-01T02:00-05:00/03:00-05:00",
		"2026-11-01T02:30-05:00/03:30-05:00",
		"2026-11-01T03:00-05:00/04:00-05:00",
	}
	if got := stamps(Slots(r)); !slices.Equal(got, want) {
		t.Errorf("slots\n%q\nwant\n%q", got, want)
	}
	checkAgreesAround(t, r, "2026-11-01")
	if err := Check(r, time.Date(2026, 11, 1, 1, 30, 0, 0, est)); !errors.Is(err, ErrOffGrid) {
		t.Errorf("a start on the second pass: %v, want ErrOffGrid", err)
	}
}

// Notice is real time: two hours after 00:30 EST on the spring-forward day is 03:30 EDT,
// not the skipped 02:30.
func TestSlotsDaylightSavingNoticeIsAbsolute(t *testing.T) {
	r := dstRequest(t, "America/New_York", "2026-03-08", Interval{"00:00", "06:00"})
	r.Notice = 2 * time.Hour
	r.Now = at(r.Location, "2026-03-08 00:30")
	if got := stamps(Slots(r)); len(got) == 0 || got[0] != "2026-03-08T03:30-04:00/04:30-04:00" {
		t.Errorf("first slot %q", got)
	}
}

// The horizon keeps the wall-clock time: seven days after Sunday 10:00 EST is Sunday
// 10:00 EDT, 167 real hours later.
func TestSlotsDaylightSavingHorizonKeepsTheWallClock(t *testing.T) {
	r := dstRequest(t, "America/New_York", "2026-03-08", Interval{"09:00", "12:00"})
	r.Step = time.Hour
	r.Now = at(r.Location, "2026-03-01 10:00")
	r.HorizonDays = 7
	want := []string{"2026-03-08T09:00-04:00/10:00-04:00", "2026-03-08T10:00-04:00/11:00-04:00"}
	if got := stamps(Slots(r)); !slices.Equal(got, want) {
		t.Errorf("slots %q, want %q", got, want)
	}
}
