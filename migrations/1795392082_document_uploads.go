package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Uploads are checked by Frontdesk (hooks/ingest, knowledge.CheckUpload) by their
// extension and content rather than by PocketBase's content sniffer, which calls a
// Markdown file with commas CSV and a Markdown file that opens with a brace JSON, and
// refuses in words ("mime type must be one of") an owner can't act on.
func init() {
	m.Register(func(app core.App) error {
		return setDocumentTypes(app, nil)
	}, func(app core.App) error {
		return setDocumentTypes(app, documentTypes)
	})
}
