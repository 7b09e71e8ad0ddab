// Package guard holds Frontdesk's guardrails: it finds visitor identifiers and replaces them
// with typed placeholders before text reaches a hosted model (and, for text kept apart from
// its conversation, names and street addresses too), notices health details a visitor
// volunteers, screens messages for prompt injection and checks replies for system-prompt leaks.
//
// The detectors are heuristics tuned to stay quiet on ordinary practice questions; each file
// documents the rule it applies. Everything here is safe for concurrent use: the regular
// expressions are compiled once at package init and only a Redactor holds state.
package guard

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldReplacer removes the accents Spanish and other Latin-script visitors type, so one ASCII
// word list serves "médico" and "medico" alike, and unifies typographic apostrophes.
var foldReplacer = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ä", "a", "ã", "a",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"í", "i", "ì", "i", "î", "i", "ï", "i",
	"ó", "o", "ò", "o", "ô", "o", "ö", "o", "õ", "o",
	"ú", "u", "ù", "u", "û", "u", "ü", "u",
	"ñ", "n", "ç", "c",
	"’", "'", "‘", "'", "ʼ", "'",
	"\u00a0", " ",
)

// fold lowercases s and strips accents; its output is for matching only, since byte offsets
// into it do not line up with s.
func fold(s string) string {
	return foldReplacer.Replace(strings.ToLower(s))
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// atBoundary reports whether text[start:end] is not glued to a letter or digit on either
// side, so "5551234567" is found in "call 5551234567" but not inside "AB5551234567".
func atBoundary(text string, start, end int) bool {
	if start > 0 {
		if r, _ := utf8.DecodeLastRuneInString(text[:start]); isWordRune(r) {
			return false
		}
	}
	if end < len(text) {
		if r, _ := utf8.DecodeRuneInString(text[end:]); isWordRune(r) {
			return false
		}
	}
	return true
}

// before returns up to n bytes of text ending at i, folded, for context checks.
func before(text string, i, n int) string {
	return fold(text[max(0, i-n):i])
}

// after returns up to n bytes of text starting at i, folded, for context checks.
func after(text string, i, n int) string {
	return fold(text[i:min(len(text), i+n)])
}
