package vocab

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed synonyms.txt
var synonymsText string

// Group is words and phrases that mean the same thing at a practice's front desk, as
// written ("video call", "telehealth", "zoom").
type Group []string

// Relation relates broader words to narrower ones ("pet" to "dog"): a narrower word finds
// a broader one, and the other way round, but two narrower words of one relation don't
// find each other through it.
type Relation struct {
	Broad, Narrow Group
}

var shipped, shippedRelations = func() ([]Group, []Relation) {
	gs, rs, err := parse(synonymsText)
	if err != nil {
		panic("vocab: synonyms.txt: " + err.Error())
	}
	return gs, rs
}()

// ShippedRelations returns the broader-narrower relations Frontdesk ships (pets and
// species).
func ShippedRelations() []Relation {
	out := make([]Relation, len(shippedRelations))
	for i, r := range shippedRelations {
		out[i] = Relation{append(Group(nil), r.Broad...), append(Group(nil), r.Narrow...)}
	}
	return out
}

// Shipped returns the groups Frontdesk ships for dental, medical, physiotherapy,
// veterinary and legal practices. All of them apply to every practice: a practice's kind
// is not recorded, and the file admits only groups that are safe everywhere.
func Shipped() []Group {
	out := make([]Group, len(shipped))
	for i, g := range shipped {
		out[i] = append(Group(nil), g...)
	}
	return out
}

// ParseGroups reads groups in the form an owner types them (and synonyms.txt is written
// in): one group a line, members separated by commas; blank lines, lines starting with
// "#" and section lines ("[dental]") are skipped. A line with fewer than two members is an
// error naming the line, so the settings screen can say which one to fix. An owner's
// "broad > narrow" line is read as one group of all its words.
func ParseGroups(text string) ([]Group, error) {
	gs, rs, err := parse(text)
	for _, r := range rs {
		gs = append(gs, append(append(Group(nil), r.Broad...), r.Narrow...))
	}
	return gs, err
}

func parse(text string) ([]Group, []Relation, error) {
	var groups []Group
	var rels []Relation
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			continue
		}
		if broad, narrow, ok := strings.Cut(line, ">"); ok {
			b, nw := members(broad), members(narrow)
			if len(b) == 0 || len(nw) == 0 {
				return nil, nil, fmt.Errorf("line %d: %q needs words on both sides of >", n+1, line)
			}
			rels = append(rels, Relation{b, nw})
			continue
		}
		g := members(line)
		if len(g) < 2 {
			return nil, nil, fmt.Errorf("line %d: %q needs at least two words or phrases separated by commas", n+1, line)
		}
		groups = append(groups, g)
	}
	return groups, rels, nil
}

// members splits a comma-separated list, dropping empty and repeated members.
func members(list string) Group {
	var g Group
	seen := map[string]bool{}
	for _, m := range strings.Split(list, ",") {
		m = strings.Join(strings.Fields(m), " ")
		if k := Fold(m); m != "" && !seen[k] {
			seen[k] = true
			g = append(g, m)
		}
	}
	return g
}
