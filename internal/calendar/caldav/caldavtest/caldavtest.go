// Package caldavtest runs a real CalDAV server in-process for tests: go-webdav's own
// CalDAV handler over a calendar kept in memory, with basic auth, a switch that takes it
// down, and helpers to add the practice's own events and read Frontdesk's.
package caldavtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
)

// Credentials the server accepts.
const (
	Username = "practice"
	Password = "s3cret"
)

// CalendarPath is the one calendar collection's path.
const CalendarPath = "/practice/calendars/work/"

// Server is a CalDAV server with one calendar.
type Server struct {
	*httptest.Server
	// Down, while set, makes every request fail with 503, as a server being restarted.
	Down atomic.Bool
	// Requests counts the requests that reached the CalDAV handler.
	Requests atomic.Int64

	mu      sync.Mutex
	objects map[string]caldav.CalendarObject // by path
}

// New starts a server until the test ends.
func New(t interface{ Cleanup(func()) }) *Server {
	s := &Server{objects: map[string]caldav.CalendarObject{}}
	h := &caldav.Handler{Backend: (*backend)(s)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		if u, p, ok := r.BasicAuth(); !ok || u != Username || p != Password {
			w.Header().Set("WWW-Authenticate", `Basic realm="caldavtest"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		s.Requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// CalendarURL is the calendar's URL, the url of a caldav credentials record.
func (s *Server) CalendarURL() string { return s.URL + CalendarPath }

// AddEvent puts an event of the practice's own (a staff meeting, say) into the calendar.
// rrule, if not empty, makes it recurring ("FREQ=WEEKLY;COUNT=4").
func (s *Server) AddEvent(uid, summary string, start, end time.Time, rrule string) {
	ev := ical.NewEvent()
	ev.Props.SetText(ical.PropUID, uid)
	ev.Props.SetDateTime(ical.PropDateTimeStamp, time.Now().UTC().Truncate(time.Second))
	ev.Props.SetDateTime(ical.PropDateTimeStart, start.UTC())
	ev.Props.SetDateTime(ical.PropDateTimeEnd, end.UTC())
	ev.Props.SetText(ical.PropSummary, summary)
	if rrule != "" {
		p := ical.NewProp(ical.PropRecurrenceRule)
		p.Value = rrule
		ev.Props.Set(p)
	}
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//caldavtest//EN")
	cal.Children = append(cal.Children, ev.Component)
	s.mu.Lock()
	defer s.mu.Unlock()
	p := CalendarPath + uid + ".ics"
	s.objects[p] = object(p, cal)
}

// Event is an event as the tests read it back.
type Event struct {
	Path, UID, Summary, Description string
	Start, End                      time.Time
}

// Events lists the calendar's events, ordered by path.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Event
	for p, o := range s.objects {
		for _, e := range o.Data.Events() {
			ev := Event{Path: p}
			ev.UID, _ = e.Props.Text(ical.PropUID)
			ev.Summary, _ = e.Props.Text(ical.PropSummary)
			ev.Description, _ = e.Props.Text(ical.PropDescription)
			ev.Start, _ = e.DateTimeStart(time.UTC)
			ev.End, _ = e.DateTimeEnd(time.UTC)
			out = append(out, ev)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func object(p string, cal *ical.Calendar) caldav.CalendarObject {
	var buf bytes.Buffer
	_ = ical.NewEncoder(&buf).Encode(cal)
	sum := sha256.Sum256(buf.Bytes())
	return caldav.CalendarObject{
		Path:          p,
		ModTime:       time.Now().UTC(),
		ContentLength: int64(buf.Len()),
		ETag:          hex.EncodeToString(sum[:8]),
		Data:          cal,
	}
}

// backend is the Server as go-webdav's CalDAV backend.
type backend Server

var errNotFound = webdav.NewHTTPError(http.StatusNotFound, errors.New("no such object"))

func (b *backend) CurrentUserPrincipal(context.Context) (string, error) {
	return "/practice/", nil
}

func (b *backend) CalendarHomeSetPath(context.Context) (string, error) {
	return "/practice/calendars/", nil
}

func (b *backend) CreateCalendar(context.Context, *caldav.Calendar) error {
	return webdav.NewHTTPError(http.StatusForbidden, errors.New("one calendar only"))
}

func (b *backend) cal() caldav.Calendar {
	return caldav.Calendar{Path: CalendarPath, Name: "Work", SupportedComponentSet: []string{ical.CompEvent}}
}

func (b *backend) ListCalendars(context.Context) ([]caldav.Calendar, error) {
	return []caldav.Calendar{b.cal()}, nil
}

func (b *backend) GetCalendar(_ context.Context, p string) (*caldav.Calendar, error) {
	if strings.TrimSuffix(p, "/") != strings.TrimSuffix(CalendarPath, "/") {
		return nil, errNotFound
	}
	c := b.cal()
	return &c, nil
}

func (b *backend) GetCalendarObject(_ context.Context, p string, _ *caldav.CalendarCompRequest) (*caldav.CalendarObject, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.objects[p]
	if !ok {
		return nil, errNotFound
	}
	return &o, nil
}

func (b *backend) ListCalendarObjects(_ context.Context, p string, _ *caldav.CalendarCompRequest) ([]caldav.CalendarObject, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []caldav.CalendarObject
	for op, o := range b.objects {
		if path.Dir(op)+"/" == p || path.Dir(op) == p {
			out = append(out, o)
		}
	}
	return out, nil
}

func (b *backend) QueryCalendarObjects(ctx context.Context, p string, q *caldav.CalendarQuery) ([]caldav.CalendarObject, error) {
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	all, err := b.ListCalendarObjects(ctx, p, nil)
	if err != nil {
		return nil, err
	}
	return caldav.Filter(q, all)
}

func (b *backend) PutCalendarObject(_ context.Context, p string, cal *ical.Calendar, _ *caldav.PutCalendarObjectOptions) (*caldav.CalendarObject, error) {
	if _, _, err := caldav.ValidateCalendarObject(cal); err != nil {
		return nil, webdav.NewHTTPError(http.StatusBadRequest, err)
	}
	if !strings.HasPrefix(p, CalendarPath) {
		return nil, webdav.NewHTTPError(http.StatusForbidden, errors.New("outside the calendar"))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	o := object(p, cal)
	b.objects[p] = o
	return &o, nil
}

func (b *backend) DeleteCalendarObject(_ context.Context, p string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.objects[p]; !ok {
		return errNotFound
	}
	delete(b.objects, p)
	return nil
}
