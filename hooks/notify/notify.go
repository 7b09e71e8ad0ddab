// Package notify tells a practice's staff what happened (a contact request, a visitor
// asking for a person, a document that failed to index, a booking, an alert that could
// not be delivered) by email, text message and signed webhook, without any visitor data.
//
// Each event becomes outbox entries, one per channel and recipient, written by record
// hooks in the same transaction as the record that caused it, each with a send job on
// hooks/jobs in that transaction too: a rolled-back save leaves no alert, and a crash
// after the commit loses none, since the queue is the database. The job renders the
// alert from the entry at send time (internal/notify), sends it, and marks the entry.
//
// Delivery is at least once, and never twice after a recorded success: the job marks
// its entry "sending" (with its own id as the claim) in one write, sends, and marks it
// "sent" in the next. A rerun (after a crash, or a lost lease) finds "sent" and sends
// nothing. Only a crash between the send and that mark, a window of one local write,
// sends again; the repeat is recognisable: a webhook's webhook-id and an email's
// Message-ID are the entry's, the same on every attempt. Failures are retried by the
// job runner with backoff and jitter (10s up to 1h apart); after 24h the entry is marked
// failed with its reason, which staff read in the outbox, and a delivery.failed event
// goes to the other recipients.
//
// The package also owns the inbound-SMS routes (STOP, START, HELP), the staff alert
// settings' validation, webhook validation, and the timestamp of a lead's SMS consent.
package notify

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/jobs"
	"frontdesk/internal/netguard"
)

// KindSend is the job kind that delivers one outbox entry.
const KindSend = "outbox.send"

// maxAttempts is high enough that the runner's MaxAge (24h by default), not a count of
// attempts, decides when a delivery is given up.
const maxAttempts = 1000

// Options configure the alerts. Zero values take the defaults.
type Options struct {
	// Runner runs the send jobs. Its Options.OnFailed must call Manager.JobFailed, which
	// marks a given-up entry failed and raises delivery.failed. Nil: Bind makes and binds
	// a runner of its own with Concurrency slots.
	Runner *jobs.Runner
	// Concurrency is how many deliveries run at once on the runner Bind makes (default 4).
	Concurrency int
	// Decrypt opens a stored credential or webhook secret (the hooks' vault). Nil: the
	// stored values are plaintext (tests).
	Decrypt func(stored string) (string, error)
	// AllowPrivateNetworks lets webhook URLs reach loopback, private and link-local
	// addresses (FRONTDESK_ALLOW_PRIVATE_NETWORKS); otherwise they are refused.
	AllowPrivateNetworks bool
	// TwilioBaseURL and TelnyxBaseURL replace the providers' API addresses (tests).
	TwilioBaseURL, TelnyxBaseURL string
	// HTTPClient makes the SMS providers' requests (default: a 30s timeout). Webhooks
	// always go through a netguard client.
	HTTPClient *http.Client
	// SendTimeout bounds one delivery attempt (default 30s).
	SendTimeout time.Duration
	// Now is the clock (default time.Now); tests move it.
	Now func() time.Time
}

// Manager owns the alerts' hooks, routes and send job.
type Manager struct {
	app     core.App
	opts    Options
	webhook *http.Client
	// texts writes the visitors' own texts, by event (RegisterText).
	texts map[string]TextRenderer
}

// Bind wires the alerts into app: record hooks that raise events, the send job on the
// runner, the inbound-SMS routes, and the validation of staff alert settings and
// webhooks. It returns the Manager, whose JobFailed the runner's OnFailed must call when
// Options.Runner is given, and whose Emit other capabilities (bookings) may call.
func Bind(app core.App, opts Options) *Manager {
	if opts.Decrypt == nil {
		opts.Decrypt = func(s string) (string, error) { return s, nil }
	}
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	m := &Manager{app: app, opts: opts}
	m.webhook = netguard.Client(opts.AllowPrivateNetworks, nil)
	m.webhook.Timeout = opts.SendTimeout
	r := opts.Runner
	if r == nil {
		r = jobs.New(app, jobs.Options{Concurrency: opts.Concurrency, OnFailed: m.JobFailed})
		r.Bind()
	}
	r.Handle(KindSend, m.handleSend)
	m.bindEvents()
	m.bindSettings()
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		m.bindRoutes(se)
		return se.Next()
	})
	return m
}

// consoleURL is the staff console's address for path ("leads/ID"), under the app's URL
// as set in its settings.
func (m *Manager) consoleURL(path string) string {
	return strings.TrimRight(m.app.Settings().Meta.AppURL, "/") + "/console/" + path
}

// errSkip is a delivery with nothing left to do: the recipient opted out or turned
// alerts off, or what it was for is gone. Its entry is marked skipped, with the reason.
type errSkip struct{ reason string }

func (e *errSkip) Error() string { return e.reason }

func skip(reason string) error { return &errSkip{reason} }

func isSkip(err error) (string, bool) {
	var s *errSkip
	if errors.As(err, &s) {
		return s.reason, true
	}
	return "", false
}
