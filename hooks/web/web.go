// Package web serves what a browser loads (the demo page, the widget, the staff
// console) and brings the server up: on plain HTTP, or on HTTPS with certificates from
// ACME when a domain is set, and says where it listens.
package web

import (
	"fmt"
	"io/fs"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Config is how the server listens and what it serves.
type Config struct {
	// Public holds the web assets (pb_public, embedded in the binary).
	Public fs.FS
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

// Bind serves the web assets and starts the listeners. Bind it after every other
// capability: it starts serving once their start-up hooks have run.
func Bind(app core.App, cfg Config) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		bindStatic(se, cfg.Public)
		if se.Server == nil {
			// Routes only (API scenarios in tests): nothing listens.
			return se.Next()
		}
		// PocketBase would open a browser for its first-superuser installer: on a
		// headless VPS that runs xdg-open. The link is printed instead.
		se.InstallerFunc = printInstallLink
		if err := bindTLS(se, cfg.TLS); err != nil {
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
		// Start-up (migrations, the demo practice, the knowledge index, the caches) leaves
		// two thirds of the heap it grew as garbage: hand it back now rather than minutes
		// later when the scavenger gets to it, so an idle appliance holds what it needs.
		debug.FreeOSMemory()
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
