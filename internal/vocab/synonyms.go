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

var shipped = func() []Group {
	gs, err := ParseGroups(synonymsText)
	if err != nil {
		panic("vocab: synonyms.txt: " + err.Error())
	}
	return gs
}()

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
// error naming the line, so the settings screen can say which one to fix.
func ParseGroups(text string) ([]Group, error) {
	var out []Group
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			continue
		}
		var g Group
		seen := map[string]bool{}
		for _, m := range strings.Split(line, ",") {
			m = strings.Join(strings.Fields(m), " ")
			if k := Fold(m); m != "" && !seen[k] {
				seen[k] = true
				g = append(g, m)
			}
		}
		if len(g) < 2 {
			return nil, fmt.Errorf("line %d: %q needs at least two words or phrases separated by commas", n+1, line)
		}
		out = append(out, g)
	}
	return out, nil
}
