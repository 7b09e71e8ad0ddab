// Package hooks is Frontdesk's behaviour on top of PocketBase, one file per capability:
// the visitor API and chat engine, leads, audit, validation, secrets, the demo practice,
// static assets and TLS. Register binds all of it.
package hooks

import (
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/audit"
	"frontdesk/hooks/console"
	"frontdesk/hooks/vault"
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
	TLS TLSConfig
	// OnListen, if set, is called with the base URL once the server listens, such as
	// http://127.0.0.1:8090 or https://DOMAIN (tests use it).
	OnListen func(baseURL string)
}

// TLSConfig is automatic HTTPS through ACME.
type TLSConfig struct {
	Domain    string
	Email     string
	CA        string // ACME directory URL; empty is Let's Encrypt
	CARoot    string // PEM file trusted for the ACME server (for a private CA such as Pebble)
	HTTPAddr  string // where the port-80 redirect and HTTP-01 challenge server listens
	HTTPSAddr string
}

// Register binds every Frontdesk hook, route and job to app.
func Register(app core.App, cfg *Config) {
	bindPrivateFiles(app)
	bindValidation(app)
	bindTenantRelations(app)
	v := vault.Bind(app, cfg.SecretKey)
	bindLLMKey(app)
	auditor := audit.Bind(app)
	bindDemo(app, cfg)
	console.Bind(app, auditor)
	e := newEngine(app, cfg, v)
	e.know = bindKnowledge(app, cfg)
	app.OnRecordAfterUpdateSuccess(models.BusinessesCollection).BindFunc(e.forgetBusinesses)
	app.OnRecordAfterDeleteSuccess(models.BusinessesCollection).BindFunc(e.forgetBusinesses)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		bindWidgetAPI(se, e)
		bindStatic(se, cfg.Public)
		if se.Server == nil {
			// Routes only (API scenarios in tests): nothing listens.
			return se.Next()
		}
		// PocketBase would open a browser for its first-superuser installer: on a
		// headless VPS that runs xdg-open. The link is printed instead.
		se.InstallerFunc = printInstallLink
		if err := bindTLS(se, cfg); err != nil {
			return err
		}
		if se.Listener == nil && cfg.OnListen != nil {
			ln, err := net.Listen("tcp", se.Server.Addr)
			if err != nil {
				return err
			}
			se.Listener = ln
		}
		if err := se.Next(); err != nil {
			return err
		}
		base := "http://" + displayAddr(se.Server.Addr)
		if se.Listener != nil {
			base = "http://" + se.Listener.Addr().String()
		}
		if cfg.TLS.Domain != "" {
			base = "https://" + cfg.TLS.Domain
			if _, port, _ := net.SplitHostPort(cfg.TLS.HTTPSAddr); port != "" && port != "443" {
				base += ":" + port
			}
		}
		if cfg.OnListen != nil {
			cfg.OnListen(base)
		}
		se.App.Logger().Info("Frontdesk is running", "demo_page", base+"/", "admin", base+"/_/", "visitor_api", base+"/api/widget/")
		fmt.Printf("Frontdesk is running.\n  Demo page: %s/\n  Admin UI:  %s/_/\n", base, base)
		return nil
	})
}

// printInstallLink prints the one-time link (valid 30 minutes) that creates the first
// superuser in the admin UI, while there is none.
func printInstallLink(app core.App, installer *core.Record, baseURL string) error {
	token, err := installer.NewStaticAuthToken(30 * time.Minute)
	if err != nil {
		return err
	}
	fmt.Printf("\nNo superuser yet. Open this link within 30 minutes to create one:\n  %s/_/#/pbinstall/%s\n(or run: frontdesk superuser upsert EMAIL PASSWORD)\n\n", strings.TrimRight(baseURL, "/"), token)
	return nil
}

// displayAddr turns a listen address such as ":8090" into one a browser can open.
func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
