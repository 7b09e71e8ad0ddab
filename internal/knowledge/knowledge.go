// Package knowledge is Frontdesk's knowledge search: a practice's FAQs and documents are
// extracted, chunked and indexed with bleve, so the chat engine can hand the model the
// passages that answer a visitor's question. It is a plain library: no PocketBase.
package knowledge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// Source kinds of a Chunk.
const (
	KindFAQ      = "faq"
	KindDocument = "document"
)

// Chunk is one searchable passage: a whole FAQ, or a piece of a document under its heading.
type Chunk struct {
	ID          string // unique within a business; ReplaceSource sets it to SourceID#n
	Business    string
	SourceID    string // the FAQ or document record the chunk came from
	SourceKind  string // KindFAQ or KindDocument
	SourceTitle string
	URL         string
	Heading     string // heading path within the document, "Fees > Cancellations"
	Text        string
	Question    string // FAQ only
}

// Hit is a Chunk that matched a search, with a confidence Score from 0 to 1
// (see Search for what it means).
type Hit struct {
	Chunk
	Score      float64 // confidence 0..1 comparable across questions; see Search
	Similarity float64 // cosine similarity to the question, with an embedder only
	// QuestionMatch is, for an FAQ, how closely the visitor's question matches the FAQ's
	// own question, 0 to 1 (see Search); 0 for a document's chunk.
	QuestionMatch float64
	// Coverage is the share of the question the chunk holds (see Search); for a document's
	// chunk it is its Score, for an FAQ the part of its Score that QuestionMatch doesn't
	// make.
	Coverage float64
}

// Embedder turns texts into vectors; llm providers satisfy it through a small adapter.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// ErrEmbedding wraps an embedder failure during ReplaceSource: the chunks were indexed
// and are found by their words, but have no vectors until the source is indexed again.
var ErrEmbedding = errors.New("knowledge: embedding failed")

// Field names in the bleve documents.
const (
	fBusiness  = "business"
	fSourceKey = "source_key" // business + "\x1f" + source ID, to delete a source's chunks
	fID        = "id"
	fSourceID  = "source_id"
	fKind      = "kind"
	fTitle     = "title"
	fURL       = "url"
	fHeading   = "heading"
	fText      = "text"
	fQuestion  = "question"
	fBody      = "body"    // heading, question and text together: what exact terms search
	fSurface   = "surface" // body again, unstemmed: what typo (fuzzy) terms search
	fTerms     = "terms"   // the analysed terms of title and body, stored only: Search's confidence reads them
	fWords     = "words"   // the same unstemmed, for the confidence of typo matches
)

// Index is one practice-agnostic bleve index holding every business's chunks, each
// search filtered to one business. It is safe for concurrent use.
type Index struct {
	dir     string
	bleve   bleve.Index
	vectors *vectorStore
	rebuilt bool

	mu       sync.Mutex // serialises writes so a source's delete+add isn't interleaved
	embedMu  sync.RWMutex
	embedder Embedder
	syn      synonymSets
	counts   termCounts // each business's term statistics, for Search
}

// Open opens the index kept in dir, creating it when missing. When the index exists
// but can't be opened it is moved aside (dir.broken-UNIXTIME) and a fresh one is
// created; Rebuilt then reports true so the caller re-ingests every source. An index
// built with an analyzer this version no longer has (see analyzerName) is replaced the
// same way, and removed rather than kept.
func Open(dir string) (*Index, error) {
	ix, err := open(dir)
	if err == nil {
		return ix, nil
	}
	if errors.Is(err, ErrInUse) {
		return nil, err // healthy, and someone else's: never move it
	}
	if _, statErr := os.Stat(dir); statErr != nil {
		return nil, err // nothing there to move aside: the error is about creating it
	}
	if errors.Is(err, errOutdated) {
		// Built by an older Frontdesk: it holds nothing the database doesn't, and its
		// words were analysed in a way searches no longer match.
		if rerr := os.RemoveAll(dir); rerr != nil {
			return nil, fmt.Errorf("knowledge: open %s: %w (and could not remove it: %v)", dir, err, rerr)
		}
	} else {
		aside := dir + ".broken-" + strconv.FormatInt(time.Now().Unix(), 10)
		if rerr := os.Rename(dir, aside); rerr != nil {
			return nil, fmt.Errorf("knowledge: open %s: %w (and could not move it aside: %v)", dir, err, rerr)
		}
	}
	ix, err2 := open(dir)
	if err2 != nil {
		return nil, err2
	}
	ix.rebuilt = true
	return ix, nil
}

// errOutdated is an index built with an analyzer that is no longer registered.
var errOutdated = errors.New("knowledge: index built by an older version")

// ErrInUse is returned by Open when another Index (in this process or another) has
// the directory open.
var ErrInUse = errors.New("knowledge: index is already open elsewhere")

func open(dir string) (*Index, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("knowledge: create %s: %w", dir, err)
	}
	// The vector file is opened first: its lock tells a busy index from a broken one.
	vs, err := openVectorStore(filepath.Join(dir, "vectors.db"))
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "bleve")
	var b bleve.Index
	if _, statErr := os.Stat(path); errors.Is(statErr, os.ErrNotExist) {
		b, err = bleve.New(path, newMapping())
	} else {
		b, err = bleve.OpenUsing(path, map[string]interface{}{"bolt_timeout": "5s"})
	}
	if err != nil {
		_ = vs.close()
		// bleve names the missing analyzer in a plain error.
		if strings.Contains(err.Error(), "no analyzer with name or type") {
			return nil, fmt.Errorf("%w: %v", errOutdated, err)
		}
		return nil, fmt.Errorf("knowledge: open index: %w", err)
	}
	return &Index{dir: dir, bleve: b, vectors: vs}, nil
}

func newMapping() mapping.IndexMapping {
	keywordField := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store = false
		f.DocValues = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		return f
	}
	storedOnly := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Index = false
		f.Store = true
		f.DocValues = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		return f
	}
	textField := func(store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzerName
		f.Store = store
		f.DocValues = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fBusiness, keywordField())
	doc.AddFieldMappingsAt(fSourceKey, keywordField())
	for _, f := range []string{fID, fSourceID, fKind, fURL, fText, fTerms, fWords} {
		doc.AddFieldMappingsAt(f, storedOnly())
	}
	doc.AddFieldMappingsAt(fTitle, textField(true))
	doc.AddFieldMappingsAt(fHeading, textField(true))
	doc.AddFieldMappingsAt(fQuestion, textField(true))
	doc.AddFieldMappingsAt(fBody, textField(false))
	surface := textField(false)
	surface.Analyzer = surfaceAnalyzerName
	doc.AddFieldMappingsAt(fSurface, surface)

	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = keyword.Name
	m.ScoringModel = index.BM25Scoring
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}

// Rebuilt reports whether Open found the index unreadable and started a fresh one.
func (ix *Index) Rebuilt() bool { return ix.rebuilt }

// Close closes the index files.
func (ix *Index) Close() error {
	err := ix.bleve.Close()
	if verr := ix.vectors.close(); err == nil {
		err = verr
	}
	return err
}

// SetEmbedder turns on hybrid search: chunks indexed from now on get vectors, and
// Search fuses word and vector rankings. nil turns it off.
func (ix *Index) SetEmbedder(e Embedder) {
	ix.embedMu.Lock()
	ix.embedder = e
	ix.embedMu.Unlock()
}

func (ix *Index) getEmbedder() Embedder {
	ix.embedMu.RLock()
	defer ix.embedMu.RUnlock()
	return ix.embedder
}

func docID(business, chunkID string) string { return business + "\x1f" + chunkID }

func sourceKey(business, sourceID string) string { return business + "\x1f" + sourceID }

// ReplaceSource replaces every chunk of one source (an FAQ or a document) with chunks,
// in one batch, so a search never sees the source half updated. Chunk IDs and the
// business and source fields are set here. With an embedder set the chunks' vectors
// are computed first; if that fails the chunks are still indexed and the returned
// error wraps ErrEmbedding.
func (ix *Index) ReplaceSource(ctx context.Context, business, sourceID string, chunks []Chunk) error {
	if business == "" || sourceID == "" {
		return errors.New("knowledge: business and source ID are required")
	}
	var kept []Chunk
	for _, c := range chunks {
		if strings.TrimSpace(c.Text) == "" && strings.TrimSpace(c.Question) == "" {
			continue
		}
		c.Business, c.SourceID = business, sourceID
		if c.SourceKind == "" {
			c.SourceKind = KindDocument
		}
		c.ID = sourceID + "#" + strconv.Itoa(len(kept))
		kept = append(kept, c)
	}

	var vecs [][]float32
	var embedErr error
	if e := ix.getEmbedder(); e != nil && len(kept) > 0 {
		texts := make([]string, len(kept))
		for i, c := range kept {
			texts[i] = embedText(c)
		}
		vecs, embedErr = e.Embed(ctx, texts)
		if embedErr == nil && len(vecs) != len(kept) {
			embedErr = fmt.Errorf("got %d vectors for %d texts", len(vecs), len(kept))
		}
		if embedErr != nil {
			vecs = nil
			embedErr = fmt.Errorf("%w: %v", ErrEmbedding, embedErr)
		}
	}

	ix.mu.Lock()
	defer ix.mu.Unlock()
	old, err := ix.idsWhere(fSourceKey, sourceKey(business, sourceID))
	if err != nil {
		return err
	}
	batch := ix.bleve.NewBatch()
	for _, id := range old {
		batch.Delete(id)
	}
	analyzer := ix.bleve.Mapping().AnalyzerNamed(analyzerName)
	surface := ix.bleve.Mapping().AnalyzerNamed(surfaceAnalyzerName)
	for _, c := range kept {
		body := c.Heading + "\n" + c.Question + "\n" + c.Text
		doc := map[string]any{
			fBusiness:  business,
			fSourceKey: sourceKey(business, sourceID),
			fID:        c.ID,
			fSourceID:  c.SourceID,
			fKind:      c.SourceKind,
			fTitle:     c.SourceTitle,
			fURL:       c.URL,
			fHeading:   c.Heading,
			fText:      c.Text,
			fQuestion:  c.Question,
			fBody:      body,
			fSurface:   body,
			fTerms:     strings.Join(uniqueTerms(analyzer, c.SourceTitle+"\n"+body), " "),
			fWords:     strings.Join(uniqueTerms(surface, body), " "),
		}
		if err := batch.Index(docID(business, c.ID), doc); err != nil {
			return fmt.Errorf("knowledge: index chunk: %w", err)
		}
	}
	err = ix.bleve.Batch(batch)
	ix.counts.changed() // even a failed batch may have applied in part
	if err != nil {
		return fmt.Errorf("knowledge: index source: %w", err)
	}
	if err := ix.vectors.replaceSource(business, sourceID, kept, vecs); err != nil {
		return err
	}
	return embedErr
}

// embedText is what a chunk's vector is computed from: its place and its words.
func embedText(c Chunk) string {
	parts := []string{c.SourceTitle, c.Heading, c.Question, c.Text}
	var b strings.Builder
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(p)
		}
	}
	return b.String()
}

// DeleteSource removes every chunk of one source.
func (ix *Index) DeleteSource(business, sourceID string) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if err := ix.deleteWhere(fSourceKey, sourceKey(business, sourceID)); err != nil {
		return err
	}
	return ix.vectors.deleteSource(business, sourceID)
}

// DeleteBusiness removes every chunk of a business, as before a full re-index.
func (ix *Index) DeleteBusiness(business string) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if err := ix.deleteWhere(fBusiness, business); err != nil {
		return err
	}
	return ix.vectors.deleteBusiness(business)
}

// Count returns how many chunks a business has.
func (ix *Index) Count(business string) (int, error) {
	q := bleve.NewTermQuery(business)
	q.SetField(fBusiness)
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	res, err := ix.bleve.Search(req)
	if err != nil {
		return 0, fmt.Errorf("knowledge: count: %w", err)
	}
	return int(res.Total), nil
}

// idsWhere returns the IDs of every document whose keyword field equals value.
func (ix *Index) idsWhere(field, value string) ([]string, error) {
	q := bleve.NewTermQuery(value)
	q.SetField(field)
	var ids []string
	const page = 1000
	for from := 0; ; from += page {
		req := bleve.NewSearchRequestOptions(q, page, from, false)
		res, err := ix.bleve.Search(req)
		if err != nil {
			return nil, fmt.Errorf("knowledge: find chunks: %w", err)
		}
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if len(res.Hits) < page {
			return ids, nil
		}
	}
}

func (ix *Index) deleteWhere(field, value string) error {
	ids, err := ix.idsWhere(field, value)
	if err != nil || len(ids) == 0 {
		return err
	}
	batch := ix.bleve.NewBatch()
	for _, id := range ids {
		batch.Delete(id)
	}
	err = ix.bleve.Batch(batch)
	ix.counts.changed()
	if err != nil {
		return fmt.Errorf("knowledge: delete chunks: %w", err)
	}
	return nil
}
