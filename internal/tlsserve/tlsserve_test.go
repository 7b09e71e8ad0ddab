package tlsserve

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
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

	"github.com/mholt/acmez/v3"

	"frontdesk/internal/acmetest"
)

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

// checkHTTPS makes an HTTPS request that verifies against Pebble's issuing root.
func checkHTTPS(t *testing.T, domain string, port int, roots *x509.CertPool) {
	t.Helper()
	url := "https://" + net.JoinHostPort(domain, strconv.Itoa(port)) + "/book?day=mon"
	resp, err := acmetest.Client(port, roots).Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "/book?day=mon") {
		t.Errorf("GET %s: %s %q", url, resp.Status, body)
	}
	acmetest.CheckServed(t, resp, domain)
	acmetest.CheckRefusesOldTLS(t, port, domain, roots)
}

func newTestManager(t *testing.T, c *acmetest.CA, storage string, httpPort, httpsPort int, domains ...string) (*Manager, *acmetest.Log) {
	t.Helper()
	logs := acmetest.NewLog(t, "certmagic")
	m, err := New(t.Context(), Config{
		Domains:    domains,
		CA:         c.DirectoryURL,
		CARoots:    c.ServerRoots,
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

	t.Run("http-01", func(t *testing.T) {
		ln80, port80 := listen(t)
		ln443, port443 := listen(t)
		pebble := acmetest.Start(t, port80, port443, domain)
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
		checkHTTPS(t, domain, port443, pebble.IssuingRoots)
		if !strings.Contains(logs.String(), "certificate obtained successfully") {
			t.Error("certmagic's logs did not reach the slog logger")
		}

		client := acmetest.Client(port80, nil)
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
		pebble := acmetest.Start(t, port80, port443, domain)
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
		checkHTTPS(t, domain, port443, pebble.IssuingRoots)
	})

	t.Run("unresolvable domain fails Manage", func(t *testing.T) {
		ln80, port80 := listen(t)
		ln443, port443 := listen(t)
		pebble := acmetest.Start(t, port80, port443, domain)
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
