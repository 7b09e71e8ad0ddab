package web

import (
	"bytes"
	"io/fs"
	"net/http"

	"frontdesk/internal/secrets"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// bindStatic serves the web assets: the demo page at /, the widget with a content-hash
// ETag (revalidated daily, or cached for a year when requested as /widget.js?v=HASH),
// and the staff console at /console/.
func bindStatic(se *core.ServeEvent, public fs.FS) {
	if public == nil {
		return
	}
	bindConsole(se, public)
	widget, err := fs.ReadFile(public, "widget.js")
	if err == nil {
		widget = CompactScript(widget)
		hash := secrets.Digest(widget)[:16]
		etag := `"` + hash + `"`
		se.Router.GET("/widget.js", func(e *core.RequestEvent) error {
			h := e.Response.Header()
			h.Set("ETag", etag)
			h.Set("Content-Type", "text/javascript; charset=utf-8")
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Cross-Origin-Resource-Policy", "cross-origin")
			if e.Request.URL.Query().Get("v") == hash {
				h.Set("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				h.Set("Cache-Control", "public, max-age=86400, stale-while-revalidate=604800")
			}
			if match := e.Request.Header.Get("If-None-Match"); match == etag || match == "W/"+etag {
				return e.NoContent(http.StatusNotModified)
			}
			return e.Blob(http.StatusOK, "text/javascript; charset=utf-8", widget)
		}).Bind(apis.Gzip())
	}
	if !se.Router.HasRoute(http.MethodGet, "/{path...}") {
		se.Router.GET("/{path...}", apis.Static(public, false)).Bind(apis.Gzip())
	}
}

// CompactScript is src without its indentation, blank lines and whole-line // comments:
// the widget as every page of a practice's website loads it, a fifth lighter gzipped,
// with the source kept readable and no build step. It leaves every line's code as it
// is, so it holds for any script whose only multi-line literal is insensitive to
// leading white space (the widget's is its CSS).
func CompactScript(src []byte) []byte {
	out := make([]byte, 0, len(src))
	for line := range bytes.Lines(src) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || bytes.HasPrefix(line, []byte("//")) {
			continue
		}
		out = append(append(out, line...), '\n')
	}
	return out
}
