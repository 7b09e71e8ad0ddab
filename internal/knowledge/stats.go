package knowledge

import (
	"context"
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Term statistics are a business's own: how many of its chunks hold a word, out of how
// many chunks it has. One index holds every practice, and counting over all of them let
// one practice's vocabulary skew another's weights ("dog" is common at a vet, so it
// weighed little at a dental practice, which never says it), and adding a practice
// moved every other practice's scores.

// statsCacheSize bounds the counts kept for one business; past it they are dropped and
// counted again, so a stream of odd words can't grow memory without end.
const statsCacheSize = 8192

// termCounts caches document frequencies per business. Every write to the index bumps
// gen, which drops every business's counts: a count read from a snapshot older than the
// latest write is never kept.
type termCounts struct {
	mu   sync.Mutex
	gen  uint64
	byBG map[string]*businessCounts
}

// businessCounts is one business's chunk count and document frequencies, as of gen.
type businessCounts struct {
	gen  uint64
	docs float64
	df   map[string]float64 // field + "\x00" + term -> chunks holding it
}

// changed records a write: counts read before it are stale.
func (tc *termCounts) changed() {
	tc.mu.Lock()
	tc.gen++
	tc.byBG = nil
	tc.mu.Unlock()
}

// get returns the cached counts of business and the generation they belong to, creating
// an empty entry when there is none for the current generation.
func (tc *termCounts) get(business string) (*businessCounts, uint64) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.byBG == nil {
		tc.byBG = map[string]*businessCounts{}
	}
	bc := tc.byBG[business]
	if bc == nil || bc.gen != tc.gen {
		bc = &businessCounts{gen: tc.gen, docs: -1, df: map[string]float64{}}
		tc.byBG[business] = bc
	}
	return bc, tc.gen
}

// businessStats counts within one business's chunks, with a cache shared by searches.
type businessStats struct {
	ix       *Index
	ctx      context.Context
	business string
	bc       *businessCounts
	gen      uint64
}

func (ix *Index) statsFor(ctx context.Context, business string) *businessStats {
	bc, gen := ix.counts.get(business)
	return &businessStats{ix: ix, ctx: ctx, business: business, bc: bc, gen: gen}
}

// lookup and store read and write the cache under its lock; store keeps a value only when
// no write happened since the counts were fetched.
func (s *businessStats) lookup(key string) (float64, bool) {
	s.ix.counts.mu.Lock()
	defer s.ix.counts.mu.Unlock()
	if key == "" {
		return s.bc.docs, s.bc.docs >= 0
	}
	n, ok := s.bc.df[key]
	return n, ok
}

func (s *businessStats) store(key string, n float64) {
	s.ix.counts.mu.Lock()
	defer s.ix.counts.mu.Unlock()
	if s.ix.counts.gen != s.gen {
		return
	}
	if key == "" {
		s.bc.docs = n
		return
	}
	if len(s.bc.df) >= statsCacheSize {
		clear(s.bc.df)
	}
	s.bc.df[key] = n
}

// docs is how many chunks the business has.
func (s *businessStats) docs() (float64, error) {
	if n, ok := s.lookup(""); ok {
		return n, nil
	}
	n, err := s.matching(nil)
	if err != nil {
		return 0, err
	}
	s.store("", n)
	return n, nil
}

// count is how many of the business's chunks hold term in field. A chunk's body counts
// with its document's title, as Search's confidence reads them (fTerms): a word of the
// title is in every chunk of its document, and says as little as any common word.
func (s *businessStats) count(term, field string) (float64, error) {
	key := field + "\x00" + term
	if n, ok := s.lookup(key); ok {
		return n, nil
	}
	tq := bleve.NewTermQuery(term)
	tq.SetField(field)
	var q query.Query = tq
	if field == fBody {
		title := bleve.NewTermQuery(term)
		title.SetField(fTitle)
		q = bleve.NewDisjunctionQuery(tq, title)
	}
	n, err := s.matching(q)
	if err != nil {
		return 0, err
	}
	s.store(key, n)
	return n, nil
}

// matching counts the business's chunks that q matches (all of them for nil).
func (s *businessStats) matching(q query.Query) (float64, error) {
	filter := bleve.NewTermQuery(s.business)
	filter.SetField(fBusiness)
	var match query.Query = filter
	if q != nil {
		match = bleve.NewConjunctionQuery(q, filter)
	}
	req := bleve.NewSearchRequestOptions(match, 0, 0, false)
	req.Score = "none"
	res, err := s.ix.bleve.SearchInContext(s.ctx, req)
	if err != nil {
		return 0, fmt.Errorf("knowledge: term stats: %w", err)
	}
	return float64(res.Total), nil
}
