// Package knowledgetest makes deterministic, practice-like text for benchmarking the
// knowledge index: the Go benchmarks of internal/knowledge and the load tool share it.
package knowledgetest

import (
	"math/rand/v2"
	"strings"

	"frontdesk/internal/knowledge"
)

// Corpus draws words with a Zipf distribution (as in English) from a vocabulary headed
// by function words, then front-desk words, then made-up ones, so term statistics look
// like real prose: a few very common words the analyzer drops, a long tail of rare ones.
type Corpus struct {
	vocab []string
	rng   *rand.Rand
	zipf  *rand.Zipf
}

var functionWords = strings.Fields(`the and to of a in is you for we our your are be
	with on it this that or at as can if will by from an please not have all any`)

var seedWords = strings.Fields(`appointment physiotherapy clinic patient pain back neck knee shoulder
	injury treatment exercise session fee price insurance claim health fund referral doctor
	parking hours open monday friday saturday booking cancel notice payment card cash receipt
	pilates class massage needling rehabilitation surgery recovery sport ankle hip wrist
	children teenager parent consent privacy record telehealth video home visit wheelchair
	access ramp toilet hoist interpreter language train bus station street address`)

// New returns a corpus whose draws are fixed by seed.
func New(seed uint64) *Corpus {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	vocab := append(append([]string(nil), functionWords...), seedWords...)
	syll := []string{"ka", "lo", "mi", "ter", "an", "vo", "ris", "tu", "pe", "lin", "dor", "sa", "qui", "mel", "ost"}
	for len(vocab) < 5000 {
		var w strings.Builder
		for n := 2 + rng.IntN(3); n > 0; n-- {
			w.WriteString(syll[rng.IntN(len(syll))])
		}
		vocab = append(vocab, w.String())
	}
	return &Corpus{vocab: vocab, rng: rng, zipf: rand.NewZipf(rng, 1.05, 1, uint64(len(vocab)-1))}
}

// Words returns n words separated by spaces.
func (c *Corpus) Words(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = c.vocab[c.zipf.Uint64()]
	}
	return strings.Join(ws, " ")
}

// Chunk returns a passage of four to nine sentences with a title and a heading.
func (c *Corpus) Chunk() knowledge.Chunk {
	var sentences []string
	for n := 4 + c.rng.IntN(6); n > 0; n-- {
		sentences = append(sentences, c.Words(8+c.rng.IntN(10))+".")
	}
	return knowledge.Chunk{SourceTitle: c.Words(3), Heading: c.Words(2), Text: strings.Join(sentences, " ")}
}

// Question returns a visitor's question; every fourth (by i) has a typo in a word,
// since visitors misspell and fuzzy terms cost more to search.
func (c *Corpus) Question(i int) string {
	q := c.Words(4 + c.rng.IntN(5))
	if i%4 == 0 {
		q = strings.Replace(q, "a", "e", 1)
	}
	return "do you have " + q + "?"
}
