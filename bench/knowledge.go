package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"frontdesk/internal/knowledge"
)

// knowledgeResult is the in-process knowledge search figure.
type knowledgeResult struct {
	Chunks       int     `json:"chunks"`
	Searches     int     `json:"searches"`
	BuildSeconds float64 `json:"build_seconds"`
	P50ms        float64 `json:"p50_ms"`
	P95ms        float64 `json:"p95_ms"`
}

// benchKnowledge builds an index of synthetic chunks for one business in a temporary
// directory and times searches over it, the way the chat engine searches per message.
func benchKnowledge(ctx context.Context, chunks, searches int) (knowledgeResult, error) {
	res := knowledgeResult{Chunks: chunks, Searches: searches}
	dir, err := os.MkdirTemp("", "frontdesk-bench-index-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	ix, err := knowledge.Open(dir)
	if err != nil {
		return res, err
	}
	defer ix.Close()

	c := newCorpus(1)
	const perSource = 1000 // one document per thousand chunks: few segments to merge
	start := time.Now()
	for s := 0; s*perSource < chunks; s++ {
		batch := make([]knowledge.Chunk, 0, perSource)
		for i := 0; i < perSource && s*perSource+i < chunks; i++ {
			batch = append(batch, c.chunk())
		}
		if err := ix.ReplaceSource(ctx, "bench", fmt.Sprintf("doc%d", s), batch); err != nil {
			return res, fmt.Errorf("ingest: %w", err)
		}
	}
	res.BuildSeconds = time.Since(start).Seconds()

	q := newCorpus(2)
	took := make([]time.Duration, 0, searches)
	for i := range searches {
		question := "do you have " + q.words(4+q.rng.IntN(5)) + "?"
		if i%4 == 0 { // visitors misspell; fuzzy terms cost more
			question = strings.Replace(question, "a", "e", 1)
		}
		t0 := time.Now()
		if _, err := ix.Search(ctx, "bench", question, 5); err != nil {
			return res, fmt.Errorf("search: %w", err)
		}
		took = append(took, time.Since(t0))
	}
	l := percentiles(took)
	res.P50ms, res.P95ms = l.P50, l.P95
	return res, nil
}

// corpus makes deterministic practice-like text: words drawn with a Zipf distribution
// (as in English) from a vocabulary headed by function words, then front-desk words,
// then made-up ones, so term statistics resemble real documents.
type corpus struct {
	vocab []string
	rng   *rand.Rand
	zipf  *rand.Zipf
}

func newCorpus(seed uint64) *corpus {
	// The vocabulary is the same for every seed; only the draws differ.
	vrng := rand.New(rand.NewPCG(42, 42))
	vocab := strings.Fields(`the and to of a in is you for we our your are be with on it this
		that or at as can if will by from an please not have all any
		appointment clinic patient cleaning checkup whitening crown filling braces implant
		x-ray hygienist dentist fee price insurance claim plan referral parking hours open
		monday friday saturday booking cancel notice payment card cash receipt children
		parent consent privacy record telehealth access ramp interpreter language bus street`)
	syll := []string{"ka", "lo", "mi", "ter", "an", "vo", "ris", "tu", "pe", "lin", "dor", "sa", "qui", "mel", "ost"}
	for len(vocab) < 5000 {
		var w strings.Builder
		for n := 2 + vrng.IntN(3); n > 0; n-- {
			w.WriteString(syll[vrng.IntN(len(syll))])
		}
		vocab = append(vocab, w.String())
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return &corpus{vocab: vocab, rng: rng, zipf: rand.NewZipf(rng, 1.05, 1, uint64(len(vocab)-1))}
}

func (c *corpus) words(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = c.vocab[c.zipf.Uint64()]
	}
	return strings.Join(ws, " ")
}

func (c *corpus) chunk() knowledge.Chunk {
	var sentences []string
	for n := 4 + c.rng.IntN(6); n > 0; n-- {
		sentences = append(sentences, c.words(8+c.rng.IntN(10))+".")
	}
	return knowledge.Chunk{SourceTitle: c.words(3), Heading: c.words(2), Text: strings.Join(sentences, " ")}
}
