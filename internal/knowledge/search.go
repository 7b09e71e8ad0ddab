package knowledge

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Field boosts: a visitor's question matching an FAQ's question or a section heading
// says more than the same words somewhere in a paragraph.
const (
	boostQuestion = 3.0
	boostHeading  = 2.0
	boostTitle    = 1.5
	boostFuzzy    = 0.5 // a typo match counts, but less than the word spelled right
	fuzzyMinLen   = 5   // words shorter than this get no typo match: too many neighbours
	rrfK          = 60  // the usual reciprocal rank fusion constant
	fuzzyCredit   = 0.8 // a typo-close term is likelier a different word than an exact one
	rareDF        = 2   // document frequency at and below which all terms weigh the same
)

var storedFields = []string{fID, fSourceID, fKind, fTitle, fURL, fHeading, fText, fQuestion, fTerms, fWords}

// queryTerm is one distinct term of a question: its analysed form, matched exactly,
// and the word as the visitor wrote it, matched with one typo allowed.
type queryTerm struct {
	stem, word string
	// fuzzy: the word is long enough and no chunk holds it as written, so it is taken
	// for a typo. Fuzzy-matching known words would cost time on every search and turn
	// "frees" into "fees".
	fuzzy bool
}

// queryTerms analyses a question into its distinct terms.
func (ix *Index) queryTerms(q string) []queryTerm {
	m := ix.bleve.Mapping()
	words := map[int]string{}
	for _, t := range m.AnalyzerNamed(surfaceAnalyzerName).Analyze([]byte(q)) {
		words[t.Position] = string(t.Term)
	}
	seen := map[string]bool{}
	var out []queryTerm
	for _, t := range m.AnalyzerNamed(analyzerName).Analyze([]byte(q)) {
		if s := string(t.Term); !seen[s] {
			seen[s] = true
			out = append(out, queryTerm{stem: s, word: words[t.Position]})
		}
	}
	return out
}

// AnswerThreshold is the Score at and above which the top hit may be given to a
// visitor as the answer without a model, as the offline provider does. TestRetrievalEval
// checks that most right answers reach it and that questions the documents don't
// answer stay below it.
const AnswerThreshold = 0.5

// Search returns up to k chunks of business that best answer q, best first. Only that
// business's chunks are ever considered.
//
// Order: bleve BM25 over the chunk's words (exact terms, OR'ed with a fuzziness-1 match
// of words no chunk holds as written, which are taken for typos; FAQ questions 3x,
// headings 2x, titles 1.5x), then the candidates are re-ranked by coverage (below) plus
// 0.75 x their BM25 score relative to the best. With an embedder set, that ranking is
// fused with the cosine ranking of the chunk vectors by reciprocal rank fusion (k=60).
//
// Score is a confidence from 0 to 1 comparable across questions, unlike raw BM25: the
// chunk's coverage of the question, the IDF-weighted fraction of the question's terms
// (after stemming, filler removal and synonyms) that the chunk contains, a typo-close
// word counting 0.8. Rare words carry a question's meaning, so a question whose rare
// words appear nowhere in the chunk scores low however well its common words match
// (see AnswerThreshold). Score is not in order when fusion brings in a chunk by
// meaning alone; Hit.Similarity then carries the cosine similarity.
func (ix *Index) Search(ctx context.Context, business, q string, k int) ([]Hit, error) {
	if k <= 0 || strings.TrimSpace(q) == "" {
		return nil, nil
	}
	terms := ix.queryTerms(q)
	emb := ix.getEmbedder()
	if len(terms) == 0 && emb == nil {
		return nil, nil
	}
	weights, err := ix.termStats(ctx, terms)
	if err != nil {
		return nil, err
	}

	n := max(3*k, 20) // candidates per ranking before fusion and cut
	var lexical []*search.DocumentMatch
	var cov map[string]float64 // coverage by document ID
	if len(terms) > 0 {
		lexical, err = ix.lexical(ctx, business, terms, n)
		if err != nil {
			return nil, err
		}
		cov = rerank(lexical, terms, weights)
	}

	var vec []vectorHit
	if emb != nil {
		// A failing embedder must not stop the chat: fall back to words alone.
		if qv, err := emb.Embed(ctx, []string{q}); err == nil && len(qv) == 1 {
			vec, _ = ix.vectors.nearest(business, qv[0], n)
		}
	}

	hits := make(map[string]*Hit)
	fused := make(map[string]float64)
	var order []string
	add := func(dm *search.DocumentMatch) {
		if _, ok := hits[dm.ID]; ok {
			return
		}
		h := &Hit{Chunk: chunkFromFields(business, dm.Fields)}
		if c, ok := cov[dm.ID]; ok {
			h.Score = c
		} else {
			h.Score = coverage(terms, weights, dm.Fields)
		}
		hits[dm.ID] = h
		order = append(order, dm.ID)
	}
	for rank, dm := range lexical {
		add(dm)
		fused[dm.ID] += 1 / float64(rrfK+rank+1)
	}
	if len(vec) > 0 {
		var missing []string
		for _, v := range vec {
			if _, ok := hits[docID(business, v.chunkID)]; !ok {
				missing = append(missing, docID(business, v.chunkID))
			}
		}
		more, err := ix.byIDs(ctx, missing)
		if err != nil {
			return nil, err
		}
		for _, dm := range more {
			add(dm)
		}
		for rank, v := range vec {
			id := docID(business, v.chunkID)
			if h, ok := hits[id]; ok { // a vector of a chunk deleted meanwhile has none
				h.Similarity = v.cosine
				fused[id] += 1 / float64(rrfK+rank+1)
			}
		}
	}

	out := make([]Hit, 0, len(order))
	for _, id := range order {
		out = append(out, *hits[id])
	}
	// Stable: among equal fused ranks the lexical order stands.
	sort.SliceStable(out, func(i, j int) bool {
		return fused[docID(business, out[i].ID)] > fused[docID(business, out[j].ID)]
	})
	if len(out) > k {
		out = out[:k]
	}
	return out, nil
}

// lexical runs the BM25 query for terms within business.
func (ix *Index) lexical(ctx context.Context, business string, terms []queryTerm, n int) ([]*search.DocumentMatch, error) {
	should := make([]query.Query, 0, len(terms))
	for _, t := range terms {
		var alts []query.Query
		for _, f := range []struct {
			field string
			boost float64
		}{{fBody, 1}, {fQuestion, boostQuestion}, {fHeading, boostHeading}, {fTitle, boostTitle}} {
			tq := bleve.NewTermQuery(t.stem)
			tq.SetField(f.field)
			tq.SetBoost(f.boost)
			alts = append(alts, tq)
		}
		if t.fuzzy {
			fq := bleve.NewFuzzyQuery(t.word)
			fq.SetField(fSurface)
			fq.SetFuzziness(1)
			fq.SetBoost(boostFuzzy)
			alts = append(alts, fq)
		}
		should = append(should, bleve.NewDisjunctionQuery(alts...))
	}
	filter := bleve.NewTermQuery(business)
	filter.SetField(fBusiness)
	bq := bleve.NewBooleanQuery()
	bq.AddShould(should...)
	bq.SetMinShould(1)
	bq.AddFilter(filter)

	req := bleve.NewSearchRequestOptions(bq, n, 0, false)
	req.Fields = storedFields
	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("knowledge: search: %w", err)
	}
	return res.Hits, nil
}

// bm25Share is how much BM25 weighs against coverage when ordering word matches.
const bm25Share = 0.75

// rerank orders BM25 candidates by coverage plus their BM25 score relative to the best:
// BM25 alone lets a frequent common word outrank a chunk holding the question's one
// rare (or misspelt) word, while coverage alone can't tell apart chunks that all hold
// every term. The coverage is kept in the match's Score for Search to reuse.
func rerank(dms []*search.DocumentMatch, terms []queryTerm, weights []float64) map[string]float64 {
	if len(dms) == 0 {
		return nil
	}
	top := dms[0].Score
	key := make(map[*search.DocumentMatch]float64, len(dms))
	covs := make(map[string]float64, len(dms))
	for _, dm := range dms {
		rel := 0.0
		if top > 0 {
			rel = dm.Score / top
		}
		cov := coverage(terms, weights, dm.Fields)
		covs[dm.ID] = cov
		key[dm] = cov + bm25Share*rel
	}
	sort.Slice(dms, func(i, j int) bool {
		if key[dms[i]] != key[dms[j]] {
			return key[dms[i]] > key[dms[j]]
		}
		return dms[i].ID < dms[j].ID // ties in a fixed order, whatever the segment layout
	})
	return covs
}

// byIDs loads stored chunks by document ID.
func (ix *Index) byIDs(ctx context.Context, ids []string) ([]*search.DocumentMatch, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDocIDQuery(ids), len(ids), 0, false)
	req.Fields = storedFields
	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("knowledge: load chunks: %w", err)
	}
	return res.Hits, nil
}

// termStats gives each query term its BM25 IDF over all indexed chunks: rare words
// carry the meaning of a question ("tendon", "parking"), common ones ("physio",
// "appointment") much less. A term in at most rareDF chunks, or in none, gets the
// highest weight: that makes a question about something the practice never mentions
// ("horses") score low, while the cap keeps a stray unknown word of chat ("tomorrow",
// "lady") from outweighing the rare words it did match.
//
// It also sets each term's fuzzy flag.
func (ix *Index) termStats(ctx context.Context, terms []queryTerm) ([]float64, error) {
	adv, err := ix.bleve.Advanced()
	if err != nil {
		return nil, fmt.Errorf("knowledge: index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("knowledge: index reader: %w", err)
	}
	defer func() { _ = r.Close() }()
	total, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("knowledge: doc count: %w", err)
	}
	count := func(term, field string) (float64, error) {
		tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
		if err != nil {
			return 0, fmt.Errorf("knowledge: term stats: %w", err)
		}
		defer func() { _ = tfr.Close() }()
		return float64(tfr.Count()), nil
	}
	n := float64(total)
	weights := make([]float64, len(terms))
	for i, t := range terms {
		df, err := count(t.stem, fBody)
		if err != nil {
			return nil, err
		}
		df = max(df, rareDF)
		weights[i] = math.Log(1 + (n-df+0.5)/(df+0.5))
		if len(t.word) >= fuzzyMinLen {
			wdf, err := count(t.word, fSurface)
			if err != nil {
				return nil, err
			}
			terms[i].fuzzy = wdf == 0
		}
	}
	return weights, nil
}

// coverage is the weighted fraction of query terms present in a chunk (its stored
// terms and words), a typo-close word earning fuzzyCredit of its term's weight.
func coverage(terms []queryTerm, weights []float64, fields map[string]interface{}) float64 {
	if len(terms) == 0 {
		return 0
	}
	have := map[string]bool{}
	for _, t := range strings.Fields(fieldString(fields, fTerms)) {
		have[t] = true
	}
	var words []string // split only when a term needs a typo match
	var got, all float64
	for i, t := range terms {
		all += weights[i]
		switch {
		case have[t.stem]:
			got += weights[i]
		case t.fuzzy:
			if words == nil {
				words = strings.Fields(fieldString(fields, fWords))
			}
			for _, w := range words {
				if withinOneEdit(t.word, w) {
					got += fuzzyCredit * weights[i]
					break
				}
			}
		}
	}
	if all == 0 {
		return 0
	}
	return got / all
}

// withinOneEdit reports whether a and b differ by at most one insertion, deletion or
// substitution (ASCII is enough: the analyzer folds accents).
func withinOneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true
	}
	if len(a) == len(b) {
		return a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}

// uniqueTerms analyses text and returns its distinct terms in first-seen order.
func uniqueTerms(a analysis.Analyzer, text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range a.Analyze([]byte(text)) {
		s := string(t.Term)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func chunkFromFields(business string, f map[string]interface{}) Chunk {
	return Chunk{
		ID:          fieldString(f, fID),
		Business:    business,
		SourceID:    fieldString(f, fSourceID),
		SourceKind:  fieldString(f, fKind),
		SourceTitle: fieldString(f, fTitle),
		URL:         fieldString(f, fURL),
		Heading:     fieldString(f, fHeading),
		Text:        fieldString(f, fText),
		Question:    fieldString(f, fQuestion),
	}
}

func fieldString(f map[string]interface{}, name string) string {
	s, _ := f[name].(string)
	return s
}
