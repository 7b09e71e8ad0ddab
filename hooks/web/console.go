package web

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"frontdesk/internal/secrets"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// ConsoleCSP is the staff console's Content-Security-Policy: everything from this
// origin only, no inline script or style, no framing. The console's realtime
// (EventSource) and API calls are same-origin, so connect-src 'self' is all it needs.
const ConsoleCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// consoleFile is one console asset held in memory with its content hash.
type consoleFile struct {
	body  []byte
	ctype string
	hash  string // the first 16 hex digits of its SHA-256
}

// bindConsole serves the staff console (pb_public/console) at /console/: a single page
// whose hash router needs index.html for any path without a file extension. index.html
// is never cached, so a new binary's console is picked up at the next load; the other
// files revalidate by content-hash ETag, and a request naming the file's hash
// (?v=HASH, as app.js imports the vendored SDK) is cached for a year.
func bindConsole(se *core.ServeEvent, public fs.FS) {
	root, err := fs.Sub(public, "console")
	if err != nil {
		return
	}
	files := map[string]consoleFile{}
	_ = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		files[name] = consoleFile{body: body, ctype: contentType(name), hash: secrets.Digest(body)[:16]}
		return nil
	})
	index, ok := files["index.html"]
	if !ok {
		return
	}
	se.Router.GET("/console", func(e *core.RequestEvent) error {
		return e.Redirect(http.StatusMovedPermanently, "/console/")
	})
	se.Router.GET("/console/{path...}", func(e *core.RequestEvent) error {
		h := e.Response.Header()
		h.Set("Content-Security-Policy", ConsoleCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		name := e.Request.PathValue("path")
		f, found := files[name]
		if !found || name == "index.html" {
			if path.Ext(name) != "" && name != "index.html" {
				return e.NotFoundError("", nil)
			}
			h.Set("Cache-Control", "no-store")
			return e.Blob(http.StatusOK, index.ctype, index.body)
		}
		etag := `"` + f.hash + `"`
		h.Set("ETag", etag)
		if e.Request.URL.Query().Get("v") == f.hash {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		if match := e.Request.Header.Get("If-None-Match"); match == etag || match == "W/"+etag {
			return e.NoContent(http.StatusNotModified)
		}
		return e.Blob(http.StatusOK, f.ctype, f.body)
	}).Bind(apis.Gzip())
}

// contentType is the media type of a console file by its extension.
func contentType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".json":
		return "application/json"
	}
	return "text/plain; charset=utf-8"
}
