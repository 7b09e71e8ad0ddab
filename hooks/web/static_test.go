package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"frontdesk/hooks/web"
	"frontdesk/tests"
)

// The demo page and the widget are served from the embedded assets, the widget with a
// content-hash ETag.
func TestDemoPageAndWidget(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), `data-business="demo"`) || !strings.Contains(string(page), `src="/widget.js"`) {
		t.Fatalf("demo page: %d %.200s", res.StatusCode, page)
	}
	res, err = http.Get(srv.URL + "/widget.js")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || etag == "" || !strings.Contains(res.Header.Get("Cache-Control"), "max-age") {
		t.Fatalf("widget.js: %d %v", res.StatusCode, res.Header)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/widget.js", nil)
	req.Header.Set("If-None-Match", etag)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation: %d", res.StatusCode)
	}
	res, _ = http.Get(srv.URL + "/widget.js?v=" + strings.Trim(etag, `"`))
	res.Body.Close()
	if !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("versioned widget not long-cached: %v", res.Header.Get("Cache-Control"))
	}
}

// widgetBudget is the most widget.js may weigh gzipped (BENCHMARKS.md, "The widget"):
// every page of a practice's website loads it.
const widgetBudget = 12 << 10

func TestWidgetKeepsItsSizeBudget(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(tests.RepoRoot(), "pb_public", "widget.js"))
	if err != nil {
		t.Fatal(err)
	}
	served := web.CompactScript(src)
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(served)
	_ = zw.Close()
	if buf.Len() > widgetBudget {
		t.Fatalf("widget.js is served as %d bytes gzipped, over its budget of %d", buf.Len(), widgetBudget)
	}
	t.Logf("widget.js: %d bytes, served as %d, %d gzipped", len(src), len(served), buf.Len())
}

func TestCompactScriptDropsOnlyLayoutAndWholeLineComments(t *testing.T) {
	src := "// header\n(function () {\n  // a note\n  const u = 'https://example.com/x'; // kept: not a whole line\n\n  const css = `\n    .a{color:red}\n  `;\n})();\n"
	want := "(function () {\nconst u = 'https://example.com/x'; // kept: not a whole line\nconst css = `\n.a{color:red}\n`;\n})();\n"
	if got := string(web.CompactScript([]byte(src))); got != want {
		t.Fatalf("compacted:\n%s\nwant:\n%s", got, want)
	}
}
