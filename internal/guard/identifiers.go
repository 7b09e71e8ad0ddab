package guard

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"frontdesk/internal/lazyre"
)

// Kind names the type of an identifier; its value is the prefix of the placeholder that
// replaces it, as in [EMAIL_1].
type Kind string

// The identifier kinds FindIdentifiers reports.
const (
	// Email is an e-mail address.
	Email Kind = "EMAIL"
	// Phone is a telephone number in international, US or European notation.
	Phone Kind = "PHONE"
	// DOB is a date of birth: see FindIdentifiers for the rule that tells it from other dates.
	DOB Kind = "DOB"
	// SSN is a US social security number.
	SSN Kind = "SSN"
	// MRN is a medical record, patient or insurance member number introduced as such.
	MRN Kind = "MRN"
	// Card is a payment card number that passes the Luhn check.
	Card Kind = "CARD"
)

// Finding is one identifier in a text: its kind, its byte offsets and the text it covers.
type Finding struct {
	Kind       Kind
	Start, End int
	Value      string
}

// priority settles overlaps: the more specific detector wins (an e-mail address beats the
// phone-like digits inside it, a Luhn-valid card beats a phone), and Anonymize's addresses
// and names, guessed from wording, lose to every identifier. 0 is kept for placeholders
// already present in text a Redactor is given.
var priority = map[Kind]int{Email: 1, Card: 2, SSN: 3, MRN: 4, DOB: 5, Phone: 6, Address: 7, Name: 8}

var (
	emailRe = lazyre.New(`[\p{L}\p{N}_%+\-][\p{L}\p{N}._%+\-]*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?\.)+\p{L}{2,}`)

	// phoneRe takes digit groups joined by at most one separator, so "9 - 5. 555 123 4567"
	// yields "555 123 4567" rather than one long run; validPhone then judges each run.
	phoneRe       = lazyre.New(`\+?(?:\(\d{1,5}\)|\d+)(?:[ .\-\x{00A0}]?(?:\(\d{1,5}\)|\d+))*`)
	phoneContext  = lazyre.New(`\b(?:phone|tel|telephone|cell|cellphone|mobile|mob|call|text|txt|reach me|whatsapp|whats app|fax|sms|my number|mi numero|movil|celular|telefono|tlf|llamar|llamame|llamenme|llama)\b`)
	dateShape     = lazyre.New(`^(?:\d{1,2}[.\-]\d{1,2}[.\-]\d{2,4}|\d{4}[.\-]\d{1,2}[.\-]\d{1,2})$`)
	timeShape     = lazyre.New(`^\d{1,2}\.\d{2}(?:[ \-]\d{1,2}\.\d{2})?$`)
	zip4Shape     = lazyre.New(`^\d{5}-\d{4}$`)
	ssnShape      = lazyre.New(`^\d{3}[\- ]\d{2}[\- ]\d{4}$`)
	ipShape       = lazyre.New(`^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$`)
	currencyAfter = lazyre.New(`^\s*(?:usd|eur|gbp|dollars?|euros?|pesos?|€|\$|£)`)

	ssnDashRe  = lazyre.New(`\b\d{3}-\d{2}-\d{4}\b`)
	ssnPlainRe = lazyre.New(`\b\d{3}[ .]?\d{2}[ .]?\d{4}\b`)
	ssnContext = lazyre.New(`\b(?:ssn|ss#|ss no|social security|social sec|seguro social|tax id|itin)`)

	cardRunRe = lazyre.New(`\d(?:[ \-]?\d)*`)

	// mrnRe wants a label ("MRN", "patient ID", "member number", "historia clínica"...) and
	// captures only the id after it, so the label stays readable for the model.
	mrnRe = lazyre.New(`(?i)^(?:mrn|medical\s+records?|record|chart|patient|member|subscriber|policy|insurance|nhs|health\s+card|n[uú]mero\s+de\s+(?:historia(?:\s+cl[ií]nica)?|paciente|expediente|afiliado|afiliaci[oó]n|p[oó]liza|socio|tarjeta\s+sanitaria)|historia\s+cl[ií]nica|expediente|id\s+de\s+paciente|tarjeta\s+sanitaria)` +
		`(?:\s*(?:id|number|num|no\.?|nº|#))?` +
		`(?:\s*[:#=]\s*|\s+(?:(?:is|es|was|:)\s*)*)` +
		`([A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9])`)
	// mrnBareLabel lists the labels that need "id"/"number" after them to count: "patient
	// 12345" or "for the record 2024" is too loose, "patient ID 12345" is not.
	mrnBareLabel = lazyre.New(`(?i)^(?:medical\s+records|record|chart|patient|member|subscriber|policy|insurance|nhs|health\s+card)\s*$`)
	mrnLabelEnd  = lazyre.New(`(?i)(?:\s*[:#=]\s*|\s+(?:(?:is|es|was|:)\s*)*)$`)

	isoDateRe = lazyre.New(`\b(\d{4})[\-/.](\d{1,2})[\-/.](\d{1,2})\b`)
	numDateRe = lazyre.New(`\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b`)
	// The month is matched as any short word and looked up in monthNumber afterwards: an
	// alternation of forty month names made these two the slowest expressions here.
	mdyDateRe  = lazyre.New(`(?i)\b([A-Za-z]{3,10})\b\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?:de\s+)?(\d{4})\b)?`)
	dmyDateRe  = lazyre.New(`(?i)\b(\d{1,2})(?:st|nd|rd|th|º)?\s+(?:of\s+|de\s+)?([A-Za-z]{3,10})\b\.?(?:,?\s+(?:de\s+|del\s+)?(\d{4})\b)?`)
	dobContext = lazyre.New(`\b(?:dob|d\.o\.b|date of birth|birth ?date|birthday|born|b-day|bday|fecha de nacimiento|f\. nac|nacimiento|naci|nacio|nacido|nacida|cumpleanos)\b`)
)

var monthNumber = map[string]int{
	"january": 1, "jan": 1, "enero": 1, "ene": 1,
	"february": 2, "feb": 2, "febrero": 2,
	"march": 3, "mar": 3, "marzo": 3,
	"april": 4, "apr": 4, "abril": 4, "abr": 4,
	"may": 5, "mayo": 5,
	"june": 6, "jun": 6, "junio": 6,
	"july": 7, "jul": 7, "julio": 7,
	"august": 8, "aug": 8, "agosto": 8, "ago": 8,
	"september": 9, "sep": 9, "sept": 9, "septiembre": 9, "setiembre": 9,
	"october": 10, "oct": 10, "octubre": 10,
	"november": 11, "nov": 11, "noviembre": 11,
	"december": 12, "dec": 12, "diciembre": 12, "dic": 12,
}

// FindIdentifiers returns the identifiers in text, in order and without overlaps. Offsets
// are byte offsets into text. The rules, chosen to redact generously without eating the
// times, prices, years and zip codes of ordinary practice questions:
//
//   - Email: the usual local@domain.tld shape.
//   - Phone: 7 to 15 digits in groups joined by single spaces, dots or dashes, optionally
//     with a leading + and a parenthesised area code. A number counts when a phone word
//     ("call", "phone", "cell", "teléfono"...) comes just before it (7+ digits), when it
//     starts with + (8+), when it is grouped (9+, or 10+ if a group has 5+ digits), or when
//     it is a bare run of 10 or 11 digits. Dates, times such as 9.30-17.00, ZIP+4 codes,
//     SSN-shaped numbers, IP addresses, year lists and amounts next to a currency sign are not.
//   - DOB: a date (ISO, numeric US/EU, or with an English or Spanish month name) when a
//     birth word ("DOB", "born", "birthday", "fecha de nacimiento"...) is near it, or, with
//     no such word, a complete date whose four-digit year is between 1900 and two years
//     before the current year. Appointment dates are this year or next, so they stay; a past
//     date of any other event is redacted too, which errs on the private side.
//   - SSN: ddd-dd-dddd, or nine digits (optionally spaced) after "SSN"/"social security".
//   - MRN: an id with at least one digit after a label such as "MRN", "medical record
//     number", "patient ID", "member ID", "policy number" or "historia clínica".
//   - Card: 13 to 19 digits, optionally grouped by spaces or dashes, passing the Luhn check.
func FindIdentifiers(text string) []Finding {
	// Every identifier but an e-mail address has digits; most chat messages have none, and
	// skipping the expressions then is most of Redact's speed.
	var c []candidate
	if strings.IndexByte(text, '@') >= 0 {
		c = findEmails(text, c)
	}
	if !strings.ContainsAny(text, "0123456789") {
		return resolve(c)
	}
	c = findCards(text, c)
	c = findSSNs(text, c)
	c = findMRNs(text, c)
	c = findDOBs(text, c, time.Now().Year())
	c = findPhones(text, c)
	return resolve(c)
}

type candidate struct {
	Finding
	prio int
}

func add(c []candidate, text string, k Kind, start, end int) []candidate {
	return append(c, candidate{Finding{Kind: k, Start: start, End: end, Value: text[start:end]}, priority[k]})
}

// resolve keeps the best candidate wherever candidates overlap: higher priority first, then
// the longer one, then the earlier one.
func resolve(c []candidate) []Finding {
	sort.SliceStable(c, func(i, j int) bool {
		a, b := c[i], c[j]
		if a.prio != b.prio {
			return a.prio < b.prio
		}
		if la, lb := a.End-a.Start, b.End-b.Start; la != lb {
			return la > lb
		}
		return a.Start < b.Start
	})
	var out []Finding
	for _, x := range c {
		out, _ = insertSpan(out, x.Finding)
	}
	return out
}

// insertSpan adds f to spans (sorted by Start, non-overlapping) unless it overlaps one.
func insertSpan(spans []Finding, f Finding) ([]Finding, bool) {
	i := sort.Search(len(spans), func(i int) bool { return spans[i].Start >= f.Start })
	if i > 0 && spans[i-1].End > f.Start {
		return spans, false
	}
	if i < len(spans) && spans[i].Start < f.End {
		return spans, false
	}
	spans = append(spans, Finding{})
	copy(spans[i+1:], spans[i:])
	spans[i] = f
	return spans, true
}

func findEmails(text string, c []candidate) []candidate {
	for _, m := range emailRe.FindAllStringIndex(text, -1) {
		if atBoundary(text, m[0], m[1]) {
			c = add(c, text, Email, m[0], m[1])
		}
	}
	return c
}

func findPhones(text string, c []candidate) []candidate {
	for _, m := range phoneRe.FindAllStringIndex(text, -1) {
		if validPhone(text, m[0], m[1]) {
			c = add(c, text, Phone, m[0], m[1])
		}
	}
	return c
}

func validPhone(text string, start, end int) bool {
	if !atBoundary(text, start, end) {
		return false
	}
	if start > 0 && strings.ContainsAny(text[start-1:start], "$€£¥#/@_\\+") {
		return false
	}
	if start >= 3 && strings.HasSuffix(text[:start], "€") {
		return false
	}
	if end < len(text) {
		next := text[end:]
		if strings.ContainsAny(next[:1], "%$/@_") || strings.HasPrefix(next, "€") || strings.HasPrefix(next, "£") {
			return false
		}
		if len(next) > 1 && (next[0] == ',' || next[0] == ':') && next[1] >= '0' && next[1] <= '9' {
			return false
		}
		if currencyAfter.MatchString(after(text, end, 12)) {
			return false
		}
	}
	cand := text[start:end]
	var groups []string
	digits, seps, cur := 0, 0, 0
	for i := 0; i < len(cand); i++ {
		ch := cand[i]
		if ch >= '0' && ch <= '9' {
			digits++
			cur++
			continue
		}
		if cur > 0 {
			groups = append(groups, cand[i-cur:i])
			cur = 0
		}
		if ch != '+' {
			seps++
		}
	}
	if cur > 0 {
		groups = append(groups, cand[len(cand)-cur:])
	}
	if digits < 7 || digits > 15 {
		return false
	}
	if dateShape.MatchString(cand) || timeShape.MatchString(cand) || zip4Shape.MatchString(cand) ||
		ssnShape.MatchString(cand) || ipShape.MatchString(cand) || allYears(groups) {
		return false
	}
	if phoneContext.MatchString(before(text, start, 30)) {
		return true
	}
	if cand[0] == '+' {
		return digits >= 8
	}
	if seps == 0 {
		return digits == 10 || digits == 11
	}
	long := false
	for _, g := range groups {
		if len(g) >= 5 {
			long = true
		}
	}
	if long {
		return digits >= 10
	}
	return digits >= 9
}

// allYears spots "2019 2020 2021" and "1990-2020", which are never phone numbers.
func allYears(groups []string) bool {
	for _, g := range groups {
		if len(g) != 4 || (!strings.HasPrefix(g, "19") && !strings.HasPrefix(g, "20")) {
			return false
		}
	}
	return true
}

func findSSNs(text string, c []candidate) []candidate {
	for _, m := range ssnDashRe.FindAllStringIndex(text, -1) {
		if atBoundary(text, m[0], m[1]) && plausibleSSN(text[m[0]:m[1]]) {
			c = add(c, text, SSN, m[0], m[1])
		}
	}
	for _, m := range ssnPlainRe.FindAllStringIndex(text, -1) {
		if atBoundary(text, m[0], m[1]) && plausibleSSN(text[m[0]:m[1]]) &&
			ssnContext.MatchString(before(text, m[0], 30)) {
			c = add(c, text, SSN, m[0], m[1])
		}
	}
	return c
}

// plausibleSSN rejects only all-zero fields, which are never issued; other invalid ranges
// (666, 9xx) are still redacted because 9xx numbers are ITINs, another tax id.
func plausibleSSN(s string) bool {
	d := digitsOf(s)
	return len(d) == 9 && d[:3] != "000" && d[3:5] != "00" && d[5:] != "0000"
}

func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func findCards(text string, c []candidate) []candidate {
	for _, m := range cardRunRe.FindAllStringIndex(text, -1) {
		run := text[m[0]:m[1]]
		// Groups of the run as byte ranges; a card may sit inside a longer run such as
		// "4111 1111 1111 1111 12/25", so every span of whole groups is tried.
		var gs [][2]int
		for i := 0; i < len(run); {
			j := i
			for j < len(run) && run[j] >= '0' && run[j] <= '9' {
				j++
			}
			gs = append(gs, [2]int{m[0] + i, m[0] + j})
			i = j + 1
		}
		// From each group, take the longest span of whole groups that makes a card; a card
		// never has more than 19 digits, which bounds the inner loop.
		for i := 0; i < len(gs); i++ {
			best, n := -1, 0
			for j := i; j < len(gs); j++ {
				if n += gs[j][1] - gs[j][0]; n > 19 {
					break
				}
				if n >= 13 && luhnCard(text[gs[i][0]:gs[j][1]]) && atBoundary(text, gs[i][0], gs[j][1]) {
					best = j
				}
			}
			if best >= 0 {
				c = add(c, text, Card, gs[i][0], gs[best][1])
				i = best
			}
		}
	}
	return c
}

func luhnCard(s string) bool {
	d := digitsOf(s)
	return strings.Trim(d, "0") != "" && luhn(d)
}

func luhn(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

// mrnKeys are the first words of mrnRe's labels. The expression is tried only where one
// starts, on a short window, which is far cheaper than scanning all text with it.
var mrnKeys = []string{"mrn", "medical", "record", "chart", "patient", "member", "subscriber", "policy",
	"insurance", "nhs", "health", "numero", "número", "historia", "expediente", "id de", "tarjeta"}

func findMRNs(text string, c []candidate) []candidate {
	lower := lowerASCII(text)
	for _, key := range mrnKeys {
		for off := 0; ; {
			k := strings.Index(lower[off:], key)
			if k < 0 {
				break
			}
			pos := off + k
			off = pos + len(key)
			if pos > 0 && isASCIIWord(text[pos-1]) {
				continue
			}
			end := min(len(text), pos+120)
			m := mrnRe.FindStringSubmatchIndex(text[pos:end])
			if m == nil {
				continue
			}
			s, e := pos+m[2], pos+m[3]
			id := text[s:e]
			if len(id) < 4 || len(id) > 20 || !strings.ContainsAny(id, "0123456789") || !atBoundary(text, s, e) {
				continue
			}
			if label := mrnLabelEnd.ReplaceAllString(text[pos:s], ""); mrnBareLabel.MatchString(label) {
				continue
			}
			c = add(c, text, MRN, s, e)
		}
	}
	return c
}

// lowerASCII lowercases ASCII letters only, so byte offsets stay those of s.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if ch >= 'A' && ch <= 'Z' {
			b[i] = ch + 'a' - 'A'
		}
	}
	return string(b)
}

func isASCIIWord(ch byte) bool {
	return ch == '_' || ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z'
}

func findDOBs(text string, c []candidate, thisYear int) []candidate {
	check := func(start, end, y, mo, d int, hasYear bool) {
		if !atBoundary(text, start, end) || !validDate(y, mo, d, hasYear) {
			return
		}
		ctx := dobContext.MatchString(before(text, start, 40)) || dobContext.MatchString(after(text, end, 25))
		switch {
		case ctx && (!hasYear || (y >= 1900 && y <= thisYear)):
		case !ctx && hasYear && y >= 1900 && y <= thisYear-2 && end-start >= 8:
		default:
			return
		}
		c = add(c, text, DOB, start, end)
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	for _, m := range isoDateRe.FindAllStringSubmatchIndex(text, -1) {
		check(m[0], m[1], atoi(text[m[2]:m[3]]), atoi(text[m[4]:m[5]]), atoi(text[m[6]:m[7]]), true)
	}
	for _, m := range numDateRe.FindAllStringSubmatchIndex(text, -1) {
		a, b, ys := atoi(text[m[2]:m[3]]), atoi(text[m[4]:m[5]]), text[m[6]:m[7]]
		y := atoi(ys)
		if len(ys) == 2 {
			if !dobContext.MatchString(before(text, m[0], 40)) && !dobContext.MatchString(after(text, m[1], 25)) {
				continue
			}
			y = expandYear(y, thisYear)
		}
		// US month/day or European day/month: either reading that makes a date will do.
		if validDate(y, a, b, true) {
			check(m[0], m[1], y, a, b, true)
		} else {
			check(m[0], m[1], y, b, a, true)
		}
	}
	// A month's name before the day (mdy: "March 3") or after it (dmy: "3 March"):
	// the submatch index of each, and the year's.
	for _, f := range []struct {
		re         *lazyre.Regexp
		month, day int
	}{{mdyDateRe, 2, 4}, {dmyDateRe, 4, 2}} {
		for _, m := range f.re.FindAllStringSubmatchIndex(text, -1) {
			mo, ok := monthNumber[strings.ToLower(text[m[f.month]:m[f.month+1]])]
			if !ok {
				continue
			}
			hasYear := m[6] >= 0
			y := 0
			if hasYear {
				y = atoi(text[m[6]:m[7]])
			}
			check(m[0], m[1], y, mo, atoi(text[m[f.day]:m[f.day+1]]), hasYear)
		}
	}
	return c
}

// expandYear reads a two-digit year as the most recent year ending in those digits.
func expandYear(yy, thisYear int) int {
	y := thisYear/100*100 + yy
	if y > thisYear {
		y -= 100
	}
	return y
}

func validDate(y, m, d int, hasYear bool) bool {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return false
	}
	if !hasYear {
		y = 2000 // a leap year, so 29 February passes
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d
}
