package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

func init() {
	m.Register(func(app core.App) error {
		biz, err := businessRelation(app)
		if err != nil {
			return err
		}
		c := core.NewBaseCollection("documents")
		c.ListRule = ptr(ruleStaff)
		c.ViewRule = ptr(ruleStaff)
		c.CreateRule = ptr(ruleEditor)
		c.UpdateRule = ptr(ruleEditor + ruleKeepBiz)
		c.DeleteRule = ptr(ruleOwner)
		one, maxPages := 1.0, 500.0
		c.Fields.Add(
			biz,
			&core.TextField{Name: "title", Max: 300, Presentable: true},
			&core.FileField{Name: "file", MaxSelect: 1, MaxSize: 20 << 20, MimeTypes: []string{"text/plain", "text/markdown", "text/html", "application/pdf"}, Protected: true},
			&core.URLField{Name: "url", Help: "A page or sitemap.xml of the practice's own website."},
			&core.NumberField{Name: "max_pages", OnlyInt: true, Min: &one, Max: &maxPages, Help: "Pages to crawl from the URL (default 50)."},
			&core.SelectField{Name: "status", Values: []string{"queued", "indexing", "ready", "failed"}, MaxSelect: 1},
			&core.TextField{Name: "error", Max: 1000},
			&core.NumberField{Name: "chunks", OnlyInt: true},
		)
		timestamps(c)
		c.AddIndex("idx_documents_business", false, "business", "")
		return app.Save(c)
	}, func(app core.App) error {
		return dropCollection(app, "documents")
	})
}
