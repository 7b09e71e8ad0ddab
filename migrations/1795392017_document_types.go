package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// documentTypes are the uploads knowledge ingestion reads, as PocketBase's content
// sniffer names them: a Markdown file with commas in it sniffs as text/csv, and a Word
// file as the .docx type (or, for some writers, a plain zip, which extraction checks).
var documentTypes = []string{
	"text/plain", "text/markdown", "text/x-markdown", "text/csv", "text/html", "application/pdf",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip",
}

func init() {
	m.Register(func(app core.App) error {
		return setDocumentTypes(app, documentTypes)
	}, func(app core.App) error {
		return setDocumentTypes(app, []string{"text/plain", "text/markdown", "text/html", "application/pdf"})
	})
}

func setDocumentTypes(app core.App, types []string) error {
	c, err := app.FindCollectionByNameOrId("documents")
	if err != nil {
		return err
	}
	f, ok := c.Fields.GetByName("file").(*core.FileField)
	if !ok {
		return nil
	}
	f.MimeTypes = types
	f.Help = "Text, Markdown, CSV, HTML, PDF or Word (.docx), 20 MB at most."
	return app.Save(c)
}
