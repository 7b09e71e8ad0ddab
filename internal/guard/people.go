package guard

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"frontdesk/internal/lazyre"
)

// The kinds Anonymize finds beyond FindIdentifiers'. The chat path never looks for them:
// see Anonymize for why.
const (
	// Name is a person's name where the text introduces it as one: "my name is", "I'm",
	// "soy", a title such as "Dr." or a sign-off such as "Thanks, Jane".
	Name Kind = "NAME"
	// Address is a street address: a house number and a street, in US, UK, Spanish or
	// Portuguese order, with a unit or postcode that follows it.
	Address Kind = "ADDRESS"
)

// Anonymize returns text with identifiers, people's names and street addresses replaced by
// placeholders ([EMAIL_1], [NAME_1], [ADDRESS_1]...), for text that is kept apart from its
// conversation, such as a knowledge gap: it outlives the conversation's retention and
// erasure and every staff member reads it, so it must not say who asked.
//
// The chat path keeps NewRedactor, which leaves names and addresses alone: the model needs
// "Jane" to greet the visitor and fill in a booking, and these detectors, unlike the
// identifier ones, guess from wording ("Dr. Smith" may be the practice's own dentist), so
// running them on what a hosted model reads would cost answers for little privacy.
//
// Names are found only where the wording introduces one, and redacted from the word after
// the introduction, so "my name is [NAME_1]" still reads as what it was:
//
//   - after "my name is", "name:", "me llamo", "mi nombre es", "meu nome é", "me chamo",
//     the name may be in any case, since nothing else follows those words;
//   - after "I'm", "I am", "this is" (at the start of a sentence), "call me", "soy", "sou",
//     "se llama", a title (Mr., Mrs., Ms., Dr., Dra., Sr., Sra., Prof., Doctor...) or a
//     sign-off ending the text ("Thanks, Jane", "Gracias, Ana"), the name must be
//     capitalised and not a word from a stop-list, so "I'm looking", "I'm not sure",
//     "soy alérgico", "I'm American" and "a Dr. on Saturdays" are left alone.
//
// A name runs for up to four capitalised words, with particles between them ("María García
// de la Fuente", "João da Silva"), and ends at punctuation or any other word. Once found,
// every other standalone occurrence of it in the text is redacted too.
//
// Addresses are a house number, up to four street words and a street type (St, Street,
// Ave, Rd, Blvd, Dr, Ln, Ct, Way, Pl, Terrace, Circle...), then an optional unit and ZIP or
// UK postcode: "42 Elm Street", "4500 N. Oak Avenue Apt 5", "Flat 3, 12 High Street"; or a
// Spanish or Portuguese street type, the street's name and its number: "Calle Mayor 5, 3º B",
// "C/ Alcalá 45", "Rua das Flores, 25", "Calle 45 # 12-34". Street words may not be units
// or function words, so "a 5 minute drive" and "2 blocks from Main Street" are not
// addresses, and street types that are also ordinary words (Drive, Way, Place, Court,
// Plaza, Camino...) need capitalised street words.
func Anonymize(text string) string {
	return newRedactor(true).Redact(text)
}

// findPeople adds the street addresses and people's names in text to c.
func findPeople(text string, c []candidate) []candidate {
	ws := wordSpans(text)
	return findNames(text, ws, findAddresses(text, ws, c))
}

// ----- addresses -----

const (
	// addrWord is one word of a street's name: letters, or an ordinal such as 34th.
	addrWord = `(?:\d{1,3}(?:st|nd|rd|th)|\pL[\pL'’\-]*\.?)`
	// usSuffixes are the street types of "123 Main St" order, longest spellings first.
	usSuffixes = `street|st|avenue|ave|av|road|rd|boulevard|blvd|drive|dr|lane|ln|court|ct|way|place|pl|` +
		`terrace|terr|ter|circle|cir|parkway|pkwy|highway|hwy|square|sq|crescent|cres|close|grove|` +
		`gardens|mews|row|trail|trl|path|pike|loop|alley|plaza|walk|expressway|freeway`
	// unitTail is an apartment, suite or floor after the street.
	unitTail = `(?:,?\s*(?:apt|apartment|suite|ste|unit|flat|fl|floor|rm|room|#)\.?\s*#?\s*[a-z0-9]{1,6}\b)?`
	// addrWindow bounds how far past its first word an address may run; the expressions
	// are tried on that much text from each word that may start one.
	addrWindow = 200
)

// usUnits may come before the house number: "Flat 3, 12 High Street".
var usUnits = []string{"flat", "apt", "apartment", "unit", "suite"}

// esStreetTypes start a Spanish or Portuguese address, accented and not.
var esStreetTypes = []string{"calle", "avenida", "avda", "av", "paseo", "plaza", "pza", "camino", "carretera",
	"ctra", "ronda", "travesía", "travesia", "rua", "travessa", "praça", "praca", "alameda", "estrada",
	"largo", "carrera", "cra", "diagonal", "transversal"}

var (
	usAddressRe = lazyre.New(`(?i)^` +
		`(?:(?:` + strings.Join(usUnits, "|") + `)\.?\s*#?\s*\d{1,5}[a-z]?\s*,?\s+)?` +
		`\d{1,6}[a-z]?(?:\s*-\s*\d{1,6}[a-z]?)?,?\s+` +
		`((?:` + addrWord + `\s+){1,4}?)` +
		`(` + usSuffixes + `)\b\.?` +
		`(?-i:\s+(?:N|S|E|W|NE|NW|SE|SW)\b\.?)?` +
		unitTail +
		`(?:,?\s+(?:\d{5}(?:-\d{4})?|(?-i:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}))\b)?`)

	// esAddressRe: a street type, the street's name (words, or a number followed by "#" or
	// "nº" as in Colombia), then the house number, a floor or door, and a postcode.
	esAddressRe = lazyre.New(`(?i)^` +
		`(c/|(?:` + strings.Join(esStreetTypes, "|") + `)\b\.?)\s*` +
		`(?:((?:\pL[\pL'’\-]*\.?\s+){0,5}?\pL[\pL'’\-]*\.?)\s*,?\s*(?:n[º°o]\.?\s*|n[uú]mero\s+)?|` +
		`(\d{1,3}[a-z]?(?:\s*bis)?)\s*(?:#|n[º°o]\.?)\s*)` +
		`\d{1,5}[a-z]?(?:\s*-\s*\d{1,5}[a-z]?)?\b` +
		`(?:\s*,?\s*(?:\d{1,2}\s*[º°ª]\s*[a-z]?\b|(?:piso|puerta|planta|portal|escalera|apto|apartamento|andar|bloco|casa)\.?\s+\d{1,4}[a-z]?\b|bajo\b))*` +
		`(?:,?\s*\d{5}(?:-\d{3})?\b)?`)

	usUnitSet       = foldedSet(usUnits)
	esStreetTypeSet = foldedSet(esStreetTypes)
)

// ambiguousSuffix lists street types that are also everyday words ("a 5 minute drive",
// "is there a way", "plaza de garaje"); next to them the street words must be capitalised.
var ambiguousSuffix = wordSet(`drive way place court circle close square row trail path loop walk grove
	gardens terrace crescent lane plaza mews alley
	paseo plaza pza camino ronda alameda largo estrada carrera cra diagonal transversal av`)

// addrStop lists words that never name a street, so a number and a street type around them
// are something else: "5 minute drive", "2 blocks from Main Street", "plaza libre el sábado".
var addrStop = wordSet(`a an the my your our his her their its this that these those to from of in on at
	for by with and or but is are was be near off into over about around than then
	min mins minute minutes hour hours hr hrs second seconds mile miles mi km kilometer kilometers
	block blocks day days week weeks month months year years time times kid kids child children
	people person tooth teeth lane lanes car cars way more other next last same
	monday tuesday wednesday thursday friday saturday sunday
	en el los las un una para por con sin que hay tiene tienen libre libres cerca lejos minutos
	horas dias semana semanas meses anos lunes martes miercoles jueves viernes sabado domingo
	um uma com sem perto longe segunda terca quarta quinta sexta`)

// addrParticle lists the small words inside Spanish and Portuguese street names ("Paseo de
// la Castellana", "Rua das Flores"), which alone do not make a street's name.
var addrParticle = wordSet(`de del la las los el da das do dos e y`)

// findAddresses tries the address expressions only from words that can start an address (a
// house number, a unit, a street type) and on a bounded window: scanning all of a message
// with them took longer than all the identifier detectors together.
func findAddresses(text string, ws []word, c []candidate) []candidate {
	if !strings.ContainsAny(text, "0123456789") {
		return c // every address here has a house number
	}
	done := 0
	for _, w := range ws {
		if w.start < done {
			continue
		}
		var re *lazyre.Regexp
		var valid func(string, []int) bool
		switch {
		case text[w.start] >= '0' && text[w.start] <= '9' || usUnitSet[w.low]:
			re, valid = usAddressRe, validUSAddress
		case esStreetTypeSet[w.low] || w.low == "c" && strings.HasPrefix(text[w.end:], "/"):
			re, valid = esAddressRe, validESAddress
		default:
			continue
		}
		m := re.FindStringSubmatchIndex(text[w.start:min(len(text), w.start+addrWindow)])
		if m == nil {
			continue
		}
		for i := range m {
			if m[i] >= 0 {
				m[i] += w.start
			}
		}
		if atBoundary(text, m[0], m[1]) && valid(text, m) {
			c = add(c, text, Address, m[0], m[1])
			done = m[1]
		}
	}
	return c
}

func validUSAddress(text string, m []int) bool {
	words := strings.Fields(text[m[2]:m[3]])
	suffix := text[m[4]:m[5]]
	ambiguous := ambiguousSuffix[fold(suffix)]
	if ambiguous && !startsUpper(suffix) {
		return false
	}
	for _, w := range words {
		w = strings.TrimSuffix(w, ".")
		if w[0] >= '0' && w[0] <= '9' {
			continue // an ordinal: "34th"
		}
		if addrStop[fold(w)] || (ambiguous && !startsUpper(w)) {
			return false
		}
	}
	return true
}

func validESAddress(text string, m []int) bool {
	street := fold(strings.TrimSuffix(text[m[2]:m[3]], "."))
	if m[6] >= 0 {
		return true // "Calle 45 # 12-34": the number sign settles it
	}
	named := false
	for _, w := range strings.Fields(text[m[4]:m[5]]) {
		f := fold(strings.TrimSuffix(w, "."))
		switch {
		case addrParticle[f]:
		case addrStop[f]:
			return false
		default:
			if !named && ambiguousSuffix[street] && !startsUpper(w) {
				return false
			}
			named = true
		}
	}
	return named
}

// ----- names -----

// word is one word of a text: its byte offsets and its folded form.
type word struct {
	start, end int
	low        string
}

// wordSpans splits text into words with their offsets: letters and digits, with apostrophes
// and hyphens kept inside a word so "O'Brien", "Jane-Marie" and "I'm" stay whole. (tokenize
// does the same on folded text, whose offsets no longer match the original.)
func wordSpans(text string) []word {
	var out []word
	start := -1
	for i, r := range text {
		inner := (r == '\'' || r == '’' || r == '-') && start >= 0
		if isWordRune(r) || inner {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = appendWord(out, text, start, i)
			start = -1
		}
	}
	if start >= 0 {
		out = appendWord(out, text, start, len(text))
	}
	return out
}

// appendWord adds text[start:end] less any trailing apostrophes or hyphens.
func appendWord(out []word, text string, start, end int) []word {
	end = start + len(strings.TrimRight(text[start:end], "'’-"))
	return append(out, word{start, end, fold(text[start:end])})
}

// introduction says how a name follows a trigger.
type introduction int

const (
	// strong triggers ("my name is") are followed by a name in whatever case it is typed.
	strong introduction = iota + 1
	// weak triggers ("I'm", a title) are followed by a name only if it is capitalised.
	weak
	// signOff triggers ("Thanks,") are weak and the name must also end the text.
	signOff
)

var (
	titles = wordSet(`mr mrs ms mx miss dr dra doctor doctora prof sr sra srta senor senora senorita
		senhor senhora dona`)
	signOffs = wordSet(`thanks thx regards best cheers sincerely gracias saludos saludo atentamente
		obrigado obrigada atenciosamente cumprimentos abracos abrazos`)
	greetings = wordSet(`hi hello hey hiya hola ola oi morning afternoon evening there tardes noches dias dia`)
	// particles may stand between the capitalised words of a name.
	particles = wordSet(`de del la las los da das do dos di du van von der den le y e`)
)

// nameStop lists words that follow "I'm", "soy", a title or a sign-off without being a
// name, capitalised or not: what visitors are, feel, do and ask ("I'm Looking For", "Soy
// Alérgico", "This is Urgent"), sentence starters a name could run into ("I'm Jane Do you"),
// days, months, nationalities, titles, and the practice's own vocabulary.
var nameStop = wordSet(`
	a an the and or but so if then i me my mine we us our you your he she it its they them their
	this that these those there here what which who whom whose when where why how
	is are was were be been being am do does did done doing have has had having
	can could will would shall should may might must not no yes yeah yep ok okay please
	thanks thank hi hello hey dear also just only still very really too of in on at to for from
	with without by about as into over under after before since until again any some all each
	every more most other another such same new old good great fine sure well glad happy sorry
	back now today tomorrow tonight yesterday soon later currently already always never
	looking not worried wondering trying calling writing asking interested afraid scared nervous
	anxious concerned pregnant allergic diabetic asthmatic epileptic going coming planning hoping
	thinking feeling having getting available free busy off out ready unable able late early
	running stuck confused curious considering due moving visiting traveling travelling staying
	leaving retired single married divorced widowed employed unemployed uninsured insured covered
	self patient existing current former returning member client customer student teacher nurse
	dentist parent mother father mom dad mum guardian older younger elderly senior adult child
	kid teen teenager male female man woman boy girl almost nearly home hungry tired sick ill
	better worse alright grateful thankful sad desperate frustrated upset angry annoyed
	embarrassed ashamed terrified phobic pain hurting bleeding suffering need want like wanted
	needed hope wish love hate know think feel see call text email bye goodbye regards best
	urgent emergency important interested sir madam maam team staff everyone everybody all guys
	folks office clinic practice hospital reception receptionist
	monday tuesday wednesday thursday friday saturday sunday weekend
	january february march april june july august september october november december
	american british english spanish mexican canadian french german italian portuguese brazilian
	colombian argentinian argentine venezuelan peruvian chilean cuban dominican puerto rican latino
	latina hispanic european asian african chinese indian jewish muslim christian catholic vegan
	vegetarian citizen citizens
	invisalign botox medicare medicaid delta aetna cigna humana metlife united bcbs kaiser tricare
	ppo hmo covid dental medical vision
	mr mrs ms mx miss dr dra doctor doctora prof sr sra srta senor senora senorita senhor senhora
	que quien como cuando donde cual por para con sin en de del la el los las un una y o pero si
	tengo tiene tienen hay es son esta estoy estamos quiero queria quisiera necesito necesita
	puedo puede pueden busco buscando hola gracias buenos buenas dias tardes noches me mi mis su
	sus tu yo se le lo al muy bastante tan nuevo nueva paciente cliente alergico alergica diabetico
	diabetica asmatico asmatica celiaco celiaca hipertenso hipertensa embarazada mexicano mexicana
	colombiano colombiana espanol espanola venezolano venezolana argentino argentina peruano
	peruana cubano cubana estadounidense extranjero extranjera estudiante madre padre mama papa
	hijo hija mayor menor jubilado jubilada vegano vegana vegetariano vegetariana socio socia
	asegurado asegurada urgente lunes martes miercoles jueves viernes sabado domingo hasta luego
	adios saludos doctor enfermo enferma
	quem quando onde qual com sem em da do os as um uma e ou mas nao sim tenho tem eu meu minha
	voce voces obrigado obrigada ola oi bom boa dia tarde noite muito brasileiro brasileira
	portugues portuguesa novo nova estudante mae pai segunda terca quarta quinta sexta
	name nombre nome surname sobrenome apellido apellidos apelido first last full completo
	spelled misspelled wrong listed written important importante correct correcto type testigo
	wanting requesting inquiring enquiring reaching contacting scheduling booking needing experiencing`)

// trigger reports whether a name may start at ws[i]: the index of the name's first word,
// its introduction, or 0 when no name is introduced there.
func trigger(text string, ws []word, i int) (int, introduction) {
	w := ws[i].low
	next := func(k int) string {
		if k < len(ws) && onlySpace(text[ws[k-1].end:ws[k].start]) {
			return ws[k].low
		}
		return ""
	}
	prev := func() string {
		if i > 0 && onlySpace(text[ws[i-1].end:ws[i].start]) {
			return ws[i-1].low
		}
		return ""
	}
	switch {
	case w == "name" || w == "nombre" || w == "nome":
		if v := next(i + 1); v == "is" || v == "es" || v == "e" {
			return i + 2, strong
		}
		if i+1 < len(ws) && strings.Contains(text[ws[i].end:ws[i+1].start], ":") {
			return i + 1, strong
		}
	case w == "name's":
		return i + 1, strong
	case (w == "llamo" || w == "chamo") && prev() == "me":
		return i + 1, strong
	case (w == "llama" || w == "chama") && prev() == "se":
		return i + 1, weak
	case w == "i'm" || w == "im":
		return i + 1, weak
	case w == "i" && next(i+1) == "am":
		return i + 2, weak
	case w == "me" && prev() == "call":
		return i + 1, weak
	case w == "this" && next(i+1) == "is" && sentenceStart(text, ws, i):
		return i + 2, weak
	case w == "soy" || w == "sou":
		// Portuguese puts an article before the name: "sou a Ana", "sou o João".
		if v := next(i + 1); (v == "a" || v == "o") && i+2 < len(ws) && startsUpper(text[ws[i+2].start:]) {
			return i + 2, weak
		}
		return i + 1, weak
	case titles[w]:
		// "MS" is multiple sclerosis far more often than a title.
		if w == "ms" && text[ws[i].start:ws[i].end] == "MS" {
			return 0, 0
		}
		return i + 1, weak
	case signOffs[w] || (w == "you" && prev() == "thank"):
		return i + 1, signOff
	}
	return 0, 0
}

// sentenceStart reports whether ws[i] begins a sentence or follows a greeting ("Hi, this is").
func sentenceStart(text string, ws []word, i int) bool {
	if i == 0 {
		return true
	}
	if strings.ContainsAny(text[ws[i-1].end:ws[i].start], ".!?;:,\n¡¿") {
		return true
	}
	return greetings[ws[i-1].low]
}

func findNames(text string, ws []word, c []candidate) []candidate {
	for i := 0; i < len(ws); i++ {
		j, intro := trigger(text, ws, i)
		if intro == 0 || j >= len(ws) || !introGap(text[ws[j-1].end:ws[j].start], intro) {
			continue
		}
		end := nameRun(text, ws, j, intro, isUpperWord(text[ws[i].start:ws[i].end]))
		if end == j {
			continue
		}
		if intro == signOff && strings.IndexFunc(text[ws[end-1].end:], isWordRune) >= 0 {
			continue // a sign-off's name ends the message; "Thanks, Saturday works" is no name
		}
		c = add(c, text, Name, ws[j].start, ws[end-1].end)
		i = end - 1
	}
	return c
}

// introGap reports whether what stands between a trigger and a name is only what may: spaces
// and a colon or quote ("my name is: Jane", "Dr. Smith"), any punctuation after a sign-off.
func introGap(gap string, intro introduction) bool {
	if intro == signOff {
		return strings.IndexFunc(gap, isWordRune) < 0
	}
	return strings.Trim(gap, " \t.:\"'“”-–") == "" && strings.Count(gap, ".") <= 1
}

// nameRun returns the end (exclusive word index) of the name starting at ws[j], or j if
// there is none. A name is capitalised words; after a strong trigger it may be lower-case
// words, or capitals where the trigger was shouted too. Particles may stand inside it.
func nameRun(text string, ws []word, j int, intro introduction, shouted bool) int {
	orig := func(k int) string { return text[ws[k].start:ws[k].end] }
	first := orig(j)
	var fits func(string) bool
	limit := 4
	switch {
	case isTitleWord(first):
		fits = isTitleWord
	case intro == strong && isLowerWord(first):
		fits, limit = isLowerWord, 3
	case intro == strong && shouted && isUpperWord(first):
		fits, limit = isUpperWord, 3
	default:
		return j
	}
	// After "my name is" a capitalised word is the name even if it is also a word ("Will",
	// "Grace"); anywhere else the stop-list decides.
	if stopWord(ws[j].low) && (intro != strong || !isTitleWord(first)) {
		return j
	}
	end := j + 1
	for n := 1; n < limit; n++ {
		// Particles join only when a name word follows them: "de la Fuente", not "Ana de".
		p := end
		for p < len(ws) && particles[ws[p].low] && !isTitleWord(orig(p)) {
			p++
		}
		if p >= len(ws) || !fits(orig(p)) || stopWord(ws[p].low) {
			break
		}
		for q := end; q <= p; q++ {
			if !nameGap(text[ws[q-1].end:ws[q].start], orig(q-1)) {
				return end
			}
		}
		end = p + 1
	}
	return end
}

// stopWord reports whether a folded word, or the word it is the possessive of ("Tuesday's"),
// is in nameStop.
func stopWord(low string) bool {
	return nameStop[strings.TrimSuffix(low, "'s")]
}

// nameGap reports whether two words of one name may stand this far apart: spaces only, or
// an initial's full stop ("Jane Q. Doe").
func nameGap(gap, before string) bool {
	if onlySpace(gap) && gap != "" {
		return true
	}
	return utf8.RuneCountInString(before) == 1 && strings.HasPrefix(gap, ".") && onlySpace(gap[1:])
}

func onlySpace(s string) bool {
	return strings.Trim(s, " \t") == ""
}

// isTitleWord reports whether s is capitalised: "Jane", "O'Brien", "McDonald", an initial.
func isTitleWord(s string) bool {
	r, size := utf8.DecodeRuneInString(s)
	if !unicode.IsUpper(r) {
		return false
	}
	if size == len(s) {
		return true
	}
	return strings.IndexFunc(s[size:], unicode.IsLower) >= 0 && !hasDigit(s)
}

func isLowerWord(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLower(r) && r != '\'' && r != '’' && r != '-' }) < 0
}

func isUpperWord(s string) bool {
	return len(s) > 1 && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsUpper(r) && r != '\'' && r != '’' && r != '-' }) < 0
}

func hasDigit(s string) bool {
	return strings.ContainsAny(s, "0123456789")
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// foldedSet makes a set of the folded forms of words.
func foldedSet(words []string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words {
		m[fold(w)] = true
	}
	return m
}
