package web

import (
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
