package booking_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// BenchmarkSlotsRoute is the slots route end to end (router, practice, bookings query,
// engine, JSON) for a 14-day window over a practice with 500 bookings in it.
func BenchmarkSlotsRoute(b *testing.B) {
	h := newHarness(b, setup{capacity: 50})
	// 500 bookings, 50 per weekday over two weeks, written below the hooks for speed.
	n := 0
	for d := 0; n < 500; d++ {
		if wd := at(d, 0, 0).Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		for i := 0; i < 50; i++ {
			start := at(d, 9, 0).Add(time.Duration(i%28) * 15 * time.Minute)
			_, err := h.app.DB().Insert(models.BookingsCollection, dbx.Params{
				"id": core.GenerateDefaultRandomId(), "business": h.biz.Id, "service": "Cleaning",
				"start": start.UTC().Format("2006-01-02 15:04:05.000Z"), "end": start.Add(time.Hour).UTC().Format("2006-01-02 15:04:05.000Z"),
				"status": "confirmed", "source": "staff", "slot_key": fmt.Sprint(n),
			}).Execute()
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	// The per-IP limiter would stop one client's loop; the figure is the route's own cost.
	h.app.Settings().RateLimits.Enabled = false
	path := "/api/widget/clinic/slots?service=Cleaning&from=2030-03-04&days=14"
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
	}
}
