package knowledge

import (
	"context"
	"errors"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/util"
)

func openTest(t *testing.T) *Index {
	t.Helper()
	ix, err := Open(filepath.Join(t.TempDir(), "knowledge"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	return ix
}

func mustReplace(t *testing.T, ix *Index, business, source string, chunks ...Chunk) {
	t.Helper()
	if err := ix.ReplaceSource(context.Background(), business, source, chunks); err != nil {
		t.Fatal(err)
	}
}

func mustCount(t *testing.T, ix *Index, business string) int {
	t.Helper()
	n, err := ix.Count(business)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustSearch(t *testing.T, ix *Index, business, q string, k int) []Hit {
	t.Helper()
	hits, err := ix.Search(context.Background(), business, q, k)
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

func TestReplaceDeleteCount(t *testing.T) {
	ix := openTest(t)
	doc := ChunkText("Parking", "# Parking\n\nFree parking behind the clinic.\n\n## Bikes\n\nA bike rack by the door.", 0)
	mustReplace(t, ix, "b1", "parking-doc", doc...)
	mustReplace(t, ix, "b1", "faq1", FAQChunk("faq1", "Do you take cards?", "Yes, all major cards."))
	mustReplace(t, ix, "b2", "faq1", FAQChunk("faq1", "Do you take cards?", "Cash only."))
	if n := mustCount(t, ix, "b1"); n != 3 {
		t.Fatalf("b1 count = %d, want 3", n)
	}

	// Replacing a source drops its old chunks, whatever their number.
	mustReplace(t, ix, "b1", "parking-doc", Chunk{Text: "Parking is now on Rope Lane."})
	if n := mustCount(t, ix, "b1"); n != 2 {
		t.Fatalf("after replace b1 count = %d, want 2", n)
	}
	if hits := mustSearch(t, ix, "b1", "bike rack", 5); len(hits) != 0 {
		t.Fatalf("old chunk still found: %+v", hits)
	}
	hits := mustSearch(t, ix, "b1", "where do I park", 5)
	if len(hits) == 0 || !strings.Contains(hits[0].Text, "Rope Lane") || hits[0].SourceID != "parking-doc" || hits[0].Business != "b1" || hits[0].SourceKind != KindDocument {
		t.Fatalf("hits = %+v", hits)
	}

	if err := ix.DeleteSource("b1", "faq1"); err != nil {
		t.Fatal(err)
	}
	if n := mustCount(t, ix, "b1"); n != 1 {
		t.Fatalf("after delete b1 count = %d, want 1", n)
	}
	if n := mustCount(t, ix, "b2"); n != 1 {
		t.Fatalf("deleting b1's faq1 touched b2: count %d", n)
	}
	if err := ix.DeleteBusiness("b1"); err != nil {
		t.Fatal(err)
	}
	if n := mustCount(t, ix, "b1"); n != 0 {
		t.Fatalf("after DeleteBusiness count = %d", n)
	}
	if n := mustCount(t, ix, "b2"); n != 1 {
		t.Fatalf("DeleteBusiness(b1) touched b2: count %d", n)
	}
}

func TestReplaceSourceSkipsEmptyChunks(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "s", Chunk{Text: "  "}, Chunk{Text: "Real text."})
	if n := mustCount(t, ix, "b"); n != 1 {
		t.Fatalf("count = %d, want 1", n)
	}
	if err := ix.ReplaceSource(context.Background(), "", "s", nil); err == nil {
		t.Fatal("empty business accepted")
	}
}

func TestSearchIsolatesBusinesses(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "alpha", "f", FAQChunk("f", "What are your opening hours?", "Alpha is open 9 to 5."))
	mustReplace(t, ix, "beta", "f", FAQChunk("f", "What are your opening hours?", "Beta is open 8 to 8."))
	for _, b := range []string{"alpha", "beta"} {
		hits := mustSearch(t, ix, b, "opening hours", 10)
		if len(hits) != 1 || hits[0].Business != b || !strings.HasPrefix(hits[0].Text, strings.ToUpper(b[:1])+b[1:]) {
			t.Fatalf("%s: hits = %+v", b, hits)
		}
	}
	if hits := mustSearch(t, ix, "gamma", "opening hours", 10); len(hits) != 0 {
		t.Fatalf("unknown business got %+v", hits)
	}
}

func TestSearchCasualWording(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "fees", ChunkText("Fees", "# Fees\n\n## Prices\n\nA check-up is $80.\n\n## Opening hours\n\nWe are open Monday to Friday 8 to 6.", 0)...)
	mustReplace(t, ix, "b", "park", FAQChunk("park", "Is there parking?", "Yes, behind the building."))
	cases := []struct{ q, want string }{
		{"how much does a checkup cost", "Prices"},            // synonym: cost ~ price
		{"when are you open", "Opening hours"},                // stop words dropped, "open" ~ "hours"
		{"is there parkng", "Is there parking?"},              // typo: fuzzy
		{"wat are ur prices???", "Prices"},                    // chat spelling
		{"can I leave my car somewhere", "Is there parking?"}, // "car" ~ "parking"
	}
	for _, c := range cases {
		hits := mustSearch(t, ix, "b", c.q, 1)
		if len(hits) == 0 || (hits[0].Heading != c.want && hits[0].Question != c.want) {
			t.Errorf("%q: got %+v, want %q", c.q, hits, c.want)
		}
	}
}

func TestSearchScore(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "f1", FAQChunk("f1", "Do you treat sports injuries?", "Yes, from sprains to ACL reconstructions."))
	mustReplace(t, ix, "b", "f2", FAQChunk("f2", "Is there parking?", "Yes, six free spaces."))
	mustReplace(t, ix, "b", "f3", FAQChunk("f3", "Do you treat children?", "Yes, babies to teenagers."))
	mustReplace(t, ix, "b", "f4", FAQChunk("f4", "What are your opening hours?", "Monday to Friday, 8 to 6."))
	mustReplace(t, ix, "b", "f5", FAQChunk("f5", "Do I need a referral?", "No, you can book directly."))
	mustReplace(t, ix, "b", "f6", FAQChunk("f6", "What should I wear?", "Loose, comfortable clothes."))
	mustReplace(t, ix, "b", "f7", FAQChunk("f7", "How do I pay?", "By card or phone at the end of the session."))
	mustReplace(t, ix, "b", "f8", FAQChunk("f8", "Do you treat back pain?", "Yes, it is what we see most."))
	hits := mustSearch(t, ix, "b", "do you treat sports injuries", 3)
	if len(hits) == 0 || hits[0].SourceID != "f1" || hits[0].Score < 0.9 || hits[0].Score > 1 {
		t.Fatalf("full match: %+v", hits)
	}
	hits = mustSearch(t, ix, "b", "do you treat horses", 3)
	if len(hits) == 0 || hits[0].Score >= 0.5 {
		t.Fatalf("question with unknown topic scored %+v, want < 0.5", hits)
	}
	for _, q := range []string{"", "   ", "the and of"} {
		if hits := mustSearch(t, ix, "b", q, 3); len(hits) != 0 {
			t.Fatalf("%q: %+v", q, hits)
		}
	}
}

func TestOpenExistingAndCorrupt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kb")
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Rebuilt() {
		t.Fatal("new index reported rebuilt")
	}
	if err := ix.ReplaceSource(context.Background(), "b", "s", []Chunk{{Text: "Hello world"}}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	ix, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Rebuilt() {
		t.Fatal("healthy index reported rebuilt")
	}
	if n, _ := ix.Count("b"); n != 1 {
		t.Fatalf("reopened count = %d, want 1", n)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	if err := os.WriteFile(filepath.Join(dir, "bleve", "index_meta.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	ix, err = Open(dir)
	if err != nil {
		t.Fatalf("corrupt index not rebuilt: %v", err)
	}
	defer ix.Close()
	if !ix.Rebuilt() {
		t.Fatal("Rebuilt() = false after corruption")
	}
	if n, _ := ix.Count("b"); n != 0 {
		t.Fatalf("rebuilt index has %d chunks", n)
	}
	aside, _ := filepath.Glob(dir + ".broken-*")
	if len(aside) != 1 {
		t.Fatalf("corrupt index not kept aside: %v", aside)
	}

	// An index open elsewhere is busy, not broken: it must not be moved aside.
	if _, err := Open(dir); !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open: err = %v, want ErrInUse", err)
	}
	if aside, _ := filepath.Glob(dir + ".broken-*"); len(aside) != 1 {
		t.Fatalf("busy index moved aside: %v", aside)
	}
}

// An index built by an older version, whose analyzer this one no longer has, is
// replaced by a fresh one for the caller to fill again, and not kept aside as broken.
func TestOpenOutdated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kb")
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustReplace(t, ix, "b", "s", Chunk{Text: "Hello world"})
	m, err := ix.bleve.GetInternal(util.MappingInternalKey)
	if err != nil || !strings.Contains(string(m), analyzerName) {
		t.Fatalf("stored mapping: %v %s", err, m)
	}
	if err := ix.bleve.SetInternal(util.MappingInternalKey, []byte(strings.ReplaceAll(string(m), analyzerName, "frontdesk_en_v0"))); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err = Open(dir)
	if err != nil {
		t.Fatalf("outdated index not replaced: %v", err)
	}
	defer ix.Close()
	if !ix.Rebuilt() || mustCount(t, ix, "b") != 0 {
		t.Fatalf("Rebuilt() = %v, %d chunks; want a fresh index to fill", ix.Rebuilt(), mustCount(t, ix, "b"))
	}
	if aside, _ := filepath.Glob(dir + ".*"); len(aside) != 0 {
		t.Fatalf("outdated index kept: %v", aside)
	}
	mustReplace(t, ix, "b", "s", Chunk{Text: "Hello world"})
	if hits := mustSearch(t, ix, "b", "world", 1); len(hits) != 1 {
		t.Fatalf("fresh index: %+v", hits)
	}
}

// conceptEmbedder is a deterministic fake embedding model: bag of words hashed into
// 64 dimensions, where words of one concept share a dimension, so it "knows" that a
// dentist is a doctor the way a real model would, and the analyzer does not.
type conceptEmbedder struct {
	calls int
	fail  bool
}

var concepts = map[string]string{"physician": "doctor", "gp": "doctor", "doctor": "doctor", "medic": "doctor"}

func (e *conceptEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	e.calls++
	if e.fail {
		return nil, errors.New("model unavailable")
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, 64)
		for _, w := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return r < 'a' || r > 'z' }) {
			if c, ok := concepts[w]; ok {
				w = c
			}
			h := fnv.New32a()
			_, _ = h.Write([]byte(w))
			v[h.Sum32()%64]++
		}
		out[i] = v
	}
	return out, nil
}

func TestHybridFusion(t *testing.T) {
	ix := openTest(t)
	emb := &conceptEmbedder{}
	ix.SetEmbedder(emb)
	mustReplace(t, ix, "b", "staff", Chunk{Heading: "Team", Text: "Our physician sees patients every weekday."})
	mustReplace(t, ix, "b", "avail", Chunk{Heading: "Booking", Text: "Appointments are available online, any time."})
	mustReplace(t, ix, "b", "other", Chunk{Heading: "Parking", Text: "Free parking behind the building."})
	if emb.calls != 3 {
		t.Fatalf("embedder called %d times, want once per source", emb.calls)
	}

	// Words alone can't connect "medic" to "physician" (the shipped synonyms connect
	// "doctor" to it, not "medic"); the vectors can.
	ix.SetEmbedder(nil)
	hits := mustSearch(t, ix, "b", "is a medic available", 3)
	for _, h := range hits {
		if h.SourceID == "staff" {
			t.Fatalf("BM25 alone found the physician chunk: %+v", hits)
		}
	}
	ix.SetEmbedder(emb)
	hits = mustSearch(t, ix, "b", "is a medic available", 3)
	var found bool
	for _, h := range hits {
		if h.SourceID == "staff" {
			found = true
			if h.Similarity <= 0 || h.Text == "" || h.Business != "b" {
				t.Fatalf("vector hit not filled in: %+v", h)
			}
		}
	}
	if !found {
		t.Fatalf("fusion did not bring the physician chunk: %+v", hits)
	}
	// A chunk both rankings agree on comes first.
	hits = mustSearch(t, ix, "b", "physician", 3)
	if len(hits) == 0 || hits[0].SourceID != "staff" {
		t.Fatalf("hits = %+v", hits)
	}

	// Vectors go with their source, and never cross businesses.
	if err := ix.DeleteSource("b", "staff"); err != nil {
		t.Fatal(err)
	}
	vh, err := ix.vectors.nearest("b", []float32{1}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(vh) != 0 { // one-dimension query: every stored vector has another length
		t.Fatalf("vectors of another length compared: %+v", vh)
	}
	q, _ := emb.Embed(context.Background(), []string{"physician"})
	vh, _ = ix.vectors.nearest("b", q[0], 10)
	for _, v := range vh {
		if strings.HasPrefix(v.chunkID, "staff#") {
			t.Fatal("deleted source's vector still stored")
		}
	}
	if vh, _ := ix.vectors.nearest("zzz", q[0], 10); len(vh) != 0 {
		t.Fatalf("another business's vectors returned: %+v", vh)
	}
}

func TestEmbedderFailure(t *testing.T) {
	ix := openTest(t)
	emb := &conceptEmbedder{fail: true}
	ix.SetEmbedder(emb)
	err := ix.ReplaceSource(context.Background(), "b", "s", []Chunk{{Text: "Free parking behind the building."}})
	if !errors.Is(err, ErrEmbedding) {
		t.Fatalf("err = %v, want ErrEmbedding", err)
	}
	// The chunk is still found by its words, and searching with a failing embedder
	// falls back to them.
	hits := mustSearch(t, ix, "b", "parking", 3)
	if len(hits) != 1 || hits[0].SourceID != "s" {
		t.Fatalf("hits = %+v", hits)
	}
}
