package profile

import (
	"strings"

	"frontdesk/internal/locale"
	"frontdesk/internal/vocab"
)

// question is a visitor's message made ready to recognise: in English words (a Spanish or
// Portuguese one carried over by the vocab lexicon), folded, with chat spellings expanded.
type question struct {
	lang  locale.Lang // the language the visitor wrote in
	words []string    // folded English words
	stems []string    // their stems, for matching service names
}

// chatWords are spellings of chat and common slips, expanded to the words the rules read.
// Only words that can't mean anything else are here: "sun" and "sat" are days in a question
// to a front desk, but "may" is not a month.
var chatWords = map[string]string{
	"u": "you", "r": "are", "ur": "your", "ya": "you", "yall": "you", "y'all": "you", "yah": "you",
	"rn": "right now", "atm": "at the moment", "tmrw": "tomorrow", "tmr": "tomorrow",
	"tmrow": "tomorrow", "tomoro": "tomorrow", "tomorow": "tomorrow", "tommorow": "tomorrow",
	"tommorrow": "tomorrow", "tomorroe": "tomorrow", "2moro": "tomorrow", "2morrow": "tomorrow",
	"2day": "today", "tdy": "today", "tonite": "tonight", "wat": "what", "wut": "what",
	"wht": "what", "hw": "how", "wen": "when", "whats": "what is", "what's": "what is",
	"wheres": "where is", "where's": "where is", "whens": "when is", "when's": "when is",
	"hows": "how is", "how's": "how is", "im": "i am", "i'm": "i am", "dont": "do not",
	"don't": "do not", "doesnt": "does not", "doesn't": "does not", "cant": "can not",
	"can't": "can not", "cannot": "can not", "won't": "will not", "wont": "will not",
	"isnt": "is not", "isn't": "is not", "arent": "are not", "aren't": "are not",
	"didnt": "did not", "didn't": "did not", "pls": "please", "plz": "please",
	"hrs": "hours", "hr": "hour", "appt": "appointment", "appts": "appointments",
	"addy": "address", "adress": "address", "adres": "address", "mins": "minutes",
	"min": "minutes", "sat": "saturday", "sats": "saturdays", "sun": "sunday",
	"mon": "monday", "tue": "tuesday", "tues": "tuesday", "wed": "wednesday",
	"weds": "wednesday", "thu": "thursday", "thur": "thursday", "thurs": "thursday",
	"fri": "friday", "wknd": "weekend", "wkend": "weekend", "xmas": "christmas",
	"insur": "insurance", "okay": "ok", "k": "ok", "thx": "thanks",
	"wensday": "wednesday", "wendsday": "wednesday", "wednsday": "wednesday",
	"thrusday": "thursday", "thursay": "thursday", "tuseday": "tuesday",
	"saterday": "saturday", "satuday": "saturday", "satruday": "saturday",
	"freind": "friend", "clinc": "clinic", "ofice": "office", "offic": "office",
	"numer": "number", "nuber": "number", "phn": "phone", "ph": "phone", "tel": "phone",
}

// parseQuestion reads a message; nil when it has no words.
func parseQuestion(s string) *question {
	lang := vocab.Detect(s)
	if lang != locale.English {
		s = vocab.ToEnglish(lang, s)
	}
	var words []string
	for _, w := range vocab.Words(s) {
		if x, ok := chatWords[w]; ok {
			words = append(words, strings.Fields(x)...)
			continue
		}
		words = append(words, w)
	}
	if len(words) == 0 {
		return nil
	}
	q := &question{lang: lang, words: words, stems: make([]string, len(words))}
	for i, w := range words {
		q.stems[i] = vocab.Stem(w)
	}
	return q
}

// has reports whether the question holds any of ws as a word.
func (q *question) has(ws ...string) bool { return q.index(ws...) >= 0 }

// index is the position of the first word of the question that is one of ws, or -1.
func (q *question) index(ws ...string) int {
	for i, w := range q.words {
		for _, x := range ws {
			if w == x {
				return i
			}
		}
	}
	return -1
}

// phrase is the position of the first occurrence of the words of p, in a row, or -1.
func (q *question) phrase(p string) int {
	for i := range q.words {
		if q.phraseAt(i, p) {
			return i
		}
	}
	return -1
}

// hasPhrase reports whether any of ps occurs in the question.
func (q *question) hasPhrase(ps ...string) bool {
	for _, p := range ps {
		if q.phrase(p) >= 0 {
			return true
		}
	}
	return false
}

// phraseAt reports whether the words of p start at position i.
func (q *question) phraseAt(i int, p string) bool {
	ps := strings.Fields(p)
	if i+len(ps) > len(q.words) {
		return false
	}
	for k, w := range ps {
		if q.words[i+k] != w {
			return false
		}
	}
	return true
}

// hasAll reports whether the question holds every one of ws.
func (q *question) hasAll(ws []string) bool {
	for _, w := range ws {
		if !q.has(w) {
			return false
		}
	}
	return true
}

// foldWords is s as folded words separated by single spaces.
func foldWords(s string) string { return strings.Join(vocab.Words(s), " ") }

// nearWord is a typo match of two words of five letters or more.
func nearWord(a, b string) bool {
	return a == b || len(a) >= 5 && len(b) >= 5 && vocab.Near(a, b)
}

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
