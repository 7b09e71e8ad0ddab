package availability

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// busyPractice is a three-chair practice two weeks from its busiest: weekday hours with a
// lunch break, Saturday mornings, 500 bookings, some calendar busy time and a closure.
func busyPractice(tb testing.TB) Request {
	loc := load(tb, "Europe/Madrid")
	weekday := []Interval{{"08:00", "13:00"}, {"14:00", "19:00"}}
	r := Request{
		Location: loc,
		Hours: map[time.Weekday][]Interval{
			time.Monday: weekday, time.Tuesday: weekday, time.Wednesday: weekday,
			time.Thursday: weekday, time.Friday: weekday, time.Saturday: {{"09:00", "13:00"}},
		},
		Closures: []Closure{{Label: "Training", From: date("2026-10-29"), Start: "14:00"}},
		Duration: 30 * time.Minute,
		Buffer:   10 * time.Minute,
		Capacity: 3,
		Now:      at(loc, "2026-10-18 20:00"),
		// The window spans the fall-back change of 2026-10-25.
		From: date("2026-10-19"),
		Days: 14,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for len(r.Bookings) < 500 {
		d := r.From.AddDays(rng.IntN(14))
		ivs := r.Hours[d.Weekday()]
		if len(ivs) == 0 {
			continue
		}
		iv := ivs[rng.IntN(len(ivs))]
		o, _ := parseClock(iv.Open)
		c, _ := parseClock(iv.Close)
		m := o + 15*rng.IntN((c-o-30)/15+1)
		start := at(loc, d.String()+" 00:00").Add(time.Duration(m) * time.Minute)
		r.Bookings = append(r.Bookings, Span{start, start.Add(time.Duration(15*(1+rng.IntN(4))) * time.Minute)})
	}
	for i := range 20 {
		start := at(loc, r.From.AddDays(i*14/20).String()+" 12:00")
		r.Busy = append(r.Busy, Span{start, start.Add(45 * time.Minute)})
	}
	return r
}

// BenchmarkSlots14Days500Bookings is the slots route's worst ordinary case. The budget is
// a p95 of 5 ms; p95-ns is measured call by call.
func BenchmarkSlots14Days500Bookings(b *testing.B) {
	r := busyPractice(b)
	if n := len(Slots(r)); n == 0 {
		b.Fatal("no slots")
	}
	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		Slots(r)
		times = append(times, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)*95/100].Nanoseconds()), "p95-ns")
}

// BenchmarkCheck500Bookings is the booking route's guard against the same practice.
func BenchmarkCheck500Bookings(b *testing.B) {
	r := busyPractice(b)
	start := Slots(r)[len(Slots(r))/2].Start
	b.ReportAllocs()
	for b.Loop() {
		if !Available(r, start) {
			b.Fatal("not available")
		}
	}
}
