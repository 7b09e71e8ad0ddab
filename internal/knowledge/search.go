package knowledge

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"frontdesk/internal/locale"
	"frontdesk/internal/vocab"
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

// concept is one thing a question asks about: the visitor's word or phrase as analysed
// stems, and the synonyms it may be found as (see synonyms.go).
type concept struct {
	variants [][]string // stem sequences; variants[0] is the visitor's own
	credits  []float64  // what a chunk holding each variant earns; 1 for the visitor's own
	// parts weigh the words of variants[0] against each other (their IDF), so a chunk
	// holding part of the visitor's phrase gets the share its words carry.
	parts []float64
	word  string // the word as written, for a one-word concept: what typo matching reads
	// vague: a word a translation could not carry over. It weighs as any word the
	// practice never uses, but not as one of another subject (foreignWeight): it may be a
	// Spanish word the lexicon lacks as well as a name.
	vague bool
	// unit: the visitor's phrase names one thing that its group also names in a single
	// word ("gift card", "voucher"; "payment plan", "financing"), so part of it is
	// another thing ("card", "payment") and only the phrase whole counts.
	unit bool
	// fuzzy: the word is long enough and no chunk holds it as written, so it is taken
	// for a typo. Fuzzy-matching known words would cost time on every search and turn
	// "frees" into "fees".
	fuzzy bool
	// phrasal: the word is a verb with a particle after it ("sit in on", "bring them
	// along"), which makes it what is asked, not what the visitor does anyway.
	phrasal bool
}

// queryFillers are forms of chat words the analyzer's filler list lacks, dropped from a
// question (not from the index, whose analyzer can't change without a re-index): "is
// there a bus that goes there" asks about a bus. "Till" is "until", a stop word; "what
// kinds (types, brands, options) of frames" asks about frames, and the answer is a list
// of them that never says "brands"; "can I still", "is everything I tell you", "my 15 yo"
// ask about what follows. None may be a form of a word the analyzer maps a group onto
// ("even" is "evening"). Stems.
var queryFillers = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`goes went gone come comes coming came gets getting let lets
		find think thing things kind kinds sort sorts type types brand brands option options
		lot bit guess maybe instead till til untill everything everyone everybody anybody
		somebody still anymore already ever probably mine yo along`) {
		queryFillers[porterStem(w)] = true
	}
}

// particleAfter finds a verb and the particle after it, or after its object: "sit in on",
// "bring my kids along", "get started". The analyzer drops the particle as a stop word.
var particleAfter = regexp.MustCompile(`\b([a-z]+)(?:\s+(?:my|our|your|his|her|the|a|them|him|it|me|us)(?:\s+[a-z']+){0,2})?\s+(?:in|on|off|up|out|along|over|back|down|away|around|through)\b`)

// startsPhrase reports whether a synonym phrase of more than one word starts at stems[i]
// ("come to my house" is a home visit, though "come" alone says nothing).
func startsPhrase(tables []*phraseTable, stems []string, i int) bool {
	for _, t := range tables {
		if n, _ := t.longest(stems, i); n > 1 {
			return true
		}
	}
	return false
}

// concepts analyses a question into its distinct concepts, reading the longest synonym
// phrase at each word ("chompers cleaned" is one concept, found as "dental cleaning" too).
func (ix *Index) concepts(business, q string) []concept {
	m := ix.bleve.Mapping()
	words := map[int]string{}
	for _, t := range onePerPosition(m.AnalyzerNamed(surfaceAnalyzerName).Analyze([]byte(q))) {
		words[t.Position] = string(t.Term)
	}
	toks := onePerPosition(m.AnalyzerNamed(analyzerName).Analyze([]byte(q)))
	stems := make([]string, len(toks))
	for i, t := range toks {
		stems[i] = string(t.Term)
	}
	tables := ix.tables(business)
	phrasal := map[string]bool{}
	for _, m := range particleAfter.FindAllStringSubmatch(strings.ToLower(q), -1) {
		phrasal[m[1]] = true
	}
	seen := map[string]bool{}
	var out []concept
	for i := 0; i < len(stems); {
		if queryFillers[stems[i]] && !startsPhrase(tables, stems, i) {
			i++ // the analyzer's fillers miss some forms of chat ("goes", "coming")
			continue
		}
		n := 1
		var syn []variant
		for _, t := range tables {
			if l, members := t.longest(stems, i); l > n || l == n && l > 0 {
				if l > n {
					syn = nil
				}
				n, syn = l, append(syn, members...)
			}
		}
		own := stems[i : i+n]
		c := concept{variants: [][]string{own}, credits: []float64{1}}
		if n == 1 {
			c.word = words[toks[i].Position]
			c.phrasal = phrasal[c.word]
		}
		have := map[string]int{strings.Join(own, " "): 0}
		for _, v := range syn {
			c.unit = c.unit || n > 1 && len(v.stems) == 1
			k := strings.Join(v.stems, " ")
			if j, ok := have[k]; ok {
				c.credits[j] = max(c.credits[j], v.credit)
				continue
			}
			have[k] = len(c.variants)
			c.variants = append(c.variants, v.stems)
			c.credits = append(c.credits, v.credit)
		}
		if n == 1 && slices.Contains(requestStems, own[0]) {
			for _, r := range requestStems {
				if _, ok := have[r]; !ok {
					have[r] = len(c.variants)
					c.variants = append(c.variants, []string{r})
					c.credits = append(c.credits, synonymCredit)
				}
			}
		}
		if k := strings.Join(own, " "); !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
		i += n
	}
	return out
}

// AnswerThreshold is the Score at and above which the top hit may be given to a
// visitor as the answer without a model, as the offline provider does (its
// OfflineConfidence has the same value). It was calibrated on the dev split of
// testdata/eval (answer.TestCalibrateThreshold), by correct answers minus twice the wrong
// ones (a wrong answer costs more trust than an honest "not sure"): 0.475 and 0.5 tie
// best, and 0.5 is the more cautious. With each practice's own term statistics it
// stayed best, on the dev split and on practices of other kinds (see questionWeight). This package's TestRetrievalEval checks that most
// right answers reach it and that questions the documents don't answer stay below it.
const AnswerThreshold = 0.5

// Search returns up to k chunks of business that best answer q, best first. Only that
// business's chunks are ever considered.
//
// The question is read as concepts: each word, or the longest phrase of a synonym group
// (vocab's shipped groups and the practice's own, see SetSynonyms), found as any member
// of its group. A question in Spanish or Portuguese is searched as written and as
// vocab.Translate carries it to English.
//
// Order: bleve BM25 over the chunk's words (exact terms and synonyms, a synonym at 0.8,
// OR'ed with a fuzziness-1 match of words no chunk holds as written, which are taken for
// typos; FAQ questions 3x, headings 2x, titles 1.5x; synonyms in the body and question
// only), then the candidates are re-ranked by Score plus 0.75 x their BM25 score relative
// to the best. With an embedder set, that ranking is fused with the cosine ranking of the
// chunk vectors by reciprocal rank fusion (k=60).
//
// Score is a confidence from 0 to 1 comparable across questions, unlike raw BM25. For a
// document's chunk it is the chunk's coverage of the question: the IDF-weighted fraction
// of the question's concepts (after stemming and filler removal) that the chunk holds, a
// synonym counting 0.9, a typo-close word 0.8, part of a phrase in proportion; people
// ("my grandpa") and request verbs ("do you offer") weigh a quarter. Rare words carry a
// question's meaning, so a question whose rare words appear nowhere in the chunk scores
// low however well its common words match (see AnswerThreshold); a word a translation
// could not carry over counts as such a word, since it is often what the question is
// about ("¿cuánto cuesta un ajuste?" is not answered by a late-cancellation fee). For an
// FAQ, Score blends that coverage with QuestionMatch (see questionWeight), how closely the
// visitor's question matches the FAQ's own. Score is not in order when
// fusion brings in a chunk by meaning alone; Hit.Similarity then carries the cosine
// similarity.
func (ix *Index) Search(ctx context.Context, business, q string, k int) ([]Hit, error) {
	if k <= 0 || strings.TrimSpace(q) == "" {
		return nil, nil
	}
	hits, err := ix.search(ctx, business, q, k, nil)
	if err != nil {
		return nil, err
	}
	// A question in Spanish or Portuguese is searched as written (a practice may write in
	// Spanish) and carried over to English by vocab's lexicon; each chunk keeps its better
	// score.
	if lang := vocab.Detect(q); lang != locale.English {
		text, unknown := vocab.Translate(lang, q)
		en, err := ix.search(ctx, business, text, k, unknown)
		if err != nil {
			return nil, err
		}
		hits = mergeHits(hits, en, k)
	}
	return hits, nil
}

// mergeHits joins two searches' hits, a chunk in both keeping its higher Score, best
// Score first.
func mergeHits(a, b []Hit, k int) []Hit {
	byID := map[string]int{}
	out := make([]Hit, 0, len(a)+len(b))
	for _, h := range append(a, b...) {
		if i, ok := byID[h.ID]; ok {
			if h.Score > out[i].Score {
				out[i] = h
			}
			continue
		}
		byID[h.ID] = len(out)
		out = append(out, h)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if len(out) > k {
		out = out[:k]
	}
	return out
}

// search is Search for one wording of the question; vague are words in it a translation
// could not carry over.
func (ix *Index) search(ctx context.Context, business, q string, k int, vague []string) ([]Hit, error) {
	q, err := ix.joinSplitWords(ctx, business, ageOf.ReplaceAllString(q, "age"))
	if err != nil {
		return nil, err
	}
	terms := ix.concepts(business, q)
	for i := range terms {
		terms[i].vague = slices.Contains(vague, terms[i].word)
	}
	form := questionForm(q)
	emb := ix.getEmbedder()
	if len(terms) == 0 && emb == nil {
		return nil, nil
	}
	weights, err := ix.termStats(ctx, business, terms)
	if err != nil {
		return nil, err
	}

	n := max(3*k, 20) // candidates per ranking before fusion and cut
	var lexical []*search.DocumentMatch
	var conf map[string]confidence // by document ID
	analyzer := ix.bleve.Mapping().AnalyzerNamed(analyzerName)
	if len(terms) > 0 {
		lexical, err = ix.lexical(ctx, business, terms, n)
		if err != nil {
			return nil, err
		}
		conf = rerank(lexical, terms, weights, form, analyzer)
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
		c, ok := conf[dm.ID]
		if !ok {
			c = confidenceOf(terms, weights, form, dm.Fields, analyzer)
		}
		h.Score, h.QuestionMatch, h.Coverage = c.score, c.question, c.coverage
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

// ageOf finds a child's age said as who the question is about ("my 15 year old", "her
// 2-year-old", "my 15 yo"): read as "child", its numbers would weigh as words no passage
// holds.
var ageOf = regexp.MustCompile(`(?i)\b\d{1,2}[\s-]*(years?|yrs?|months?|mos?|weeks?|wks?)[\s-]*olds?\b|\b\d{1,2}[\s-]*(yo|y/o|y\.o)\b`)

// joinMinLen is the shortest word joinSplitWords makes: joining short words finds too
// many accidents ("any one").
const joinMinLen = 6

// joinSplitWords writes two neighbouring words of q as one where the practice writes them
// so ("care credit" of CareCredit, "night guard" of a nightguard, "health partners" of
// HealthPartners): a name or compound split in two is otherwise two words, one of them
// unknown, and the question seems to be about something else.
func (ix *Index) joinSplitWords(ctx context.Context, business, q string) (string, error) {
	toks := vocab.Tokens(q)
	if len(toks) < 2 {
		return q, nil
	}
	stats := ix.statsFor(ctx, business)
	var b strings.Builder
	last := 0
	for i := 0; i+1 < len(toks); i++ {
		a, c := toks[i], toks[i+1]
		joined := a.Word + c.Word
		if len(joined) < joinMinLen || len(a.Word) < 2 || len(c.Word) < 2 || strings.TrimSpace(q[a.End:c.Start]) != "" {
			continue
		}
		n, err := stats.count(joined, fSurface)
		if err != nil {
			return q, err
		}
		if n == 0 {
			continue
		}
		b.WriteString(q[last:a.Start])
		b.WriteString(joined)
		last = c.End
		i++
	}
	if last == 0 {
		return q, nil
	}
	b.WriteString(q[last:])
	return b.String(), nil
}

// lexical runs the BM25 query for terms within business.
func (ix *Index) lexical(ctx context.Context, business string, terms []concept, n int) ([]*search.DocumentMatch, error) {
	fields := []struct {
		field string
		boost float64
	}{{fBody, 1}, {fQuestion, boostQuestion}, {fHeading, boostHeading}, {fTitle, boostTitle}}
	should := make([]query.Query, 0, len(terms))
	for _, t := range terms {
		var alts []query.Query
		for vi, v := range t.variants {
			boost := 1.0
			if vi > 0 {
				boost = synonymBoost * t.credit(vi) / synonymCredit
			}
			if len(v) == 1 {
				fs := fields
				if vi > 0 {
					fs = fields[:2] // a synonym in the body (which holds the heading) or the question: half the clauses
				}
				for _, f := range fs {
					tq := bleve.NewTermQuery(v[0])
					tq.SetField(f.field)
					tq.SetBoost(f.boost * boost)
					alts = append(alts, tq)
				}
				continue
			}
			// A phrase's words anywhere in the chunk, and in an FAQ's question above all.
			for _, f := range fields[:2] {
				parts := make([]query.Query, len(v))
				for k, stem := range v {
					tq := bleve.NewTermQuery(stem)
					tq.SetField(f.field)
					parts[k] = tq
				}
				cq := bleve.NewConjunctionQuery(parts...)
				cq.SetBoost(f.boost * boost)
				alts = append(alts, cq)
			}
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

// rerank orders BM25 candidates by confidence plus their BM25 score relative to the
// best: BM25 alone lets a frequent common word outrank a chunk holding the question's one
// rare (or misspelt) word, while confidence alone can't tell apart chunks that all hold
// every term. The confidences are returned for Search to reuse.
func rerank(dms []*search.DocumentMatch, terms []concept, weights []float64, form string, a analysis.Analyzer) map[string]confidence {
	if len(dms) == 0 {
		return nil
	}
	top := dms[0].Score
	key := make(map[*search.DocumentMatch]float64, len(dms))
	confs := make(map[string]confidence, len(dms))
	for _, dm := range dms {
		rel := 0.0
		if top > 0 {
			rel = dm.Score / top
		}
		c := confidenceOf(terms, weights, form, dm.Fields, a)
		confs[dm.ID] = c
		key[dm] = c.score + bm25Share*rel
	}
	sort.Slice(dms, func(i, j int) bool {
		if key[dms[i]] != key[dms[j]] {
			return key[dms[i]] > key[dms[j]]
		}
		return dms[i].ID < dms[j].ID // ties in a fixed order, whatever the segment layout
	})
	return confs
}

// confidence is a chunk's Score and, for an FAQ, its QuestionMatch.
type confidence struct{ score, question, coverage float64 }

// confidenceOf scores a chunk against a question (see Search).
func confidenceOf(terms []concept, weights []float64, form string, fields map[string]interface{}, a analysis.Analyzer) confidence {
	c := confidence{score: coverage(terms, weights, fields, a)}
	c.coverage = c.score
	if q := fieldString(fields, fQuestion); q != "" {
		c.question = questionMatch(terms, weights, analysedStems(a, q), form, questionForm(q))
		c.score = questionWeight*c.question + (1-questionWeight)*c.score
	}
	return c
}

// questionWeight is how much an FAQ's question matching the visitor's weighs in its
// Score against the coverage of the whole FAQ: an FAQ is about what its question asks,
// so words that only its answer shares ("sell ... for dogs" to "do you sell puppies")
// are weaker evidence than the same words in its question; but a visitor often asks what
// an answer says in words its question doesn't use ("is there an elevator" of "Where do
// I park? ... there is an elevator"). 0.3 was chosen with AnswerThreshold on the dev
// split and on practices of other kinds (eye care, chiropractic, hearing) written to
// test the engine, by right answers minus twice the wrong ones; 0.5 answered fewer
// right at the same wrong rate.
const questionWeight = 0.3

// questionMatch is how closely a visitor's question matches an FAQ's question: the
// harmonic mean of the share of the visitor's concepts the FAQ's question holds (weighted
// as in coverage) and the share of the FAQ question's terms the visitor used. A visitor
// who asks the FAQ's question in other words scores high on both; a question that shares
// one word with a long FAQ question scores low on the second.
//
// The form of the two questions (see questionForm) counts as one more term on both
// sides, of the weight of an average concept, when both open with a question word: "what
// do I need to bring" asks what "What should I bring?" asks, though the analyzer drops
// "what". A question answered yes or no is the usual form and says little: "is there
// parking?" asks what "Where do I park?" answers, and "do you sell dog beds" does not
// ask what "Do you sell flea prevention?" does, so it counts neither way.
func questionMatch(terms []concept, weights []float64, faq []string, form, faqForm string) float64 {
	if len(faq) == 0 || len(terms) == 0 {
		return 0
	}
	have := map[string]bool{}
	for _, s := range faq {
		have[s] = true
	}
	// Resemblance, not holding the answer: part of a phrase ("kid friendly" for "kids
	// area") resembles it, so units count in part here.
	parts := make([]concept, len(terms))
	for i, t := range terms {
		t.unit = false
		parts[i] = t
	}
	forward := coverageOf(parts, weights, chunkTerms{have: have, seq: func() []string { return faq }})
	var formIn, formAll float64 // the form as one more term
	if form != "" && faqForm != "" && form != yesNo && faqForm != yesNo {
		formAll = 1
		if form == faqForm {
			formIn = 1
		}
		sum := 0.0
		for _, w := range weights {
			sum += w
		}
		if sum > 0 {
			avg := sum / float64(len(weights))
			forward = (forward*sum + formIn*avg) / (sum + avg)
		}
	}
	asked := map[string]bool{}
	for _, t := range terms {
		for _, v := range t.variants {
			for _, s := range v {
				asked[s] = true
			}
		}
	}
	in := 0
	for s := range have {
		if asked[s] {
			in++
		}
	}
	backward := (float64(in) + formIn) / (float64(len(have)) + formAll)
	if forward+backward == 0 {
		return 0
	}
	return 2 * forward * backward / (forward + backward)
}

// questionForms are the ways a question opens that say what kind of answer it wants,
// longest first; questionForm reads them.
var questionForms = [][]string{
	{"how", "much"}, {"how", "many"}, {"how", "long"}, {"how", "often"}, {"how", "soon"},
	{"how", "early"}, {"how", "late"}, {"what", "time"}, {"how"}, {"what"}, {"which"},
	{"when"}, {"where"}, {"who"}, {"whom"}, {"why"},
}

// yesNo is the form of a question answered yes or no.
const yesNo = "yes/no"

// yesNoOpeners open a question answered yes or no.
var yesNoOpeners = map[string]bool{"do": true, "does": true, "did": true, "can": true, "could": true,
	"is": true, "are": true, "will": true, "would": true, "should": true, "may": true, "am": true,
	"have": true, "has": true, "any": true}

// questionForm is the kind of answer a question asks for: yesNo for a question that
// opens with a verb ("do you", "can I", "is what I tell you confidential"), else its first
// question word or phrase ("how much", "what", "where"; "which" counts as "what"), else ""
// when it shows none. Chat spellings ("whats", "r u") read as their words.
func questionForm(text string) string {
	words := vocab.Words(text)
	if len(words) > 0 && (yesNoOpeners[words[0]] || words[0] == "r") {
		return yesNo
	}
	for i, w := range words {
		switch w = strings.TrimSuffix(w, "'s"); w {
		case "whats":
			w = "what"
		case "wheres":
			w = "where"
		case "whens":
			w = "when"
		case "hows":
			w = "how"
		case "whos":
			w = "who"
		}
		for _, f := range questionForms {
			if w != f[0] || i+len(f) > len(words) || len(f) == 2 && words[i+1] != f[1] {
				continue
			}
			if f[0] == "which" {
				return "what"
			}
			return strings.Join(f, " ")
		}
	}
	return ""
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

// termStats gives each concept its BM25 IDF over the business's own chunks (see
// stats.go): rare words
// carry the meaning of a question ("tendon", "parking"), common ones ("physio",
// "appointment") much less. A concept weighs as the visitor's own words (a phrase as the
// sum of its words), whatever synonyms it is found as: how much it says about the
// question does not change with the practice's choice of words. A term in at most rareDF
// chunks, or in none, gets
// the highest weight: that makes a question about something the practice never mentions
// ("horses") score low, while the cap keeps a stray unknown word of chat ("tomorrow",
// "lady") from outweighing the rare words it did match.
//
// It also sets each concept's fuzzy flag.
func (ix *Index) termStats(ctx context.Context, business string, terms []concept) ([]float64, error) {
	stats := ix.statsFor(ctx, business)
	total, err := stats.docs()
	if err != nil {
		return nil, err
	}
	count := stats.count
	n := float64(total)
	weights := make([]float64, len(terms))
	for i, t := range terms {
		terms[i].parts = make([]float64, len(t.variants[0]))
		unknown := false // no chunk holds the visitor's own word
		for k, stem := range t.variants[0] {
			df, err := count(stem, fBody)
			if err != nil {
				return nil, err
			}
			unknown = unknown || df == 0
			df0 := df
			df = min(max(df, rareDF), n) // a practice of one or two chunks: every word is rare
			w := math.Log(1 + (n-df+0.5)/(df+0.5))
			// A common verb the practice never uses says what the visitor does ("while I
			// travel", "kept private"), unless the vocabulary relates it to a front desk's
			// thing ("eat" to food), when it may be what is asked.
			// A person the practice writes about ("teenagers", "children") may be what the
			// question turns on ("therapy for my 15 yo daughter", read as "age", whose
			// answer is the FAQ about teenagers); one it never mentions ("my grandpa")
			// only says who.
			if contextWords[stem] && (df0 == 0 || !people[stem]) || requestWords[stem] ||
				df0 == 0 && commonVerbs[stem] && len(t.variants) == 1 && !t.phrasal {
				w *= contextWeight
			}
			terms[i].parts[k] = w
			weights[i] += w
		}
		// A word the practice never uses, whose synonym it uses all the time ("lawyer" at
		// a firm that says "attorney"), weighs as that synonym: it is the practice's
		// everyday word, not a rare one.
		if unknown && len(t.variants) > 1 {
			syn := 0.0
			for vi, v := range t.variants {
				if vi == 0 || t.credit(vi) < synonymCredit {
					continue // a broader word ("pet") is common where "kitten" is rare
				}
				vdf := math.Inf(1)
				for _, stem := range v {
					c, err := count(stem, fBody)
					if err != nil {
						return nil, err
					}
					vdf = min(vdf, c)
				}
				syn = max(syn, vdf)
			}
			if syn > rareDF {
				w := math.Log(1 + (n-syn+0.5)/(syn+0.5))
				for k := range terms[i].parts {
					terms[i].parts[k] = w / float64(len(terms[i].parts))
				}
				weights[i] = w
			}
		}
		if unknown && !t.fuzzy && weights[i] > 0 && !t.vague && foreign(t, count) {
			weights[i] *= foreignWeight
			if slices.Contains(t.credits, broaderCredit) {
				// A word the shipped vocabulary knows as a kind of something (a species, a
				// sport, an operation) names a thing, not chat: that the practice never
				// mentions it, nor what it is a kind of, says the more that the question
				// is about something else ("can you clean my dog's teeth" at a dentist's).
				weights[i] *= foreignWeight
			}
		}
		// A word the vocabulary knows is spelled right: "night" the practice never writes
		// is not a typo of its "right away".
		if len(t.word) >= fuzzyMinLen && len(t.variants) == 1 {
			wdf, err := count(t.word, fSurface)
			if err != nil {
				return nil, err
			}
			terms[i].fuzzy = wdf == 0
		}
	}
	return weights, nil
}

// contextWords are the people a question is about ("my grandpa's dentures", "for my
// boyfriend"), names of the practice itself the analyzer does not already drop as it
// drops "office" and "clinic" ("the firm", "the animal hospital"), the day asked about
// ("can you see me today"), and "long" of "how long": they say who and when, not what,
// so one the practice never mentions must not weigh as much as an unknown subject
// ("horses") does. People the practice does write about weigh as any word (see
// termStats). Stems, as the analyzer makes them.
var contextWords = map[string]bool{}

// people are the contextWords that name people.
var people = map[string]bool{}

// requestWords are the verbs a visitor asks for something with ("do you offer ...", "do
// you have ...", "can you look at my parrot", "does my teen qualify for ..."): what is
// asked for carries the question, so a practice that "offers financing" does not answer
// "do you offer gift cards". Selling is not one of them: "do you sell puppies" asks about
// a sale, which a page about puppies' vaccines doesn't answer. Stems.
var requestWords = map[string]bool{}

// contextWeight scales a context or request word's weight.
const contextWeight = 0.25

func init() {
	for _, w := range strings.Fields(`grandpa grandma grandfather grandmother granddad grandad
		grandson granddaughter grandkid grandkids grandchild grandchildren nephew niece aunt
		uncle cousin boyfriend girlfriend fiance fiancee roommate neighbor neighbour coworker
		colleague boss friend buddy mate sister brother sibling siblings stepson stepdaughter
		stepmom stepdad husband wife partner spouse mom mum dad mother father parent parents
		son daughter kid kids child children baby toddler teen teenager boy girl family younger
		older youngest oldest
		firm hospital center centre today tonight tomorrow long`) {
		s := porterStem(w)
		if c, ok := synonyms[s]; ok {
			s = c // the analyzer's own synonym ("kid" is indexed as "child")
		}
		contextWords[s] = true
		if !strings.Contains(" firm hospital center centre today tonight tomorrow long ", " "+w+" ") {
			people[s] = true
		}
	}
	for _, w := range strings.Fields(`offer offers offered offering provide provides provided
		providing help helps helping handle handles handling need needs check checks checking
		give gives make makes take takes accept accepts available see sees seeing treat treats
		treating look looks looking qualify qualifies eligible eligibility require requires
		required requirement test tests testing`) {
		requestWords[porterStem(w)] = true
	}
	for _, w := range strings.Fields(`offer offers offered offering provide provides provided
		providing help helps helping handle handles handling take takes accept accepts see sees
		seeing treat treats treating look looks looking`) {
		if s := porterStem(w); !slices.Contains(requestStems, s) {
			requestStems = append(requestStems, s)
		}
	}
	sort.Strings(requestStems)
}

// requestStems are the request verbs of serving someone, which find one another ("do you
// see kids" is answered by "we treat young people"), in order. Stems.
var requestStems []string

// coverage is the weighted fraction of a question's concepts present in a chunk (its
// stored terms and words): a concept counts in full when the chunk holds the visitor's own
// word, synonymCredit when it holds a synonym, fuzzyCredit when it holds a typo-close
// word, and in proportion when it holds part of a phrase.
func coverage(terms []concept, weights []float64, fields map[string]interface{}, a analysis.Analyzer) float64 {
	return coverageOf(terms, weights, chunkTerms{
		have:  termSet(fieldString(fields, fTerms)),
		words: func() []string { return strings.Fields(fieldString(fields, fWords)) },
		seq: func() []string {
			return analysedStems(a, strings.Join([]string{fieldString(fields, fTitle), fieldString(fields, fHeading),
				fieldString(fields, fQuestion), fieldString(fields, fText)}, "\n"))
		},
	})
}

// chunkTerms is what coverage reads of a chunk: the set of its terms, and, called only
// when a concept needs them, its words as written (for a typo match) and its terms in
// order (for a synonym phrase).
type chunkTerms struct {
	have  map[string]bool
	words func() []string
	seq   func() []string
}

// phraseGap is how many terms may come between two words of a synonym phrase in a chunk
// ("your first dental appointment" holds "first appointment"); stop words are gone already.
const phraseGap = 1

// holdsPhrase reports whether seq holds the stems of v in order, each within phraseGap
// terms of the one before.
func holdsPhrase(seq, v []string) bool {
	for i, s := range seq {
		if s != v[0] {
			continue
		}
		at, k := i, 1
		for k < len(v) {
			next := -1
			for j := at + 1; j < len(seq) && j <= at+1+phraseGap; j++ {
				if seq[j] == v[k] {
					next = j
					break
				}
			}
			if next < 0 {
				break
			}
			at, k = next, k+1
		}
		if k == len(v) {
			return true
		}
	}
	return false
}

func termSet(s string) map[string]bool {
	have := map[string]bool{}
	for _, t := range strings.Fields(s) {
		have[t] = true
	}
	return have
}

// foreignWeight scales a concept the practice's knowledge never mentions in any of its
// forms: it is the strongest sign a question is about something else ("do you have a
// sleep lab", "can you clean my dog's teeth" at a dental practice).
const foreignWeight = 1.5

// commonVerbs say what a visitor does, not what they ask about ("write a will"): one the
// practice never uses is not a sign of another subject. Stems.
var commonVerbs = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`write read send bring call ask talk speak pay buy use keep start
		stop change move leave stay wait live walk run eat drink sit stand feel work look show say
		try put fill sign print drive meet arrive finish begin qualify mean happen matter hurt
		wear carry hold pick drop choose decide worry expect plan prepare remember forget learn
		understand explain answer reply fall fell fallen lose lost told gave given wrote written
		took taken brought sent paid felt bought kept travel travels traveling travelling`) {
		commonVerbs[porterStem(w)] = true
	}
}

// foreign reports whether no chunk holds any form of the concept, which is not a common
// verb.
func foreign(t concept, count func(term, field string) (float64, error)) bool {
	if len(t.variants[0]) == 1 && commonVerbs[t.variants[0][0]] {
		return false
	}
	for _, v := range t.variants {
		for _, stem := range v {
			if c, err := count(stem, fBody); err != nil || c > 0 {
				return false
			}
		}
	}
	return true
}

// credit is what a chunk holding the vi-th variant earns (synonymCredit for a concept
// built by hand in a test).
func (t concept) credit(vi int) float64 {
	if vi < len(t.credits) {
		return t.credits[vi]
	}
	if vi == 0 {
		return 1
	}
	return synonymCredit
}

// part is the weight of the k-th word of the visitor's own phrase (1 each before
// termStats has weighed them).
func (t concept) part(k int) float64 {
	if k < len(t.parts) {
		return t.parts[k]
	}
	return 1
}

// coverageOf is coverage against a chunk's terms.
func coverageOf(terms []concept, weights []float64, ct chunkTerms) float64 {
	if len(terms) == 0 {
		return 0
	}
	have := ct.have
	var ws, seq []string
	var got, all float64
	for i, t := range terms {
		all += weights[i]
		best := 0.0
		for vi, v := range t.variants {
			if vi == 0 {
				// The visitor's own words count in proportion to what they carry.
				var in, all float64
				for k, stem := range v {
					all += t.part(k)
					if have[stem] {
						in += t.part(k)
					}
				}
				if all > 0 && (!t.unit || in == all) {
					best = in / all
				}
				continue
			}
			// A synonym counts only whole: part of "video appointment" is not telehealth. A
			// phrase counts only as a phrase: "without an appointment" is not in "without
			// insurance ... a session".
			whole := true
			for _, stem := range v {
				whole = whole && have[stem]
			}
			if whole && len(v) > 1 && ct.seq != nil {
				if seq == nil {
					seq = ct.seq()
				}
				whole = holdsPhrase(seq, v)
			}
			if whole {
				best = max(best, t.credit(vi))
			}
		}
		if best < fuzzyCredit && t.fuzzy {
			if ws == nil && ct.words != nil {
				ws = ct.words()
			}
			for _, w := range ws {
				if withinOneEdit(t.word, w) {
					best = fuzzyCredit
					break
				}
			}
		}
		got += best * weights[i]
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
