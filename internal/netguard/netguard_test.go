package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
)

func TestControlRefusesNonPublicAddresses(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1", false},
		{"127.8.9.10", false},
		{"::1", false},
		{"::ffff:127.0.0.1", false},
		{"169.254.169.254", false},
		{"::ffff:169.254.169.254", false},
		{"10.0.0.1", false},
		{"::ffff:10.0.0.1", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"100.64.0.1", false},
		{"100.127.255.254", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"ff02::1", false},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"::", false},
		{"255.255.255.255", false},
		{"::127.0.0.1", false},
		{"64:ff9b::7f00:1", false},     // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", false},  // NAT64 of 169.254.169.254
		{"2002:7f00:1::1", false},      // 6to4 of 127.0.0.1
		{"2002:c0a8:101::1", false},    // 6to4 of 192.168.1.1
		{"93.184.215.14", true},        // a public IPv4 address
		{"::ffff:93.184.215.14", true}, // the same, mapped
		{"64:ff9b::5db8:d70e", true},   // the same through NAT64
		{"2606:2800:21f:cb07:6820:80da:af6b:8b2c", true},
		{"172.32.0.1", true},
		{"100.128.0.1", true},
		{"8.8.8.8", true},
	} {
		err := Control("tcp", net.JoinHostPort(tc.addr, "443"), nil)
		if tc.ok && err != nil {
			t.Errorf("%s refused: %v", tc.addr, err)
		}
		if !tc.ok && !errors.Is(err, ErrAddressNotAllowed) {
			t.Errorf("%s allowed (err %v)", tc.addr, err)
		}
	}
	if err := Control("tcp", "not an address", nil); !errors.Is(err, ErrAddressNotAllowed) {
		t.Errorf("unparsable address: %v", err)
	}
}

// counter is a test server that counts the requests it was sent.
type counter struct {
	*httptest.Server
	hits atomic.Int32
}

func newCounter(t *testing.T, listen string, h http.HandlerFunc) *counter {
	t.Helper()
	c := &counter{}
	c.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		if h != nil {
			h(w, r)
			return
		}
		fmt.Fprint(w, "internal secret")
	}))
	if listen != "" {
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			t.Skipf("listen on %s: %v", listen, err)
		}
		_ = c.Listener.Close()
		c.Listener = ln
	}
	c.Start()
	t.Cleanup(c.Close)
	return c
}

func TestClientNeverReachesLoopback(t *testing.T) {
	srv := newCounter(t, "", nil)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	client := Client(false, nil)
	for _, host := range []string{"127.0.0.1", "localhost", "[::1]", "[::ffff:127.0.0.1]"} {
		res, err := client.Get("http://" + host + ":" + port + "/")
		if err == nil {
			_ = res.Body.Close()
			t.Errorf("%s: request went through", host)
			continue
		}
		if !errors.Is(err, ErrAddressNotAllowed) {
			t.Errorf("%s: err %v, want ErrAddressNotAllowed", host, err)
		}
	}
	if n := srv.hits.Load(); n != 0 {
		t.Fatalf("the loopback server was reached %d times", n)
	}

	// The operator's allowance lets the same request through.
	res, err := Client(true, nil).Get(srv.URL + "/")
	if err != nil {
		t.Fatalf("with private networks allowed: %v", err)
	}
	_ = res.Body.Close()
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("hits %d, want 1", n)
	}
}

// A redirect is a new connection, and the guard checks it like the first: a site that
// is allowed can't send the client on to a refused address.
func TestRedirectToRefusedAddressIsRefused(t *testing.T) {
	internal := newCounter(t, "127.0.0.1:0", nil)
	public := newCounter(t, "127.0.0.2:0", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/admin", http.StatusFound)
	})
	// The "public" server stands for an address on the internet.
	pretend := netip.MustParseAddr("127.0.0.2")
	d := Dialer(false)
	d.Control = control(func(ip netip.Addr) bool { return ip == pretend || Public(ip) })
	client := &http.Client{Transport: transport(nil, d, false)}

	res, err := client.Get(public.URL + "/")
	if err == nil {
		_ = res.Body.Close()
		t.Fatal("the redirect was followed")
	}
	if !errors.Is(err, ErrAddressNotAllowed) {
		t.Fatalf("err %v, want ErrAddressNotAllowed", err)
	}
	if public.hits.Load() != 1 || internal.hits.Load() != 0 {
		t.Fatalf("hits: public %d, internal %d; want 1, 0", public.hits.Load(), internal.hits.Load())
	}
}

func TestTransportDropsTheProxyWhenGuarding(t *testing.T) {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.Proxy = http.ProxyFromEnvironment
	if Transport(false, base).Proxy != nil {
		t.Error("a guarded transport keeps a proxy, which would dial for it unchecked")
	}
	if Transport(true, base).Proxy == nil {
		t.Error("with private networks allowed the operator's proxy is dropped")
	}
	if base.DialContext == nil {
		t.Error("the base transport was changed")
	}
}

func TestCheckURL(t *testing.T) {
	for _, tc := range []struct {
		url          string
		allowPrivate bool
		want         error
	}{
		{"https://clinic.example/", false, nil},
		{"http://93.184.215.14:8080/x", false, nil},
		{"http://127.0.0.1:8090/", false, ErrAddressNotAllowed},
		{"http://localhost/", false, ErrAddressNotAllowed},
		{"http://LOCALHOST./", false, ErrAddressNotAllowed},
		{"http://app.localhost/", false, ErrAddressNotAllowed},
		{"http://[::1]:11434/", false, ErrAddressNotAllowed},
		{"http://[::ffff:127.0.0.1]/", false, ErrAddressNotAllowed},
		{"http://169.254.169.254/latest/meta-data/", false, ErrAddressNotAllowed},
		{"http://10.1.2.3/", false, ErrAddressNotAllowed},
		{"http://127.0.0.1:8090/", true, nil},
		{"file:///etc/passwd", false, ErrSchemeNotAllowed},
		{"file:///etc/passwd", true, ErrSchemeNotAllowed},
		{"gopher://clinic.example/", false, ErrSchemeNotAllowed},
	} {
		err := CheckURL(tc.url, tc.allowPrivate)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("CheckURL(%q, %v) = %v, want %v", tc.url, tc.allowPrivate, err, tc.want)
		}
	}
	if err := CheckURL("http:///nohost", false); err == nil {
		t.Error("a URL without a host passed")
	}
}
