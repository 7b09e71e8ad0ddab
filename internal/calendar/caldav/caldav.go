// Package caldav is a practice's CalDAV calendar (Nextcloud, Fastmail, iCloud, Radicale)
// behind calendar.Calendar: busy time from a calendar-query REPORT, Frontdesk's own
// events as .ics objects it PUTs and DELETEs at paths named after their UID.
package caldav

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"

	"frontdesk/internal/calendar"
)

// Config is the credentials record of kind caldav: {"url", "username", "password"}, the
// URL being the calendar collection's own (as the server shows it, e.g. Nextcloud's
// .../remote.php/dav/calendars/USER/personal/).
type Config struct {
	URL      string `json:"url"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// Calendar is one CalDAV calendar collection.
type Calendar struct {
	client *caldav.Client
	path   string         // the collection's path, ending in "/"
	loc    *time.Location // for floating times and all-day events: the practice's zone
	now    func() time.Time
}

var _ calendar.Calendar = (*Calendar)(nil)

// New returns the calendar at cfg.URL, reached through hc (for a practice's URL, a
// netguard client) and read in loc.
func New(hc *http.Client, cfg Config, loc *time.Location) (*Calendar, error) {
	u, err := url.Parse(strings.TrimSpace(cfg.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("caldav: the calendar URL must be an http or https URL")
	}
	var c webdav.HTTPClient = hc
	if cfg.Username != "" || cfg.Password != "" {
		c = webdav.HTTPClientWithBasicAuth(hc, cfg.Username, cfg.Password)
	}
	p := u.Path
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	root := *u
	root.Path, root.RawQuery, root.Fragment = "/", "", ""
	client, err := caldav.NewClient(c, root.String())
	if err != nil {
		return nil, fmt.Errorf("caldav: %w", err)
	}
	if loc == nil {
		loc = time.UTC
	}
	return &Calendar{client: client, path: p, loc: loc, now: time.Now}, nil
}

// Busy reads the events overlapping [from, to) with one calendar-query REPORT and
// expands recurring ones, leaving out Frontdesk's own, free (TRANSP:TRANSPARENT) and
// cancelled events.
func (c *Calendar) Busy(ctx context.Context, from, to time.Time) ([]calendar.Span, error) {
	q := &caldav.CalendarQuery{
		CompRequest: caldav.CalendarCompRequest{Name: ical.CompCalendar, AllProps: true, AllComps: true},
		CompFilter: caldav.CompFilter{
			Name:  ical.CompCalendar,
			Comps: []caldav.CompFilter{{Name: ical.CompEvent, Start: from.UTC(), End: to.UTC()}},
		},
	}
	objs, err := c.client.QueryCalendar(ctx, c.path, q)
	if err != nil {
		return nil, wrap("busy", err)
	}
	var out []calendar.Span
	for _, o := range objs {
		if o.Data == nil {
			continue
		}
		out = append(out, busy(o.Data, from, to, c.loc)...)
	}
	return out, nil
}

// busy is the busy time of one calendar object within [from, to).
func busy(cal *ical.Calendar, from, to time.Time, loc *time.Location) []calendar.Span {
	var out []calendar.Span
	// Instances moved or cancelled by an override (a VEVENT with RECURRENCE-ID) are
	// taken from the override, not from the rule.
	overridden := map[int64]bool{}
	for _, comp := range cal.Children {
		if comp.Name == ical.CompEvent && comp.Props.Get(ical.PropRecurrenceID) != nil {
			if t, err := comp.Props.DateTime(ical.PropRecurrenceID, loc); err == nil {
				overridden[t.Unix()] = true
			}
		}
	}
	for _, comp := range cal.Children {
		if comp.Name != ical.CompEvent {
			continue
		}
		uid, _ := comp.Props.Text(ical.PropUID)
		status, _ := comp.Props.Text(ical.PropStatus)
		transp, _ := comp.Props.Text(ical.PropTransparency)
		if calendar.IsOurs(uid) || strings.EqualFold(status, "CANCELLED") || strings.EqualFold(transp, "TRANSPARENT") {
			continue
		}
		ev := ical.Event{Component: comp}
		start, err1 := ev.DateTimeStart(loc)
		end, err2 := ev.DateTimeEnd(loc)
		if err1 != nil || err2 != nil || !end.After(start) {
			continue
		}
		dur := end.Sub(start)
		set, err := comp.RecurrenceSet(loc)
		if err != nil || set == nil || comp.Props.Get(ical.PropRecurrenceID) != nil {
			if start.Before(to) && end.After(from) {
				out = append(out, calendar.Span{Start: start, End: end})
			}
			continue
		}
		for _, s := range set.Between(from.Add(-dur), to, true) {
			if overridden[s.Unix()] {
				continue
			}
			if e := s.Add(dur); s.Before(to) && e.After(from) {
				out = append(out, calendar.Span{Start: s, End: e})
			}
		}
	}
	return out
}

// objectPath is where the event of booking id lives in the collection.
func (c *Calendar) objectPath(id string) string {
	return c.path + url.PathEscape(calendar.UID(id)) + ".ics"
}

// Create PUTs ev at a path named after its UID, so a second Create of the same booking
// overwrites its own event instead of adding one.
func (c *Calendar) Create(ctx context.Context, ev calendar.Event) (string, error) {
	p := c.objectPath(ev.ID)
	if _, err := c.client.PutCalendarObject(ctx, p, calendar.Object(ev, c.now())); err != nil {
		return "", wrap("create", err)
	}
	return p, nil
}

// Move rewrites the event at ref, after checking that it is Frontdesk's.
func (c *Calendar) Move(ctx context.Context, ref string, ev calendar.Event) error {
	if err := c.checkOurs(ctx, ref, false); err != nil {
		return err
	}
	if _, err := c.client.PutCalendarObject(ctx, ref, calendar.Object(ev, c.now())); err != nil {
		return wrap("move", err)
	}
	return nil
}

// Cancel deletes the event at ref, after checking that it is Frontdesk's; one already
// gone is no error.
func (c *Calendar) Cancel(ctx context.Context, ref string) error {
	if err := c.checkOurs(ctx, ref, true); err != nil {
		if errors.Is(err, errGone) {
			return nil
		}
		return err
	}
	if err := c.client.RemoveAll(ctx, ref); err != nil && !isStatus(err, http.StatusNotFound) {
		return wrap("cancel", err)
	}
	return nil
}

var errGone = errors.New("caldav: the event is gone")

// checkOurs reads the object at ref and refuses it unless each of its events has a UID
// Frontdesk made: a reference is only ever one Frontdesk stored, but a calendar is the
// practice's, and the check keeps a corrupted reference from touching their events.
func (c *Calendar) checkOurs(ctx context.Context, ref string, goneOK bool) error {
	if !strings.HasPrefix(ref, c.path) || path.Ext(ref) != ".ics" {
		return calendar.ErrNotOurs
	}
	obj, err := c.client.GetCalendarObject(ctx, ref)
	if err != nil {
		if isStatus(err, http.StatusNotFound) && goneOK {
			return errGone
		}
		if isStatus(err, http.StatusNotFound) {
			return nil // gone: Move puts it back
		}
		return wrap("read", err)
	}
	for _, comp := range obj.Data.Children {
		if comp.Name != ical.CompEvent {
			continue
		}
		if uid, _ := comp.Props.Text(ical.PropUID); !calendar.IsOurs(uid) {
			return calendar.ErrNotOurs
		}
	}
	return nil
}

// isStatus reports whether err is go-webdav's error for an HTTP response with status.
// Its error type is internal to go-webdav, so the status is read from the text, which
// it writes as "404 Not Found".
func isStatus(err error, status int) bool {
	return strings.Contains(err.Error(), fmt.Sprintf("%d %s", status, http.StatusText(status)))
}

// wrap names the operation and turns a refused login into calendar.ErrAuth.
func wrap(op string, err error) error {
	if isStatus(err, http.StatusUnauthorized) || isStatus(err, http.StatusForbidden) {
		return fmt.Errorf("caldav %s: %w: %v", op, calendar.ErrAuth, err)
	}
	return fmt.Errorf("caldav %s: %w", op, err)
}
