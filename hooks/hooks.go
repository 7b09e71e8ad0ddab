// Package hooks is Frontdesk's behaviour on top of PocketBase, one file per capability:
// the visitor API and chat engine, leads, audit, validation, secrets, the demo practice,
// static assets and TLS. Register binds all of it.
package hooks

import (
	"io/fs"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/audit"
	"frontdesk/hooks/console"
	"frontdesk/hooks/ingest"
	"frontdesk/hooks/jobs"
	"frontdesk/hooks/practice"
	"frontdesk/hooks/vault"
	"frontdesk/hooks/web"
	"frontdesk/internal/llm"
	"frontdesk/models"
)

// Config is what main hands to Register. Flags are parsed after Register runs, so
// Register keeps the pointer and reads the values when the app serves.
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
	// OnListen, if set, is called with the base URL once the server listens, such as
	// http://127.0.0.1:8090 or https://DOMAIN (tests use it).
	OnListen func(baseURL string)
}

// Register binds every Frontdesk hook, route and job to app.
func Register(app core.App, cfg *Config) {
	if cfg.HTTPClient == nil {
		// Model calls reuse connections: one per concurrent reply, not one per reply.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = 512
		tr.MaxIdleConnsPerHost = 256
		cfg.HTTPClient = &http.Client{Transport: tr}
	}
	bindPrivateFiles(app)
	practices := practice.Bind(app, cfg.NoDemo)
	v := vault.Bind(app, cfg.SecretKey)
	bindLLMKey(app)
	auditor := audit.Bind(app)
	console.Bind(app, auditor)
	runner := jobs.New(app, jobs.Options{})
	know := ingest.Bind(app, cfg.ingest(), runner)
	e := newEngine(app, cfg, v, practices)
	e.know = know
	app.OnRecordAfterUpdateSuccess(models.BusinessesCollection).BindFunc(e.forgetBusinesses)
	app.OnRecordAfterDeleteSuccess(models.BusinessesCollection).BindFunc(e.forgetBusinesses)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		bindWidgetAPI(se, e)
		return se.Next()
	})
	runner.Bind()
	web.Bind(app, web.Config{Public: cfg.Public, TLS: cfg.TLS, OnListen: cfg.OnListen})
}

// Reindex rebuilds the knowledge index from the database, `frontdesk reindex`: here, or,
// while a server holds the index, by that server (then it reports true).
func Reindex(app core.App, cfg *Config) (handedOff bool, err error) {
	return ingest.Reindex(app, cfg.ingest())
}

// ingest is the ingestion's share of the configuration.
func (c *Config) ingest() ingest.Config {
	return ingest.Config{EmbedModel: c.EmbedModel, EmbedBaseURL: c.EmbedBaseURL, HTTPClient: c.HTTPClient, AllowPrivateNetworks: c.AllowPrivateNetworks}
}
