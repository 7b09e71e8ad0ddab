package knowledge

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/temoto/robotstxt"

	"frontdesk/internal/netguard"
)

// Crawl defaults.
const (
	DefaultMaxPages    = 50
	DefaultPageTimeout = 15 * time.Second
	DefaultMaxPageSize = 5 << 20
	DefaultUserAgent   = "FrontdeskBot/1.0"
	maxRedirects       = 10
	maxSitemaps        = 20
	maxCrawlDelay      = 2 * time.Second
)

// Reasons a page or a crawl fails, fit to show the practice's staff.
var (
	ErrOffSite          = errors.New("redirect to another site not followed")
	ErrRedirectLoop     = errors.New("redirect loop")
	ErrTooManyRedirects = fmt.Errorf("more than %d redirects", maxRedirects)
	ErrRobots           = errors.New("disallowed by the site's robots.txt")
	ErrPageTooLarge     = fmt.Errorf("page is larger than %d MB", DefaultMaxPageSize>>20)
	ErrNoPages          = errors.New("no usable pages")
)

// ErrUnreachable is every failure to connect (refused, timed out, unknown name, no
// route) as one reason, so a document's error can't be used to scan ports.
var ErrUnreachable = errors.New("could not connect to the site")

// CrawlOptions tunes Crawl; the zero value is usable.
type CrawlOptions struct {
	MaxPages    int           // pages to fetch at most; DefaultMaxPages when 0
	UserAgent   string        // sent, and matched against robots.txt; DefaultUserAgent when ""
	PageTimeout time.Duration // per page, body included; DefaultPageTimeout when 0
	MaxPageSize int64         // bytes; DefaultMaxPageSize when 0

	// AllowPrivateNetworks lets the crawl reach loopback, private and link-local
	// addresses, which a practice's website never is: the operator's choice (see
	// internal/netguard). Without it every connection is checked when it is made, so
	// names, redirects and links are covered alike.
	AllowPrivateNetworks bool
	// Client is copied and its CheckRedirect replaced. When nil, a netguard client
	// that follows AllowPrivateNetworks; a caller's own client must guard its dials.
	Client *http.Client
}

// Page is one crawled page: its text, or in Err why it gave none.
type Page struct {
	URL   string
	Title string
	Text  string
	Err   error
}

// Crawl reads a practice's website for ingestion. startURL is a sitemap (its <urlset>
// pages are read; a <sitemapindex> is followed to its sitemaps) or an HTML page (links
// on the same host are followed breadth first). Only the start URL's host is read
// (with or without "www."), redirects elsewhere aren't followed, robots.txt is honoured
// for the user agent, and each page has a time and size limit. A page that fails is
// returned with its reason in Err; the crawl itself fails (wrapping ErrNoPages, with
// the first page's reason) only when no page gave text. A page on an address that isn't
// allowed fails with netguard.ErrAddressNotAllowed.
func Crawl(ctx context.Context, startURL string, opts CrawlOptions) ([]Page, error) {
	start, err := url.Parse(strings.TrimSpace(startURL))
	if err != nil || (start.Scheme != "http" && start.Scheme != "https") || start.Host == "" {
		return nil, fmt.Errorf("invalid website address %q: it must start with http:// or https://", startURL)
	}
	start.Fragment = ""
	c := newCrawler(start, opts)
	if opts.Client == nil {
		defer c.client.CloseIdleConnections() // its own transport: nothing else reuses them
	}

	c.robots = c.fetchRobots(ctx)
	queue := []*url.URL{start}
	c.seen[start.String()] = true
	sitemapMode := false
	sitemapsQueued := 0
	for len(queue) > 0 && len(c.pages) < c.maxPages {
		if err := ctx.Err(); err != nil {
			return c.pages, err
		}
		u := queue[0]
		queue = queue[1:]
		if !c.robots.Test(u.RequestURI()) {
			c.pages = append(c.pages, Page{URL: u.String(), Err: ErrRobots})
			continue
		}
		if c.fetched > 0 && c.robots.CrawlDelay > 0 {
			select {
			case <-ctx.Done():
				return c.pages, ctx.Err()
			case <-time.After(min(c.robots.CrawlDelay, maxCrawlDelay)):
			}
		}
		res, err := c.fetch(ctx, u)
		if err != nil {
			c.pages = append(c.pages, Page{URL: u.String(), Err: err})
			continue
		}
		if locs, isIndex, ok := parseSitemap(res.body); ok {
			if u == start {
				sitemapMode = true
			}
			for _, loc := range locs {
				lu, err := res.url.Parse(strings.TrimSpace(loc))
				if err != nil || !c.sameSite(lu) || c.seen[lu.String()] {
					continue
				}
				if isIndex {
					if sitemapsQueued >= maxSitemaps {
						break
					}
					sitemapsQueued++
				}
				c.seen[lu.String()] = true
				queue = append(queue, lu)
			}
			continue
		}
		var p Page
		var links []string
		if kind, _ := docKind(res.contentType, res.url.Path, res.body); kind == "html" {
			doc, err := parseHTML(res.body, res.contentType)
			p = Page{URL: res.url.String(), Title: doc.title, Text: strings.TrimSpace(doc.text), Err: err}
			if err == nil && p.Text == "" {
				p.Err = ErrEmpty
			}
			links = doc.links
		} else {
			title, text, err := Extract(res.contentType, res.url.Path, res.body)
			p = Page{URL: res.url.String(), Title: title, Text: text, Err: err}
		}
		if p.Title == "" && p.Err == nil {
			p.Title = res.url.Host + res.url.Path
		}
		c.pages = append(c.pages, p)
		if sitemapMode {
			continue
		}
		for _, href := range links {
			lu, err := res.url.Parse(href)
			if err != nil {
				continue
			}
			lu.Fragment = ""
			if !c.sameSite(lu) || c.seen[lu.String()] || assetExt[strings.ToLower(path.Ext(lu.Path))] || !c.robots.Test(lu.RequestURI()) {
				continue
			}
			c.seen[lu.String()] = true
			queue = append(queue, lu)
		}
	}
	for _, p := range c.pages {
		if p.Err == nil {
			return c.pages, nil
		}
	}
	if len(c.pages) == 0 {
		return nil, fmt.Errorf("%w: the sitemap lists no pages on %s", ErrNoPages, start.Host)
	}
	return c.pages, fmt.Errorf("%w: %s: %w", ErrNoPages, c.pages[0].URL, c.pages[0].Err)
}

// assetExt are links that are never pages with text.
var assetExt = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true, ".svg": true,
	".ico": true, ".css": true, ".js": true, ".json": true, ".zip": true, ".mp4": true,
	".mp3": true, ".mov": true, ".avi": true, ".woff": true, ".woff2": true, ".ttf": true,
	".doc": true, ".docx": true, ".xls": true, ".xlsx": true, ".ppt": true, ".pptx": true,
	".ics": true, ".vcf": true,
}

type crawler struct {
	start    *url.URL
	client   *http.Client
	ua       string
	timeout  time.Duration
	maxSize  int64
	maxPages int
	robots   *robotstxt.Group
	seen     map[string]bool
	pages    []Page
	fetched  int
}

func newCrawler(start *url.URL, opts CrawlOptions) *crawler {
	c := &crawler{
		start: start, ua: opts.UserAgent, timeout: opts.PageTimeout,
		maxSize: opts.MaxPageSize, maxPages: opts.MaxPages, seen: map[string]bool{},
	}
	if c.ua == "" {
		c.ua = DefaultUserAgent
	}
	if c.timeout <= 0 {
		c.timeout = DefaultPageTimeout
	}
	if c.maxSize <= 0 {
		c.maxSize = DefaultMaxPageSize
	}
	if c.maxPages <= 0 {
		c.maxPages = DefaultMaxPages
	}
	client := http.Client{}
	if opts.Client != nil {
		client = *opts.Client
	} else {
		client.Transport = netguard.Transport(opts.AllowPrivateNetworks, nil)
	}
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !c.sameSite(req.URL) {
			return fmt.Errorf("%w (to %s)", ErrOffSite, req.URL.Host)
		}
		for _, v := range via {
			if v.URL.String() == req.URL.String() {
				return fmt.Errorf("%w at %s", ErrRedirectLoop, req.URL)
			}
		}
		if len(via) >= maxRedirects {
			return ErrTooManyRedirects
		}
		return nil
	}
	c.client = &client
	return c
}

// sameSite reports whether u is on the start URL's host, counting "www." as the same
// site because practices' sites redirect between the two all the time.
func (c *crawler) sameSite(u *url.URL) bool {
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	strip := func(h string) string { return strings.TrimPrefix(strings.ToLower(h), "www.") }
	return strip(u.Host) == strip(c.start.Host)
}

type fetched struct {
	url         *url.URL // after redirects
	contentType string
	body        []byte
}

func (c *crawler) fetch(ctx context.Context, u *url.URL) (*fetched, error) {
	c.fetched++
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,application/pdf;q=0.8,*/*;q=0.5")
	res, err := c.client.Do(req)
	if err != nil {
		return nil, c.reason(ctx, err)
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return nil, fmt.Errorf("the server answered %s", res.Status)
	}
	if res.ContentLength > c.maxSize {
		return nil, c.tooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, c.maxSize+1))
	if err != nil {
		return nil, c.reason(ctx, err)
	}
	if int64(len(body)) > c.maxSize {
		return nil, c.tooLarge()
	}
	if isGzip(body) {
		// A gzip sitemap (sitemap.xml.gz), served as a file rather than with a
		// Content-Encoding the transport would have undone.
		if body, err = gunzip(body, c.maxSize); err != nil {
			return nil, err
		}
	}
	return &fetched{url: res.Request.URL, contentType: res.Header.Get("Content-Type"), body: body}, nil
}

func isGzip(b []byte) bool { return len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b }

// gunzip inflates a gzip body up to max bytes: a small file can expand to gigabytes.
func gunzip(body []byte, max int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("the gzip file is damaged")
	}
	out, err := io.ReadAll(io.LimitReader(zr, max+1))
	if err != nil {
		return nil, errors.New("the gzip file is damaged")
	}
	if int64(len(out)) > max {
		return nil, fmt.Errorf("the unpacked file is larger than %d bytes", max)
	}
	return out, nil
}

func (c *crawler) tooLarge() error {
	if c.maxSize == DefaultMaxPageSize {
		return ErrPageTooLarge
	}
	return fmt.Errorf("page is larger than %d bytes", c.maxSize)
}

// reason turns a transport error into the cause alone, without Go's "Get URL:" prefix.
// A failure to connect reads the same whatever the cause, and says nothing of what
// answered: the reason is shown to staff, who must not learn which ports are open.
func (c *crawler) reason(ctx context.Context, err error) error {
	if errors.Is(err, netguard.ErrAddressNotAllowed) {
		return netguard.ErrAddressNotAllowed
	}
	var opErr *net.OpError
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) || errors.As(err, &opErr) && opErr.Op == "dial" {
		return ErrUnreachable
	}
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("the page did not load within %s", c.timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// fetchRobots reads robots.txt; when it can't be read the site is treated as having
// none, as crawlers commonly do (a 5xx answer disallows everything, per the library).
func (c *crawler) fetchRobots(ctx context.Context) *robotstxt.Group {
	allowAll, _ := robotstxt.FromStatusAndBytes(http.StatusNotFound, nil)
	ru := &url.URL{Scheme: c.start.Scheme, Host: c.start.Host, Path: "/robots.txt"}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ru.String(), nil)
	if err != nil {
		return allowAll.FindGroup(c.ua)
	}
	req.Header.Set("User-Agent", c.ua)
	res, err := c.client.Do(req)
	if err != nil {
		return allowAll.FindGroup(c.ua)
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(res.Body, 512<<10))
	if err != nil {
		return allowAll.FindGroup(c.ua)
	}
	data, err := robotstxt.FromStatusAndBytes(res.StatusCode, body)
	if err != nil {
		return allowAll.FindGroup(c.ua)
	}
	return data.FindGroup(c.ua)
}

// parseSitemap reads a sitemap: the page URLs of a <urlset>, or the sitemap URLs of a
// <sitemapindex> (isIndex). ok is false when body is not a sitemap.
func parseSitemap(body []byte) (locs []string, isIndex, ok bool) {
	head := body[:min(len(body), 1024)]
	if !bytes.Contains(head, []byte("<urlset")) && !bytes.Contains(head, []byte("<sitemapindex")) {
		return nil, false, false
	}
	var sm struct {
		XMLName  xml.Name
		URLs     []string `xml:"url>loc"`
		Sitemaps []string `xml:"sitemap>loc"`
	}
	if err := xml.Unmarshal(body, &sm); err != nil {
		return nil, false, false
	}
	switch sm.XMLName.Local {
	case "urlset":
		return sm.URLs, false, true
	case "sitemapindex":
		return sm.Sitemaps, true, true
	}
	return nil, false, false
}
