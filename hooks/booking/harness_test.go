package booking_test

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	pbtests "github.com/pocketbase/pocketbase/tests"

	"frontdesk/hooks"
	"frontdesk/hooks/audit"
	"frontdesk/hooks/booking"
	"frontdesk/hooks/jobs"
	"frontdesk/hooks/notify"
	"frontdesk/internal/secrets"
	"frontdesk/models"
	"frontdesk/tests"
)

// visitors is the test's Visitors: the practice by slug, the conversation by id and the
// X-Conversation-Token header, as the visitor API checks them.
type visitors struct{ app core.App }

func (v visitors) Business(e *core.RequestEvent) (*models.Business, error) {
	r, err := v.app.FindFirstRecordByData(models.BusinessesCollection, "slug", e.Request.PathValue("slug"))
	if err != nil {
		return nil, booking.ErrNotFound
	}
	return models.NewBusiness(r), nil
}

func (v visitors) Conversation(e *core.RequestEvent) (*models.Business, string, error) {
	b, err := v.Business(e)
	if err != nil {
		return nil, "", err
	}
	r, err := v.app.FindRecordById(models.ConversationsCollection, e.Request.PathValue("id"))
	if err != nil || r.GetString("business") != b.Id {
		return nil, "", booking.ErrNotFound
	}
	if subtle.ConstantTimeCompare([]byte(hashToken(e.Request.Header.Get("X-Conversation-Token"))), []byte(r.GetString("token_hash"))) != 1 {
		return nil, "", booking.ErrBadToken
	}
	return b, r.Id, nil
}

func hashToken(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// leads is the test's Leads: one lead per conversation, a new one for each made by staff
// (no conversation), a name and an email or phone required.
type leads struct{}

func (leads) Save(app core.App, b *models.Business, conversationID string, c booking.Contact, service string) (string, error) {
	f := booking.FieldErrors{}
	if strings.TrimSpace(c.Name) == "" {
		f["name"] = "Please give your name."
	}
	if c.Email == "" && c.Phone == "" {
		f["email"] = "Please give an email address or a phone number."
	}
	if c.Email != "" {
		if _, err := mail.ParseAddress(c.Email); err != nil {
			f["email"] = "Please give a valid email address."
		}
	}
	if len(f) > 0 {
		return "", f
	}
	r, err := app.FindFirstRecordByData(models.LeadsCollection, "conversation", conversationID)
	if err != nil || conversationID == "" {
		col, err := app.FindCachedCollectionByNameOrId(models.LeadsCollection)
		if err != nil {
			return "", err
		}
		r = core.NewRecord(col)
		r.Set("business", b.Id)
		r.Set("conversation", conversationID)
		r.Set("status", models.LeadNew)
	}
	r.Set("name", c.Name)
	r.Set("email", c.Email)
	r.Set("phone", c.Phone)
	r.Set("service", service)
	r.Set("sms_consent", c.SMSConsent)
	return r.Id, app.Save(r)
}

// alerts records what staff would be told.
type alerts struct {
	mu     sync.Mutex
	events []string
}

func (a *alerts) alert(_ core.App, _ *models.Business, event, id string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, event)
	return nil
}

func (a *alerts) list() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.events...)
}

// ny is the test practice's zone.
var ny = mustZone("America/New_York")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// monday is a Monday in the test practice's zone; the clock starts at 07:00 that day.
var monday = time.Date(2030, 3, 4, 0, 0, 0, 0, ny)

// at is the instant h:mm on the day d days after monday, in the practice's zone.
func at(d, h, mm int) time.Time {
	return monday.AddDate(0, 0, d).Add(time.Duration(h)*time.Hour + time.Duration(mm)*time.Minute)
}

type harness struct {
	t      testing.TB
	app    *pbtests.TestApp
	h      http.Handler
	m      *booking.Manager
	runner *jobs.Runner
	box    *secrets.Box
	clock  *tests.Clock
	alerts *alerts
	biz    *models.Business
}

type setup struct {
	// capacity and buffer of the practice.
	capacity, bufferMin int
	// allowPrivate lets the practice's CalDAV URL be a loopback test server.
	allowPrivate bool
	// configure adjusts the options before Bind.
	configure func(*booking.Options)
	// publicDir replaces pb_public.
	publicDir string
	// twilioURL, when set, binds the alerts (and so the visitors' texts) on the
	// harness's runner with the practice's Twilio account at that URL. Their clock is
	// the real one: the runner's is too.
	twilioURL string
}

// newHarness is a test app with Frontdesk's migrations and hooks, booking bound to it,
// and one practice ("clinic") in New York, open weekdays 09:00–17:00 with a 60-minute
// cleaning and a 30-minute consultation that isn't bookable online.
func newHarness(t testing.TB, s setup) *harness {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	box, err := secrets.New(key)
	if err != nil {
		t.Fatal(err)
	}
	// Register's own booking is left out: this one is bound below, with a test clock.
	app := tests.NewApp(t, tests.Options{NoDemo: true, PublicDir: s.publicDir, Configure: func(c *hooks.Config) {
		c.SecretKey = key
		c.Skip.Booking = true
		c.Skip.Alerts = s.twilioURL != ""
	}})
	h := &harness{t: t, app: app, box: box, clock: tests.NewClock(at(0, 7, 0)), alerts: &alerts{}}
	h.runner = jobs.New(app, jobs.Options{PollInterval: 20 * time.Millisecond, RetryBase: 50 * time.Millisecond, RetryMax: 100 * time.Millisecond, StopTimeout: time.Second})
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	opts := booking.Options{
		Visitors:             visitors{app},
		Leads:                leads{},
		Jobs:                 h.runner,
		Alert:                h.alerts.alert,
		Auditor:              audit.New(app),
		Secret:               func() ([]byte, error) { return secret, nil },
		Decrypt:              box.Decrypt,
		AllowPrivateNetworks: s.allowPrivate,
		Now:                  h.clock.Now,
		Public:               tests.Options{PublicDir: s.publicDir}.Config().Public,
	}
	var alerts *notify.Manager
	if s.twilioURL != "" {
		alerts = notify.Bind(app, notify.Options{Runner: h.runner, Decrypt: box.Decrypt, TwilioBaseURL: s.twilioURL})
		opts.Texts = alerts
	}
	if s.configure != nil {
		s.configure(&opts)
	}
	h.m = booking.Bind(app, opts)
	if alerts != nil {
		for _, ev := range booking.TextEvents {
			alerts.RegisterText(ev, h.m.RenderText)
		}
	}

	col, err := app.FindCollectionByNameOrId(models.BusinessesCollection)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(col)
	day := []models.Interval{{Open: "09:00", Close: "17:00"}}
	no := false
	r.Load(map[string]any{
		"slug": "clinic", "name": "Harbor Physio", "timezone": "America/New_York",
		"email": "desk@harbor.example", "address": "1 Harbor St",
		"hours":            map[string][]models.Interval{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
		"services":         []models.Service{{Name: "Cleaning", DurationMin: 60}, {Name: "Consultation", DurationMin: 30, Bookable: &no}},
		"booking_enabled":  true,
		"booking_capacity": s.capacity, "booking_buffer_min": s.bufferMin,
		"locale": "en",
	})
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	h.biz = models.NewBusiness(r)
	h.h = tests.Handler(t, app)
	return h
}

// start runs the job runner until the test ends.
func (h *harness) start() {
	h.runner.Start()
	h.t.Cleanup(h.runner.Stop)
}

// conversation opens a conversation with the practice and returns its id and token.
func (h *harness) conversation() (string, string) {
	h.t.Helper()
	col, err := h.app.FindCollectionByNameOrId(models.ConversationsCollection)
	if err != nil {
		h.t.Fatal(err)
	}
	token := hex.EncodeToString(randomBytes(16))
	r := core.NewRecord(col)
	r.Set("business", h.biz.Id)
	r.Set("token_hash", hashToken(token))
	r.Set("status", models.StatusOpen)
	r.Set("locale", "en-US")
	if err := h.app.Save(r); err != nil {
		h.t.Fatal(err)
	}
	return r.Id, token
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func (h *harness) do(method, path, body string, headers map[string]string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

// book asks for start as a new visitor and returns the response.
func (h *harness) book(start time.Time, email string) *httptest.ResponseRecorder {
	h.t.Helper()
	id, token := h.conversation()
	body, _ := json.Marshal(map[string]any{"service": "cleaning", "start": start.Format(time.RFC3339), "name": "Ana Diaz", "email": email, "phone": ""})
	return h.do("POST", "/api/widget/clinic/conversations/"+id+"/bookings", string(body), map[string]string{"X-Conversation-Token": token})
}

func decode(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, rec.Body.String())
	}
	return m
}

// confirmed counts the practice's confirmed bookings.
func (h *harness) confirmed() int {
	h.t.Helper()
	var n int
	err := h.app.DB().Select("COUNT(*)").From(models.BookingsCollection).
		Where(dbx.HashExp{"business": h.biz.Id, "status": models.BookingConfirmed}).Row(&n)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// eventually waits up to 10s for cond.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dbxKey selects the job with key.
func dbxKey(key string) dbx.Expression { return dbx.HashExp{"key": key} }
