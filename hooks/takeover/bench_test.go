package takeover_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"frontdesk/models"
	"frontdesk/tests"
)

// BenchmarkTakeoverLatency is the takeover round trip: an admin creates a staff message
// through PocketBase's REST API and the visitor's events stream delivers it, with 200
// conversations taken over and an events stream open on each, on a listening server. It
// reports the p50 and p99 from the request's start to the event's arrival, over b.N
// messages sent one after another across the conversations. The setup (200
// conversations and streams) is outside the timing, so run it with a fixed count:
//
//	go test ./hooks/takeover/ -run XXX -bench TakeoverLatency -benchtime 1000x
func BenchmarkTakeoverLatency(b *testing.B) {
	const conversations = 200
	f := newFixture(b)
	srv := httptest.NewServer(f.H)
	b.Cleanup(srv.Close)

	var mu sync.Mutex
	waiting := map[string]chan time.Time{} // message text -> its arrival
	ids := make([]string, conversations)
	for i := range ids {
		id, tok := f.v.Start()
		if rec := f.patch(id, `{"status":"human"}`, tests.Admin); rec.Code != http.StatusOK {
			b.Fatalf("take over: %d %s", rec.Code, rec.Body.String())
		}
		ids[i] = id
		s := tests.OpenEvents(b, srv.URL, "demo", id, tok, "")
		if e, ok := s.Next(b, time.Minute); !ok || e.Name != "status" {
			b.Fatalf("stream %d began with %v", i, e)
		}
		go func() {
			for e := range s.Events() {
				if e.Name != "message" {
					continue
				}
				at := time.Now()
				mu.Lock()
				ch := waiting[e.Data["text"].(string)]
				mu.Unlock()
				if ch != nil {
					ch <- at
				}
			}
		}()
	}

	token := f.Tokens[tests.Admin]
	delays := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		text := fmt.Sprintf("Hello from the front desk (%d)", i)
		ch := make(chan time.Time, 1)
		mu.Lock()
		waiting[text] = ch
		mu.Unlock()
		body, _ := json.Marshal(map[string]any{"conversation": ids[i%conversations], "role": models.RoleStaff, "text": text})
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/collections/messages/records", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", token)
		start := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("staff message: %d", res.StatusCode)
		}
		select {
		case at := <-ch:
			delays = append(delays, at.Sub(start))
		case <-time.After(time.Minute):
			b.Fatalf("message %d never reached the visitor", i)
		}
	}
	b.StopTimer()
	slices.Sort(delays)
	pct := func(p float64) float64 {
		return float64(delays[int(p*float64(len(delays)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
