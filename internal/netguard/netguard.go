// Package netguard keeps outbound requests to addresses a practice chose (a website to
// crawl, a model's base URL, later webhooks and calendars) off the appliance's own
// networks: loopback, private, link-local and other non-public addresses are refused
// when the connection is made, after DNS, so a name that resolves inward, a DNS
// rebinding or a redirect can't get past the check. The operator's own URLs (from the
// environment) are trusted and don't go through it.
package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrAddressNotAllowed is the one reason a guarded connection is refused. It names no
// port state, so a refused address can't be told apart from a closed one.
var ErrAddressNotAllowed = errors.New("address not allowed")

// ErrSchemeNotAllowed is returned by CheckURL for anything but http and https.
var ErrSchemeNotAllowed = errors.New("only http:// and https:// addresses are allowed")

// refused are the blocks that aren't public unicast destinations, beyond what netip's
// own predicates (loopback, private, link-local, multicast, unspecified) cover.
var refused = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),     // "this network": 0.0.0.0 reaches the host itself
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT, often a provider's internal network
	netip.MustParsePrefix("192.0.0.0/24"),  // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking, used inside some clouds
	netip.MustParsePrefix("240.0.0.0/4"),   // reserved, and the broadcast address
	netip.MustParsePrefix("::/96"),         // IPv4-compatible (deprecated), may route to IPv4
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("fec0::/10"), // site-local (deprecated), private in practice
	netip.MustParsePrefix("100::/64"),  // discard-only
}

// Prefixes that carry an IPv4 address, which is checked in turn.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96") // well-known NAT64: the last 32 bits
	sixToFour = netip.MustParsePrefix("2002::/16")    // 6to4: bits 16 to 48
)

// Public reports whether ip is a public unicast address, one that a practice's URL may
// reach. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) and addresses that embed an IPv4
// one (NAT64, 6to4) are judged by that IPv4 address.
func Public(ip netip.Addr) bool {
	ip = ip.WithZone("").Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() || ip.IsLinkLocalMulticast() {
		return false
	}
	for _, p := range refused {
		if p.Contains(ip) {
			return false
		}
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip):
		return Public(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(ip):
		return Public(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return true
}

// Control is a net.Dialer Control function that refuses to connect to an address that
// isn't Public. It runs for every address a dial tries, after name resolution, so it
// holds for each redirect and each DNS answer.
func Control(network, address string, _ syscall.RawConn) error {
	return control(Public)(network, address, nil)
}

func control(public func(netip.Addr) bool) func(string, string, syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !public(ap.Addr()) {
			return ErrAddressNotAllowed
		}
		return nil
	}
}

// Dialer returns a dialer with http.DefaultTransport's timeouts that refuses non-public
// addresses; with allowPrivate (the operator's choice) it connects anywhere.
func Dialer(allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = Control
	}
	return d
}

// Transport returns a copy of base (http.DefaultTransport's settings when nil) whose
// connections go through Dialer(allowPrivate). When private addresses are refused the
// copy uses no proxy: a proxy would make the connection for us, and the check would
// only ever see the proxy's address.
func Transport(allowPrivate bool, base *http.Transport) *http.Transport {
	return transport(base, Dialer(allowPrivate), allowPrivate)
}

func transport(base *http.Transport, d *net.Dialer, keepProxy bool) *http.Transport {
	if base == nil {
		base = http.DefaultTransport.(*http.Transport)
	}
	t := base.Clone()
	t.DialContext = d.DialContext
	// A custom TLS dial would bypass DialContext; TLS then runs over the guarded dial.
	t.DialTLSContext = nil
	//lint:ignore SA1019 the deprecated hook would bypass DialContext as well
	t.DialTLS = nil
	if !keepProxy {
		t.Proxy = nil
	}
	return t
}

// Client returns an http.Client over Transport(allowPrivate, base), for requests to
// addresses a practice chose.
func Client(allowPrivate bool, base *http.Transport) *http.Client {
	return &http.Client{Transport: Transport(allowPrivate, base)}
}

// CheckURL validates a URL a practice gave before any request: it must be http or
// https with a host, and unless allowPrivate, its host must not be a non-public IP
// address or a localhost name. Names are resolved only when connecting, where the
// guarded dialer checks what they resolve to; this check just fails early and clearly.
func CheckURL(rawURL string, allowPrivate bool) error {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return fmt.Errorf("invalid address: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ErrSchemeNotAllowed
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return errors.New("invalid address: no host")
	}
	if allowPrivate {
		return nil
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return ErrAddressNotAllowed
	}
	if ip, err := netip.ParseAddr(host); err == nil && !Public(ip) {
		return ErrAddressNotAllowed
	}
	return nil
}
