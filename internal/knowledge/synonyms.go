package knowledge

import (
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"

	"frontdesk/internal/vocab"
)

// A synonym layer at query time: a visitor's word or phrase that belongs to a group of
// words meaning the same thing (vocab's shipped groups, and a practice's own) is searched
// as any member of the group. Doing it at query time, not in the analyzer, means no
// re-index when the groups change and lets each practice have its own.

// synonymCredit is how much a chunk holding a synonym of the visitor's word, rather than
// the word, counts towards Score: a little less, so the visitor's own word ranks first.
const synonymCredit = 0.9

// synonymBoost weighs a synonym's match in BM25 the same way.
const synonymBoost = 0.8

// phraseTable is synonym groups compiled with the index's analyzer: each member as its
// analysed stems, indexed by its first stem for a quick lookup while a question is read.
type phraseTable struct {
	groups  [][][]string      // group -> member -> stems
	byFirst map[string][]pref // first stem of a member -> where it is
}

type pref struct{ group, member int }

func compileGroups(a analysis.Analyzer, groups []vocab.Group) *phraseTable {
	t := &phraseTable{byFirst: map[string][]pref{}}
	for _, g := range groups {
		var members [][]string
		seen := map[string]bool{}
		for _, m := range g {
			stems := analysedStems(a, m)
			// A phrase the analyzer cut down to one word lost what made it specific:
			// "same day" is not every "day".
			if len(stems) == 0 || len(stems) == 1 && len(vocab.Words(m)) > 1 {
				continue
			}
			if k := strings.Join(stems, " "); !seen[k] {
				seen[k] = true
				members = append(members, stems)
			}
		}
		if len(members) < 2 {
			continue
		}
		gi := len(t.groups)
		t.groups = append(t.groups, members)
		for mi, m := range members {
			t.byFirst[m[0]] = append(t.byFirst[m[0]], pref{gi, mi})
		}
	}
	return t
}

func analysedStems(a analysis.Analyzer, s string) []string {
	var out []string
	for _, tk := range a.Analyze([]byte(s)) {
		out = append(out, string(tk.Term))
	}
	return out
}

// longest finds the longest member of any group that starts at stems[i]: its length, and
// every member of the groups that have it (the visitor's phrase first).
func (t *phraseTable) longest(stems []string, i int) (int, [][]string) {
	if t == nil {
		return 0, nil
	}
	n := 0
	var groups []int
	for _, r := range t.byFirst[stems[i]] {
		m := t.groups[r.group][r.member]
		if len(m) > len(stems)-i || !equalAt(stems, i, m) {
			continue
		}
		switch {
		case len(m) > n:
			n, groups = len(m), []int{r.group}
		case len(m) == n:
			groups = append(groups, r.group)
		}
	}
	if n == 0 {
		return 0, nil
	}
	var out [][]string
	for _, g := range groups {
		out = append(out, t.groups[g]...)
	}
	return n, out
}

func equalAt(stems []string, i int, m []string) bool {
	for k, s := range m {
		if stems[i+k] != s {
			return false
		}
	}
	return true
}

// synonymSets holds the compiled shipped groups (built on first use, from the index's own
// analyzer) and each business's own.
type synonymSets struct {
	once    sync.Once
	shipped *phraseTable
	mu      sync.RWMutex
	owned   map[string]*phraseTable // business -> its own groups
}

// SetSynonyms sets a business's own synonym groups, as its owner entered them (see
// vocab.ParseGroups), on top of the shipped ones; nil or empty removes them. They apply
// to searches from now on and need no re-index. The owner's groups live in the businesses
// record; the caller sets them when the index opens and whenever the record changes.
func (ix *Index) SetSynonyms(business string, groups []vocab.Group) {
	var t *phraseTable
	if len(groups) > 0 {
		t = compileGroups(ix.bleve.Mapping().AnalyzerNamed(analyzerName), groups)
	}
	ix.syn.mu.Lock()
	defer ix.syn.mu.Unlock()
	if ix.syn.owned == nil {
		ix.syn.owned = map[string]*phraseTable{}
	}
	if t == nil {
		delete(ix.syn.owned, business)
		return
	}
	ix.syn.owned[business] = t
}

// tables returns the phrase tables that apply to business: the shipped ones, then its own.
func (ix *Index) tables(business string) []*phraseTable {
	ix.syn.once.Do(func() {
		ix.syn.shipped = compileGroups(ix.bleve.Mapping().AnalyzerNamed(analyzerName), vocab.Shipped())
	})
	ix.syn.mu.RLock()
	own := ix.syn.owned[business]
	ix.syn.mu.RUnlock()
	return []*phraseTable{ix.syn.shipped, own}
}
