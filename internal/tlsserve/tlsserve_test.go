package tlsserve

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
	"github.com/mholt/acmez/v3"
	"github.com/miekg/dns"
)

// lockedBuffer collects the logs of goroutines that may outlive a test; they are shown
// only when the test fails.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func dumpOnFailure(t *testing.T, name string, b *lockedBuffer) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s log:\n%s", name, b)
		}
	})
}

// startDNS runs a DNS server on loopback (TCP, as Pebble's validator asks) that maps
// names to 127.0.0.1 and answers NXDOMAIN for anything else.
func startDNS(t *testing.T, names ...string) string {
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

// testCA is Let's Encrypt's Pebble, run in-process.
type testCA struct {
	directory string
	// serverTrust verifies Pebble's own HTTPS (the ACME API).
	serverTrust *x509.CertPool
	// issuingRoot verifies the certificates Pebble issues.
	issuingRoot *x509.CertPool
}

// startPebble wires Pebble as its cmd/pebble/main.go does, with the validator sending
// HTTP-01 to httpPort and TLS-ALPN-01 to tlsPort on whatever dnsAddr resolves names to.
// Validation is real: PEBBLE_VA_ALWAYS_VALID is left unset.
func startPebble(t *testing.T, httpPort, tlsPort int, dnsAddr string) *testCA {
	t.Helper()
	t.Setenv("PEBBLE_VA_ALWAYS_VALID", "")
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")      // no random 0-5 s wait before validating
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0") // no random badNonce rejections
	t.Setenv("PEBBLE_AUTHZREUSE", "0")      // every order is validated afresh

	logs := &lockedBuffer{}
	dumpOnFailure(t, "pebble", logs)
	logger := log.New(logs, "", log.Lmicroseconds)
	store := db.NewMemoryStore()
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "test"}})
	validator := va.New(logger, httpPort, tlsPort, false, dnsAddr, store)
	front := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)

	// httptest's TLS server brings its own certificate for 127.0.0.1.
	srv := httptest.NewTLSServer(front.Handler())
	t.Cleanup(srv.Close)

	c := &testCA{
		directory:   srv.URL + wfe.DirectoryPath,
		serverTrust: x509.NewCertPool(),
		issuingRoot: x509.NewCertPool(),
	}
	c.serverTrust.AddCert(srv.Certificate())
	c.issuingRoot.AddCert(authority.GetRootCert(0).Cert)
	return c
}

func listen(t *testing.T) (net.Listener, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln, ln.Addr().(*net.TCPAddr).Port
}

// challengeHit is one request the port-80 handler answered under /.well-known/acme-challenge/.
type challengeHit struct {
	path   string
	status int
	body   string
}

// site is the app as main.go will run it: the port-80 server on HTTPHandler, and the
// HTTPS server on TLSConfig, wired as in PocketBase's OnServe (a TLS listener handed to
// http.Server.Serve, with the same config on the server for HTTP/2).
type site struct {
	mu         sync.Mutex
	hits       []challengeHit
	alpnHellos atomic.Int32
}

func (s *site) challengeHits() []challengeHit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.hits)
}

func serveSite(t *testing.T, m *Manager, ln80, ln443 net.Listener) *site {
	t.Helper()
	s := &site{}
	port80 := m.HTTPHandler()
	httpSrv := &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.URL.Path, "/.well-known/acme-challenge/") {
				port80.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			port80.ServeHTTP(rec, r)
			s.mu.Lock()
			s.hits = append(s.hits, challengeHit{path: r.URL.Path, status: rec.Code, body: rec.Body.String()})
			s.mu.Unlock()
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		}),
	}

	listenerCfg := m.TLSConfig()
	getCert := listenerCfg.GetCertificate
	listenerCfg.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if slices.Contains(hello.SupportedProtos, acmez.ACMETLS1Protocol) {
			s.alpnHellos.Add(1)
		}
		return getCert(hello)
	}
	httpsSrv := &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		TLSConfig:         m.TLSConfig(),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "front desk at %s%s", r.Host, r.URL.RequestURI())
		}),
	}
	go func() { _ = httpSrv.Serve(ln80) }()
	go func() { _ = httpsSrv.Serve(tls.NewListener(ln443, listenerCfg)) }()
	t.Cleanup(func() {
		_ = httpSrv.Close()
		_ = httpsSrv.Close()
	})
	return s
}

// clientTo returns a client that reaches any host name at 127.0.0.1:port, as DNS would
// for the real domain.
func clientTo(port int, roots *x509.CertPool) *http.Client {
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

// checkHTTPS makes an HTTPS request that verifies against Pebble's issuing root.
func checkHTTPS(t *testing.T, domain string, port int, roots *x509.CertPool) {
	t.Helper()
	url := "https://" + net.JoinHostPort(domain, strconv.Itoa(port)) + "/book?day=mon"
	resp, err := clientTo(port, roots).Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "/book?day=mon") {
		t.Errorf("GET %s: %s %q", url, resp.Status, body)
	}
	if resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("connection state %+v, want TLS 1.2 or newer", resp.TLS)
	}
	leaf := resp.TLS.PeerCertificates[0]
	if !slices.Contains(leaf.DNSNames, domain) {
		t.Errorf("certificate names %v, want %s", leaf.DNSNames, domain)
	}
	if resp.ProtoMajor != 2 {
		t.Errorf("protocol %s, want HTTP/2", resp.Proto)
	}

	// A client that offers nothing newer than TLS 1.1 is turned away.
	old := &tls.Config{ServerName: domain, RootCAs: roots, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	if conn, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), old); err == nil {
		conn.Close()
		t.Error("a TLS 1.1 handshake succeeded")
	}
}

func newTestManager(t *testing.T, c *testCA, storage string, httpPort, httpsPort int, domains ...string) (*Manager, *lockedBuffer) {
	t.Helper()
	logs := &lockedBuffer{}
	dumpOnFailure(t, "certmagic", logs)
	m, err := New(t.Context(), Config{
		Domains:    domains,
		CA:         c.directory,
		CARoots:    c.serverTrust,
		StorageDir: storage,
		Logger:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		HTTPPort:   httpPort,
		HTTPSPort:  httpsPort,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m, logs
}

func manage(t *testing.T, m *Manager) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 25*time.Second)
	defer cancel()
	return m.Manage(ctx)
}

// TestObtainAndServe gets real certificates from Pebble, once through each challenge
// type, and serves them the way main.go will.
func TestObtainAndServe(t *testing.T) {
	const domain = "clinic.test"
	dnsAddr := startDNS(t, domain)

	t.Run("http-01", func(t *testing.T) {
		ln80, port80 := listen(t)
		ln443, port443 := listen(t)
		pebble := startPebble(t, port80, port443, dnsAddr)
		storage := t.TempDir()
		m, logs := newTestManager(t, pebble, storage, port80, port443, domain)
		// acmez picks a challenge type at random; allow only this one so the test
		// knows which path it proves.
		m.issuer.DisableTLSALPNChallenge = true
		s := serveSite(t, m, ln80, ln443)

		// certmagic prompts for an email on the terminal unless told not to; a
		// server must never wait on stdin.
		var err error
		if out := captureStdout(t, func() { err = manage(t, m) }); out != "" {
			t.Errorf("Manage wrote to stdout: %q", out)
		}
		if err != nil {
			t.Fatal(err)
		}

		hits := s.challengeHits()
		answered := false
		for _, h := range hits {
			token := h.path[strings.LastIndex(h.path, "/")+1:]
			if h.status == http.StatusOK && strings.HasPrefix(h.body, token+".") && len(h.body) > len(token)+1 {
				answered = true
			}
		}
		if !answered {
			t.Fatalf("the port-80 handler never answered an HTTP-01 challenge with a key authorization: %+v", hits)
		}
		if s.alpnHellos.Load() != 0 {
			t.Errorf("%d TLS-ALPN hellos although that challenge was disabled", s.alpnHellos.Load())
		}
		checkHTTPS(t, domain, port443, pebble.issuingRoot)
		if !strings.Contains(logs.String(), "certificate obtained successfully") {
			t.Error("certmagic's logs did not reach the slog logger")
		}

		client := clientTo(port80, nil)
		for _, tc := range []struct {
			method, host, want string
			code               int
		}{
			{http.MethodGet, domain, "https://" + domain + ":" + strconv.Itoa(port443) + "/book?day=mon&x=%2F", http.StatusMovedPermanently},
			{http.MethodPost, domain, "https://" + domain + ":" + strconv.Itoa(port443) + "/book?day=mon&x=%2F", http.StatusPermanentRedirect},
			{http.MethodGet, "attacker.example", "https://" + domain + ":" + strconv.Itoa(port443) + "/book?day=mon&x=%2F", http.StatusMovedPermanently},
		} {
			req, _ := http.NewRequest(tc.method, "http://"+net.JoinHostPort(tc.host, strconv.Itoa(port80))+"/book?day=mon&x=%2F", nil)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.code || resp.Header.Get("Location") != tc.want {
				t.Errorf("%s http://%s: %d to %q, want %d to %q", tc.method, tc.host, resp.StatusCode, resp.Header.Get("Location"), tc.code, tc.want)
			}
		}

		// A restart finds the certificate in storage and does not ask the CA again.
		again, _ := newTestManager(t, pebble, storage, port80, port443, domain)
		if err := manage(t, again); err != nil {
			t.Fatalf("Manage after restart: %v", err)
		}
		if n := len(s.challengeHits()); n != len(hits) {
			t.Errorf("restart caused %d new challenge requests", n-len(hits))
		}
		cert, err := again.TLSConfig().GetCertificate(&tls.ClientHelloInfo{ServerName: domain})
		if err != nil || cert.Leaf == nil || !slices.Contains(cert.Leaf.DNSNames, domain) {
			t.Errorf("certificate after restart: %v, %v", cert, err)
		}
	})

	t.Run("tls-alpn-01", func(t *testing.T) {
		ln80, port80 := listen(t)
		ln443, port443 := listen(t)
		pebble := startPebble(t, port80, port443, dnsAddr)
		m, _ := newTestManager(t, pebble, t.TempDir(), port80, port443, domain)
		m.issuer.DisableHTTPChallenge = true
		s := serveSite(t, m, ln80, ln443)

		if err := manage(t, m); err != nil {
			t.Fatal(err)
		}
		if s.alpnHellos.Load() == 0 {
			t.Fatal("the HTTPS listener never saw a TLS-ALPN-01 validation")
		}
		if hits := s.challengeHits(); len(hits) != 0 {
			t.Errorf("HTTP-01 requests although that challenge was disabled: %+v", hits)
		}
		checkHTTPS(t, domain, port443, pebble.issuingRoot)
	})

	t.Run("unresolvable domain fails Manage", func(t *testing.T) {
		ln80, port80 := listen(t)
		ln443, port443 := listen(t)
		pebble := startPebble(t, port80, port443, dnsAddr)
		m, _ := newTestManager(t, pebble, t.TempDir(), port80, port443, "nowhere.test")
		m.issuer.DisableTLSALPNChallenge = true
		serveSite(t, m, ln80, ln443)

		err := manage(t, m)
		if err == nil {
			t.Fatal("Manage succeeded for a domain that resolves nowhere")
		}
		if !strings.Contains(err.Error(), "nowhere.test") {
			t.Errorf("error does not name the domain: %v", err)
		}
	})
}

func TestRedirectStandardPort(t *testing.T) {
	m, err := New(t.Context(), Config{Domains: []string{"Clinic.Example", "www.clinic.example"}, StorageDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for host, want := range map[string]string{
		"clinic.example":        "https://clinic.example/a%20b?q=1",
		"WWW.clinic.example:80": "https://www.clinic.example/a%20b?q=1",
		"203.0.113.7":           "https://clinic.example/a%20b?q=1",
	} {
		req := httptest.NewRequest(http.MethodGet, "http://"+host+"/a%20b?q=1", nil)
		rec := httptest.NewRecorder()
		m.HTTPHandler().ServeHTTP(rec, req)
		if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != want {
			t.Errorf("host %s: %d to %q, want 301 to %q", host, rec.Code, rec.Header().Get("Location"), want)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	dir := t.TempDir()
	for name, cfg := range map[string]Config{
		"no domain":  {StorageDir: dir},
		"empty name": {Domains: []string{" "}, StorageDir: dir},
		"url":        {Domains: []string{"https://clinic.example"}, StorageDir: dir},
		"port":       {Domains: []string{"clinic.example:443"}, StorageDir: dir},
		"wildcard":   {Domains: []string{"*.clinic.example"}, StorageDir: dir},
		"ip":         {Domains: []string{"203.0.113.7"}, StorageDir: dir},
		"no storage": {Domains: []string{"clinic.example"}},
		"bad port":   {Domains: []string{"clinic.example"}, StorageDir: dir, HTTPSPort: 70000},
		"neg port":   {Domains: []string{"clinic.example"}, StorageDir: dir, HTTPPort: -1},
	} {
		if m, err := New(t.Context(), cfg); err == nil {
			m.Close()
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}

// captureStdout returns what f printed on the process's standard output.
func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	out := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		out <- string(b)
	}()
	defer func() { os.Stdout = saved }()
	f()
	os.Stdout = saved
	w.Close()
	return <-out
}
