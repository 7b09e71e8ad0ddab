package availability

import (
	"cmp"
	"slices"
	"sort"
)

// span is the instants [s, e) in Unix seconds. Seconds, not time.Time: the engine compares
// and sorts thousands of them per request, and no appointment boundary needs finer.
type span struct {
	s, e  int64
	label string // the closure's label, for Check's reason
}

// spans is sorted by start with no two overlapping, so one binary search finds the only
// span that can contain or first overlap a given stretch.
type spans []span

// normalize sorts in and merges the spans that overlap or touch, keeping the first label.
func normalize(in []span) spans {
	slices.SortFunc(in, func(a, b span) int { return cmp.Compare(a.s, b.s) })
	out := in[:0]
	for _, x := range in {
		if x.e <= x.s {
			continue
		}
		if n := len(out); n > 0 && x.s <= out[n-1].e {
			out[n-1].e = max(out[n-1].e, x.e)
			continue
		}
		out = append(out, x)
	}
	return out
}

// first is the index of the first span that ends after s.
func (ss spans) first(s int64) int {
	return sort.Search(len(ss), func(i int) bool { return ss[i].e > s })
}

// overlapping is the first span that shares an instant with [s, e), if any.
func (ss spans) overlapping(s, e int64) (span, bool) {
	if i := ss.first(s); i < len(ss) && ss[i].s < e {
		return ss[i], true
	}
	return span{}, false
}

// contains reports whether one span holds all of [s, e).
func (ss spans) contains(s, e int64) bool {
	i := ss.first(s)
	return i < len(ss) && ss[i].s <= s && e <= ss[i].e
}

// full is where holding one more unit of capacity would exceed capacity: the stretches that
// occupied (each one unit, [s, e)) already fill. One sort and one sweep, so a request costs
// O(n log n) in the bookings however many slots it checks.
func full(occupied []span, capacity int) spans {
	// An edge is its time shifted left one bit, with the low bit set for a start: sorting
	// plain integers is several times faster than sorting structs with a comparison
	// function, and it puts ends before starts at equal times, so a booking ending at
	// 10:00 frees its unit for one starting at 10:00.
	edges := make([]int64, 0, 2*len(occupied))
	for _, o := range occupied {
		if o.e > o.s {
			edges = append(edges, o.s<<1|1, o.e<<1)
		}
	}
	slices.Sort(edges)
	var out spans
	n := 0
	for _, x := range edges {
		was := n >= capacity
		if x&1 == 1 {
			n++
		} else {
			n--
		}
		switch is := n >= capacity; {
		case is && !was:
			out = append(out, span{s: x >> 1})
		case was && !is:
			out[len(out)-1].e = x >> 1
		}
	}
	return normalize(out)
}
