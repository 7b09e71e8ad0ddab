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

// broaderCredit is a broader or narrower word's credit ("pet" for "cat"): it answers
// the question in part, and a chunk that holds nothing else of the question ("a
// neighborhood animal hospital" for "do you sell puppies", "we do bunion surgery" for
// "do you do knee replacements") must not be confident: it is below AnswerThreshold.
const broaderCredit = 0.45

// synonymBoost weighs a synonym's match in BM25 below the visitor's own word.
const synonymBoost = 0.8

// phraseTable is synonym groups compiled with the index's analyzer: each member as its
// analysed stems, indexed by its first stem for a quick lookup while a question is read.
type phraseTable struct {
	groups  [][]member        // group -> its members
	byFirst map[string][]pref // first stem of a member -> where it is
}

// member is a group's word or phrase as stems; in a relation's group, narrow marks the
// narrower words.
type member struct {
	stems  []string
	narrow bool
}

type pref struct{ group, member int }

// variant is a form a concept may be found as, and the credit a chunk holding it earns.
type variant struct {
	stems  []string
	credit float64
}

func compileGroups(a analysis.Analyzer, groups []vocab.Group, rels []vocab.Relation) *phraseTable {
	t := &phraseTable{byFirst: map[string][]pref{}}
	add := func(words []string, narrow []bool) {
		var members []member
		seen := map[string]bool{}
		for i, m := range words {
			stems := analysedStems(a, m)
			// A phrase the analyzer cut down to one of its words lost what made it
			// specific: "how soon" is not every "soon" (a compound it joined, "same day",
			// is whole).
			if len(stems) == 0 || len(stems) == 1 && len(vocab.Words(m)) > 1 && cutDown(a, m, stems[0]) {
				continue
			}
			if k := strings.Join(stems, " "); !seen[k] {
				seen[k] = true
				members = append(members, member{stems, narrow[i]})
			}
		}
		if len(members) < 2 {
			return
		}
		gi := len(t.groups)
		t.groups = append(t.groups, members)
		for mi, m := range members {
			t.byFirst[m.stems[0]] = append(t.byFirst[m.stems[0]], pref{gi, mi})
		}
	}
	for _, g := range groups {
		add(g, make([]bool, len(g)))
	}
	for _, r := range rels {
		words := append(append([]string(nil), r.Broad...), r.Narrow...)
		narrow := make([]bool, len(words))
		for i := len(r.Broad); i < len(words); i++ {
			narrow[i] = true
		}
		add(words, narrow)
	}
	return t
}

// cutDown reports whether stem, all that is left of phrase, is one of its words.
func cutDown(a analysis.Analyzer, phrase, stem string) bool {
	for _, w := range vocab.Words(phrase) {
		if s := analysedStems(a, w); len(s) == 1 && s[0] == stem {
			return true
		}
	}
	return false
}

func analysedStems(a analysis.Analyzer, s string) []string {
	var out []string
	for _, tk := range onePerPosition(a.Analyze([]byte(s))) {
		out = append(out, string(tk.Term))
	}
	return out
}

// onePerPosition keeps the first term at each position: what a question or a phrase
// says is one term a word, and a compound's first part, kept beside it for the index
// (compoundFilter), is not a word of its own.
func onePerPosition(ts analysis.TokenStream) analysis.TokenStream {
	var out analysis.TokenStream
	for _, t := range ts {
		if len(out) == 0 || out[len(out)-1].Position != t.Position {
			out = append(out, t)
		}
	}
	return out
}

// longest finds the longest member of any group that starts at stems[i]: its length, and
// the other members of the groups that have it, each with its credit: a synonym's, or a
// broader or narrower word's.
func (t *phraseTable) longest(stems []string, i int) (int, []variant) {
	if t == nil {
		return 0, nil
	}
	n := 0
	var found []pref
	for _, r := range t.byFirst[stems[i]] {
		m := t.groups[r.group][r.member].stems
		l := matchAt(stems, i, m)
		switch {
		case l == 0:
		case l > n:
			n, found = l, []pref{r}
		case l == n:
			found = append(found, r)
		}
	}
	if n == 0 {
		return 0, nil
	}
	var out []variant
	for _, r := range found {
		asked := t.groups[r.group][r.member]
		for _, m := range t.groups[r.group] {
			credit := synonymCredit
			if m.narrow != asked.narrow {
				credit = broaderCredit
			} else if m.narrow && !sameMember(m, asked) {
				continue // two narrower words of a relation are not each other
			}
			out = append(out, variant{m.stems, credit})
		}
	}
	return n, out
}

// whose reports whether stem says whom a phrase is about: a person ("mom") or an animal
// ("dog").
func whose(stem string) bool { return contextWords[stem] || animalWords[stem] }

// animalWords are the animals a visitor's phrase may be about, as stems.
var animalWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`dog dogs puppy puppies cat cats kitten kittens kitty rabbit
		rabbits bunny bunnies ferret ferrets bird birds parrot parrots horse horses pet pets`) {
		animalWords[porterStem(w)] = true
	}
}

// sameMember reports whether two members are forms of one word: narrower members of a
// relation line come in a word's forms ("dog, dogs"), which do find each other.
func sameMember(a, b member) bool {
	return len(a.stems) == len(b.stems) && strings.Join(a.stems, " ") == strings.Join(b.stems, " ")
}

// matchAt is how many of stems, from i, the phrase m takes: its length, more when a word
// of whom it is for stands inside it ("come to my mom's house" is "come to my house",
// "cut my dog's hair" is "cut hair"), or 0 when it is not there.
func matchAt(stems []string, i int, m []string) int {
	j := i
	for k, s := range m {
		for k > 0 && j < len(stems) && stems[j] != s && whose(stems[j]) && !whose(s) {
			j++
		}
		if j >= len(stems) || stems[j] != s {
			return 0
		}
		j++
	}
	return j - i
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
		t = compileGroups(ix.bleve.Mapping().AnalyzerNamed(analyzerName), groups, nil)
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
		ix.syn.shipped = compileGroups(ix.bleve.Mapping().AnalyzerNamed(analyzerName), vocab.Shipped(), vocab.ShippedRelations())
	})
	ix.syn.mu.RLock()
	own := ix.syn.owned[business]
	ix.syn.mu.RUnlock()
	return []*phraseTable{ix.syn.shipped, own}
}
