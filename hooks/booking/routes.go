package booking

import (
	"errors"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"frontdesk/internal/availability"
	"frontdesk/models"
)

// Limits of the booking routes.
const (
	maxBody     = 8 << 10
	maxDays     = 31 // days one slots request may ask for
	defaultDays = 7
	// manageTokenHeader carries the manage link's token when the manage page reads its
	// booking (a GET has no body).
	manageTokenHeader = "X-Booking-Token"
)

// Mount adds the booking routes to the app's router: the visitor routes under
// /api/widget/{slug} (see DESIGN.md), the manage link's page at /booking/{id}, and the
// staff routes that connect Google Calendar under /api/frontdesk/calendar/google/.
func (m *Manager) Mount(se *core.ServeEvent) {
	g := se.Router.Group("/api/widget/{slug}")
	for _, h := range m.opts.Middlewares {
		g.Bind(h)
	}
	// Inside the visitor API's own edge and CORS, outside the body limit, whose
	// refusal it renders.
	g.Bind(&hook.Handler[*core.RequestEvent]{Id: "fdBookingErrors", Priority: apis.DefaultBodyLimitMiddlewarePriority - 1, Func: errorEdge.Render})
	g.Bind(apis.BodyLimit(maxBody))
	g.Bind(apis.SkipSuccessActivityLog())
	g.GET("/slots", m.handleSlots)
	g.POST("/conversations/{id}/bookings", m.handleBook)
	g.GET("/bookings/{id}", m.handleView)
	g.POST("/bookings/{id}/reschedule", m.handleReschedule)
	g.POST("/bookings/{id}/cancel", m.handleCancel)
	se.Router.GET("/booking/{id}", m.handlePage)
	m.mountGoogle(se)
}

// business is the practice the request names, or the visitor API's own error.
func (m *Manager) business(e *core.RequestEvent) (*models.Business, error) {
	return m.opts.Visitors.Business(e)
}

// slotJSON is a slot or a booking's times, RFC 3339 with the practice's offset.
type slotJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

func rfc3339(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.RFC3339) }

func (m *Manager) handleSlots(e *core.RequestEvent) error {
	b, err := m.business(e)
	if err != nil {
		return err
	}
	if !b.BookingEnabled() {
		return errBookingOff
	}
	q := e.Request.URL.Query()
	loc := b.Location()
	from := availability.DateOf(m.now().In(loc))
	fields := map[string]string{}
	if s := q.Get("from"); s != "" {
		if from, err = availability.ParseDate(s); err != nil {
			fields["from"] = "Use YYYY-MM-DD."
		}
	}
	days := defaultDays
	if s := q.Get("days"); s != "" {
		if days, err = strconv.Atoi(s); err != nil || days < 1 || days > maxDays {
			fields["days"] = "Use a whole number from 1 to " + strconv.Itoa(maxDays) + "."
		}
	}
	if q.Get("service") == "" {
		fields["service"] = "Choose a service."
	}
	if len(fields) > 0 {
		return invalidInput("Some parameters are invalid.", fields)
	}
	slots, err := m.Slots(e.Request.Context(), b, q.Get("service"), from, days)
	if err != nil {
		return err
	}
	out := make([]slotJSON, len(slots))
	for i, s := range slots {
		out[i] = slotJSON{Start: rfc3339(s.Start, loc), End: rfc3339(s.End, loc)}
	}
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.JSON(http.StatusOK, map[string]any{"timezone": loc.String(), "slots": out})
}

// bookingJSON is a booking as the visitor sees it.
type bookingJSON struct {
	ID        string `json:"id"`
	Service   string `json:"service"`
	Start     string `json:"start"`
	End       string `json:"end"`
	Status    string `json:"status"`
	Timezone  string `json:"timezone"`
	Practice  string `json:"practice"`
	ManageURL string `json:"manage_url,omitempty"`
}

func (m *Manager) view(b *models.Business, bk *models.Booking, withURL bool) bookingJSON {
	loc := b.Location()
	v := bookingJSON{ID: bk.Id, Service: bk.Service(), Start: rfc3339(bk.Start(), loc), End: rfc3339(bk.End(), loc), Status: bk.Status(), Timezone: loc.String(), Practice: b.Name()}
	if withURL {
		v.ManageURL = m.manageURL(b, bk.Id)
	}
	return v
}

func parseStart(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, invalidInput("The start must be a time such as 2030-03-04T10:00:00-05:00.", map[string]string{"start": "Use RFC 3339 with an offset."})
	}
	return t, nil
}

func (m *Manager) handleBook(e *core.RequestEvent) error {
	b, convID, err := m.opts.Visitors.Conversation(e)
	if err != nil {
		return err
	}
	var body struct {
		Service string `json:"service"`
		Start   string `json:"start"`
		Contact
	}
	if err := e.BindBody(&body); err != nil {
		return invalidInput("The body must be JSON: {service, start, name, email, phone, sms_consent}.", nil)
	}
	start, err := parseStart(body.Start)
	if err != nil {
		return err
	}
	booked, err := m.Book(e.Request.Context(), b, BookInput{ConversationID: convID, Service: body.Service, Start: start, Contact: body.Contact, Source: models.SourceWidget})
	if err != nil {
		return contactError(err)
	}
	return e.JSON(http.StatusCreated, m.view(b, booked.Booking, true))
}

// contactError answers invalid contact details from Leads as 400 with the fields.
func contactError(err error) error {
	var fe FieldErrors
	if errors.As(err, &fe) {
		return invalidInput("Some contact details are missing or invalid.", fe)
	}
	return err
}

func (m *Manager) handleView(e *core.RequestEvent) error {
	b, err := m.business(e)
	if err != nil {
		return err
	}
	bk, err := m.Manage(m.app, b, e.Request.PathValue("id"), e.Request.Header.Get(manageTokenHeader))
	if err != nil {
		return err
	}
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.JSON(http.StatusOK, m.view(b, bk, false))
}

func (m *Manager) handleReschedule(e *core.RequestEvent) error {
	b, err := m.business(e)
	if err != nil {
		return err
	}
	var body struct {
		Token string `json:"token"`
		Start string `json:"start"`
	}
	if err := e.BindBody(&body); err != nil {
		return invalidInput("The body must be JSON: {token, start}.", nil)
	}
	start, err := parseStart(body.Start)
	if err != nil {
		return err
	}
	bk, err := m.Reschedule(e.Request.Context(), b, e.Request.PathValue("id"), body.Token, start)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, m.view(b, bk, false))
}

func (m *Manager) handleCancel(e *core.RequestEvent) error {
	b, err := m.business(e)
	if err != nil {
		return err
	}
	var body struct {
		Token string `json:"token"`
	}
	if err := e.BindBody(&body); err != nil {
		return invalidInput("The body must be JSON: {token}.", nil)
	}
	bk, err := m.Cancel(b, e.Request.PathValue("id"), body.Token)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, m.view(b, bk, false))
}

// handlePage serves the manage link's page; the page reads its token from the link and
// calls the routes above, so this route looks nothing up.
func (m *Manager) handlePage(e *core.RequestEvent) error {
	if m.opts.Public == nil {
		return e.NotFoundError("", nil)
	}
	page, err := fs.ReadFile(m.opts.Public, "booking.html")
	if err != nil {
		return e.NotFoundError("", nil)
	}
	h := e.Response.Header()
	// The link's token is in the URL: keep it out of other sites' Referer headers and
	// out of caches.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	return e.Blob(http.StatusOK, "text/html; charset=utf-8", page)
}
