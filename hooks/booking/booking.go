// Package booking is Frontdesk's appointment booking: the visitor routes (free slots,
// book, and the manage link's view, reschedule and cancel), the guard that makes a double
// booking impossible however a booking is written (visitor, model, staff, admin UI), the
// completion of the bookings staff write through the record API (staff.go), the sync of
// bookings to the practice's calendar, the visitors' emails and texts, and the chat tools
// find_slots and book_appointment.
//
// It imports no other capability: what it needs from them (the visitor's practice and
// conversation, leads, staff alerts) comes through the small interfaces below, which
// hooks.Register fills in when it calls Bind.
package booking

import (
	"fmt"
	"io/fs"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"frontdesk/hooks/jobs"
	"frontdesk/internal/calendar/google"
	"frontdesk/internal/netguard"
	"frontdesk/models"
)

// Visitors is the visitor API's view of a request: the practice its {slug} names and the
// conversation its {id} names, once the X-Conversation-Token header is checked. Errors
// are returned as they are, for the visitor API's own error edge to render (a
// Visitors that has none may return ErrNotFound and ErrBadToken from here).
type Visitors interface {
	Business(e *core.RequestEvent) (*models.Business, error)
	Conversation(e *core.RequestEvent) (b *models.Business, conversationID string, err error)
}

// Contact is who a booking is for, as the visitor typed it.
type Contact struct {
	Name       string `json:"name"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
	SMSConsent bool   `json:"sms_consent"`
}

// Leads stores the visitor's contact details as their conversation's lead. app may be a
// transaction's: the lead then commits with the booking, or not at all.
type Leads interface {
	// Save creates or updates the conversation's lead (conversationID "" for one made
	// by staff) and returns its id. Details that are missing or invalid come back as
	// FieldErrors, which the booking route answers with 400 and the fields.
	Save(app core.App, b *models.Business, conversationID string, c Contact, service string) (leadID string, err error)
}

// FieldErrors is a message per contact field that is missing or invalid.
type FieldErrors map[string]string

func (f FieldErrors) Error() string { return "invalid contact details" }

// Alert tells the practice's staff that something happened to a booking, in the
// transaction that caused it, with no visitor data: only the event (EventCreated ...)
// and the booking's id. app is a transaction's app.
type Alert func(app core.App, business *models.Business, event, bookingID string) error

// The events Alert is told of.
const (
	EventCreated        = "booking.created"
	EventRescheduled    = "booking.rescheduled"
	EventCancelled      = "booking.cancelled"
	EventCalendarFailed = "booking.calendar_failed"
)

// Auditor appends an entry to the practice's audit trail (the audit capability's
// Auditor.Record); it is called outside any transaction.
type Auditor interface {
	Record(business, actor, action, target, ip string) error
}

// Texts queues a text message to a visitor (the alerts' outbox, which sends it through
// the practice's SMS account): in app's transaction, to the number to, for event (one
// of TextEvents) about the booking subject. The text is written at send time by
// Manager.RenderText, which the wiring registers for each of TextEvents.
type Texts interface {
	QueueText(app core.App, business, to, event, subject string) error
}

// TextEvents are the visitor texts about a booking, by what happened to it.
var TextEvents = []string{TextConfirmed, TextRescheduled, TextReminder, TextCancelled}

// The visitor texts' events, as the outbox records them.
const (
	TextConfirmed   = "booking.text_confirmed"
	TextRescheduled = "booking.text_rescheduled"
	TextReminder    = "booking.text_reminder"
	TextCancelled   = "booking.text_cancelled"
)

// Jobs is the job runner the calendar sync and the emails run on (*jobs.Runner).
type Jobs interface {
	Handle(kind string, h jobs.Handler)
}

// Options is what Bind needs. Visitors, Leads and Jobs are required.
type Options struct {
	Visitors Visitors
	Leads    Leads
	Jobs     Jobs
	// Auditor, if set, records connecting and disconnecting a calendar
	// (calendar.connect, calendar.disconnect).
	Auditor Auditor
	// Texts, if set, sends visitors who agreed to texts (sms_consent) a text with each
	// email: the confirmation, a move, the reminder and a cancellation.
	Texts Texts
	// Alert, if set, is told of bookings made, moved and cancelled and of a calendar
	// that stayed unreachable.
	Alert Alert
	// Middlewares are the visitor API's own (error edge, CORS, limits), bound on the
	// booking routes' group so they answer like the rest of /api/widget.
	Middlewares []*hook.Handler[*core.RequestEvent]
	// Public holds booking.html, the manage link's page (pb_public).
	Public fs.FS
	// Secret returns the key (at least 16 bytes, derived from the appliance's secret
	// key) that signs the manage links, so the emails sent later can carry them while
	// the database holds only their hashes. Required; read when a link is first signed,
	// since the appliance's key is loaded only when the app serves.
	Secret func() ([]byte, error)
	// Decrypt opens a stored credential's value.
	Decrypt func(stored string) (string, error)
	// AllowPrivateNetworks lets a practice's CalDAV URL reach private addresses
	// (FRONTDESK_ALLOW_PRIVATE_NETWORKS).
	AllowPrivateNetworks bool
	// Google is the operator's OAuth client for Google Calendar (from the environment).
	Google google.Config
	// HTTPClient reaches Google (the operator's choice, so not netguarded); nil is a
	// default client.
	HTTPClient *http.Client
	// BusyTimeout bounds the live read of a calendar's busy time (default 4s): a slow
	// calendar must not hold up the slots a visitor waits for.
	BusyTimeout time.Duration
	// Now is the clock (tests set it); nil is time.Now.
	Now func() time.Time
}

// Manager is the booking capability bound to one app.
type Manager struct {
	app  core.App
	opts Options
	// guarded reaches practice-chosen calendar URLs (CalDAV) through netguard; one
	// client, so connections are reused.
	guarded *http.Client
}

// New returns a Manager without binding anything: Bind is the usual way in.
func New(app core.App, opts Options) *Manager {
	if opts.Secret == nil {
		panic("booking: Options.Secret is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 4 * time.Second
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	guarded := netguard.Client(opts.AllowPrivateNetworks, nil)
	guarded.Timeout = 20 * time.Second
	return &Manager{app: app, opts: opts, guarded: guarded}
}

// Bind adds booking to app: the guard on every booking write, the completion of staff
// writes through the record API, the job handlers, and the routes when the app serves.
func Bind(app core.App, opts Options) *Manager {
	m := New(app, opts)
	m.bindGuard()
	m.bindStaff()
	m.bindJobs()
	m.bindCredentials()
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		m.Mount(se)
		return se.Next()
	})
	return m
}

// now is the Manager's clock.
func (m *Manager) now() time.Time { return m.opts.Now() }

// secret is the signing key of manage links and OAuth states. Without one, links would
// be guessable: the request fails (PocketBase turns the panic into a 500) rather than
// hand one out.
func (m *Manager) secret() []byte {
	s, err := m.opts.Secret()
	if err != nil || len(s) < 16 {
		panic(fmt.Sprintf("booking: no signing secret (%v)", err))
	}
	return s
}
