// Package tlsserve gives Frontdesk automatic HTTPS: it obtains and renews certificates
// from an ACME CA (Let's Encrypt by default) with certmagic, serves them through a
// tls.Config for the HTTPS listener, and answers port 80 with ACME HTTP-01 challenges
// and a redirect to HTTPS.
package tlsserve

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/caddyserver/certmagic"
	"github.com/mholt/acmez/v3"
	"go.uber.org/zap"
)

// Config says which certificates to get, from where, and where to keep them.
type Config struct {
	// Domains are the host names to get certificates for, e.g. "clinic.example".
	// Each must resolve to this machine and be reachable on HTTPPort or HTTPSPort.
	Domains []string
	// Email is the optional contact address of the ACME account.
	Email string
	// CA is the ACME directory URL; empty means Let's Encrypt production. Using it
	// means agreeing to that CA's subscriber agreement.
	CA string
	// CARoots, when set, is the only trust for the ACME server's own HTTPS (e.g. a
	// test CA's); nil means the system roots.
	CARoots *x509.CertPool
	// StorageDir holds the ACME account, certificates and keys; keep it inside the
	// data directory so backups include it. Required.
	StorageDir string
	// Logger receives certmagic's logs; nil means slog.Default().
	Logger *slog.Logger
	// HTTPPort and HTTPSPort are where this machine answers ACME challenges and
	// visitors: HTTP-01 on HTTPPort, TLS-ALPN-01 and HTTPS on HTTPSPort. Zero means
	// 80 and 443; other values are for tests or port forwarding.
	HTTPPort, HTTPSPort int
}

// Manager obtains, renews and serves the certificates of one Config.
type Manager struct {
	domains   []string
	httpsPort int
	cache     *certmagic.Cache
	magic     *certmagic.Config
	issuer    *certmagic.ACMEIssuer
	closeOnce sync.Once
}

// New checks cfg and prepares a Manager; it contacts no one. Certificate renewal runs
// in the background until ctx ends or Close is called, so ctx should live as long as
// the server.
func New(ctx context.Context, cfg Config) (*Manager, error) {
	domains, err := normalizeDomains(cfg.Domains)
	if err != nil {
		return nil, err
	}
	if cfg.StorageDir == "" {
		return nil, errors.New("tlsserve: StorageDir is required")
	}
	if cfg.HTTPPort == 0 {
		cfg.HTTPPort = 80
	}
	if cfg.HTTPSPort == 0 {
		cfg.HTTPSPort = 443
	}
	for _, p := range []int{cfg.HTTPPort, cfg.HTTPSPort} {
		if p < 1 || p > 65535 {
			return nil, fmt.Errorf("tlsserve: port %d out of range", p)
		}
	}
	if cfg.CA == "" {
		cfg.CA = certmagic.LetsEncryptProductionCA
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	zl := zap.New(slogCore{h: logger.Handler()})

	m := &Manager{domains: domains, httpsPort: cfg.HTTPSPort}
	// A cache of our own, rather than certmagic's process-wide default, keeps this
	// Manager's certificates and renewals apart from any other user of certmagic.
	m.cache = certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert: func(certmagic.Certificate) (*certmagic.Config, error) { return m.magic, nil },
		Logger:           zl,
	})
	m.magic = certmagic.New(m.cache, certmagic.Config{
		Storage: &certmagic.FileStorage{Path: cfg.StorageDir},
		Logger:  zl,
		// Clients that send no SNI (a visit by IP address) get the first domain's
		// certificate rather than a handshake failure.
		DefaultServerName: domains[0],
	})
	m.issuer = certmagic.NewACMEIssuer(m.magic, certmagic.ACMEIssuer{
		CA:           cfg.CA,
		Email:        cfg.Email,
		Agreed:       true,
		TrustedRoots: cfg.CARoots,
		// certmagic binds these itself only while they are free (i.e. before our
		// servers start); once they are ours, HTTPHandler and TLSConfig answer.
		AltHTTPPort:    cfg.HTTPPort,
		AltTLSALPNPort: cfg.HTTPSPort,
		Logger:         zl,
	})
	m.magic.Issuers = []certmagic.Issuer{quietIssuer{m.issuer}}
	context.AfterFunc(ctx, m.Close)
	return m, nil
}

// quietIssuer stops certmagic from asking for an email address on the terminal: a
// synchronous Manage counts as "interactive" to certmagic, which then prompts on stdin
// when Email is empty and would hang a server started from a shell. The cost is that
// certmagic no longer recognises the issuer as *ACMEIssuer when renewing, so renewal
// orders omit the ARI "replaces" hint (renewals still work; only that rate-limit
// courtesy is lost).
type quietIssuer struct{ *certmagic.ACMEIssuer }

// PreCheck is ACMEIssuer.PreCheck, never interactive.
func (q quietIssuer) PreCheck(ctx context.Context, names []string, _ bool) error {
	return q.ACMEIssuer.PreCheck(ctx, names, false)
}

// normalizeDomains lower-cases and checks the names, since they become both ACME
// identifiers and the allow-list for redirects.
func normalizeDomains(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, errors.New("tlsserve: no domain to get a certificate for")
	}
	var out []string
	for _, d := range in {
		d = strings.ToLower(strings.TrimSpace(d))
		switch {
		case d == "":
			return nil, errors.New("tlsserve: empty domain name")
		case strings.ContainsAny(d, "/:*@ "):
			return nil, fmt.Errorf("tlsserve: %q is not a plain host name (no scheme, port, path or wildcard)", d)
		case net.ParseIP(d) != nil:
			return nil, fmt.Errorf("tlsserve: %q is an IP address; automatic HTTPS needs a domain name", d)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// Manage loads the certificates from storage, or obtains them now, and returns once
// every domain has one, so a server that cannot get a certificate fails at start with
// the reason. Renewal then goes on in the background.
//
// Call it before binding HTTPPort and HTTPSPort (certmagic then answers challenges on
// temporary listeners of its own), or once servers using HTTPHandler and TLSConfig are
// already accepting connections on them; not in between, when a validation connection
// would wait on a listener nobody serves.
func (m *Manager) Manage(ctx context.Context) error {
	if err := m.magic.ManageSync(ctx, m.domains); err != nil {
		return fmt.Errorf("tlsserve: no certificate for %s from %s; check that the domain points to this machine and that port %d or %d is reachable from the internet: %w",
			strings.Join(m.domains, ", "), m.issuer.CA, m.issuer.AltHTTPPort, m.issuer.AltTLSALPNPort, err)
	}
	return nil
}

// TLSConfig returns a new tls.Config for the HTTPS listener: the managed certificates,
// TLS 1.2 or newer, HTTP/2, and the ALPN protocol that answers TLS-ALPN-01 challenges.
// Give the same config to the http.Server's TLSConfig as well: http.Server.Serve only
// sets up HTTP/2 when its own TLSConfig lists "h2".
func (m *Manager) TLSConfig() *tls.Config {
	cfg := m.magic.TLSConfig()
	cfg.MinVersion = tls.VersionTLS12
	cfg.NextProtos = []string{"h2", "http/1.1", acmez.ACMETLS1Protocol}
	return cfg
}

// HTTPHandler returns the handler for the plain-HTTP port: it answers ACME HTTP-01
// challenges and permanently redirects everything else to HTTPS on the same host and
// path. Hosts other than the managed domains are sent to the first domain, so the
// redirect never points to a name the request made up.
func (m *Manager) HTTPHandler() http.Handler {
	return m.issuer.HTTPChallengeHandler(http.HandlerFunc(m.redirect))
}

func (m *Manager) redirect(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	if !slices.Contains(m.domains, host) {
		host = m.domains[0]
	}
	if m.httpsPort != 443 {
		host = net.JoinHostPort(host, strconv.Itoa(m.httpsPort))
	}
	target := url.URL{Scheme: "https", Host: host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	code := http.StatusMovedPermanently
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		code = http.StatusPermanentRedirect // keeps the method and body
	}
	http.Redirect(w, r, target.String(), code)
}

// Close stops background renewal. It is safe to call more than once.
func (m *Manager) Close() {
	m.closeOnce.Do(m.cache.Stop)
}
