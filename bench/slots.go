package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// The superuser that startServer creates, and the demo practice's slug.
const (
	benchSuperuser = "bench@example.com"
	benchPassword  = "bench-password-123"
	demoSlug       = "demo"
	slotsDays      = 14
)

// slotsResult is the slots route's figure: the demo practice's free times over 14 days
// with its bookings, asked over HTTP by concurrent visitors, end to end (router, rate
// limiter, practice, bookings query, availability engine, JSON).
type slotsResult struct {
	Bookings    int     `json:"bookings"`
	Days        int     `json:"days"`
	Queries     int     `json:"queries"`
	Concurrency int     `json:"concurrency"`
	Slots       int     `json:"slots_per_answer"`
	Errors      int     `json:"errors"`
	PerSecond   float64 `json:"queries_per_second"`
	Ms          latency `json:"ms"`
}

// benchSlots turns booking on for the demo practice (as the superuser, through the
// REST API), books it with bookings spread over the next 14 days, then times queries
// of the slots route for those 14 days from concurrency visitors, each its own IP.
func benchSlots(ctx context.Context, base string, bookings, queries, concurrency int) (slotsResult, error) {
	res := slotsResult{Bookings: bookings, Days: slotsDays, Queries: queries, Concurrency: concurrency}
	admin := &http.Client{Timeout: 30 * time.Second}
	var auth struct {
		Token string `json:"token"`
	}
	if err := call(ctx, admin, "", http.MethodPost, base+"/api/collections/_superusers/auth-with-password",
		map[string]string{"identity": benchSuperuser, "password": benchPassword}, &auth); err != nil {
		return res, fmt.Errorf("sign in: %w", err)
	}
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	q := url.Values{"filter": {"slug='" + demoSlug + "'"}}
	if err := call(ctx, admin, auth.Token, http.MethodGet, base+"/api/collections/businesses/records?"+q.Encode(), nil, &list); err != nil || len(list.Items) != 1 {
		return res, fmt.Errorf("find the demo practice: %v", err)
	}
	biz := list.Items[0].ID
	// Capacity 50, so the bookings overlap as a busy multi-chair practice's do.
	settings := map[string]any{
		"booking_enabled": true, "booking_capacity": 50, "booking_buffer_min": 10,
		"services": []map[string]any{{"name": "Cleaning", "duration_min": 30}},
	}
	if err := call(ctx, admin, auth.Token, http.MethodPatch, base+"/api/collections/businesses/records/"+biz, settings, nil); err != nil {
		return res, fmt.Errorf("turn booking on: %w", err)
	}
	from := time.Now().UTC().AddDate(0, 0, 1)
	day0 := time.Date(from.Year(), from.Month(), from.Day(), 16, 0, 0, 0, time.UTC) // 08:00 or 09:00 in Los Angeles
	for n := range bookings {
		start := day0.AddDate(0, 0, n%slotsDays).Add(time.Duration(n/slotsDays%16) * 30 * time.Minute)
		b := map[string]any{"business": biz, "service": "Cleaning", "status": "confirmed", "source": "staff",
			"start": start.Format(time.RFC3339), "end": start.Add(30 * time.Minute).Format(time.RFC3339)}
		if err := call(ctx, admin, auth.Token, http.MethodPost, base+"/api/collections/bookings/records", b, nil); err != nil {
			return res, fmt.Errorf("booking %d: %w", n, err)
		}
	}

	path := fmt.Sprintf("%s/api/widget/%s/slots?service=Cleaning&from=%s&days=%d", base, demoSlug, from.Format("2006-01-02"), slotsDays)
	var (
		mu    sync.Mutex
		took  = make([]time.Duration, 0, queries)
		next  = make(chan struct{}, queries)
		wg    sync.WaitGroup
		count = -1
	)
	for range queries {
		next <- struct{}{}
	}
	close(next)
	start := time.Now()
	for i := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := visitorClient(4, i)
			defer client.CloseIdleConnections()
			for range next {
				t0 := time.Now()
				var out struct {
					Slots []json.RawMessage `json:"slots"`
				}
				err := call(ctx, client, "", http.MethodGet, path, nil, &out)
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					res.Errors++
				} else {
					took = append(took, d)
					count = len(out.Slots)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	res.Slots = count
	res.PerSecond = float64(len(took)) / elapsed.Seconds()
	res.Ms = percentiles(took)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

// call sends a JSON request (body nil for none) with an optional auth token and
// decodes a 2xx answer into out (nil to drop it).
func call(ctx context.Context, c *http.Client, token, method, u string, body, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %.200s", method, u, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}
