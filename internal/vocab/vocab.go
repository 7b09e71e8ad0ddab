// Package vocab is the vocabulary Frontdesk understands visitors with when no model is
// there to do it: which language a message is written in, a small Spanish and Portuguese
// lexicon that carries a question onto the English words of a practice's knowledge, and
// groups of words visitors use for the same thing at a front desk ("chompers cleaned",
// "dental cleaning"). The data are plain text files embedded in the binary, so a reviewer
// can read and extend them without reading Go. It does no I/O and is safe for concurrent use.
package vocab

import (
	"strings"
	"unicode"

	porterstemmer "github.com/blevesearch/go-porterstemmer"
)

// foldReplacer removes the accents Spanish and Portuguese visitors type (and English ones
// sometimes do), so one word list serves "sábado" and "sabado".
var foldReplacer = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ä", "a", "ã", "a",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"í", "i", "ì", "i", "î", "i", "ï", "i",
	"ó", "o", "ò", "o", "ô", "o", "ö", "o", "õ", "o",
	"ú", "u", "ù", "u", "û", "u", "ü", "u",
	"ñ", "n", "ç", "c",
	"’", "'", "‘", "'", "ʼ", "'", "´", "'",
	"\u00a0", " ",
)

// Fold lowercases s, strips accents and unifies apostrophes: the form every word list here
// is written in.
func Fold(s string) string { return foldReplacer.Replace(strings.ToLower(s)) }

// Token is one word of a text: as written, and folded.
type Token struct {
	Text       string // as written, so names keep their capitals
	Word       string // folded
	Start, End int    // byte offsets of Text in the string it came from
}

// Tokens splits s into words: runs of letters and digits, with an apostrophe inside a word
// kept ("kid's") and every other character a separator, hyphens included, so "walk-in" and
// "walk in" read the same.
func Tokens(s string) []Token {
	var out []Token
	start := -1
	flush := func(end int) {
		if start >= 0 {
			t := strings.Trim(s[start:end], "'’")
			if t != "" {
				lead := strings.Index(s[start:end], t)
				out = append(out, Token{Text: t, Word: Fold(t), Start: start + lead, End: start + lead + len(t)})
			}
			start = -1
		}
	}
	for i, r := range s {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || ((r == '\'' || r == '’') && start >= 0)
		if word && start < 0 {
			start = i
		}
		if !word {
			flush(i)
		}
	}
	flush(len(s))
	return out
}

// Words is the folded words of s, as Tokens splits them.
func Words(s string) []string {
	ts := Tokens(s)
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Word
	}
	return out
}

// Stem is the Porter stem of an English word, the stemmer the knowledge index uses too,
// so "cleanings" and "cleaning" compare equal.
func Stem(word string) string {
	word = strings.TrimSuffix(strings.TrimSuffix(word, "'s"), "'")
	return porterstemmer.StemString(word)
}

// Near reports whether a and b are at most one edit apart (an insertion, a deletion, a
// substitution, or two neighbouring letters swapped: "atena" is near "aetna"). Typo
// matching of short words finds too many neighbours ("cat", "car"), so callers only use it
// for words of five letters or more.
func Near(a, b string) bool {
	if a == b {
		return true
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	if len(rb)-len(ra) > 1 {
		return false
	}
	i := 0
	for i < len(ra) && ra[i] == rb[i] {
		i++
	}
	if len(ra) == len(rb) {
		if i+1 < len(ra) && ra[i] == rb[i+1] && ra[i+1] == rb[i] && string(ra[i+2:]) == string(rb[i+2:]) {
			return true // a swap
		}
		return string(ra[i+1:]) == string(rb[i+1:])
	}
	return string(ra[i:]) == string(rb[i+1:])
}
