package knowledge

import (
	"strings"
	"testing"
)

func TestChunkTextKeepsHeadings(t *testing.T) {
	text := "# Clinic guide\n\nWelcome.\n\n## Fees\n\nA visit is $90.\n\n### Cancellations\n\nGive 24 hours' notice.\n\n## Parking\n\nBehind the building.\n\n## Empty section\n\n"
	got := ChunkText("Clinic guide", text, 0)
	want := []struct{ heading, text string }{
		{"", "Welcome."},
		{"Fees", "A visit is $90."},
		{"Fees > Cancellations", "Give 24 hours' notice."},
		{"Parking", "Behind the building."},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d chunks: %+v", len(got), got)
	}
	for i, w := range want {
		if got[i].Heading != w.heading || got[i].Text != w.text || got[i].SourceTitle != "Clinic guide" || got[i].SourceKind != KindDocument {
			t.Errorf("chunk %d = %+v, want heading %q text %q", i, got[i], w.heading, w.text)
		}
	}
}

func TestChunkTextSplitsLongSections(t *testing.T) {
	var paras []string
	for i := 0; i < 6; i++ {
		paras = append(paras, strings.Repeat("Physiotherapy helps people move well again after injury. ", 5)+"End of paragraph.")
	}
	long := strings.Repeat("Word ", 400) // one paragraph, no sentence breaks
	text := "## Long\n\n" + strings.Join(paras, "\n\n") + "\n\n" + long
	chunks := ChunkText("T", text, 400)
	if len(chunks) < 4 {
		t.Fatalf("got %d chunks", len(chunks))
	}
	var total int
	for i, c := range chunks {
		if c.Heading != "Long" {
			t.Errorf("chunk %d lost its heading: %q", i, c.Heading)
		}
		if strings.TrimSpace(c.Text) == "" {
			t.Errorf("chunk %d is empty", i)
		}
		if len(c.Text) > 400 {
			t.Errorf("chunk %d has %d chars, max 400", i, len(c.Text))
		}
		total += strings.Count(c.Text, "Word")
	}
	if total < 400 {
		t.Errorf("words lost in splitting: %d of 400", total)
	}
	// Consecutive chunks of one section overlap by a short sentence.
	if !strings.HasPrefix(chunks[1].Text, "End of paragraph.") {
		t.Errorf("second chunk doesn't carry the previous sentence: %q", chunks[1].Text[:40])
	}
}

func TestChunkTextEdgeCases(t *testing.T) {
	for _, text := range []string{"", "   \n\n  ", "# Only a heading", "## A\n## B\n"} {
		if c := ChunkText("t", text, 0); len(c) != 0 {
			t.Errorf("%q gave %+v", text, c)
		}
	}
	// An unbroken string longer than the limit is cut, on rune boundaries.
	c := ChunkText("t", strings.Repeat("é", 300), 101)
	var joined string
	for _, ch := range c {
		if len(ch.Text) > 101 {
			t.Fatalf("chunk of %d bytes", len(ch.Text))
		}
		joined += ch.Text
	}
	if joined != strings.Repeat("é", 300) {
		t.Fatal("text changed by cutting")
	}
	// "#hashtag" and indented "#" are not headings.
	c = ChunkText("t", "#hashtag line\n\n    # code", 0)
	if len(c) != 1 || c[0].Heading != "" {
		t.Fatalf("got %+v", c)
	}
}

func TestFAQChunk(t *testing.T) {
	c := FAQChunk("f1", " Is there parking? ", " Yes. ")
	if c.SourceID != "f1" || c.SourceKind != KindFAQ || c.Question != "Is there parking?" || c.Text != "Yes." {
		t.Fatalf("%+v", c)
	}
}
