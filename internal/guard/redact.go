package guard

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"frontdesk/internal/lazyre"
)

// placeholderRe matches anything shaped like a placeholder, ours or typed by someone else;
// peoplePlaceholderRe adds the kinds only Anonymize issues, so the chat path's Redactor
// handles typed text exactly as it did before those kinds existed.
var (
	placeholderRe       = lazyre.New(`(?i)\[(?:EMAIL|PHONE|DOB|SSN|MRN|CARD)_[0-9]+\]`)
	peoplePlaceholderRe = lazyre.New(`(?i)\[(?:EMAIL|PHONE|DOB|SSN|MRN|CARD|NAME|ADDRESS)_[0-9]+\]`)
)

// Redactor replaces identifiers with typed placeholders such as [EMAIL_1] and remembers the
// originals, so one Redactor per conversation keeps placeholders consistent across turns and
// can turn a model's tool arguments back into real values. It is safe for concurrent use.
//
// Restore(Redact(x)) == x always holds: text that already looks like a placeholder is itself
// replaced by a fresh placeholder, so a visitor typing "[EMAIL_1]" cannot make Restore
// produce someone else's value, and once a value has been redacted every later occurrence of
// it is redacted too, even where the detector alone would not have fired.
type Redactor struct {
	mu       sync.Mutex
	byValue  map[string]string // original -> placeholder
	byHolder map[string]string // placeholder -> original
	kindOf   map[string]Kind   // original -> kind
	next     map[Kind]int
	known    []string // originals, longest first, for the repeat scan

	people  bool           // also names and addresses: see Anonymize
	holders *lazyre.Regexp // what counts as a placeholder for this Redactor
}

// NewRedactor returns an empty Redactor; use one per conversation.
func NewRedactor() *Redactor {
	return newRedactor(false)
}

func newRedactor(people bool) *Redactor {
	r := &Redactor{
		byValue:  map[string]string{},
		byHolder: map[string]string{},
		kindOf:   map[string]Kind{},
		next:     map[Kind]int{},
		people:   people,
		holders:  placeholderRe,
	}
	if people {
		r.holders = peoplePlaceholderRe
	}
	return r
}

// Count returns how many distinct values the Redactor has replaced so far.
func (r *Redactor) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.byHolder)
}

// Redact returns text with every identifier replaced by its placeholder. The same original
// value always gets the same placeholder on one Redactor; numbering is per kind, in order of
// first appearance.
func (r *Redactor) Redact(text string) string {
	spans := r.redactionSpans(text)

	r.mu.Lock()
	defer r.mu.Unlock()

	values := append([]string(nil), r.known...)
	kinds := map[string]Kind{}
	for _, f := range spans {
		if _, ok := r.byValue[f.Value]; !ok {
			if _, ok := kinds[f.Value]; !ok {
				kinds[f.Value] = f.Kind
				values = append(values, f.Value)
			}
		}
	}
	sortLongestFirst(values)
	kindOf := func(v string) Kind {
		if k, ok := r.kindOf[v]; ok {
			return k
		}
		return kinds[v]
	}
	spans = addRepeats(text, spans, values, kindOf)
	if len(spans) == 0 {
		return text
	}

	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, f := range spans {
		b.WriteString(text[last:f.Start])
		b.WriteString(r.placeholder(f.Kind, f.Value))
		last = f.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// Restore replaces the placeholders this Redactor issued with their original values; any
// other text, including placeholders it never issued, is left alone. No original value holds
// a quote, backslash or control character, so restoring inside JSON keeps it valid.
func (r *Redactor) Restore(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.byHolder) == 0 {
		return s
	}
	return r.holders.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := r.byHolder[strings.ToUpper(m)]; ok {
			return v
		}
		return m
	})
}

// placeholder returns the placeholder for v, issuing one if v is new. r.mu must be held.
func (r *Redactor) placeholder(k Kind, v string) string {
	if p, ok := r.byValue[v]; ok {
		return p
	}
	r.next[k]++
	p := fmt.Sprintf("[%s_%d]", k, r.next[k])
	r.byValue[v] = p
	r.byHolder[p] = v
	r.kindOf[v] = k
	r.known = append(r.known, v)
	sortLongestFirst(r.known)
	return p
}

func sortLongestFirst(vs []string) {
	sort.Slice(vs, func(i, j int) bool {
		if len(vs[i]) != len(vs[j]) {
			return len(vs[i]) > len(vs[j])
		}
		return vs[i] < vs[j]
	})
}

// redactionSpans is FindIdentifiers (and, for Anonymize, names and addresses) plus any
// placeholder-shaped text, which wins overlaps so that Restore can never confuse a typed
// "[PHONE_1]" with a real one.
func (r *Redactor) redactionSpans(text string) []Finding {
	found := FindIdentifiers(text)
	lits := r.holders.FindAllStringIndex(text, -1)
	if len(lits) == 0 && !r.people {
		return found
	}
	c := make([]candidate, 0, len(found)+len(lits))
	if r.people {
		c = findPeople(text, c)
	}
	for _, m := range lits {
		v := text[m[0]:m[1]]
		k := Kind(strings.ToUpper(v[1:strings.LastIndexByte(v, '_')]))
		c = append(c, candidate{Finding{Kind: k, Start: m[0], End: m[1], Value: v}, 0})
	}
	for _, f := range found {
		c = append(c, candidate{f, priority[f.Kind]})
	}
	return resolve(c)
}

// addRepeats adds every other occurrence of an already-known value that stands on its own.
// Neighbouring spans count as boundaries because they become placeholders; the scan repeats
// until nothing changes, since a new span can turn a neighbour into a boundary.
func addRepeats(text string, spans []Finding, values []string, kindOf func(string) Kind) []Finding {
	covered := func(pos int) bool {
		i := sort.Search(len(spans), func(i int) bool { return spans[i].End > pos })
		return i < len(spans) && spans[i].Start <= pos
	}
	standsAlone := func(s, e int) bool {
		if s > 0 && !covered(s-1) {
			if r, _ := utf8.DecodeLastRuneInString(text[:s]); isWordRune(r) {
				return false
			}
		}
		if e < len(text) && !covered(e) {
			if r, _ := utf8.DecodeRuneInString(text[e:]); isWordRune(r) {
				return false
			}
		}
		return true
	}
	for changed := true; changed; {
		changed = false
		for _, v := range values {
			if v == "" {
				continue
			}
			for off := 0; off < len(text); {
				k := strings.Index(text[off:], v)
				if k < 0 {
					break
				}
				s := off + k
				off = s + 1
				if !standsAlone(s, s+len(v)) {
					continue
				}
				var ok bool
				spans, ok = insertSpan(spans, Finding{Kind: kindOf(v), Start: s, End: s + len(v), Value: v})
				if ok {
					changed = true
					off = s + len(v)
				}
			}
		}
	}
	return spans
}
