package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

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
