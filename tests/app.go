// Package tests is the one test-app helper for the whole project: a real PocketBase app
// on a temporary SQLite database with Frontdesk's migrations and hooks, reachable through
// PocketBase's API scenarios or a real listening server, plus fakes of outside services
// at their wire protocols.
package tests

import (
	"bytes"
	"crypto/rand"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	pbtests "github.com/pocketbase/pocketbase/tests"

	"frontdesk/hooks"
	"frontdesk/hooks/practice"
	"frontdesk/internal/llm"
	_ "frontdesk/migrations"
	"frontdesk/models"
)

// Options shape a test app.
type Options struct {
	// NoDemo leaves the database without the demo practice.
	NoDemo bool
	// OllamaURL makes Ollama at that URL the default model (else: offline).
	OllamaURL string
	// LLM overrides the default model configuration entirely.
	LLM *llm.Config
	// Origins are extra websites the demo practice allows to embed its widget.
	Origins []string
	// FirstTokenTimeout and ReplyTimeout default to 2s and 10s.
	FirstTokenTimeout, ReplyTimeout time.Duration
	// Public overrides the web assets (default: the repository's pb_public).
	PublicDir string
	// AllowPrivateNetworks lets the practice's own URLs (websites, model base URLs) reach
	// loopback addresses, where tests run their fake services.
	AllowPrivateNetworks bool
	// Configure, if set, adjusts the hooks config before Register.
	Configure func(*hooks.Config)
	// DataDir, if set, is a data directory NewApp starts from a copy of, as a server
	// restarting on it would (default: an empty one).
	DataDir string
}

// RepoRoot is the repository's root folder.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// Config builds the hooks configuration of a test app.
func (o Options) Config() *hooks.Config {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	cfg := &hooks.Config{
		NoDemo:            o.NoDemo,
		LLM:               llm.Config{Provider: "offline"},
		SecretKey:         key,
		FirstTokenTimeout: o.FirstTokenTimeout,
		ReplyTimeout:      o.ReplyTimeout,

		AllowPrivateNetworks: o.AllowPrivateNetworks,
	}
	if o.OllamaURL != "" {
		cfg.LLM = llm.Config{Provider: "ollama", BaseURL: o.OllamaURL, Model: "llama3.2"}
	}
	if o.LLM != nil {
		cfg.LLM = *o.LLM
	}
	if cfg.FirstTokenTimeout == 0 {
		cfg.FirstTokenTimeout = 2 * time.Second
	}
	if cfg.ReplyTimeout == 0 {
		cfg.ReplyTimeout = 10 * time.Second
	}
	dir := o.PublicDir
	if dir == "" {
		dir = filepath.Join(RepoRoot(), "pb_public")
	}
	cfg.Public = os.DirFS(dir)
	if o.Configure != nil {
		o.Configure(cfg)
	}
	return cfg
}

// NewApp returns a bootstrapped app on a fresh temporary database with Frontdesk's
// migrations applied and hooks registered; it is cleaned up when the test ends.
// The demo practice is created when the app first serves (an API scenario or Start).
func NewApp(t testing.TB, o Options) *pbtests.TestApp {
	t.Helper()
	dir := o.DataDir
	if dir == "" {
		dir = t.TempDir()
	}
	app, err := pbtests.NewTestAppWithConfig(core.BaseAppConfig{DataDir: dir, DBConnect: hooks.DBConnect})
	if err != nil {
		t.Fatalf("test app: %v", err)
	}
	t.Cleanup(func() { cleanup(app) })
	hooks.Register(app, o.Config())
	if !o.NoDemo {
		if err := practice.SeedDemoPractice(app); err != nil {
			t.Fatalf("seed demo: %v", err)
		}
		if len(o.Origins) > 0 {
			b, err := app.FindFirstRecordByData(models.BusinessesCollection, "slug", practice.DemoSlug)
			if err != nil {
				t.Fatal(err)
			}
			b.Set("allowed_origins", o.Origins)
			if err := app.Save(b); err != nil {
				t.Fatal(err)
			}
		}
	}
	return app
}

// Server is a Frontdesk app serving HTTP (or HTTPS, see StartServer) on a loopback port.
type Server struct {
	// URL is the base URL, without a trailing slash.
	URL string
	App *pbtests.TestApp
}

// StartServer runs the app with PocketBase's own server (router, middlewares, realtime)
// on 127.0.0.1 and an ephemeral port until the test ends. When o.Configure sets
// hooks.Config.TLS, the app serves HTTPS on TLS.HTTPSAddr instead, after obtaining its
// certificate, and URL is https://DOMAIN[:PORT], which the caller must route to that
// address itself (e.g. with a custom DialContext).
func StartServer(t testing.TB, o Options) *Server {
	t.Helper()
	app, err := pbtests.NewTestAppWithConfig(core.BaseAppConfig{DataDir: t.TempDir(), DBConnect: hooks.DBConnect})
	if err != nil {
		t.Fatalf("test app: %v", err)
	}
	cfg := o.Config()
	addr := make(chan string, 1)
	cfg.OnListen = func(a string) { addr <- a }
	hooks.Register(app, cfg)
	noInstaller(app)
	if len(o.Origins) > 0 && !o.NoDemo {
		app.OnServe().BindFunc(func(se *core.ServeEvent) error {
			if err := se.Next(); err != nil {
				return err
			}
			b, err := app.FindFirstRecordByData(models.BusinessesCollection, "slug", practice.DemoSlug)
			if err != nil {
				return err
			}
			b.Set("allowed_origins", o.Origins)
			return app.Save(b)
		})
	}
	done := make(chan error, 1)
	go func() {
		done <- apis.Serve(app, apis.ServeConfig{HttpAddr: "127.0.0.1:0"})
	}()
	var url string
	select {
	case url = <-addr:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start in 30s")
	}
	t.Cleanup(func() {
		cleanup(app)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	})
	return &Server{URL: url, App: app}
}

// cleanup ends app as a test ends: its realtime clients first, so that no record
// broadcast (whose access checks query the database) is still starting when the
// terminate hooks and PocketBase's Cleanup close the databases.
func cleanup(app *pbtests.TestApp) {
	broker := app.SubscriptionsBroker()
	for id := range broker.Clients() {
		broker.Unregister(id)
	}
	app.Cleanup()
}

// JSON is a small helper for request bodies.
func JSON(s string) *bytes.Reader { return bytes.NewReader([]byte(s)) }

// Client returns an HTTP client whose connections come from the given loopback address
// (e.g. "127.0.0.7"), so load from many simulated visitors is not one IP to rate limits.
func Client(from string) *http.Client {
	return &http.Client{Transport: loopbackTransport(from)}
}

// Handler builds the app's full router (PocketBase's API plus Frontdesk's routes) as an
// http.Handler, the way PocketBase's own API scenarios do, without a listening server.
func Handler(t testing.TB, app core.App) http.Handler {
	t.Helper()
	r, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler
	se := &core.ServeEvent{App: app, Router: r}
	err = app.OnServe().Trigger(se, func(e *core.ServeEvent) error {
		var err error
		h, err = e.Router.BuildMux()
		return err
	})
	if err != nil {
		t.Fatalf("serve hooks: %v", err)
	}
	return h
}

// Stop shuts app down as PocketBase does on exit: the terminate hooks (the job runner
// stops, the knowledge index closes), then the databases close. A test that starts an
// app again on the same data stops the first this way: closing only the databases
// would leave the first app's runner polling them.
func Stop(app core.App) {
	_ = app.OnTerminate().Trigger(&core.TerminateEvent{App: app}, func(e *core.TerminateEvent) error { return e.App.ResetBootstrapState() })
}

// ServeOnce starts the app on dataDir (kept between calls, unlike NewApp's copy), waits
// until it listens or fails, stops it, and returns the start error if any.
func ServeOnce(t testing.TB, dataDir string, o Options) error {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dataDir, DBConnect: hooks.DBConnect})
	if err := app.Bootstrap(); err != nil {
		return err
	}
	cfg := o.Config()
	addr := make(chan string, 1)
	cfg.OnListen = func(a string) { addr <- a }
	hooks.Register(app, cfg)
	noInstaller(app)
	done := make(chan error, 1)
	go func() { done <- apis.Serve(app, apis.ServeConfig{HttpAddr: "127.0.0.1:0"}) }()
	var err error
	select {
	case <-addr:
	case err = <-done:
		Stop(app)
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start in 30s")
	}
	Stop(app)
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
	}
	return err
}

// noInstaller stops PocketBase from opening its first-superuser installer in a browser,
// which also races with a test's cleanup.
func noInstaller(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.InstallerFunc = nil
		return se.Next()
	})
}

// loopbackTransport dials from the loopback address from.
func loopbackTransport(from string) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 10 * time.Second}).DialContext
	tr.MaxIdleConnsPerHost = 100
	return tr
}
