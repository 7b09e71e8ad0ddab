package guard

import "strings"

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

// LeakChecker is LeaksSystemPrompt for a reply that streams in: the prompt's runs are
// built once, and each Check looks only at the runs that the new text completes. Use one
// per reply; it is not safe for concurrent use.
type LeakChecker struct {
	runs     map[string]struct{}
	canaries [][]string
	checked  int // windows of the reply already looked at
}

// NewLeakChecker prepares the checks of LeaksSystemPrompt for systemPrompt and canaries.
func NewLeakChecker(systemPrompt string, canaries ...string) *LeakChecker {
	c := &LeakChecker{runs: map[string]struct{}{}}
	pw := words(systemPrompt)
	for i := 0; i+leakRunWords <= len(pw); i++ {
		c.runs[strings.Join(pw[i:i+leakRunWords], " ")] = struct{}{}
	}
	for _, cn := range canaries {
		if cw := words(cn); len(cw) > 0 {
			c.canaries = append(c.canaries, cw)
		}
	}
	return c
}

// Check reports whether reply, the whole text so far, leaks the prompt. Successive calls
// must pass the reply growing; windows ending in the last word are looked at again, since
// that word may still grow.
func (c *LeakChecker) Check(reply string) bool {
	rw := words(reply)
	for _, cw := range c.canaries {
		if containsRun(rw, cw) {
			return true
		}
	}
	start := max(c.checked-1, 0)
	for i := start; i+leakRunWords <= len(rw); i++ {
		if _, ok := c.runs[strings.Join(rw[i:i+leakRunWords], " ")]; ok {
			return true
		}
		c.checked = i + 1
	}
	return false
}
