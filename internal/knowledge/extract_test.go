package knowledge

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// minimalPDF builds a valid one-page PDF showing lines in Helvetica, with a correct
// cross-reference table.
func minimalPDF(lines ...string) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 12 Tf 72 720 Td 14 TL\n")
	for _, l := range lines {
		fmt.Fprintf(&content, "(%s) Tj T*\n", l)
	}
	content.WriteString("ET")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func TestExtractPDF(t *testing.T) {
	_, text, err := Extract("application/pdf", "leaflet.pdf", minimalPDF("Opening hours: Monday to Friday", "Parking behind the clinic"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Opening hours: Monday to Friday", "Parking behind the clinic"} {
		if !strings.Contains(text, want) {
			t.Errorf("text %q lacks %q", text, want)
		}
	}
	// Told apart by extension or by the bytes when the upload's type is vague.
	if _, _, err := Extract("application/octet-stream", "x.bin", minimalPDF("Sniffed")); err != nil {
		t.Errorf("sniffed PDF: %v", err)
	}
}

func TestExtractCorruptPDF(t *testing.T) {
	good := minimalPDF("Hello")
	cases := map[string][]byte{
		"garbage":         []byte("%PDF-1.4\nthis is not really a pdf at all\n%%EOF"),
		"truncated":       good[:len(good)/2],
		"bad xref offset": bytes.Replace(good, []byte("startxref\n"), []byte("startxref\n9"), 1),
		"damaged object":  bytes.Replace(good, []byte("3 0 obj"), []byte("3 0 xbj"), 1),
		"not a PDF":       []byte("hello, I am a text file named .pdf"),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := Extract("application/pdf", "f.pdf", data)
			if !errors.Is(err, ErrPDF) {
				t.Fatalf("err = %v, want ErrPDF", err)
			}
			if !strings.HasPrefix(err.Error(), "could not read PDF: ") {
				t.Fatalf("message %q", err)
			}
		})
	}
}

func TestExtractEmpty(t *testing.T) {
	for _, c := range []struct{ ct, name, data string }{
		{"text/plain", "a.txt", ""},
		{"text/plain", "a.txt", " \n\t "},
		{"text/html", "a.html", "<html><head><title>T</title><script>var a</script></head><body><nav>Home</nav></body></html>"},
		{"text/markdown", "a.md", "\ufeff"},
	} {
		_, _, err := Extract(c.ct, c.name, []byte(c.data))
		if !errors.Is(err, ErrEmpty) || err.Error() != "file has no text" {
			t.Errorf("%q: err = %v, want ErrEmpty", c.data, err)
		}
	}
}

// endless is a reader of n bytes that allocates nothing.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	m := min(int64(len(p)), e.n)
	for i := range p[:m] {
		p[i] = 'a'
	}
	e.n -= m
	return int(m), nil
}

func TestExtractTooLarge(t *testing.T) {
	r := &endless{n: 50 << 20}
	if _, err := ReadLimited(r); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if left := r.n; left < 50<<20-MaxFileSize-1 {
		t.Fatalf("read %d bytes of a 50 MB upload, want to stop just past the limit", 50<<20-left)
	}
	if data, err := ReadLimited(strings.NewReader("small")); err != nil || string(data) != "small" {
		t.Fatalf("ReadLimited(small) = %q, %v", data, err)
	}
	big := make([]byte, MaxFileSize+1)
	if _, _, err := Extract("text/plain", "big.txt", big); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "20 MB") {
		t.Fatalf("err = %v", err)
	}
}

func TestExtractUnsupported(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	_, _, err := Extract("image/png", "photo.png", png)
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "image/png") {
		t.Fatalf("err = %v", err)
	}
	if _, _, err := Extract("", "data.bin", png); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("sniffed: err = %v", err)
	}
}

func TestExtractHTML(t *testing.T) {
	page := `<!doctype html><html><head><title>Fees | Clinic</title><style>p{color:red}</style></head>
<body><header>Clinic logo</header><nav><a href="/">Home</a><a href="/fees">Fees</a></nav>
<div><h1>Our fees</h1><p>A first   visit is <b>$90</b>.</p>
<h2>Payment</h2><ul><li>Cards</li><li>Cash</li></ul>
<script>track("fees")</script></div><footer>© Clinic</footer></body></html>`
	title, text, err := Extract("text/html; charset=utf-8", "fees.html", []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	if title != "Fees | Clinic" {
		t.Errorf("title %q", title)
	}
	want := "# Our fees\n\nA first visit is $90.\n\n## Payment\n\n- Cards\n\n- Cash"
	if !strings.Contains(text, want) {
		t.Errorf("text = %q, want it to contain %q", text, want)
	}
	for _, gone := range []string{"track", "color", "Home", "©"} {
		if strings.Contains(text, gone) {
			t.Errorf("text keeps %q: %q", gone, text)
		}
	}
	// The headings survive into chunks.
	chunks := ChunkText(title, text, 0)
	if len(chunks) != 2 || chunks[1].Heading != "Our fees > Payment" {
		t.Errorf("chunks = %+v", chunks)
	}
}

func TestExtractHTMLMainOnly(t *testing.T) {
	page := `<html><body><div class="sidebar">Sign up for our newsletter</div><main><h1>Hours</h1><p>Open 9 to 5.</p></main></body></html>`
	title, text, err := Extract("text/html", "", []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	if title != "Hours" || strings.Contains(text, "newsletter") || !strings.Contains(text, "Open 9 to 5.") {
		t.Fatalf("title %q text %q", title, text)
	}
}

func TestExtractCharsets(t *testing.T) {
	// "café" and "crème" in Windows-1252: é is 0xE9, è is 0xE8; ’ is 0x92.
	body := "<html><head><meta charset=\"windows-1252\"><title>Caf\xe9</title></head><body><p>Our caf\xe9 serves cr\xe8me. It\x92s open.</p></body></html>"
	for _, c := range []struct{ name, ct, data string }{
		{"meta charset", "text/html", body},
		{"header charset", "text/html; charset=windows-1252", strings.Replace(body, `<meta charset="windows-1252">`, "", 1)},
		{"undeclared", "text/html", strings.Replace(body, `<meta charset="windows-1252">`, "", 1)},
		{"iso-8859-1 header", "text/html; charset=ISO-8859-1", strings.Replace(body, `<meta charset="windows-1252">`, "", 1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			title, text, err := Extract(c.ct, "page.html", []byte(c.data))
			if err != nil {
				t.Fatal(err)
			}
			if title != "Café" || !strings.Contains(text, "Our café serves crème.") {
				t.Fatalf("title %q text %q", title, text)
			}
		})
	}
	// Plain text: declared charset, else UTF-8, else Windows-1252.
	for _, c := range []struct{ ct, data string }{
		{"text/plain; charset=iso-8859-1", "caf\xe9"},
		{"text/plain", "caf\xe9"},
		{"text/plain", "café"},
	} {
		if _, text, err := Extract(c.ct, "a.txt", []byte(c.data)); err != nil || text != "café" {
			t.Errorf("%s %q: %q, %v", c.ct, c.data, text, err)
		}
	}
}

func TestExtractMarkdownTitle(t *testing.T) {
	title, text, err := Extract("", "guide.md", []byte("Intro line\n\n# Patient guide\n\nText."))
	if err != nil || title != "Patient guide" || !strings.HasPrefix(text, "Intro line") {
		t.Fatalf("%q %q %v", title, text, err)
	}
}

// FuzzExtract feeds damaged documents to Extract: whatever the bytes, it returns text or
// an error, and never panics.
func FuzzExtract(f *testing.F) {
	pdf := minimalPDF("Opening hours", "Parking")
	f.Add("application/pdf", pdf)
	f.Add("application/pdf", pdf[:len(pdf)-40])
	f.Add("application/pdf", bytes.Replace(pdf, []byte("/Length "), []byte("/Length 1"), 1))
	f.Add("text/html", []byte(`<html><meta charset="koi8-r"><h1>T</h1><p>Body</p></html>`))
	f.Add("text/plain; charset=utf-16", []byte("\xff\xfeh\x00i\x00"))
	f.Fuzz(func(t *testing.T, ct string, data []byte) {
		_, text, err := Extract(ct, "", data)
		if err == nil && strings.TrimSpace(text) == "" {
			t.Fatal("no error and no text")
		}
	})
}
