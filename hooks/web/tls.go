package web

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/tlsserve"
)

// bindTLS serves HTTPS with certificates from ACME when a domain is configured: it gets
// the certificate before the listeners open (so a misconfigured DNS fails the start
// clearly), hands PocketBase a TLS listener, and runs the port-80 server that answers
// HTTP-01 challenges and redirects everything else to HTTPS.
func bindTLS(se *core.ServeEvent, t TLSConfig) error {
	if t.Domain == "" {
		return nil
	}
	if t.HTTPAddr == "" {
		t.HTTPAddr = ":80"
	}
	if t.HTTPSAddr == "" {
		t.HTTPSAddr = ":443"
	}
	httpPort, err := portOf(t.HTTPAddr)
	if err != nil {
		return err
	}
	httpsPort, err := portOf(t.HTTPSAddr)
	if err != nil {
		return err
	}
	var roots *x509.CertPool
	if t.CARoot != "" {
		pem, err := os.ReadFile(t.CARoot)
		if err != nil {
			return fmt.Errorf("--acme-ca-root: %w", err)
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return fmt.Errorf("--acme-ca-root: %s holds no PEM certificate", t.CARoot)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	started := false
	defer func() {
		if !started {
			cancel() // a failed start never terminates: stop the Manager's renewal here
		}
	}()
	se.App.OnTerminate().BindFunc(func(te *core.TerminateEvent) error {
		cancel()
		return te.Next()
	})
	m, err := tlsserve.New(ctx, tlsserve.Config{
		Domains:    []string{t.Domain},
		Email:      t.Email,
		CA:         t.CA,
		CARoots:    roots,
		StorageDir: filepath.Join(se.App.DataDir(), "certmagic"),
		Logger:     se.App.Logger(),
		HTTPPort:   httpPort,
		HTTPSPort:  httpsPort,
	})
	if err != nil {
		return err
	}
	obtain, cancelObtain := context.WithTimeout(ctx, 5*time.Minute)
	defer cancelObtain()
	if err := m.Manage(obtain); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", t.HTTPSAddr)
	if err != nil {
		return err
	}
	tlsCfg := m.TLSConfig()
	se.Server.Addr = t.HTTPSAddr
	se.Server.TLSConfig = tlsCfg
	se.Listener = tls.NewListener(ln, tlsCfg)

	redirect := &http.Server{Addr: t.HTTPAddr, Handler: m.HTTPHandler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	httpLn, err := net.Listen("tcp", t.HTTPAddr)
	if err != nil {
		ln.Close()
		return err
	}
	go func() {
		if err := redirect.Serve(httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			se.App.Logger().Error("http redirect server", "error", err)
		}
	}()
	se.App.OnTerminate().BindFunc(func(te *core.TerminateEvent) error {
		_ = redirect.Close()
		return te.Next()
	})
	started = true
	return nil
}

// portOf is the port of a listen address such as ":443".
func portOf(addr string) (int, error) {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, fmt.Errorf("address %q: %w", addr, err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		return 0, fmt.Errorf("address %q: port must be a number", addr)
	}
	return n, nil
}
