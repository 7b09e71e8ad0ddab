// Package googletest fakes Google's OAuth token endpoint and Calendar events API at their
// wire protocol, for tests of the google package and of the booking sync: codes are
// exchanged for tokens, access tokens expire and are refreshed, and every API call must
// carry a live token.
package googletest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The OAuth client the fake accepts, and the one code it exchanges.
const (
	ClientID     = "client-123.apps.example"
	ClientSecret = "client-secret"
	Code         = "auth-code-xyz"
)

// Server is a fake Google.
type Server struct {
	*httptest.Server
	// TokenLifetime is how long access tokens live (default one hour).
	TokenLifetime time.Duration
	// Down, while set, answers every API call (not the token endpoint) with 503.
	Down atomic.Bool
	// Refreshes counts refresh-token grants.
	Refreshes atomic.Int64
	// Revoked counts tokens revoked at the revocation endpoint.
	Revoked atomic.Int64

	mu      sync.Mutex
	access  map[string]time.Time // live access token -> expiry
	refresh map[string]bool
	events  map[string]map[string]any // by id, as JSON objects
}

// New starts a fake until the test ends.
func New(t interface{ Cleanup(func()) }) *Server {
	s := &Server{access: map[string]time.Time{}, refresh: map[string]bool{}, events: map[string]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("POST /revoke", s.revoke)
	mux.HandleFunc("GET /calendar/v3/calendars/{cal}/events", s.api(s.list))
	mux.HandleFunc("POST /calendar/v3/calendars/{cal}/events", s.api(s.insert))
	mux.HandleFunc("GET /calendar/v3/calendars/{cal}/events/{id}", s.api(s.get))
	mux.HandleFunc("PATCH /calendar/v3/calendars/{cal}/events/{id}", s.api(s.patch))
	mux.HandleFunc("DELETE /calendar/v3/calendars/{cal}/events/{id}", s.api(s.delete))
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// TokenURL and APIBase point a google.Config at the fake.
func (s *Server) TokenURL() string { return s.URL + "/token" }

// APIBase is the Calendar API's base URL on the fake.
func (s *Server) APIBase() string { return s.URL + "/calendar/v3" }

func random() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Grant issues a refresh token and an access token that is already expired, as a
// credential stored yesterday, so the first call must refresh.
func (s *Server) Grant() (access, refresh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	access, refresh = random(), random()
	s.access[access] = time.Now().Add(-time.Minute)
	s.refresh[refresh] = true
	return access, refresh
}

// RevokeURL points a google.Config's revocation at the fake.
func (s *Server) RevokeURL() string { return s.URL + "/revoke" }

// Live reports whether refresh is a refresh token the fake still honours.
func (s *Server) Live(refresh string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refresh[refresh]
}

// revoke is Google's revocation endpoint: a refresh token, or an access token, in the
// form's token; an unknown one is 400 invalid_token.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request")
		return
	}
	tok := r.PostForm.Get("token")
	s.mu.Lock()
	defer s.mu.Unlock()
	_, access := s.access[tok]
	if !s.refresh[tok] && !access {
		oauthError(w, "invalid_token")
		return
	}
	delete(s.refresh, tok)
	delete(s.access, tok)
	s.Revoked.Add(1)
	w.WriteHeader(http.StatusOK)
}

// Revoke makes every refresh token invalid, as an owner removing Frontdesk's access.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh = map[string]bool{}
	s.access = map[string]time.Time{}
}

func (s *Server) issue(w http.ResponseWriter, refresh string) {
	life := s.TokenLifetime
	if life == 0 {
		life = time.Hour
	}
	access := random()
	s.access[access] = time.Now().Add(life)
	body := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": int(life.Seconds()), "scope": "https://www.googleapis.com/auth/calendar.events"}
	if refresh != "" {
		body["refresh_token"] = refresh
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func oauthError(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request")
		return
	}
	if r.PostForm.Get("client_id") != ClientID || r.PostForm.Get("client_secret") != ClientSecret {
		oauthError(w, "invalid_client")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		if r.PostForm.Get("code") != Code {
			oauthError(w, "invalid_grant")
			return
		}
		refresh := random()
		s.refresh[refresh] = true
		s.issue(w, refresh)
	case "refresh_token":
		if !s.refresh[r.PostForm.Get("refresh_token")] {
			oauthError(w, "invalid_grant")
			return
		}
		s.Refreshes.Add(1)
		s.issue(w, "")
	default:
		oauthError(w, "unsupported_grant_type")
	}
}

func (s *Server) api(h func(w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.Down.Load() {
			http.Error(w, `{"error":{"code":503,"message":"Backend Error"}}`, http.StatusServiceUnavailable)
			return
		}
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		exp, ok := s.access[tok]
		s.mu.Unlock()
		if !ok || time.Now().After(exp) {
			http.Error(w, `{"error":{"code":401,"message":"Invalid Credentials"}}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		h(w, r)
	}
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	tmin, _ := time.Parse(time.RFC3339, r.URL.Query().Get("timeMin"))
	tmax, _ := time.Parse(time.RFC3339, r.URL.Query().Get("timeMax"))
	s.mu.Lock()
	defer s.mu.Unlock()
	items := []map[string]any{}
	for _, e := range s.events {
		st, _ := time.Parse(time.RFC3339, e["start"].(map[string]any)["dateTime"].(string))
		en, _ := time.Parse(time.RFC3339, e["end"].(map[string]any)["dateTime"].(string))
		if st.Before(tmax) && en.After(tmin) {
			items = append(items, e)
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i]["id"].(string) < items[j]["id"].(string) })
	// One event per page, so paging is exercised.
	page := 0
	if p := r.URL.Query().Get("pageToken"); p != "" {
		_ = json.Unmarshal([]byte(p), &page)
	}
	out := map[string]any{"kind": "calendar#events", "timeZone": "America/New_York", "items": []map[string]any{}}
	if page < len(items) {
		out["items"] = items[page : page+1]
		if page+1 < len(items) {
			next, _ := json.Marshal(page + 1)
			out["nextPageToken"] = string(next)
		}
	}
	_ = json.NewEncoder(w).Encode(out)
}

func (s *Server) insert(w http.ResponseWriter, r *http.Request) {
	var e map[string]any
	if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
		http.Error(w, `{"error":{"code":400}}`, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, _ := e["id"].(string)
	if id == "" {
		id = random()
		e["id"] = id
	}
	if _, ok := s.events[id]; ok {
		http.Error(w, `{"error":{"code":409,"message":"The requested identifier already exists."}}`, http.StatusConflict)
		return
	}
	if e["status"] == nil {
		e["status"] = "confirmed"
	}
	s.events[id] = e
	_ = json.NewEncoder(w).Encode(e)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.events[r.PathValue("id")]
	if !ok {
		http.Error(w, `{"error":{"code":404,"message":"Not Found"}}`, http.StatusNotFound)
		return
	}
	_ = json.NewEncoder(w).Encode(e)
}

func (s *Server) patch(w http.ResponseWriter, r *http.Request) {
	var p map[string]any
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		http.Error(w, `{"error":{"code":400}}`, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.events[r.PathValue("id")]
	if !ok {
		http.Error(w, `{"error":{"code":404,"message":"Not Found"}}`, http.StatusNotFound)
		return
	}
	for k, v := range p {
		e[k] = v
	}
	_ = json.NewEncoder(w).Encode(e)
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.events[r.PathValue("id")]; !ok {
		http.Error(w, `{"error":{"code":410,"message":"Resource has been deleted"}}`, http.StatusGone)
		return
	}
	delete(s.events, r.PathValue("id"))
	w.WriteHeader(http.StatusNoContent)
}

// Event is an event as tests read it back.
type Event struct {
	ID, Summary, Description string
	Start, End               time.Time
	Ours                     bool
}

// AddEvent adds an event of the practice's own.
func (s *Server) AddEvent(summary string, start, end time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := random()
	s.events[id] = map[string]any{
		"id": id, "status": "confirmed", "summary": summary,
		"start": map[string]any{"dateTime": start.UTC().Format(time.RFC3339)},
		"end":   map[string]any{"dateTime": end.UTC().Format(time.RFC3339)},
	}
}

// Events lists the events, ordered by start.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Event
	for id, e := range s.events {
		ev := Event{ID: id}
		ev.Summary, _ = e["summary"].(string)
		ev.Description, _ = e["description"].(string)
		ev.Start, _ = time.Parse(time.RFC3339, e["start"].(map[string]any)["dateTime"].(string))
		ev.End, _ = time.Parse(time.RFC3339, e["end"].(map[string]any)["dateTime"].(string))
		if xp, ok := e["extendedProperties"].(map[string]any); ok {
			if p, ok := xp["private"].(map[string]any); ok && p["frontdesk_booking"] != nil {
				ev.Ours = true
			}
		}
		out = append(out, ev)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}
