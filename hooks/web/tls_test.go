package web_test

import (
	"encoding/json"
	"encoding/pem"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"frontdesk/hooks"
	"frontdesk/hooks/web"
	"frontdesk/internal/acmetest"
	"frontdesk/tests"
)

// TestTLSServesAppOverACME runs the whole app as
// `frontdesk serve --domain clinic.test --acme-ca PEBBLE --acme-ca-root PEM` would,
// against an in-process Pebble that validates through real challenges on loopback.
func TestTLSServesAppOverACME(t *testing.T) {
	const domain = "clinic.test"
	// bindTLS binds the ports itself (after certmagic has answered the challenges on
	// them), so they are picked free and released.
	ports := acmetest.FreePorts(t, 2)
	port80, port443 := ports[0], ports[1]
	pebble := acmetest.Start(t, port80, port443, domain)

	srv := tests.StartServer(t, tests.Options{Configure: func(c *hooks.Config) {
		c.TLS = web.TLSConfig{
			Domain:    domain,
			CA:        pebble.DirectoryURL,
			CARoot:    pebble.ServerRootFile,
			HTTPAddr:  net.JoinHostPort("127.0.0.1", strconv.Itoa(port80)),
			HTTPSAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port443)),
		}
	}})
	base := "https://" + domain + ":" + strconv.Itoa(port443)
	if srv.URL != base {
		t.Fatalf("server URL %q, want %q", srv.URL, base)
	}

	resp, err := acmetest.Client(port443, pebble.IssuingRoots).Get(base + "/api/widget/demo/config")
	if err != nil {
		t.Fatalf("GET config over HTTPS: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var config map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &config) != nil || config["name"] != "Bright Smile Dental" {
		t.Fatalf("GET config: %s %s", resp.Status, body)
	}
	// PocketBase's server only speaks HTTP/2 when its own TLSConfig lists h2, which
	// bindTLS has to set beside the listener's.
	acmetest.CheckServed(t, resp, domain)
	leaf := resp.TLS.PeerCertificates[0]
	acmetest.CheckRefusesOldTLS(t, port443, domain, pebble.IssuingRoots)

	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:"+strconv.Itoa(port80)+"/x?y=1", nil)
	req.Host = domain
	resp, err = acmetest.Client(port80, nil).Do(req)
	if err != nil {
		t.Fatalf("GET over plain HTTP: %v", err)
	}
	resp.Body.Close()
	if want := base + "/x?y=1"; resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
		t.Errorf("plain HTTP: %d to %q, want 301 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}

	// The certificate lives in the data directory, so a backup carries it and a
	// restart does not ask the CA again; the stored one is the one served.
	stored := map[string]string{}
	root := filepath.Join(srv.App.DataDir(), "certmagic")
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			stored[d.Name()] = path
		}
		return nil
	})
	if stored[domain+".key"] == "" || stored[domain+".crt"] == "" {
		t.Fatalf("no certificate and key for %s under %s: %v", domain, root, stored)
	}
	crt, err := os.ReadFile(stored[domain+".crt"])
	if err != nil {
		t.Fatal(err)
	}
	if block, _ := pem.Decode(crt); block == nil || !slices.Equal(block.Bytes, leaf.Raw) {
		t.Errorf("%s does not hold the served certificate", stored[domain+".crt"])
	}
}

// TestTLSBadCARootFailsStart: a --acme-ca-root that can't be used stops the start with
// an error naming the flag, before any CA is contacted.
func TestTLSBadCARootFailsStart(t *testing.T) {
	notPEM := filepath.Join(t.TempDir(), "root.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.pem")
	ports := acmetest.FreePorts(t, 2)
	for root, want := range map[string]string{
		missing: "no such file",
		notPEM:  "holds no PEM certificate",
	} {
		err := tests.ServeOnce(t, t.TempDir(), tests.Options{NoDemo: true, Configure: func(c *hooks.Config) {
			c.TLS = web.TLSConfig{
				Domain: "clinic.test",
				// Nothing listens here: reaching the CA would fail differently.
				CA:        "https://127.0.0.1:1/dir",
				CARoot:    root,
				HTTPAddr:  net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])),
				HTTPSAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1])),
			}
		}})
		if err == nil {
			t.Errorf("CA root %s: the app started", root)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "--acme-ca-root") || !strings.Contains(msg, want) || !strings.Contains(msg, filepath.Base(root)) {
			t.Errorf("CA root %s: error %q, want one naming --acme-ca-root, the file and %q", root, msg, want)
		}
	}
}
