package google_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"frontdesk/internal/calendar"
	"frontdesk/internal/calendar/google"
	"frontdesk/internal/calendar/google/googletest"
)

func config(srv *googletest.Server) google.Config {
	return google.Config{
		ClientID: googletest.ClientID, ClientSecret: googletest.ClientSecret,
		RedirectURL: "https://frontdesk.example/api/frontdesk/calendar/google/callback",
		AuthURL:     srv.URL + "/auth", TokenURL: srv.TokenURL(), APIBase: srv.APIBase(),
	}
}

func TestAuthCodeURLAsksForTheNarrowScopeOffline(t *testing.T) {
	srv := googletest.New(t)
	u, err := url.Parse(config(srv).AuthCodeURL("state-1"))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("scope") != google.Scope || q.Get("access_type") != "offline" || q.Get("prompt") != "consent" || q.Get("state") != "state-1" || q.Get("client_id") != googletest.ClientID {
		t.Errorf("auth URL query = %v", q)
	}
}

func TestExchangeThenCalendarRefreshesAndSyncs(t *testing.T) {
	srv := googletest.New(t)
	// oauth2 refreshes 10s before expiry, so this token is fresh for 2s.
	srv.TokenLifetime = 12 * time.Second
	cfg := config(srv)
	ctx := context.Background()

	if _, err := cfg.Exchange(ctx, http.DefaultClient, "wrong-code"); err == nil {
		t.Fatal("a wrong code was exchanged")
	}
	cred, err := cfg.Exchange(ctx, http.DefaultClient, googletest.Code)
	if err != nil {
		t.Fatal(err)
	}
	if cred.AccessToken == "" || cred.RefreshToken == "" || cred.CalendarID != "primary" {
		t.Fatalf("credential = %+v", cred)
	}

	// A credential stored earlier, with its access token expired: the first call refreshes.
	access, refresh := srv.Grant()
	cred = google.Credential{AccessToken: access, RefreshToken: refresh, Expiry: time.Now().Add(-time.Minute)}
	var mu sync.Mutex
	var stored []google.Credential
	cal := google.New(cfg, http.DefaultClient, cred, time.UTC, func(c google.Credential) {
		mu.Lock()
		defer mu.Unlock()
		stored = append(stored, c)
	})

	start := time.Date(2030, 5, 6, 14, 0, 0, 0, time.UTC)
	srv.AddEvent("Staff meeting", start, start.Add(time.Hour))
	srv.AddEvent("Lunch", start.Add(3*time.Hour), start.Add(4*time.Hour))
	srv.AddEvent("Next week", start.AddDate(0, 0, 7), start.AddDate(0, 0, 7).Add(time.Hour))
	ev := calendar.Event{ID: "bk1", Start: start.Add(time.Hour), End: start.Add(2 * time.Hour), Summary: "Cleaning: Ana", Description: "ana@example.com"}
	ref, err := cal.Create(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	if srv.Refreshes.Load() != 1 {
		t.Errorf("refreshes = %d, want 1", srv.Refreshes.Load())
	}
	mu.Lock()
	if len(stored) != 1 || stored[0].AccessToken == access || stored[0].RefreshToken != refresh {
		t.Errorf("refreshed credentials handed back = %+v", stored)
	}
	mu.Unlock()

	// A retried create makes no second event.
	if ref2, err := cal.Create(ctx, ev); err != nil || ref2 != ref {
		t.Fatalf("second create = %q, %v", ref2, err)
	}
	busy, err := cal.Busy(ctx, start.Add(-time.Hour), start.Add(6*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(busy, func(a, b calendar.Span) int { return a.Start.Compare(b.Start) })
	if len(busy) != 2 || !busy[0].Start.Equal(start) || !busy[1].Start.Equal(start.Add(3*time.Hour)) {
		t.Errorf("busy = %v, want the meeting and lunch (not Frontdesk's event)", busy)
	}

	// The access token expires: the next call refreshes again.
	time.Sleep(2100 * time.Millisecond)
	ev.Start, ev.End = ev.Start.Add(24*time.Hour), ev.End.Add(24*time.Hour)
	if err := cal.Move(ctx, ref, ev); err != nil {
		t.Fatal(err)
	}
	if srv.Refreshes.Load() != 2 {
		t.Errorf("refreshes = %d, want 2", srv.Refreshes.Load())
	}
	var ours []googletest.Event
	var theirs string
	for _, e := range srv.Events() {
		if e.Ours {
			ours = append(ours, e)
		} else if e.Summary == "Staff meeting" {
			theirs = e.ID
		}
	}
	if len(ours) != 1 || !ours[0].Start.Equal(ev.Start) || ours[0].Summary != ev.Summary {
		t.Fatalf("Frontdesk's events = %+v", ours)
	}
	if err := cal.Cancel(ctx, theirs); !errors.Is(err, calendar.ErrNotOurs) {
		t.Errorf("cancel of the practice's event = %v, want ErrNotOurs", err)
	}
	if err := cal.Move(ctx, theirs, ev); !errors.Is(err, calendar.ErrNotOurs) {
		t.Errorf("move of the practice's event = %v, want ErrNotOurs", err)
	}
	if err := cal.Cancel(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if err := cal.Cancel(ctx, ref); err != nil {
		t.Errorf("cancelling twice: %v", err)
	}
	for _, e := range srv.Events() {
		if e.Ours {
			t.Errorf("Frontdesk's event left after cancel: %+v", e)
		}
	}

	srv.Down.Store(true)
	if _, err := cal.Busy(ctx, start, start.Add(time.Hour)); err == nil || errors.Is(err, calendar.ErrAuth) {
		t.Errorf("down: %v, want a retryable error", err)
	}
	srv.Down.Store(false)
	srv.Revoke()
	if _, err := cal.Busy(ctx, start, start.Add(time.Hour)); !errors.Is(err, calendar.ErrAuth) {
		t.Errorf("revoked: %v, want ErrAuth", err)
	} else if strings.Contains(err.Error(), refresh) {
		t.Error("the error names the refresh token")
	}
}
