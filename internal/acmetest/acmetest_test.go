package acmetest

import (
	"crypto/x509"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"

	"github.com/miekg/dns"
)

// TestStart checks what callers rely on: the PEM file trusts the ACME directory the way
// the pool does, and DNS resolves exactly the given names to loopback.
func TestStart(t *testing.T) {
	ports := FreePorts(t, 2)
	if ports[0] == ports[1] {
		t.Fatalf("FreePorts returned %v", ports)
	}
	c := Start(t, ports[0], ports[1], "clinic.test")

	pemBytes, err := os.ReadFile(c.ServerRootFile)
	if err != nil {
		t.Fatal(err)
	}
	fromFile := x509.NewCertPool()
	if !fromFile.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("%s holds no PEM certificate", c.ServerRootFile)
	}
	u, err := url.Parse(c.DirectoryURL)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatalf("directory URL %s: %v", c.DirectoryURL, err)
	}
	for name, roots := range map[string]*x509.CertPool{"ServerRoots": c.ServerRoots, "ServerRootFile": fromFile, "IssuingRoots": c.IssuingRoots} {
		resp, err := Client(port, roots).Get(c.DirectoryURL)
		if name == "IssuingRoots" {
			// The issuing root is Pebble's ACME CA, not the API's TLS root.
			if err == nil {
				resp.Body.Close()
				t.Error("the issuing root verified Pebble's API certificate")
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: GET directory: %v", name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: directory answered %s", name, resp.Status)
		}
	}
}

func TestDNS(t *testing.T) {
	addr := startDNS(t, []string{"clinic.test"})
	client := &dns.Client{Net: "tcp"}
	for name, want := range map[string]int{"clinic.test.": dns.RcodeSuccess, "CLINIC.test.": dns.RcodeSuccess, "other.test.": dns.RcodeNameError} {
		q := new(dns.Msg)
		q.SetQuestion(name, dns.TypeA)
		r, _, err := client.Exchange(q, addr)
		if err != nil {
			t.Fatal(err)
		}
		if r.Rcode != want {
			t.Errorf("%s: rcode %d, want %d", name, r.Rcode, want)
		}
		if want == dns.RcodeSuccess {
			if len(r.Answer) != 1 || !r.Answer[0].(*dns.A).A.Equal(net.IPv4(127, 0, 0, 1)) {
				t.Errorf("%s: answer %v, want 127.0.0.1", name, r.Answer)
			}
		}
	}
}
