package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"frontdesk/hooks/web"
	"frontdesk/internal/secrets"
	"frontdesk/tests"
)

// consoleDir is the console's source folder, pb_public/console.
var consoleDir = filepath.Join(tests.RepoRoot(), "pb_public", "console")

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// No automatic redirects: the redirect itself is checked.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

// The console is served from the binary's assets at /console/, under a strict CSP, with
// index.html for the hash router's deep links, index.html never cached, and the other
// files revalidated by content hash (or cached for a year when asked by their hash).
func TestConsoleServed(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	res, _ := get(t, srv.URL+"/console")
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/console/" {
		t.Errorf("/console: %d to %q, want 301 to /console/", res.StatusCode, res.Header.Get("Location"))
	}
	index, err := os.ReadFile(filepath.Join(consoleDir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/console/", "/console/index.html", "/console/inbox", "/console/some/deep/link"} {
		res, body := get(t, srv.URL+path)
		if res.StatusCode != http.StatusOK || !bytes.Equal(body, index) {
			t.Errorf("%s: %d, %d bytes; want index.html", path, res.StatusCode, len(body))
			continue
		}
		h := res.Header
		if h.Get("Content-Security-Policy") != web.ConsoleCSP || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Errorf("%s: CSP %q, type %q", path, h.Get("Content-Security-Policy"), h.Get("Content-Type"))
		}
		if h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(web.ConsoleCSP, want) {
			t.Errorf("CSP lacks %q", want)
		}
	}
	if strings.Contains(web.ConsoleCSP, "unsafe") {
		t.Errorf("CSP allows unsafe sources: %s", web.ConsoleCSP)
	}
	// Inline script or style would be refused by that CSP.
	if regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]|<style|\sstyle=|\son[a-z]+=`).Match(index) {
		t.Error("index.html has inline script, style or event handlers, which the CSP refuses")
	}

	// A missing file is a 404, not the page.
	if res, _ := get(t, srv.URL+"/console/pages/nope.js"); res.StatusCode != http.StatusNotFound {
		t.Errorf("missing module: %d, want 404", res.StatusCode)
	}

	app, _ := os.ReadFile(filepath.Join(consoleDir, "app.js"))
	res, body := get(t, srv.URL+"/console/app.js")
	etag := res.Header.Get("ETag")
	if res.StatusCode != http.StatusOK || !bytes.Equal(body, app) || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") ||
		res.Header.Get("Cache-Control") != "no-cache" || etag == "" {
		t.Fatalf("app.js: %d %v", res.StatusCode, res.Header)
	}
	if res, _ := get(t, srv.URL+"/console/app.js", "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
		t.Errorf("app.js revalidation: %d, want 304", res.StatusCode)
	}
	if res, _ := get(t, srv.URL+"/console/pages/inbox.js", "Accept-Encoding", "gzip"); res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("a module is not compressed: %v", res.Header)
	}
	sdk := vendoredSDKImport(t)
	res, _ = get(t, srv.URL+"/console/vendor/pocketbase.es.mjs?v="+sdk)
	if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("vendored SDK by its hash: %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
}

// vendoredSDKImport is the hash app.js imports the vendored SDK by.
func vendoredSDKImport(t *testing.T) string {
	t.Helper()
	app, err := os.ReadFile(filepath.Join(consoleDir, "app.js"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`from '\./vendor/pocketbase\.es\.mjs\?v=([0-9a-f]+)'`).FindSubmatch(app)
	if m == nil {
		t.Fatal("app.js does not import ./vendor/pocketbase.es.mjs?v=HASH")
	}
	return string(m[1])
}

// The vendored SDK is the npm package's file, unchanged: its SHA-256 is the one
// vendor/VERSION records, app.js imports it by that hash, and its licence is beside it.
func TestConsoleVendoredSDK(t *testing.T) {
	sdk, err := os.ReadFile(filepath.Join(consoleDir, "vendor", "pocketbase.es.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	version, err := os.ReadFile(filepath.Join(consoleDir, "vendor", "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	sum := secrets.Digest(sdk)
	if !strings.Contains(string(version), "sha256 "+sum+"  pocketbase.es.mjs") || !strings.Contains(string(version), "0.27.3") {
		t.Errorf("vendor/pocketbase.es.mjs has SHA-256 %s, which vendor/VERSION does not record:\n%s", sum, version)
	}
	if got := vendoredSDKImport(t); got != sum[:16] {
		t.Errorf("app.js imports the SDK as ?v=%s, its hash is %s", got, sum[:16])
	}
	index, _ := os.ReadFile(filepath.Join(consoleDir, "index.html"))
	if !strings.Contains(string(index), "vendor/pocketbase.es.mjs?v="+sum[:16]) {
		t.Error("index.html preloads the SDK by another hash")
	}
	if lic, err := os.ReadFile(filepath.Join(consoleDir, "vendor", "LICENSE.md")); err != nil || !strings.Contains(string(lic), "MIT") {
		t.Errorf("vendor/LICENSE.md: %v", err)
	}
}

// All of the console's JavaScript together stays under 150 KB gzipped.
func TestConsoleSizeBudget(t *testing.T) {
	const budget = 150 << 10
	total := 0
	err := filepath.WalkDir(consoleDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !slices.Contains([]string{".js", ".mjs"}, filepath.Ext(path)) {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		total += buf.Len()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("console JavaScript: %d bytes gzipped", total)
	if total == 0 || total > budget {
		t.Errorf("console JavaScript is %d bytes gzipped, budget %d", total, budget)
	}
}

// Both languages have every text, and every t('key') the console uses exists.
func TestConsoleTranslationsComplete(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(consoleDir, "i18n.js"))
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string][]string{}
	lang := ""
	entry := regexp.MustCompile(`^\s+'([^']*)': '`)
	for line := range strings.SplitSeq(string(src), "\n") {
		if m := regexp.MustCompile(`^  (\w+): \{$`).FindStringSubmatch(line); m != nil {
			lang = m[1]
			continue
		}
		if line == "  }," {
			lang = ""
		}
		if m := entry.FindStringSubmatch(line); m != nil && lang != "" {
			keys[lang] = append(keys[lang], m[1])
		}
	}
	en, es := keys["en"], keys["es"]
	if len(keys) != 2 || len(en) < 100 {
		t.Fatalf("i18n.js: languages %d, English keys %d", len(keys), len(en))
	}
	for _, k := range en {
		if !slices.Contains(es, k) {
			t.Errorf("Spanish lacks %q", k)
		}
	}
	for _, k := range es {
		if !slices.Contains(en, k) {
			t.Errorf("English lacks %q", k)
		}
	}
	// Every literal key passed to t() in the console's code.
	used := regexp.MustCompile(`\bt\('([^']+)'`)
	_ = filepath.WalkDir(consoleDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".js" || filepath.Base(path) == "i18n.js" {
			return err
		}
		body, _ := os.ReadFile(path)
		for _, m := range used.FindAllSubmatch(body, -1) {
			k := string(m[1])
			// A key ending in "." is completed at run time (t('status.' + s)): one key
			// of that prefix must exist.
			if strings.HasSuffix(k, ".") {
				if !slices.ContainsFunc(en, func(e string) bool { return strings.HasPrefix(e, k) }) {
					t.Errorf("%s uses keys %s* and none exists", filepath.Base(path), k)
				}
				continue
			}
			if !slices.Contains(en, k) {
				t.Errorf("%s uses t(%q), which i18n.js lacks", filepath.Base(path), k)
			}
		}
		return nil
	})
}
