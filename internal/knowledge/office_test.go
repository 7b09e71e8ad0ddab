package knowledge

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// docx builds a minimal Word file with the given paragraphs; a paragraph "H1:Text" has
// the Heading1 style.
func docx(t *testing.T, paras ...string) []byte {
	t.Helper()
	var body strings.Builder
	for _, p := range paras {
		style := ""
		if h, text, ok := strings.Cut(p, ":"); ok && strings.HasPrefix(h, "H") {
			style = `<w:pPr><w:pStyle w:val="Heading` + h[1:] + `"/></w:pPr>`
			p = text
		}
		// Word splits a paragraph into runs wherever formatting changes.
		half := len(p) / 2
		fmt.Fprintf(&body, `<w:p>%s<w:r><w:t>%s</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r></w:p>`, style, escape(p[:half]), escape(p[half:]))
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/document.xml":   `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func TestExtractDOCX(t *testing.T) {
	data := docx(t, "H1:New patient guide", "Bring your insurance card & a photo ID.", "H2:Parking", "Free parking behind the building.")
	for _, ct := range []string{docxType, ""} {
		title, text, err := Extract(ct, "guide.docx", data)
		if err != nil {
			t.Fatal(err)
		}
		if title != "New patient guide" {
			t.Errorf("title = %q", title)
		}
		for _, want := range []string{"# New patient guide", "Bring your insurance card & a photo ID.", "## Parking", "Free parking behind the building."} {
			if !strings.Contains(text, want) {
				t.Errorf("text lacks %q:\n%s", want, text)
			}
		}
	}
	if _, _, err := Extract("", "broken.docx", []byte("PK not really a zip")); !errors.Is(err, ErrDOCX) {
		t.Errorf("damaged docx: %v", err)
	}
}

// A Markdown file with commas sniffs as CSV; its name says what it is.
func TestExtractMarkdownThatLooksLikeCSV(t *testing.T) {
	md := "# Fees\n\nExam, cleaning, x-rays: $180\nWhitening, per visit: $250\n"
	_, text, err := Extract("text/csv", "fees.md", []byte(md))
	if err != nil || text != strings.TrimSpace(md) {
		t.Fatalf("text = %q, %v", text, err)
	}
}

func TestExtractCSV(t *testing.T) {
	csv := "Service,Price,Duration\nCleaning,$120,45 min\nCrown,\"$1,200\",90 min\n"
	_, text, err := Extract("text/csv", "prices.csv", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Service: Crown; Price: $1,200; Duration: 90 min", "Service: Cleaning; Price: $120"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

func TestCrawlGzipSitemap(t *testing.T) {
	var s *site
	s = newSite(t, map[string]http.HandlerFunc{
		"/sitemap.xml.gz": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/gzip")
			zw := gzip.NewWriter(w)
			fmt.Fprintf(zw, `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>%s/hours</loc></url></urlset>`, s.URL)
			_ = zw.Close()
		},
		"/hours": htmlPage("Hours", "<p>Open 9 to 5.</p>"),
	})
	pages, err := Crawl(context.Background(), s.URL+"/sitemap.xml.gz", CrawlOptions{AllowPrivateNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 1 || pageByURL(pages, "/hours") == nil || pages[0].Err != nil {
		t.Fatalf("pages = %+v", pages)
	}
}
