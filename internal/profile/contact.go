package profile

import (
	"slices"
	"strings"
)

// Words that make a "where" question about getting there rather than the address: how to
// park, which bus; those are the practice's FAQs.
var travelWords = wordSet(`park parking parked car cars garage lot bus buses train trains tube
	station subway metro tram bike bikes bicycle bicycles transit rail uber taxi wheelchair
	entrance door floor elevator lift stairs ramp`)

// address answers "where are you".
func (c *ask) address() (part, bool) {
	q := c.q
	if strings.TrimSpace(c.p.Address) == "" {
		return part{}, false
	}
	explicit := q.has("address", "postcode", "zipcode", "zip", "located", "location") || q.hasPhrase("post code", "zip code")
	if q.hasPhrase("email address", "e mail address", "web address", "website address") && !q.hasPhrase("street address", "mailing address") {
		explicit = false
	}
	for _, w := range q.words {
		if travelWords[w] && !q.has("address", "postcode", "zipcode", "zip") {
			return part{}, false
		}
	}
	where := q.index("where")
	if !explicit && where >= 0 {
		rest := q.words[where+1:]
		if len(rest) > 0 {
			switch rest[0] {
			case "is", "are", "abouts", "about", "you", "your", "exactly", "located", "office", "clinic", "practice":
				explicit = !q.has("send", "buy", "get", "pay", "sign", "wait", "go") || q.has("you", "your", "office", "clinic", "practice")
			}
		} else {
			explicit = true // "where?"
		}
	}
	conf := 0.95
	if !explicit && (q.hasPhrase("find you", "get to you", "get there", "directions to you") || q.has("directions")) {
		explicit, conf = true, 0.8
	}
	if !explicit {
		return part{}, false
	}
	return part{KindAddress, c.t.address(c.p.Address), conf}, true
}

// contact answers for the phone number, email address or website.
func (c *ask) contact() (part, bool) {
	q := c.q
	if q.has("emergency", "emergencies", "night", "nights", "weekend", "weekends") || q.hasPhrase("after hours", "out of hours") {
		return part{}, false // who to call after hours is the practice's FAQ
	}
	var texts []string
	phone := !q.has("fax") && q.has("phone", "telephone", "phones") ||
		q.has("number") && !q.hasPhrase("how many", "number of", "member number", "policy number", "case number", "account number", "chip number", "microchip number") ||
		q.hasPhrase("call you", "ring you", "call the office", "call the clinic")
	email := (q.has("email", "e-mail", "emails", "mail") && !q.hasPhrase("email me", "mail me", "send me"))
	website := q.has("website", "site", "url", "webpage", "homepage") || q.hasPhrase("web site", "web page")
	if q.hasPhrase("contact you", "contact details", "contact info", "contact information", "get in touch", "reach you", "contact the", "how to contact", "how can i contact") {
		phone, email = true, true
	}
	if q.has("fax") {
		phone = false // a fax number is not the phone number, and the profile has none
	}
	// "Can I talk to someone on the phone first", "do you do consultations by phone": the
	// phone as a way to be seen, which the practice's FAQs may offer; the number is a
	// likely answer, not a sure one. "What's your phone number" asks for the number.
	conf := 0.9
	if q.hasPhrase("on the phone", "by phone", "over the phone", "via phone", "phone consultation",
		"phone consultations", "phone appointment", "phone appointments", "phone session", "phone sessions",
		"phone call", "phone calls") && !q.has("number", "numbers") {
		conf = 0.7
	}
	if phone && c.p.Phone != "" {
		texts = append(texts, c.t.phone(c.p.Phone))
	}
	if email && c.p.Email != "" {
		texts = append(texts, c.t.email(c.p.Email))
	}
	if website && c.p.Website != "" {
		texts = append(texts, c.t.website(c.p.Website))
	}
	if len(texts) == 0 {
		return part{}, false
	}
	return part{KindContact, strings.Join(texts, " "), conf}, true
}

// languageNames are languages a visitor may ask for, folded.
var languageNames = wordSet(`english spanish portuguese polish vietnamese russian french german
	italian mandarin cantonese chinese arabic hindi urdu punjabi korean japanese tagalog filipino
	farsi persian hebrew greek turkish ukrainian romanian creole somali swahili amharic bengali
	gujarati tamil thai dutch swedish norwegian danish finnish czech hungarian serbian croatian
	bosnian albanian armenian navajo hmong khmer lao burmese nepali`)

// languageAliases read a profile's language names written in Spanish or Portuguese.
var languageAliases = map[string]string{
	"espanol": "spanish", "ingles": "english", "portugues": "portuguese", "frances": "french",
	"castellano": "spanish", "aleman": "german", "polaco": "polish", "ruso": "russian",
}

// A visitor may ask in the language itself: "parlez-vous français?", "sprechen Sie
// Deutsch?". Folded.
var (
	nativeLanguageNames = map[string]string{
		"francais": "french", "deutsch": "german", "italiano": "italian", "nederlands": "dutch",
		"polski": "polish", "portugues": "portuguese", "espanol": "spanish", "kreyol": "creole",
	}
	nativeSpeak = wordSet(`parlez parle parles parlent sprechen sprichst spricht parla parlate parli
		parlano spreekt spreken mowicie mowi mowisz falam fala falar hablan habla hablar`)
)

// tellsOwnLanguage reports whether the visitor tells what they speak rather than asking
// what the team speaks: "we speak Spanish at home, will that confuse him?" ("I speak
// Spanish, do you?" still asks).
func tellsOwnLanguage(q *question) bool {
	i := q.index("speak", "speaks", "speaking")
	if i < 0 || q.has("you", "your", "anyone", "anybody", "someone", "somebody", "staff", "team") {
		return false
	}
	for j := max(0, i-3); j < i; j++ {
		switch q.words[j] {
		case "we", "i", "he", "she", "they", "my", "our":
			return true
		}
	}
	return false
}

// languages answers whether the team speaks a language.
func (c *ask) languages() (part, bool) {
	q := c.q
	if len(c.p.Languages) == 0 || q.has("interpreter", "interpreters", "translator", "translators", "asl", "translate", "translation") || q.hasPhrase("sign language") {
		return part{}, false
	}
	var named []string
	native := false
	for _, w := range q.words {
		if n, ok := nativeLanguageNames[w]; ok {
			w, native = n, true
		}
		if languageNames[w] {
			named = append(named, w)
		}
	}
	asked := q.has("speak", "speaks", "spoken", "speaking", "language", "languages", "bilingual") ||
		native && slices.ContainsFunc(q.words, func(w string) bool { return nativeSpeak[w] })
	if !asked || tellsOwnLanguage(q) {
		return part{}, false
	}
	spoken := map[string]string{} // folded English name -> as the profile writes it
	var all []string
	for _, l := range c.p.Languages {
		f := foldWords(l)
		if a, ok := languageAliases[f]; ok {
			f = a
		}
		spoken[f] = l
		all = append(all, c.t.languageName(f, l))
	}
	var yes, no []string
	for _, n := range named {
		if l, ok := spoken[n]; ok {
			yes = append(yes, c.t.languageName(n, l))
		} else {
			no = append(no, c.t.languageName(n, strings.ToUpper(n[:1])+n[1:]))
		}
	}
	switch {
	case len(named) == 0:
		return part{KindLanguages, c.t.speaksList(c.t.list(all)), 0.9}, true
	case len(no) == 0:
		return part{KindLanguages, c.t.speaks(c.t.list(yes)), 0.95}, true
	default:
		return part{KindLanguages, c.t.speaksNot(c.t.list(no), c.t.list(all)), 0.9}, true
	}
}
