package knowledge

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
)

// MaxFileSize is the largest document Extract accepts: far above any practice's
// brochure, and small enough that a runaway upload can't exhaust a small VPS.
const MaxFileSize = 20 << 20

// Reasons a document yields no text; each message is fit to show the practice's staff.
var (
	ErrEmpty       = errors.New("file has no text")
	ErrTooLarge    = fmt.Errorf("file is larger than %d MB", MaxFileSize>>20)
	ErrUnsupported = errors.New("unsupported file type")
	ErrPDF         = errors.New("could not read PDF")
)

// ReadLimited reads r up to MaxFileSize and fails with ErrTooLarge as soon as it
// passes it, so an oversized upload is refused without reading it all.
func ReadLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read file: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, ErrTooLarge
	}
	return data, nil
}

// Extract returns the title and text of a document: plain text, Markdown, CSV, HTML,
// PDF or Word (.docx),
// told apart by contentType, then the file name's extension, then the bytes. HTML
// headings come out as "# " lines so ChunkText keeps passages under their headings.
// The title is "" when the document has none. Errors wrap ErrEmpty, ErrTooLarge,
// ErrUnsupported or ErrPDF.
func Extract(contentType, filename string, data []byte) (title, text string, err error) {
	if len(data) > MaxFileSize {
		return "", "", ErrTooLarge
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return "", "", ErrEmpty
	}
	kind, params := docKind(contentType, filename, data)
	switch kind {
	case "text":
		text = decodeText(data, params["charset"])
		title = markdownTitle(text)
	case "html":
		var d htmlDoc
		d, err = parseHTML(data, contentType)
		title, text = d.title, d.text
	case "pdf":
		text, err = extractPDF(data)
	case "docx":
		title, text, err = extractDOCX(data)
	case "csv":
		text = csvText(decodeText(data, params["charset"]))
	default:
		return "", "", fmt.Errorf("%w: %s", ErrUnsupported, kind)
	}
	if err != nil {
		return "", "", err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return "", "", ErrEmpty
	}
	return strings.TrimSpace(title), text, nil
}

// docxType is a Word document's media type.
const docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// docKind names the document's format: "text" (plain or Markdown), "csv", "html",
// "pdf", "docx", or the media type it could not handle.
func docKind(contentType, filename string, data []byte) (string, map[string]string) {
	mt, params, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "text/plain", "text/markdown", "text/x-markdown":
		return "text", params
	case "text/csv":
		if ext := strings.ToLower(filepath.Ext(filename)); ext != ".md" && ext != ".markdown" && ext != ".txt" {
			return "csv", params
		}
		return "text", params
	case "text/html", "application/xhtml+xml":
		return "html", params
	case "application/pdf":
		return "pdf", params
	case docxType:
		return "docx", params
	}
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".txt", ".text", ".md", ".markdown":
		// By name first: a Markdown file with commas in it sniffs as CSV.
		return "text", params
	case ".csv":
		return "csv", params
	case ".docx":
		return "docx", params
	case ".html", ".htm", ".xhtml":
		return "html", params
	case ".pdf":
		return "pdf", params
	}
	if mt == "" || mt == "application/octet-stream" {
		sniffed, sp, _ := mime.ParseMediaType(http.DetectContentType(data))
		switch sniffed {
		case "text/plain":
			return "text", sp
		case "text/html":
			return "html", sp
		case "application/pdf":
			return "pdf", sp
		}
		if mt == "" {
			mt = sniffed
		}
	}
	return mt, params
}

// decodeText decodes plain text by its declared charset, else as UTF-8, else (bytes
// that aren't UTF-8, as from an old Windows editor) as Windows-1252.
func decodeText(data []byte, label string) string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if label != "" {
		if enc, _ := charset.Lookup(label); enc != nil {
			if out, err := enc.NewDecoder().Bytes(data); err == nil {
				return string(out)
			}
		}
	}
	if utf8.Valid(data) {
		return string(data)
	}
	out, _ := charmap.Windows1252.NewDecoder().Bytes(data)
	return string(out)
}

// markdownTitle is the first "# " heading of a Markdown text.
func markdownTitle(text string) string {
	for _, line := range strings.SplitN(text, "\n", 50) {
		if level, h := headingLine(line); level == 1 {
			return h
		}
	}
	return ""
}

// extractPDF returns the text of each page, pages separated by blank lines. The PDF
// reader panics on some malformed files, so a panic becomes an ErrPDF like any other
// parse failure.
func extractPDF(data []byte) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("%w: %v", ErrPDF, r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrPDF, err)
	}
	var b strings.Builder
	fonts := map[string]*pdf.Font{}
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		for _, name := range p.Fonts() {
			if _, ok := fonts[name]; !ok {
				f := p.Font(name)
				fonts[name] = &f
			}
		}
		t, err := p.GetPlainText(fonts)
		if err != nil {
			return "", fmt.Errorf("%w: page %d: %v", ErrPDF, i, err)
		}
		if t = strings.TrimSpace(t); t != "" {
			b.WriteString(t)
			b.WriteString("\n\n")
		}
	}
	return b.String(), nil
}

// htmlDoc is what a page yields: its title, its text with headings as "# " lines, and
// the links it holds (raw href values).
type htmlDoc struct {
	title string
	text  string
	links []string
}

// skipped elements hold no content a visitor asks about: code, styling, menus, footers.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Nav: true, atom.Footer: true, atom.Svg: true, atom.Iframe: true,
	atom.Head: true, atom.Button: true, atom.Select: true,
}

// blocks end a paragraph.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Main: true,
	atom.Header: true, atom.Aside: true, atom.Ul: true, atom.Ol: true, atom.Li: true,
	atom.Table: true, atom.Tr: true, atom.Br: true, atom.Blockquote: true, atom.Pre: true,
	atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.Hr: true, atom.Address: true,
	atom.Figure: true, atom.Figcaption: true, atom.Form: true, atom.Fieldset: true,
}

var headingLevel = map[atom.Atom]int{atom.H1: 1, atom.H2: 2, atom.H3: 3, atom.H4: 4, atom.H5: 5, atom.H6: 6}

// parseHTML decodes a page by the charset its Content-Type, byte order mark or meta tag
// declares (Windows-1252 when none does and it isn't UTF-8) and walks it. When the page
// has a <main> element only that is read: the rest is header, menu and footer.
func parseHTML(data []byte, contentType string) (htmlDoc, error) {
	r, err := charset.NewReader(bytes.NewReader(data), contentType)
	if err != nil {
		return htmlDoc{}, fmt.Errorf("decode page: %w", err)
	}
	root, err := html.Parse(r)
	if err != nil {
		return htmlDoc{}, fmt.Errorf("parse page: %w", err)
	}
	var d htmlDoc
	var main, h1 *html.Node
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.Title:
			if d.title == "" {
				d.title = collapse(textOf(n))
			}
		case atom.Main:
			if main == nil {
				main = n
			}
		case atom.H1:
			if h1 == nil {
				h1 = n
			}
		case atom.A:
			if href := attr(n, "href"); href != "" && attr(n, "rel") != "nofollow" {
				d.links = append(d.links, href)
			}
		}
	}
	body := root
	if main != nil && strings.TrimSpace(textOf(main)) != "" {
		body = main
	}
	if d.title == "" && h1 != nil {
		d.title = collapse(textOf(h1))
	}
	var w textWriter
	w.walk(body)
	d.text = w.String()
	return d, nil
}

// textWriter builds the page text: runs of whitespace collapse to one space, blocks
// become paragraphs, headings become "# " lines, list items "- " lines.
type textWriter struct {
	b       strings.Builder
	line    strings.Builder
	pending bool // a space is due before the next word
}

func (w *textWriter) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.words(n.Data)
		return
	case html.ElementNode:
		if skipped[n.DataAtom] || (n.DataAtom == atom.Header && !inContent(n)) {
			return
		}
		if lvl := headingLevel[n.DataAtom]; lvl > 0 {
			w.paragraph()
			if h := collapse(textOf(n)); h != "" {
				w.b.WriteString(strings.Repeat("#", lvl) + " " + h + "\n\n")
			}
			return
		}
		if blocks[n.DataAtom] {
			w.paragraph()
			if n.DataAtom == atom.Li {
				w.line.WriteString("- ")
			}
		}
		if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
			w.pending = true
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
	if n.Type == html.ElementNode && blocks[n.DataAtom] {
		w.paragraph()
	}
}

func (w *textWriter) words(s string) {
	if s == "" {
		return
	}
	if startsSpace(s) {
		w.pending = true
	}
	for i, f := range strings.Fields(s) {
		if (i > 0 || w.pending) && w.line.Len() > 0 && !strings.HasSuffix(w.line.String(), "- ") {
			w.line.WriteByte(' ')
		}
		w.line.WriteString(f)
		w.pending = false
	}
	if endsSpace(s) {
		w.pending = true
	}
}

func (w *textWriter) paragraph() {
	if l := strings.TrimSpace(w.line.String()); l != "" && l != "-" {
		w.b.WriteString(l)
		w.b.WriteString("\n\n")
	}
	w.line.Reset()
	w.pending = false
}

func (w *textWriter) String() string {
	w.paragraph()
	return w.b.String()
}

func startsSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return strings.ContainsRune(" \t\n\r\f", r)
}

func endsSpace(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(" \t\n\r\f", r)
}

// inContent reports whether n is inside an article, main or section: a <header> there
// heads content, while the page's own <header> holds the logo and menu.
func inContent(n *html.Node) bool {
	for p := range n.Ancestors() {
		switch p.DataAtom {
		case atom.Article, atom.Main, atom.Section:
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}
