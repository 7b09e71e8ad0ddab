package knowledge

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"frontdesk/internal/netguard"
)

// site is a fake practice website; it counts the requests for each path.
type site struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newSite(t *testing.T, routes map[string]http.HandlerFunc) *site {
	t.Helper()
	s := &site{hits: map[string]int{}}
	mux := http.NewServeMux()
	for p, h := range routes {
		mux.HandleFunc(p, h)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *site) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func htmlPage(title, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><head><title>%s</title></head><body>%s</body></html>", title, body)
	}
}

func text(s string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, s) }
}

func redirect(to string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusFound) }
}

func pageByURL(pages []Page, suffix string) *Page {
	for i := range pages {
		if strings.HasSuffix(pages[i].URL, suffix) {
			return &pages[i]
		}
	}
	return nil
}

func TestCrawlSite(t *testing.T) {
	other := newSite(t, map[string]http.HandlerFunc{"/": htmlPage("Elsewhere", "<p>Not ours.</p>")})
	s := newSite(t, map[string]http.HandlerFunc{
		"/robots.txt": text("User-agent: FrontdeskBot\nDisallow: /private\n\nUser-agent: *\nDisallow: /\n"),
		"/{$}": htmlPage("Home", `<h1>Welcome</h1><p>We are a clinic.</p>
			<a href="/fees#top">Fees</a> <a href="fees">Fees again</a> <a href="/cafe">Café</a>
			<a href="/private/notes">Private</a> <a href="`+other.URL+`/">Partner</a>
			<a href="/loop1">Loop</a> <a href="/offsite">Partner shop</a> <a href="/logo.png">logo</a>
			<a href="mailto:desk@example.com">Mail</a> <a href="/missing">Old page</a>`),
		"/fees": htmlPage("Fees", "<h2>Prices</h2><p>A visit is $90.</p>"),
		"/cafe": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=windows-1252")
			fmt.Fprint(w, "<html><head><title>Caf\xe9</title></head><body><p>Our caf\xe9 is next door.</p></body></html>")
		},
		"/private/notes": htmlPage("Secret", "<p>Staff only.</p>"),
		"/loop1":         redirect("/loop2"),
		"/loop2":         redirect("/loop1"),
		"/offsite":       redirect(other.URL + "/"),
		"/logo.png":      text("png"),
	})

	pages, err := Crawl(context.Background(), s.URL+"/", CrawlOptions{AllowPrivateNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	home := pageByURL(pages, s.URL[len("http://"):]+"/")
	if home == nil || home.Err != nil || home.Title != "Home" || !strings.Contains(home.Text, "# Welcome") {
		t.Fatalf("home = %+v", home)
	}
	if p := pageByURL(pages, "/fees"); p == nil || p.Err != nil || !strings.Contains(p.Text, "$90") {
		t.Fatalf("fees = %+v", p)
	}
	if p := pageByURL(pages, "/cafe"); p == nil || p.Title != "Café" || !strings.Contains(p.Text, "Our café is next door.") {
		t.Fatalf("Windows-1252 page = %+v", p)
	}
	if p := pageByURL(pages, "/loop1"); p == nil || !errors.Is(p.Err, ErrRedirectLoop) {
		t.Fatalf("loop = %+v", p)
	}
	if p := pageByURL(pages, "/offsite"); p == nil || !errors.Is(p.Err, ErrOffSite) {
		t.Fatalf("off-site redirect = %+v", p)
	}
	if p := pageByURL(pages, "/missing"); p == nil || p.Err == nil || !strings.Contains(p.Err.Error(), "404") {
		t.Fatalf("missing = %+v", p)
	}
	if n := s.hitCount("/fees"); n != 1 {
		t.Errorf("/fees fetched %d times, want once (fragment and relative link are the same page)", n)
	}
	if s.hitCount("/private/notes") != 0 {
		t.Error("robots.txt Disallow for our user agent not honoured")
	}
	if s.hitCount("/logo.png") != 0 {
		t.Error("image fetched as a page")
	}
	other.mu.Lock()
	defer other.mu.Unlock()
	if len(other.hits) != 0 {
		t.Errorf("another site was fetched: %v", other.hits)
	}
}

func TestCrawlPageLimit(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{
		"/p/": func(w http.ResponseWriter, r *http.Request) {
			var links strings.Builder
			for i := 0; i < 20; i++ {
				fmt.Fprintf(&links, `<a href="/p/%s-%d">more</a>`, strings.TrimPrefix(r.URL.Path, "/p/"), i)
			}
			htmlPage("Page", "<p>Some text.</p>"+links.String())(w, r)
		},
	})
	pages, err := Crawl(context.Background(), s.URL+"/p/start", CrawlOptions{MaxPages: 7, AllowPrivateNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 7 {
		t.Fatalf("got %d pages, want 7", len(pages))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fetched := 0
	for p, n := range s.hits {
		if p != "/robots.txt" {
			fetched += n
		}
	}
	if fetched != 7 {
		t.Fatalf("fetched %d pages for a 7-page limit", fetched)
	}
}

func TestCrawlFailures(t *testing.T) {
	other := newSite(t, map[string]http.HandlerFunc{"/": htmlPage("Elsewhere", "<p>Not ours.</p>")})
	s := newSite(t, map[string]http.HandlerFunc{
		"/robots.txt": text("User-agent: *\nDisallow: /closed\n"),
		"/closed":     htmlPage("Closed", "<p>No robots.</p>"),
		"/away":       redirect(other.URL + "/"),
		"/loop":       redirect("/loop"),
		"/chain/":     func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path+"x", http.StatusFound) },
		"/empty":      htmlPage("Empty", "<script>only()</script>"),
		"/big":        text(strings.Repeat("big text ", 1000)),
		"/slow": func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done() // never answers; the crawler's timeout must end it
		},
	})
	cases := []struct {
		path string
		opts CrawlOptions
		want error
		msg  string
	}{
		{"/closed", CrawlOptions{}, ErrRobots, "robots.txt"},
		{"/away", CrawlOptions{}, ErrOffSite, "another site"},
		{"/loop", CrawlOptions{}, ErrRedirectLoop, "redirect loop"},
		{"/chain/", CrawlOptions{}, ErrTooManyRedirects, "redirects"},
		{"/empty", CrawlOptions{}, ErrEmpty, "no text"},
		{"/big", CrawlOptions{MaxPageSize: 1000}, nil, "larger than 1000 bytes"},
		{"/slow", CrawlOptions{PageTimeout: 100 * time.Millisecond}, nil, "did not load within"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			c.opts.AllowPrivateNetworks = true // the fake site is on loopback
			pages, err := Crawl(context.Background(), s.URL+c.path, c.opts)
			if !errors.Is(err, ErrNoPages) {
				t.Fatalf("err = %v, want ErrNoPages", err)
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("err = %q, want it to say %q", err, c.msg)
			}
			if len(pages) != 1 || pages[0].Err == nil {
				t.Fatalf("pages = %+v", pages)
			}
		})
	}
	if s.hitCount("/closed") != 0 {
		t.Error("page disallowed by robots.txt was fetched")
	}
	other.mu.Lock()
	defer other.mu.Unlock()
	if len(other.hits) != 0 {
		t.Errorf("off-site redirect followed: %v", other.hits)
	}
	if _, err := Crawl(context.Background(), "ftp://example.com/", CrawlOptions{}); err == nil || !strings.Contains(err.Error(), "invalid website address") {
		t.Errorf("ftp URL: %v", err)
	}
}

func TestCrawlSitemap(t *testing.T) {
	var s *site
	s = newSite(t, map[string]http.HandlerFunc{
		"/sitemap.xml": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>%s/pages.xml</loc></sitemap>
  <sitemap><loc>https://elsewhere.example/sitemap.xml</loc></sitemap>
</sitemapindex>`, s.URL)
		},
		"/pages.xml": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>%[1]s/hours</loc><lastmod>2025-01-01</lastmod></url>
  <url><loc> %[1]s/fees </loc></url>
  <url><loc>https://elsewhere.example/page</loc></url>
</urlset>`, s.URL)
		},
		"/hours": htmlPage("Hours", `<p>Open 9 to 5.</p><a href="/not-in-sitemap">x</a>`),
		"/fees":  htmlPage("Fees", "<p>$90 a visit.</p>"),
	})
	pages, err := Crawl(context.Background(), s.URL+"/sitemap.xml", CrawlOptions{AllowPrivateNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 || pageByURL(pages, "/hours") == nil || pageByURL(pages, "/fees") == nil {
		t.Fatalf("pages = %+v", pages)
	}
	for _, p := range pages {
		if p.Err != nil || p.Text == "" {
			t.Fatalf("page %+v", p)
		}
	}
	if s.hitCount("/not-in-sitemap") != 0 {
		t.Error("links followed when crawling a sitemap")
	}
}

func TestCrawlCancelled(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{"/": htmlPage("Home", "<p>Hi.</p>")})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Crawl(ctx, s.URL+"/", CrawlOptions{AllowPrivateNetworks: true}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestCrawlNeverReachesLoopbackUnlessAllowed(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{"/": htmlPage("Router", "<p>Admin password: hunter2.</p>")})
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	for _, u := range []string{s.URL + "/", "http://localhost:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/"} {
		pages, err := Crawl(context.Background(), u, CrawlOptions{})
		if !errors.Is(err, netguard.ErrAddressNotAllowed) {
			t.Errorf("%s: err = %v, want ErrAddressNotAllowed", u, err)
		}
		for _, p := range pages {
			if p.Text != "" {
				t.Errorf("%s: text of %s read", u, p.URL)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.hits) != 0 {
		t.Fatalf("the loopback site was reached: %v", s.hits)
	}
}

func TestCrawlConnectionFailureSaysNothingOfThePort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/"
	_ = ln.Close()
	_, err = Crawl(context.Background(), closed, CrawlOptions{AllowPrivateNetworks: true})
	if !errors.Is(err, ErrUnreachable) || strings.Contains(err.Error(), "refused") {
		t.Fatalf("err = %v, want ErrUnreachable alone", err)
	}
	_, err = Crawl(context.Background(), "http://no-such-host.invalid/", CrawlOptions{})
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("unknown name: err = %v, want ErrUnreachable", err)
	}
}
