// Package google is a practice's Google Calendar behind calendar.Calendar, over Google
// Calendar's REST API with the one narrow OAuth scope calendar.events: busy time from
// the events list (freeBusy can't tell Frontdesk's own events apart), and Frontdesk's
// events inserted with an id derived from the booking, so a retried insert can't double
// one, and marked with a private extended property, so no other event is ever changed.
package google

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"frontdesk/internal/calendar"
)

// Scope is the only access Frontdesk asks for: events, not calendar settings or sharing.
const Scope = "https://www.googleapis.com/auth/calendar.events"

// Google's endpoints, the defaults of Config.
const (
	DefaultAuthURL  = "https://accounts.google.com/o/oauth2/v2/auth"
	DefaultTokenURL = "https://oauth2.googleapis.com/token"
	DefaultAPIBase  = "https://www.googleapis.com/calendar/v3"
	// DefaultRevokeURL is Google's OAuth token revocation endpoint.
	DefaultRevokeURL = "https://oauth2.googleapis.com/revoke"
)

// propKey is the private extended property on every event Frontdesk makes, holding the
// booking's id.
const propKey = "frontdesk_booking"

// Config is the operator's OAuth client (from the environment) and Google's endpoints,
// which tests point at a fake.
type Config struct {
	ClientID, ClientSecret string
	// RedirectURL is Frontdesk's OAuth callback.
	RedirectURL string
	// AuthURL, TokenURL, APIBase and RevokeURL default to Google's.
	AuthURL, TokenURL, APIBase, RevokeURL string
}

func (c Config) oauth() *oauth2.Config {
	def := func(s, d string) string {
		if s == "" {
			return d
		}
		return s
	}
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		RedirectURL:  c.RedirectURL,
		Scopes:       []string{Scope},
		Endpoint: oauth2.Endpoint{
			AuthURL:   def(c.AuthURL, DefaultAuthURL),
			TokenURL:  def(c.TokenURL, DefaultTokenURL),
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

func (c Config) apiBase() string {
	if c.APIBase == "" {
		return DefaultAPIBase
	}
	return strings.TrimRight(c.APIBase, "/")
}

// AuthCodeURL is where the owner is sent to grant access; state ties the callback to
// their request. Offline access with consent, so Google returns a refresh token.
func (c Config) AuthCodeURL(state string) string {
	return c.oauth().AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.ApprovalForce)
}

// Exchange trades the callback's code for the credential to store.
func (c Config) Exchange(ctx context.Context, hc *http.Client, code string) (Credential, error) {
	tok, err := c.oauth().Exchange(context.WithValue(ctx, oauth2.HTTPClient, hc), code)
	if err != nil {
		return Credential{}, fmt.Errorf("google: exchange: %w", err)
	}
	return credential(tok, "primary"), nil
}

// Revoke withdraws the access cred grants, at Google's revocation endpoint: revoking
// the refresh token ends every access token issued from it. A token Google no longer
// knows (revoked already, from the owner's Google account) counts as revoked.
func (c Config) Revoke(ctx context.Context, hc *http.Client, cred Credential) error {
	tok := cred.RefreshToken
	if tok == "" {
		tok = cred.AccessToken
	}
	if tok == "" {
		return nil
	}
	u := c.RevokeURL
	if u == "" {
		u = DefaultRevokeURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(url.Values{"token": {tok}}.Encode()))
	if err != nil {
		return fmt.Errorf("google: revoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("google: revoke: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 4<<10)).Decode(&body)
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode == http.StatusBadRequest && body.Error == "invalid_token":
		return nil
	}
	return fmt.Errorf("google: revoke: %s %s", resp.Status, body.Error)
}

// Credential is the value of a credentials record of kind google (stored encrypted).
type Credential struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	TokenType    string    `json:"token_type,omitempty"`
	Expiry       time.Time `json:"expiry"`
	// CalendarID is the calendar booked into ("primary" when empty).
	CalendarID string `json:"calendar_id,omitempty"`
}

func credential(t *oauth2.Token, calendarID string) Credential {
	return Credential{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, TokenType: t.TokenType, Expiry: t.Expiry, CalendarID: calendarID}
}

func (c Credential) token() *oauth2.Token {
	return &oauth2.Token{AccessToken: c.AccessToken, RefreshToken: c.RefreshToken, TokenType: c.TokenType, Expiry: c.Expiry}
}

// Calendar is one Google calendar.
type Calendar struct {
	http *http.Client
	base string // .../calendars/ID/events
	loc  *time.Location
}

var _ calendar.Calendar = (*Calendar)(nil)

// New returns the calendar of cred. hc makes the requests (Google is the operator's
// choice, not the practice's, so it needs no netguard); onRefresh, if set, is told each
// refreshed credential, to store it encrypted in place of the old one.
func New(cfg Config, hc *http.Client, cred Credential, loc *time.Location, onRefresh func(Credential)) *Calendar {
	if hc == nil {
		hc = http.DefaultClient
	}
	if cred.CalendarID == "" {
		cred.CalendarID = "primary"
	}
	if loc == nil {
		loc = time.UTC
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, hc)
	r := &refreshing{src: cfg.oauth().TokenSource(ctx, cred.token()), last: cred.AccessToken, calendar: cred.CalendarID, notify: onRefresh}
	return &Calendar{
		http: &http.Client{Transport: &oauth2.Transport{Source: r, Base: hc.Transport}, Timeout: hc.Timeout},
		base: cfg.apiBase() + "/calendars/" + url.PathEscape(cred.CalendarID) + "/events",
		loc:  loc,
	}
}

// refreshing is a token source that reports each new access token.
type refreshing struct {
	src      oauth2.TokenSource
	calendar string
	notify   func(Credential)

	mu   sync.Mutex
	last string
}

func (r *refreshing) Token() (*oauth2.Token, error) {
	t, err := r.src.Token()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	changed := t.AccessToken != r.last
	r.last = t.AccessToken
	r.mu.Unlock()
	if changed && r.notify != nil {
		r.notify(credential(t, r.calendar))
	}
	return t, nil
}

// eventID is the Google event id of booking id: Google lets the client choose ids of
// base32hex characters, and hex is a subset of them.
func eventID(id string) string { return "fdb" + hex.EncodeToString([]byte(id)) }

type when struct {
	DateTime string `json:"dateTime,omitempty"`
	Date     string `json:"date,omitempty"`
	TimeZone string `json:"timeZone,omitempty"`
}

type event struct {
	ID                 string `json:"id,omitempty"`
	Status             string `json:"status,omitempty"`
	Transparency       string `json:"transparency,omitempty"`
	Summary            string `json:"summary,omitempty"`
	Description        string `json:"description,omitempty"`
	Start              *when  `json:"start,omitempty"`
	End                *when  `json:"end,omitempty"`
	ExtendedProperties *struct {
		Private map[string]string `json:"private,omitempty"`
	} `json:"extendedProperties,omitempty"`
}

func (e *event) ours() bool {
	return e.ExtendedProperties != nil && e.ExtendedProperties.Private[propKey] != ""
}

func (w *when) time(loc *time.Location) (time.Time, error) {
	if w == nil {
		return time.Time{}, errors.New("no time")
	}
	if w.DateTime != "" {
		return time.Parse(time.RFC3339, w.DateTime)
	}
	return time.ParseInLocation(time.DateOnly, w.Date, loc)
}

// Busy lists the events overlapping [from, to), recurring ones expanded by Google, less
// Frontdesk's own, free and cancelled ones.
func (c *Calendar) Busy(ctx context.Context, from, to time.Time) ([]calendar.Span, error) {
	var out []calendar.Span
	page := ""
	for range 20 { // at most 5,000 events in a window: far past a practice's day
		q := url.Values{
			"timeMin":      {from.UTC().Format(time.RFC3339)},
			"timeMax":      {to.UTC().Format(time.RFC3339)},
			"singleEvents": {"true"},
			"maxResults":   {"250"},
		}
		if page != "" {
			q.Set("pageToken", page)
		}
		var list struct {
			Items         []event `json:"items"`
			NextPageToken string  `json:"nextPageToken"`
			TimeZone      string  `json:"timeZone"`
		}
		if err := c.do(ctx, http.MethodGet, c.base+"?"+q.Encode(), nil, &list); err != nil {
			return nil, fmt.Errorf("google busy: %w", err)
		}
		loc := c.loc
		if l, err := time.LoadLocation(list.TimeZone); err == nil && list.TimeZone != "" {
			loc = l // all-day events are dates in the calendar's own zone
		}
		for _, e := range list.Items {
			if e.Status == "cancelled" || e.Transparency == "transparent" || e.ours() {
				continue
			}
			s, err1 := e.Start.time(loc)
			en, err2 := e.End.time(loc)
			if err1 != nil || err2 != nil || !en.After(s) {
				continue
			}
			out = append(out, calendar.Span{Start: s, End: en})
		}
		if page = list.NextPageToken; page == "" {
			return out, nil
		}
	}
	return out, nil
}

func body(ev calendar.Event, withID bool) event {
	e := event{
		Status:      "confirmed",
		Summary:     ev.Summary,
		Description: ev.Description,
		Start:       &when{DateTime: ev.Start.UTC().Format(time.RFC3339)},
		End:         &when{DateTime: ev.End.UTC().Format(time.RFC3339)},
	}
	e.ExtendedProperties = &struct {
		Private map[string]string `json:"private,omitempty"`
	}{Private: map[string]string{propKey: ev.ID}}
	if withID {
		e.ID = eventID(ev.ID)
	}
	return e
}

// Create inserts ev with the id derived from its booking; when that id exists already
// (an earlier try got through), the event is brought up to date instead.
func (c *Calendar) Create(ctx context.Context, ev calendar.Event) (string, error) {
	id := eventID(ev.ID)
	err := c.do(ctx, http.MethodPost, c.base, body(ev, true), nil)
	var se *statusError
	if errors.As(err, &se) && se.status == http.StatusConflict {
		return id, c.Move(ctx, id, ev)
	}
	if err != nil {
		return "", fmt.Errorf("google create: %w", err)
	}
	return id, nil
}

// get reads the event ref; ok is false when Google has no such event.
func (c *Calendar) get(ctx context.Context, ref string) (e event, ok bool, err error) {
	err = c.do(ctx, http.MethodGet, c.base+"/"+url.PathEscape(ref), nil, &e)
	var se *statusError
	if errors.As(err, &se) && (se.status == http.StatusNotFound || se.status == http.StatusGone) {
		return e, false, nil
	}
	return e, err == nil, err
}

// Move updates the event at ref (restoring it if someone deleted it), after checking that
// Frontdesk made it.
func (c *Calendar) Move(ctx context.Context, ref string, ev calendar.Event) error {
	e, ok, err := c.get(ctx, ref)
	if err != nil {
		return fmt.Errorf("google move: %w", err)
	}
	if !ok {
		if ref != eventID(ev.ID) {
			return calendar.ErrNotOurs
		}
		_, err := c.Create(ctx, ev)
		return err
	}
	if !e.ours() {
		return calendar.ErrNotOurs
	}
	if err := c.do(ctx, http.MethodPatch, c.base+"/"+url.PathEscape(ref), body(ev, false), nil); err != nil {
		return fmt.Errorf("google move: %w", err)
	}
	return nil
}

// Cancel deletes the event at ref, after checking that Frontdesk made it; one already
// gone is no error.
func (c *Calendar) Cancel(ctx context.Context, ref string) error {
	e, ok, err := c.get(ctx, ref)
	if err != nil {
		return fmt.Errorf("google cancel: %w", err)
	}
	if !ok || e.Status == "cancelled" {
		return nil
	}
	if !e.ours() {
		return calendar.ErrNotOurs
	}
	err = c.do(ctx, http.MethodDelete, c.base+"/"+url.PathEscape(ref), nil, nil)
	var se *statusError
	if errors.As(err, &se) && (se.status == http.StatusNotFound || se.status == http.StatusGone) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("google cancel: %w", err)
	}
	return nil
}

// statusError is an answer from Google other than success.
type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string { return fmt.Sprintf("status %d: %s", e.status, e.body) }

// do sends one API request with in (if any) as JSON and decodes the answer into out (if
// any). A refused token, or a refresh Google refuses, is calendar.ErrAuth.
func (c *Calendar) do(ctx context.Context, method, u string, in, out any) error {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 {
			return fmt.Errorf("%w: token refresh refused (%s)", calendar.ErrAuth, re.ErrorCode)
		}
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		se := &statusError{status: resp.StatusCode, body: strings.TrimSpace(string(msg))}
		rateLimited := strings.Contains(strings.ToLower(se.body), "ratelimitexceeded")
		if resp.StatusCode == http.StatusUnauthorized || (resp.StatusCode == http.StatusForbidden && !rateLimited) {
			return fmt.Errorf("%w: %w", calendar.ErrAuth, se)
		}
		return se
	}
	if out != nil {
		if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(out); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
	}
	return nil
}
