package vocab

import (
	_ "embed"
	"fmt"
	"strings"

	"frontdesk/internal/locale"
)

// Portuguese is detected but has no catalog in locale: locale.For gives English's texts for
// it, which is the reply language Frontdesk uses for Portuguese questions (see Detect).
const Portuguese locale.Lang = "pt"

//go:embed lexicon.txt
var lexiconText string

// lexicon is one language's mappings onto English, by folded phrase, and its function words.
type lexicon struct {
	phrases map[string]string // folded phrase, words joined by one space -> English
	longest int               // words in the longest phrase
	stop    map[string]bool
}

var lexicons = mustParseLexicons(lexiconText)

func mustParseLexicons(text string) map[locale.Lang]*lexicon {
	out := map[locale.Lang]*lexicon{}
	var cur *lexicon
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			cur = &lexicon{phrases: map[string]string{}, stop: map[string]bool{}}
			out[locale.Lang(strings.Trim(line, "[]"))] = cur
			continue
		}
		left, right, ok := strings.Cut(line, "=")
		if !ok || cur == nil {
			panic(fmt.Sprintf("vocab: lexicon.txt line %d: want [lang] or \"words = english\"", n+1))
		}
		left, right = strings.TrimSpace(left), strings.TrimSpace(right)
		if left == "stop" {
			for _, w := range strings.Fields(right) {
				cur.stop[w] = true
			}
			continue
		}
		for _, p := range strings.Split(left, ",") {
			words := Words(p)
			if len(words) == 0 {
				continue
			}
			cur.phrases[strings.Join(words, " ")] = right
			cur.longest = max(cur.longest, len(words))
		}
	}
	return out
}

// ToEnglish carries a question written in lang onto English words, phrase by phrase, so a
// practice's English FAQs and profile can answer it: "¿A qué hora cierran los viernes?"
// becomes "what time closed friday". Function words are dropped; a word the lexicon does
// not know passes through as written, because it is often a name or a word shared with
// English ("Delta Dental", "Pilates"). A plural the lexicon lacks is looked up singular.
// Text in English, or in a language without a lexicon, is returned as it is.
func ToEnglish(lang locale.Lang, text string) string {
	en, _ := Translate(lang, text)
	return en
}

// Translate is ToEnglish that also returns the words it passed through untranslated that
// are not names (they are written in lower case, or open a sentence), folded: a search
// can't find them in English knowledge, and may weigh them for that.
func Translate(lang locale.Lang, text string) (string, []string) {
	lx := lexicons[lang]
	if lx == nil {
		return text, nil
	}
	toks := Tokens(text)
	var out, unknown []string
	for i := 0; i < len(toks); {
		n, en := lx.match(toks, i)
		switch {
		case n > 0:
			out = append(out, en)
			i += n
			continue
		case lx.stop[toks[i].Word]:
		default:
			if en, ok := lx.singular(toks[i].Word); ok {
				out = append(out, en)
			} else {
				out = append(out, toks[i].Text)
				// A capital names something ("Delta Dental"), except at the start of a
				// sentence ("¿Ayudan con divorcios?").
				if t := toks[i].Text; (strings.ToLower(t) == t || sentenceStart(text, toks, i)) && !isNumber(t) {
					unknown = append(unknown, toks[i].Word)
				}
			}
		}
		i++
	}
	return strings.Join(out, " "), unknown
}

// sentenceStart reports whether toks[i] opens a sentence of text: the first word, or the
// first after a sentence's or a question's mark.
func sentenceStart(text string, toks []Token, i int) bool {
	before := text[:toks[i].Start]
	if i > 0 {
		before = text[toks[i-1].End:toks[i].Start]
	}
	return i == 0 || strings.ContainsAny(before, ".!?¿¡")
}

func isNumber(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// match finds the longest phrase starting at toks[i] and returns its length and English.
func (lx *lexicon) match(toks []Token, i int) (int, string) {
	for n := min(lx.longest, len(toks)-i); n > 0; n-- {
		words := make([]string, n)
		for k := range words {
			words[k] = toks[i+k].Word
		}
		if en, ok := lx.phrases[strings.Join(words, " ")]; ok {
			return n, en
		}
	}
	return 0, ""
}

// singular looks a plural up by its singular: "clinicas" by "clinica", "consultorios" by
// "consultorio". Spanish and Portuguese plurals add -s or -es.
func (lx *lexicon) singular(w string) (string, bool) {
	for _, suffix := range []string{"es", "s"} {
		if s, ok := strings.CutSuffix(w, suffix); ok && len(s) > 2 {
			if en, ok := lx.phrases[s]; ok {
				return en, true
			}
		}
	}
	return "", false
}
