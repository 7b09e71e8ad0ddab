package ingest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tools/filesystem"

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
