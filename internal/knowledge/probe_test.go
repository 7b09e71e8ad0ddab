package knowledge

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProbeK(t *testing.T) {
	path := os.Getenv("PROBE")
	if path == "" {
		t.Skip()
	}
	ix, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	dirs, _ := filepath.Glob(filepath.Join(os.Getenv("EVAL_DIR"), "*/profile.json"))
	for _, pf := range dirs {
		dir := filepath.Dir(pf)
		name := filepath.Base(dir)
		var faqs []struct{ ID, Question, Answer string }
		data, _ := os.ReadFile(filepath.Join(dir, "faqs.json"))
		json.Unmarshal(data, &faqs)
		for _, f := range faqs {
			ix.ReplaceSource(ctx, name, f.ID, []Chunk{FAQChunk(f.ID, f.Question, f.Answer)})
		}
		page := filepath.Join(dir, "website.md")
		data, _ = os.ReadFile(page)
		title, text, _ := Extract(mime.TypeByExtension(".md"), page, data)
		ix.ReplaceSource(ctx, name, "website", ChunkText(title, text, 0))
	}
	f, _ := os.Open(path)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, q, ok := strings.Cut(sc.Text(), "|")
		if !ok {
			continue
		}
		terms := ix.concepts(name, q)
		w, _ := ix.termStats(ctx, name, terms)
		fmt.Printf("%s | %s\n", name, q)
		for i, c := range terms {
			fmt.Printf("   concept %v w=%.2f parts=%v fuzzy=%v\n", c.variants, w[i], c.parts, c.fuzzy)
		}
		hits, _ := ix.Search(ctx, name, q, 5)
		for _, h := range hits {
			txt := h.Text
			if len(txt) > 90 {
				txt = txt[:90]
			}
			fmt.Printf("   %-22s %.2f q%.2f %s\n", h.ID, h.Score, h.QuestionMatch, txt)
		}
	}
}
