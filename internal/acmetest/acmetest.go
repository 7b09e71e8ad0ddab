// Package acmetest runs Let's Encrypt's Pebble ACME server in-process, with a loopback
// DNS server for the test's domains, so tests obtain real certificates through real
// HTTP-01 and TLS-ALPN-01 validation without the internet.
package acmetest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
	"github.com/miekg/dns"
)

// CA is a running Pebble, stopped when the test ends.
type CA struct {
	// DirectoryURL is the ACME directory, e.g. for certmagic's ACMEIssuer.CA or
	// frontdesk's --acme-ca.
	DirectoryURL string
	// ServerRoots verifies Pebble's own HTTPS (the ACME API), not the certificates
	// it issues.
	ServerRoots *x509.CertPool
	// ServerRootFile is a PEM file holding the root of ServerRoots, for
	// frontdesk's --acme-ca-root.
	ServerRootFile string
	// IssuingRoots verifies the certificates Pebble issues.
	IssuingRoots *x509.CertPool
}

// Start runs Pebble wired as its cmd/pebble/main.go does, with its validator sending
// HTTP-01 to httpPort and TLS-ALPN-01 to tlsPort, and a DNS server that resolves names
// (and nothing else) to 127.0.0.1. Validation is real: PEBBLE_VA_ALWAYS_VALID is left
// unset. Start sets Pebble's environment with t.Setenv, so t must not be parallel.
func Start(t testing.TB, httpPort, tlsPort int, names ...string) *CA {
	t.Helper()
	dnsAddr := startDNS(t, names)

	t.Setenv("PEBBLE_VA_ALWAYS_VALID", "")
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")      // no random 0-5 s wait before validating
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0") // no random badNonce rejections
	t.Setenv("PEBBLE_AUTHZREUSE", "0")      // every order is validated afresh

	logger := log.New(NewLog(t, "pebble"), "", log.Lmicroseconds)
	store := db.NewMemoryStore()
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "test"}})
	validator := va.New(logger, httpPort, tlsPort, false, dnsAddr, store)
	front := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)

	// httptest's TLS server brings its own certificate for 127.0.0.1.
	srv := httptest.NewTLSServer(front.Handler())
	t.Cleanup(srv.Close)

	rootFile := filepath.Join(t.TempDir(), "pebble-api-root.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(rootFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	c := &CA{
		DirectoryURL:   srv.URL + wfe.DirectoryPath,
		ServerRoots:    x509.NewCertPool(),
		ServerRootFile: rootFile,
		IssuingRoots:   x509.NewCertPool(),
	}
	c.ServerRoots.AddCert(srv.Certificate())
	c.IssuingRoots.AddCert(authority.GetRootCert(0).Cert)
	return c
}

// startDNS runs a DNS server on loopback (TCP, as Pebble's validator asks) that maps
// names to 127.0.0.1 and answers NXDOMAIN for anything else.
func startDNS(t testing.TB, names []string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		for _, q := range r.Question {
			name := strings.ToLower(strings.TrimSuffix(q.Name, "."))
			if !slices.Contains(names, name) {
				m.Rcode = dns.RcodeNameError
				continue
			}
			if q.Qtype == dns.TypeA {
				m.Answer = append(m.Answer, &dns.A{
					Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
					A:   net.IPv4(127, 0, 0, 1),
				})
			}
		}
		_ = w.WriteMsg(m)
	})
	started := make(chan struct{})
	srv := &dns.Server{Listener: ln, Net: "tcp", Handler: handler, NotifyStartedFunc: func() { close(started) }}
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	return ln.Addr().String()
}

// FreePorts returns n distinct loopback TCP ports that were free a moment ago, for a
// server under test that binds its ports itself. All n are held open together before
// being released, so they differ from each other.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// Client returns an HTTP client that reaches every host name at 127.0.0.1:port, as DNS
// would for the test's domain, verifies HTTPS against roots (nil: the system roots),
// speaks HTTP/2 when the server offers it, and returns redirects instead of following them.
func Client(port int, roots *x509.CertPool) *http.Client {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{RootCAs: roots},
			ForceAttemptHTTP2: true,
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Log collects the logs of goroutines that may outlive a test (Pebble's, certmagic's);
// it is safe for concurrent use.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// NewLog returns a Log whose contents are printed under name if t fails, and only then.
func NewLog(t testing.TB, name string) *Log {
	l := &Log{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s log:\n%s", name, l)
		}
	})
	return l
}

// Write appends p.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything written so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// CheckServed asserts that resp came over TLS 1.2 or newer and HTTP/2, with a
// certificate that names domain.
func CheckServed(t testing.TB, resp *http.Response, domain string) {
	t.Helper()
	if resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("connection state %+v, want TLS 1.2 or newer", resp.TLS)
	}
	if leaf := resp.TLS.PeerCertificates[0]; !slices.Contains(leaf.DNSNames, domain) {
		t.Errorf("certificate names %v, want %s", leaf.DNSNames, domain)
	}
	if resp.ProtoMajor != 2 {
		t.Errorf("protocol %s, want HTTP/2", resp.Proto)
	}
}

// CheckRefusesOldTLS asserts that a client offering nothing newer than TLS 1.1 is turned
// away by the server on 127.0.0.1:port, for its protocol version and no other reason.
func CheckRefusesOldTLS(t testing.TB, port int, domain string, roots *x509.CertPool) {
	t.Helper()
	old := &tls.Config{ServerName: domain, RootCAs: roots, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	conn, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), old)
	if err == nil {
		conn.Close()
		t.Error("a TLS 1.1 handshake succeeded")
	} else if !strings.Contains(err.Error(), "protocol version") {
		t.Errorf("TLS 1.1 handshake failed for another reason than its version: %v", err)
	}
}
