package guard

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// leakRunWords is how many consecutive words of the system prompt a reply must repeat to
// count as a leak: long enough that ordinary phrasing never collides by chance.
const leakRunWords = 12

// LeaksSystemPrompt reports whether reply reproduces part of systemPrompt: any run of 12
// consecutive words, compared case-, accent- and punctuation-insensitively, or any of the
// canaries (distinctive marker phrases that appear only in the prompt), compared the same
// way. Pass the confidential rule section as systemPrompt, not the practice's facts, since
// the model is meant to repeat those; a prompt shorter than 12 words is caught only by its
// canaries.
func LeaksSystemPrompt(reply, systemPrompt string, canaries ...string) bool {
	rw := words(reply)
	for _, c := range canaries {
		if cw := words(c); len(cw) > 0 && containsRun(rw, cw) {
			return true
		}
	}
	pw := words(systemPrompt)
	if len(pw) < leakRunWords || len(rw) < leakRunWords {
		return false
	}
	runs := make(map[string]struct{}, len(pw))
	for i := 0; i+leakRunWords <= len(pw); i++ {
		runs[strings.Join(pw[i:i+leakRunWords], " ")] = struct{}{}
	}
	for i := 0; i+leakRunWords <= len(rw); i++ {
		if _, ok := runs[strings.Join(rw[i:i+leakRunWords], " ")]; ok {
			return true
		}
	}
	return false
}

// words splits folded text into runs of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool { return !isWordRune(r) })
}

func containsRun(hay, needle []string) bool {
	for i := 0; i+len(needle) <= len(hay); i++ {
		match := true
		for k, w := range needle {
			if hay[i+k] != w {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// LeakGuard holds what LeaksSystemPrompt compares a reply with, prepared once: the
// prompt's runs of words and the canaries. Build it when the prompt changes and share it;
// it is safe for concurrent use. Each reply gets its own Checker.
type LeakGuard struct {
	runs     map[string]struct{}
	canaries [][]string
}

// NewLeakGuard prepares the checks of LeaksSystemPrompt for systemPrompt and canaries.
func NewLeakGuard(systemPrompt string, canaries ...string) *LeakGuard {
	g := &LeakGuard{runs: map[string]struct{}{}}
	pw := words(systemPrompt)
	for i := 0; i+leakRunWords <= len(pw); i++ {
		g.runs[strings.Join(pw[i:i+leakRunWords], " ")] = struct{}{}
	}
	for _, cn := range canaries {
		if cw := words(cn); len(cw) > 0 {
			g.canaries = append(g.canaries, cw)
		}
	}
	return g
}

// Checker starts the check of one streaming reply.
func (g *LeakGuard) Checker() *LeakChecker { return &LeakChecker{g: g} }

// LeakChecker is LeaksSystemPrompt for a reply that streams in. It splits only the text
// that arrived since the last Check into words and looks only at the runs that end in
// it, so a whole reply costs about what one LeaksSystemPrompt of it does. Use one per
// reply; it is not safe for concurrent use.
type LeakChecker struct {
	g     *LeakGuard
	words []string // words of reply[:split], which no later text can change
	split int      // bytes of the reply up to and including its last whitespace
	final int      // len(words) at the last Check: runs ending there were looked at
}

// Check reports whether reply, the whole text so far, leaks the prompt. Successive calls
// must pass the reply growing. Words before the reply's last whitespace are final; the
// text after it may still grow, so the runs that end in it are looked at again next time.
func (c *LeakChecker) Check(reply string) bool {
	if i := strings.LastIndexFunc(reply[c.split:], unicode.IsSpace); i >= 0 {
		_, size := utf8.DecodeRuneInString(reply[c.split+i:])
		c.words = append(c.words, words(reply[c.split:c.split+i+size])...)
		c.split += i + size
	}
	final := len(c.words)
	rw := append(c.words, words(reply[c.split:])...)
	c.words = rw[:final] // the unfinished words are only borrowed for this check
	from := c.final
	c.final = final
	for _, cw := range c.g.canaries {
		for end := max(from+1, len(cw)); end <= len(rw); end++ {
			if slices.Equal(rw[end-len(cw):end], cw) {
				return true
			}
		}
	}
	for end := max(from+1, leakRunWords); end <= len(rw); end++ {
		if _, ok := c.g.runs[strings.Join(rw[end-leakRunWords:end], " ")]; ok {
			return true
		}
	}
	return false
}
