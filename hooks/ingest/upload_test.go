package ingest_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tools/filesystem"

	"frontdesk/models"
	"frontdesk/tests"
)

// Owners upload what they have: Markdown with commas in it (which PocketBase's sniffer
// calls CSV), a CSV price list and a Word file are each accepted and answer visitors.
func TestUploadsAsOwnersMakeThem(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	docx, err := os.ReadFile(filepath.Join(tests.RepoRoot(), "internal", "knowledge", "testdata", "visit-guide.docx"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, file, content, question, answer string
	}{
		{"markdown with commas", "fees.md", "# Fees\n\nExam, cleaning, x-rays, fluoride: $180\nSealants, per tooth, kids: $45\nWhitening, in office, one visit: $250\n", "how much is whitening in office?", "$250"},
		{"csv price list", "prices.csv", "Service,Price\nTooth extraction,$210\nRoot canal,\"$1,150\"\n", "what is the price of a root canal?", "$1,150"},
		{"word file", "visit-guide.docx", string(docx), "how much is a night guard?", "$425"},
	}
	id, token := v.Start()
	for _, tc := range cases {
		f, _ := filesystem.NewFileFromBytes([]byte(tc.content), tc.file)
		doc := addDocument(t, v.App, map[string]any{"title": tc.name}, f)
		waitStatus(t, v.App, doc.Id, "ready")
		_, events := v.Send(id, token, tc.question)
		if got := tests.Text(events); !strings.Contains(got, tc.answer) {
			t.Errorf("%s: %q answered %q, want %s", tc.name, tc.question, got, tc.answer)
		}
	}
}

// upload sends a document with one file as the admin UI does (multipart), as staff.
func upload(t *testing.T, h http.Handler, token, business, name string, content []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("business", business)
	_ = mw.WriteField("title", name)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/api/collections/documents/records", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// Files are taken by their name and checked by their content: a Markdown price table
// with tabs (which a content sniffer calls TSV) is accepted and answers; a spreadsheet, a
// picture, an old Word file and a text file named .pdf are refused with what they are
// and what to do, in the owner's words, and nothing is stored.
func TestUploadsCheckedByNameAndContent(t *testing.T) {
	f := tests.NewPractices(t)
	tok := f.Tokens[tests.Owner]
	md := "# Prices\n\nService\tPrice\nNight guard\t$425\nSports mouthguard\t$160\n"
	rec := upload(t, f.H, tok, f.A.Id, "prices.md", []byte(md))
	if rec.Code != http.StatusOK {
		t.Fatalf("tab-separated Markdown: %d %s", rec.Code, rec.Body.String())
	}
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	for _, tc := range []struct {
		name    string
		content []byte
		says    []string
	}{
		{"price-list.xlsx", append([]byte("PK\x03\x04"), make([]byte, 64)...), []string{"spreadsheet", "CSV"}},
		{"front-desk.png", png, []string{"picture", "PDF with selectable text"}},
		{"policies.doc", append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 64)...), []string{"older Word document", ".docx"}},
		{"fees.pdf", []byte("Cleaning, $90\n"), []string{"isn't one inside", "PDF"}},
		{"visit-guide.docx", png, []string{"isn't one inside", "Word (.docx)"}},
	} {
		before, _ := f.App.CountRecords(models.DocumentsCollection)
		rec := upload(t, f.H, tok, f.A.Id, tc.name, tc.content)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", tc.name, rec.Code, rec.Body.String())
			continue
		}
		var res struct {
			Data map[string]struct{ Code, Message string } `json:"data"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		msg := res.Data["file"].Message
		for _, s := range append(tc.says, tc.name) {
			if !strings.Contains(msg, s) {
				t.Errorf("%s: refused with %q, want %q in it", tc.name, msg, s)
			}
		}
		if strings.Contains(msg, "mime type") {
			t.Errorf("%s: refused in a sniffer's words: %q", tc.name, msg)
		}
		if after, _ := f.App.CountRecords(models.DocumentsCollection); after != before {
			t.Errorf("%s: a refused upload stored a document", tc.name)
		}
	}
}
