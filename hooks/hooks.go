// Package hooks is Frontdesk's behaviour on top of PocketBase. Each capability is a
// package below it (visitor, chat, takeover, ingest, audit, console, vault, practice, web,
// and the job runner, jobs); Register binds them all, in one screen. See
// docs/ARCHITECTURE.md.
package hooks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/audit"
	"frontdesk/hooks/booking"
	"frontdesk/hooks/chat"
	"frontdesk/hooks/console"
	"frontdesk/hooks/evaluation"
	"frontdesk/hooks/ingest"
	"frontdesk/hooks/jobs"
	"frontdesk/hooks/lifecycle"
	"frontdesk/hooks/notify"
	"frontdesk/hooks/practice"
	"frontdesk/hooks/takeover"
	"frontdesk/hooks/vault"
	"frontdesk/hooks/visitor"
	"frontdesk/hooks/web"
	"frontdesk/internal/calendar/google"
	"frontdesk/internal/knowledge"
	"frontdesk/internal/llm"
	"frontdesk/models"
)

// Config is what main hands to Register, with the command line's flags parsed.
type Config struct {
	// Public holds the web assets (pb_public, embedded in the binary).
	Public fs.FS
	// NoDemo skips creating the demo practice on first start.
	NoDemo bool
	// LLM is the default model for practices that set none.
	LLM llm.Config
	// HTTPClient is used for model providers; nil means a default client.
	HTTPClient *http.Client
	// AllowPrivateNetworks lets requests to addresses a practice chose (websites to
	// crawl, model base URLs) reach loopback, private and link-local addresses, which
	// are refused otherwise (see internal/netguard). For installs whose practices'
	// services live on the LAN.
	AllowPrivateNetworks bool
	// FirstTokenTimeout and ReplyTimeout bound a model reply.
	FirstTokenTimeout, ReplyTimeout time.Duration
	// EmbedModel, when set, is the Ollama embedding model (at EmbedBaseURL, default
	// OLLAMA_HOST) whose vectors are fused with keyword search.
	EmbedModel, EmbedBaseURL string
	// SecretKey encrypts stored credentials (see internal/secrets); loaded at serve.
	SecretKey []byte
	// TLS, when Domain is set, serves HTTPS with automatic certificates.
	TLS web.TLSConfig
	// Skip leaves capabilities unbound, for a test that binds one itself with options
	// of its own (fake providers, fast retries).
	Skip struct{ Alerts, Booking, Lifecycle bool }
	// Google is the operator's OAuth client for practices' Google Calendars
	// (FRONTDESK_GOOGLE_CLIENT_ID and _SECRET); empty leaves Google out.
	Google google.Config
	// OnListen, if set, is called with the base URL once the server listens, such as
	// http://127.0.0.1:8090 or https://DOMAIN (tests use it).
	OnListen func(baseURL string)

	// bound are the capabilities Register bound that commands use (Eval).
	bound struct {
		knowledge *ingest.Knowledge
		evals     *evaluation.Manager
	}
}

// Register binds every Frontdesk hook, route and job to app: one Bind per capability.
// A capability that needs another gets it here, through a small interface of its own.
// The order is the order their hooks run in where they share one (start-up, a
// practice's save).
func Register(app core.App, cfg *Config) {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = modelClient()
	}
	var alerts *notify.Manager
	runner := jobs.New(app, jobs.Options{OnFailed: func(tx core.App, j *jobs.Job, err error) error {
		// A job that gave up becomes a delivery.failed alert (alerts skip other kinds).
		if alerts == nil {
			return nil
		}
		return alerts.JobFailed(tx, j, err)
	}})
	// Bound first, the runner starts after every other start-up hook has run and stops
	// before any other terminate hook: no job runs on what is not open yet, or closed.
	runner.Bind()

	bindPrivateFiles(app)
	secrets := vault.Bind(app, cfg.SecretKey)
	auditor := audit.Bind(app)
	practices := practice.Bind(app, cfg.NoDemo)
	knowledge := ingest.Bind(app, cfg.ingest(), runner)
	engine := chat.Bind(app, cfg.chat(), knowledge, secrets)
	staff := takeover.Bind(app)
	visitors := visitor.Bind(app, practices, engine, staff)
	cfg.bound.knowledge = knowledge
	cfg.bound.evals = evaluation.Bind(app, engine, runner)
	console.Bind(app, auditor)
	if !cfg.Skip.Alerts {
		alerts = notify.Bind(app, notify.Options{Runner: runner, Decrypt: secrets.Decrypt, AllowPrivateNetworks: cfg.AllowPrivateNetworks})
	}
	if !cfg.Skip.Lifecycle {
		// Retention, a visitor's erasure, a practice's deletion, the full export and
		// backups without the key or the index. An error here is a programming one.
		if _, err := lifecycle.Bind(app, lifecycle.Options{Auditor: lifecycleAudit{auditor}, Jobs: runner}); err != nil {
			panic(err)
		}
	}
	if !cfg.Skip.Booking {
		// Booking alerts come from the alerts' own hooks on the bookings collection; the
		// visitors' texts go through the alerts' outbox.
		var texts booking.Texts
		if alerts != nil {
			texts = alerts
		}
		bookings := booking.Bind(app, booking.Options{
			Visitors:             visitors,
			Leads:                bookingLeads{},
			Auditor:              auditor,
			Texts:                texts,
			Jobs:                 runner,
			Middlewares:          visitors.Middlewares(),
			Public:               cfg.Public,
			Secret:               func() ([]byte, error) { return secrets.Derive("booking links") },
			Decrypt:              secrets.Decrypt,
			AllowPrivateNetworks: cfg.AllowPrivateNetworks,
			Google:               cfg.Google,
		})
		for _, t := range bookings.Tools() {
			engine.AddTool(bookingTool(app, t))
		}
		if alerts != nil {
			for _, ev := range booking.TextEvents {
				alerts.RegisterText(ev, bookings.RenderText)
			}
		}
	}
	web.Bind(app, web.Config{Public: cfg.Public, TLS: cfg.TLS, OnListen: cfg.OnListen})
}

// modelClient is the default client for model calls: they reuse connections, one per
// concurrent reply rather than one per reply.
func modelClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 512
	tr.MaxIdleConnsPerHost = 256
	return &http.Client{Transport: tr}
}

// chat is the chat's share of the configuration.
func (c *Config) chat() chat.Config {
	return chat.Config{LLM: c.LLM, HTTPClient: c.HTTPClient, AllowPrivateNetworks: c.AllowPrivateNetworks, FirstTokenTimeout: c.FirstTokenTimeout, ReplyTimeout: c.ReplyTimeout}
}

// Reindex rebuilds the knowledge index from the database, `frontdesk reindex`: here, or,
// while a server holds the index, by that server (then it reports true).
func Reindex(app core.App, cfg *Config) (handedOff bool, err error) {
	return ingest.Reindex(app, cfg.ingest())
}

// Eval runs the evaluation of the practice named slug (`frontdesk eval`) with its
// engine: here, with the knowledge index opened for the command, or, while a server
// holds the index, by that server, waiting for its run until ctx ends. Register must
// have run.
func Eval(ctx context.Context, app core.App, cfg *Config, slug string) (*evaluation.Run, error) {
	b, err := app.FindFirstRecordByData(models.BusinessesCollection, "slug", slug)
	if err != nil {
		return nil, fmt.Errorf("no practice with the slug %q", slug)
	}
	release, err := cfg.bound.knowledge.Hold(ctx)
	if errors.Is(err, knowledge.ErrInUse) {
		return cfg.bound.evals.HandOff(ctx, b.Id)
	}
	if err != nil {
		return nil, err
	}
	defer release()
	return cfg.bound.evals.Run(ctx, b.Id)
}

// ingest is the ingestion's share of the configuration.
func (c *Config) ingest() ingest.Config {
	return ingest.Config{EmbedModel: c.EmbedModel, EmbedBaseURL: c.EmbedBaseURL, HTTPClient: c.HTTPClient, AllowPrivateNetworks: c.AllowPrivateNetworks}
}
