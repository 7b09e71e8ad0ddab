package profile

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"frontdesk/internal/vocab"
)

// Name words by how much they tell services apart. A default qualifier ("adult",
// "comprehensive") is what a visitor leaves out when they mean the usual one, so "how much
// is a cleaning" is the adult cleaning before the children's; a generic word
// ("appointment", "session") names no service on its own.
var (
	defaultQualifiers = wordSet(`adult adults standard regular routine general basic comprehensive
		full complete normal simple single individual`)
	genericServiceWords = wordSet(`visit visits appointment appointments session sessions service
		services treatment treatments package packages class classes consultation consultations
		consult`)
	nameStop = wordSet(`a an the and or of for to in on at by per your our with plus including &`)
)

// Words a service question is made of that name no service: the question's own words
// ("how much does ... cost"), chat, and words about the visitor.
var serviceQuestionWords = wordSet(`how much many long does do did is are was be it its a an the for of
	to on in at with and or cost costs price prices pricing priced charge charges fee fees rate
	rates take takes last lasts get getting done you your we us our i me my mine can could would
	will should please what whats which there any some one about roughly approximately usually
	typically normally just so also need want like kind sort type quote estimate pay paying
	minutes minute hours hour time duration length that this these those if have has offer
	offers offering provide provides providing perform performs sell sells make makes
	carry see sees treat treats available availability doing much expensive cheap dollars
	tell know wondering question hi hello hey thanks thank ok not free book booking schedule
	without pocket self something anything stuff thing things meet meets involve involves include
	includes included happen happens when out up off guys folks each every over via through`)

// neutralWords are words about who the service is for, which need no match in its name.
var neutralWords = wordSet(`son daughter husband wife partner mom mum dad mother father grandpa
	grandma grandfather grandmother kid kids child children baby boy girl family friend old new
	little big small young him her his them their he she they who year years yr yrs olds aged
	age month months`)

// compiledGroup is a synonym group as stem sequences.
type compiledGroup [][]string

var stemGroups = func() []compiledGroup {
	var out []compiledGroup
	for _, g := range vocab.Shipped() {
		var cg compiledGroup
		for _, m := range g {
			var stems []string
			for _, w := range vocab.Words(m) {
				stems = append(stems, vocab.Stem(w))
			}
			if len(stems) > 0 {
				cg = append(cg, stems)
			}
		}
		out = append(out, cg)
	}
	return out
}()

// serviceText is a service's words, stemmed, for matching.
type serviceText struct {
	s       *Service
	name    []string        // stems of the name's words, stop words left out
	weights []float64       // each name stem's weight
	main    int             // how many of name's stems come before an extra ("with ...")
	text    []string        // stems of the name and description, in order
	all     map[string]bool // the same as a set
	words   map[string]bool // folded words of name and description, for prefix matches
}

func newServiceText(s *Service) serviceText {
	st := serviceText{s: s, all: map[string]bool{}, words: map[string]bool{}}
	after := false // words after "with" describe an extra, not the service
	for _, w := range vocab.Words(s.Name) {
		if w == "with" || w == "plus" || w == "including" {
			after = true
		}
		if nameStop[w] {
			continue
		}
		weight := 1.0
		switch {
		case after:
			weight = 0.3
		case defaultQualifiers[w]:
			weight = 0.2
		case genericServiceWords[w]:
			weight = 0.5
		}
		st.name = append(st.name, vocab.Stem(w))
		st.weights = append(st.weights, weight)
		if !after {
			st.main = len(st.name)
		}
	}
	for _, w := range vocab.Words(s.Name + " " + s.Description) {
		st.words[w] = true
		stem := vocab.Stem(w)
		st.all[stem] = true
		st.text = append(st.text, stem)
	}
	return st
}

func indexSeq(seq, sub []string) int {
	for i := 0; i+len(sub) <= len(seq); i++ {
		if slices.Equal(seq[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// findPhrase finds the words of phrase in seq in order, each at most one word after the
// one before ("new patient exam" in "New patient foot exam"), and returns their
// positions, or nil.
func findPhrase(seq, phrase []string) []int {
	for i := range seq {
		if len(phrase) == 0 || seq[i] != phrase[0] {
			continue
		}
		at := []int{i}
		for k := 1; k < len(phrase); k++ {
			last := at[len(at)-1]
			switch {
			case last+1 < len(seq) && seq[last+1] == phrase[k]:
				at = append(at, last+1)
			case len(phrase) > 1 && last+2 < len(seq) && seq[last+2] == phrase[k]:
				at = append(at, last+2)
			default:
				k = len(phrase)
			}
		}
		if len(at) == len(phrase) {
			return at
		}
	}
	return nil
}

// serviceVerbs ask for a service to be done, as "do you treat" does, without naming it:
// "do you remove warts" asks for the wart treatment. As verbs they name no service, even
// where one is named by the noun ("Ingrown toenail removal").
var serviceVerbs = wordSet(`remove removes removing fix fixes fixing cure cures curing heal heals
	test tests testing check checks checking screen screens`)

// practiceWords are the stems of the practice's name ("Northgate Foot & Ankle Clinic"),
// and the groups they belong to (as groupKey): a word that names what the whole practice
// does ("feet", "eyes") names no one of its services.
func (c *ask) practiceWords() map[string]bool {
	out := map[string]bool{}
	for _, w := range vocab.Words(c.p.Name) {
		if nameStop[w] {
			continue
		}
		st := vocab.Stem(w)
		out[st] = true
		for _, gi := range wordGroups(st) {
			out[groupKey(gi)] = true
		}
	}
	return out
}

// wordGroups are the indexes in stemGroups of the synonym groups that have stem alone as
// one of their members, in order.
func wordGroups(stem string) []int {
	var out []int
	for gi, g := range stemGroups {
		if slices.ContainsFunc(g, func(m []string) bool { return len(m) == 1 && m[0] == stem }) {
			out = append(out, gi)
		}
	}
	return out
}

// groupKey names a synonym group in a set of stems.
func groupKey(gi int) string { return "group " + strconv.Itoa(gi) }

// objectWord is a word of the question that should name the service.
type objectWord struct {
	word, stem string
	groups     []int // indexes in stemGroups of the synonym groups the word takes part in
	// phrases are the groups of which a phrase of the question holding the word is a
	// member ("first appointment" in "first visit"): a thing named in more than one word.
	phrases  []int
	optional bool // a word of the question's own ("will") that names a service only if one has it
	neutral  bool // a word about who the service is for ("my son"), which names none
}

// objectWords are the question's words that may name a service, each with the synonym
// groups it takes part in ("chompers" in "teeth"; "first appointment" in "first visit").
func (c *ask) objectWords() []objectWord {
	q := c.q
	groups := make([][]int, len(q.words))
	phrases := make([][]int, len(q.words))
	for gi, g := range stemGroups {
		for _, m := range g {
			for i := 0; i+len(m) <= len(q.stems); i++ {
				if !slices.Equal(q.stems[i:i+len(m)], m) {
					continue
				}
				for k := i; k < i+len(m); k++ {
					if !slices.Contains(groups[k], gi) {
						groups[k] = append(groups[k], gi)
					}
					if len(m) > 1 && !slices.Contains(phrases[k], gi) {
						phrases[k] = append(phrases[k], gi)
					}
				}
			}
		}
	}
	named := map[string]bool{} // stems of the services' names
	for _, s := range c.p.Services {
		for _, w := range vocab.Words(s.Name) {
			if !nameStop[w] { // "for" of "Laser treatment for fungal nails" names nothing
				named[vocab.Stem(w)] = true
			}
		}
	}
	own := c.practiceWords()
	var out []objectWord
	for i, w := range q.words {
		if strings.HasPrefix(w, "$") || isDigits(w) {
			continue
		}
		o := objectWord{word: strings.TrimSuffix(w, "'s"), stem: q.stems[i], groups: groups[i], phrases: phrases[i]}
		o.optional = (serviceQuestionWords[w] || fillerWords[w] || insuranceWords[w]) && !named[o.stem] || serviceVerbs[w]
		// "family" names Family therapy; "feet" at a foot clinic names no one service.
		o.neutral = (neutralWords[w] || own[o.stem] || slices.ContainsFunc(o.groups, func(g int) bool { return own[groupKey(g)] })) && !named[o.stem]
		out = append(out, o)
	}
	return out
}

func isDigits(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// nameHits marks the name words of st that the question's words name: the same word, a
// typo of it, or a synonym group the question uses whose member the name holds in full
// ("teeth cleaning" names "Dental cleaning", but "cleaning" doesn't name "Teeth whitening").
func (st serviceText) nameHits(objs []objectWord) []bool {
	hits := make([]bool, len(st.name))
	for k, stem := range st.name {
		for _, o := range objs {
			if o.stem == stem || len(o.stem) >= 5 && len(stem) >= 5 && vocab.Near(o.stem, stem) {
				hits[k] = true
			}
		}
	}
	for _, o := range objs {
		for _, gi := range o.groups {
			for _, m := range stemGroups[gi] {
				for _, k := range findPhrase(st.name, m) {
					hits[k] = true
				}
			}
		}
	}
	return hits
}

// explains reports whether the service's words account for an object word.
func (st serviceText) explains(o objectWord) bool {
	if st.all[o.stem] {
		return true
	}
	for _, gi := range o.groups {
		for _, m := range stemGroups[gi] {
			if findPhrase(st.text, m) != nil {
				return true
			}
		}
	}
	for w := range st.words {
		if len(o.word) >= 4 && len(w) >= 4 && (strings.HasPrefix(w, o.word) || strings.HasPrefix(o.word, w)) {
			return true // "blood" in "bloodwork"
		}
		if len(o.word) >= 5 && len(w) >= 5 && vocab.Near(o.word, w) {
			return true
		}
	}
	return false
}

// scored is a service and how well the question names it.
type scored struct {
	st       serviceText
	score    float64 // weighted share of the name's words the question holds
	specific bool    // a word that is neither a qualifier nor generic matched
	full     bool    // every name word of weight 1 matched
	// described: the question names none of the service's name, only what its
	// description says (describedAll): a likely reading.
	described bool
}

// matchServices ranks the services the question names, best first: the best and those
// close behind it ("a cleaning" is the adult and the children's cleaning), or the one
// service it names in other ways (see namedOtherwise); none when the question's words
// are not all accounted for by them.
func (c *ask) matchServices(objs []objectWord) []scored {
	out := c.namedByName(objs)
	if out == nil {
		out = c.namedOtherwise(objs)
	}
	// Every word naming the service must be accounted for by a listed service: "clean
	// my dog's teeth" at a dental practice is not its cleaning. A service named by one
	// word ("toenails" of the fungal nails' laser) that leaves others unaccounted for
	// ("trimmed") gives way to the one whose description holds them all.
	species := c.speciesInProfile()
	accounted := func(out []scored) bool {
		for _, o := range objs {
			if o.optional || o.neutral || genericServiceWords[o.word] || species[o.stem] {
				continue
			}
			if !slices.ContainsFunc(out, func(s scored) bool { return s.st.explains(o) }) {
				return false
			}
		}
		return true
	}
	if out == nil || !accounted(out) {
		out = c.describedAll(objs)
	}
	if out == nil || !accounted(out) {
		return nil
	}
	// The service that accounts for more of the question comes first: "trauma therapy"
	// is the therapy described as for trauma before the one named plain "therapy".
	explainedBy := func(s scored) int {
		n := 0
		for _, o := range objs {
			if !o.optional && !o.neutral && s.st.explains(o) {
				n++
			}
		}
		return n
	}
	slices.SortStableFunc(out, func(a, b scored) int { return explainedBy(b) - explainedBy(a) })
	return out
}

// namedByName ranks the services whose names the question holds enough of.
func (c *ask) namedByName(objs []objectWord) []scored {
	var all []scored
	for i := range c.p.Services {
		st := newServiceText(&c.p.Services[i])
		var got, total float64
		sc := scored{st: st, full: true}
		for k, hit := range st.nameHits(objs) {
			total += st.weights[k]
			switch {
			case hit:
				got += st.weights[k]
				if st.weights[k] >= 1 {
					sc.specific = true
				}
			case st.weights[k] >= 1:
				sc.full = false
			}
		}
		if total > 0 {
			sc.score = got / total
		}
		if sc.specific && sc.score >= 0.25 {
			all = append(all, sc)
		}
	}
	if len(all) == 0 {
		return nil
	}
	slices.SortStableFunc(all, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	best := all[0]
	if best.score < 0.5 {
		return nil // a word or two of a long name is no match
	}
	out := []scored{best}
	for _, s := range all[1:] {
		if s.score >= best.score-0.35 && len(out) < 3 && sharesHit(best, s, objs) {
			out = append(out, s)
		}
	}
	return out
}

// namedOtherwise finds the one service a question names without enough of its name:
// by the name's head, its last word, when no other service's name ends so ("the
// group" is the Anxiety skills group at a practice with one group); or by a phrase
// the service's description holds, in the question's words or a synonym's ("the first
// appointment" is the Intake appointment, described as "your first visit"). When more
// than one service fits, the question doesn't say which: none is returned.
func (c *ask) namedOtherwise(objs []objectWord) []scored {
	var byHead, byText []scored
	for i := range c.p.Services {
		st := newServiceText(&c.p.Services[i])
		if h := st.head(); h >= 0 && st.weights[h] >= 1 && st.nameHits(objs)[h] {
			byHead = append(byHead, scored{st: st, score: 0.5, specific: true})
		}
		if st.describes(objs) {
			byText = append(byText, scored{st: st, score: 0.5, specific: true})
		}
	}
	switch {
	case len(byHead) == 1:
		return byHead
	case len(byHead) == 0 && len(byText) == 1:
		return byText
	}
	return nil
}

// describedAll finds the one service whose name and description hold every word the
// question names a service with: "get my toenails trimmed" is the nail care described as
// "trimming of thick nails", "anything for a bulging disc" the decompression described as
// "for disc bulges". One word is too little to tell ("do you sell puppies" is not the
// vaccine visit described as "for puppies and kittens"). When none or more than one
// service holds them all, it returns none.
func (c *ask) describedAll(objs []objectWord) []scored {
	content := 0
	for _, o := range objs {
		if !o.optional && !o.neutral && !genericServiceWords[o.word] {
			content++
		}
	}
	if content < 2 {
		return nil
	}
	var found []scored
	for i := range c.p.Services {
		st := newServiceText(&c.p.Services[i])
		if !slices.ContainsFunc(objs, func(o objectWord) bool {
			return !o.optional && !o.neutral && !genericServiceWords[o.word] && !st.explains(o)
		}) {
			found = append(found, scored{st: st, score: 0.5, specific: true, described: true})
		}
	}
	if len(found) != 1 {
		return nil
	}
	return found
}

// head is the index in name of the name's last word before any extra ("with ..."), or
// -1 for a name of no words.
func (st serviceText) head() int { return st.main - 1 }

// describes reports whether the service's name or description holds a member of a
// group that a phrase of the question belongs to.
func (st serviceText) describes(objs []objectWord) bool {
	for _, o := range objs {
		for _, gi := range o.phrases {
			for _, m := range stemGroups[gi] {
				if findPhrase(st.text, m) != nil {
					return true
				}
			}
		}
	}
	return false
}

// usualServices are the services a question in generic words means ("how long is a
// regular session", "the price of an appointment"): those whose names say they are the
// usual kind of a family of services ("Individual therapy" of the therapies, "Adult
// cleaning" of the cleanings), at most two; none when the question names anything more
// than a generic service, or when the practice lists no such service.
func (c *ask) usualServices(objs []objectWord) []scored {
	generic := ""
	for _, o := range objs {
		switch {
		case o.optional || o.neutral || defaultQualifiers[o.word]:
		case genericServiceWords[o.word]:
			generic = o.stem
		default:
			return nil
		}
	}
	if generic == "" {
		return nil
	}
	texts := make([]serviceText, len(c.p.Services))
	heads := map[string]int{} // head (or its synonym group) -> services with that head
	for i := range c.p.Services {
		texts[i] = newServiceText(&c.p.Services[i])
		if h := texts[i].head(); h >= 0 {
			heads[headKey(texts[i].name[h])]++
		}
	}
	var out []scored
	for _, st := range texts {
		// The usual one of a family of services sharing a head ("Adult cleaning" beside
		// "Children's cleaning", "Individual therapy" beside "Couples counseling"); "Routine
		// nail care", alone of its kind, is a service like any other.
		if h := st.head(); h < 0 || heads[headKey(st.name[h])] < 2 {
			continue
		}
		for _, w := range vocab.Words(st.s.Name) {
			if defaultQualifiers[w] {
				out = append(out, scored{st: st})
				break
			}
		}
	}
	if len(out) == 0 {
		// No usual one of a family: the services named by the word itself ("each
		// session" of a "Speech therapy session"), when there are one or two.
		for _, st := range texts {
			if slices.Contains(st.name, generic) {
				out = append(out, scored{st: st})
			}
		}
	}
	if len(out) > 2 {
		return nil
	}
	return out
}

// headKey is what a service's head stem is counted as among the heads of a practice's
// services: the first synonym group it is a word of ("counseling" and "therapy" are one
// kind), else itself.
func headKey(stem string) string {
	if gs := wordGroups(stem); len(gs) > 0 {
		return groupKey(gs[0])
	}
	return stem
}

// namesHead reports whether the question names the service's head, the last word of its
// name: in its words, by a generic word in its place ("couples sessions" of Couples
// counseling), or by leaving out a head that says little ("the whitening" of a Whitening
// session, "a massage" of Massage therapy).
func (s scored) namesHead(objs []objectWord) bool {
	h := s.st.head()
	if h < 0 || s.st.weights[h] < 1 || leavableHeads[s.st.name[h]] || s.st.nameHits(objs)[h] {
		return true
	}
	return slices.ContainsFunc(objs, func(o objectWord) bool { return genericServiceWords[o.word] })
}

// headHit reports whether the question holds the service's head word itself.
func (s scored) headHit(objs []objectWord) bool {
	h := s.st.head()
	return h >= 0 && s.st.nameHits(objs)[h]
}

// leavableHeads are heads of service names visitors leave out, as stems: "a massage" is
// the Massage therapy, "physio" the Physio care.
var leavableHeads = map[string]bool{"therapi": true, "care": true, "program": true, "programm": true}

// sharesHit reports whether two services are named by a word in common ("cleaning" in
// the adult and the children's cleaning): a runner-up named by another word of the
// question ("my cat" in "Sick pet visit" beside "spay") is another service, not an
// alternative.
func sharesHit(a, b scored, objs []objectWord) bool {
	ha, hb := a.st.nameHits(objs), b.st.nameHits(objs)
	for i, hit := range ha {
		if hit && a.st.weights[i] >= 1 && slices.Contains(b.st.name, a.st.name[i]) {
			for j, x := range b.st.name {
				if x == a.st.name[i] && hb[j] {
					return true
				}
			}
		}
	}
	return false
}

var speciesWords = wordSet(`dog dogs puppy puppies cat cats kitten kittens kitty rabbit rabbits bunny
	bunnies pet pets guinea pig pigs ferret ferrets rat rats bird birds horse horses`)

// speciesInProfile are the animal words the practice's services mention, as stems: at a
// practice that treats cats, "my cat" is who the service is for, not part of its name.
func (c *ask) speciesInProfile() map[string]bool {
	out := map[string]bool{}
	for _, s := range c.p.Services {
		for _, w := range vocab.Words(s.Name + " " + s.Description) {
			if speciesWords[w] {
				out[vocab.Stem(w)] = true
			}
		}
	}
	// One species mentioned means the practice treats animals: their words are neutral.
	if len(out) > 0 {
		for w := range speciesWords {
			out[vocab.Stem(w)] = true
		}
	}
	return out
}

// Words that turn a price question into another one: a fee for cancelling, what
// insurance pays, paying in parts.
var priceExclusions = wordSet(`cancel cancels cancelled canceled cancellation cancellations cancelling
	late noshow no-show missed miss insurance insurer insured cover covers covered coverage copay
	co-pay deductible excess installment installments instalments financing finance discount
	discounts voucher vouchers membership refund refunds deposit retainer hourly`)

// service answers what a service costs, how long it takes, or whether it is offered.
func (c *ask) service() (part, bool) {
	q := c.q
	if len(c.p.Services) == 0 {
		return part{}, false
	}
	price := q.hasPhrase("how much") || q.has("cost", "costs", "price", "prices", "pricing", "priced",
		"charge", "charges", "fee", "fees", "expensive", "cheap", "quote", "rate", "rates", "free")
	duration := q.hasPhrase("how long", "how many minutes", "how many hours", "how much time") || q.has("duration", "length")
	offered := q.hasPhrase("do you", "can you", "could you", "can i", "can we", "could i", "may i", "is there", "are there") || q.has("offer", "offers", "provide", "provides")
	if duration && q.has("wait", "waiting", "recover", "recovery", "heal", "healing", "results", "been", "until", "ready", "refill", "process",
		"made", "make", "arrive", "arrives", "ship", "ships", "shipped", "shipping", "delivered", "delivery", "turnaround", "order", "ordered") {
		duration = false
	}
	// "without insurance" asks the price; "does insurance cover it" does not.
	selfPay := q.hasPhrase("without insurance", "no insurance", "without any insurance", "self pay", "out of pocket", "cash price")
	if price {
		for _, w := range q.words {
			if priceExclusions[w] && !(selfPay && (insuranceWords[w] || w == "cover")) {
				price = false
			}
		}
	}
	// "When does the anxiety group meet", "what is EMDR": what the service is, which its
	// description tells.
	about := !price && !duration && !offered && (q.hasPhrase("what is", "what's", "what are", "tell me about", "when does",
		"when do", "when is", "what day", "which day", "which days", "how often", "how many") || q.has("involve", "involves", "include", "includes", "meet", "meets"))
	if !price && !duration && !offered && !about {
		return part{}, false
	}
	objs := c.objectWords()
	if !slices.ContainsFunc(objs, func(o objectWord) bool { return !o.optional }) {
		if price && !duration {
			return c.priceList()
		}
		return part{}, false
	}
	matched := c.matchServices(objs)
	usual := false
	if len(matched) == 0 && (price || duration) {
		matched, usual = c.usualServices(objs), true
	}
	if len(matched) == 0 {
		return part{}, false
	}
	for _, m := range matched {
		c.services = append(c.services, m.st.s.Name)
	}
	conf := 0.9
	switch {
	case usual, matched[0].described:
		conf = 0.6 // a likely reading: a confident passage is the better answer
	case !matched[0].namesHead(objs) || len(matched) > 1 && !slices.ContainsFunc(matched, func(m scored) bool { return m.headHit(objs) }):
		// "How much are hearing aids" names what "Hearing aid repair" is about, not the
		// repair, nor which of the hearing aid consultation, fitting and repair it means:
		// likely another thing, which a passage may price.
		conf = 0.6
	case !matched[0].full:
		conf = 0.8
	}
	if duration && !price && q.has("last", "lasts") {
		// "How long does Botox last" may ask how long its effect lasts, which an FAQ
		// asking the same knows; the visit's length is a likely answer.
		conf = min(conf, 0.7)
	}
	switch {
	case about:
		m := matched[0]
		// "How many months of therapy will she need" of three therapies: which one's
		// description would say is not known, and an FAQ likely does.
		if usual || m.st.s.Description == "" || len(matched) > 1 {
			return part{}, false
		}
		return part{KindService, m.st.s.Name + c.serviceDetails(m.st.s) + ".", 0.6}, true
	case price:
		var lines []string
		unknown := true
		for _, m := range matched {
			s := m.st.s
			if s.Price == "" {
				continue
			}
			unknown = false
			line := s.Name + ": " + s.Price
			if s.DurationMin > 0 {
				line += ", " + c.t.minutes(s.DurationMin)
			}
			if moneyIn.MatchString(s.Description) {
				line += " (" + strings.TrimSuffix(s.Description, ".") + ")" // "30 minutes for $50"
			}
			lines = append(lines, line)
		}
		if unknown {
			s := matched[0].st.s
			text := c.t.priceUnknown(s.Name)
			if s.Description != "" {
				text += " " + s.Description
			}
			return part{KindPriceUnknown, text, 0.6}, true
		}
		return part{KindPrice, strings.Join(lines, "; ") + ".", conf}, true
	case duration:
		var lines []string
		for _, m := range matched {
			if s := m.st.s; s.DurationMin > 0 {
				lines = append(lines, c.t.duration(s.Name, c.t.minutes(s.DurationMin)))
			}
		}
		if len(lines) == 0 {
			return part{}, false
		}
		return part{KindDuration, strings.Join(lines, " "), conf}, true
	default:
		m := matched[0]
		conf := 0.7
		if !m.full {
			conf = 0.6 // "a whitening" is likely the teeth whitening
		}
		return part{KindService, c.t.offered(m.st.s.Name, c.serviceDetails(m.st.s)), conf}, true
	}
}

// serviceDetails is what follows a service's name in a sentence: " ($85, 30 minutes):
// Same-day exam when your pet is unwell".
func (c *ask) serviceDetails(s *Service) string {
	var facts []string
	if s.Price != "" {
		facts = append(facts, s.Price)
	}
	if s.DurationMin > 0 {
		facts = append(facts, c.t.minutes(s.DurationMin))
	}
	details := ""
	if len(facts) > 0 {
		details = " (" + strings.Join(facts, ", ") + ")"
	}
	if s.Description != "" {
		details += ": " + strings.TrimSuffix(s.Description, ".")
	}
	return details
}

// moneyIn finds an amount of money in a service's description, which then tells prices
// beyond the listed one ("30 minutes for $50").
var moneyIn = regexp.MustCompile(`[$£€]\s?\d`)

// priceList answers "what are your prices" with every service that has one.
func (c *ask) priceList() (part, bool) {
	var lines []string
	for _, s := range c.p.Services {
		if s.Price != "" {
			lines = append(lines, s.Name+": "+s.Price)
		}
	}
	if len(lines) == 0 {
		return part{}, false
	}
	return part{KindPrice, c.t.prices(strings.Join(lines, "; ")), 0.8}, true
}

// Words of a request to be seen today: when ("today", "asap"), and the visit ("come in",
// "bring him in", "be seen", "fit me in").
var (
	sameDayWhen   = wordSet(`today tonight asap urgent urgently emergency now immediately`)
	sameDayVisit  = wordSet(`come coming bring brought seen see visit appointment appointments slot slots fit squeeze available availability book booking`)
	sameDayOther  = wordSet(`in same day right away morning afternoon him her them us chance possible possibly`)
	sameDayMarked = [][]string{{"same", "day"}, {"urgent"}, {"urgently"}, {"emergency"}, {"emergencies"}, {"walk", "in"}, {"walk", "ins"}}
)

// sameDay answers a request to be seen today ("can I bring him in today", "can I be seen
// today?") with the services the practice describes as same-day, urgent or emergency
// visits: the practice's own way in at short notice. A question naming another service
// ("a cleaning today") is that service's, and a practice without such a service gets no
// answer here.
func (c *ask) sameDay() (part, bool) {
	q := c.q
	when := q.hasPhrase("same day", "right away", "this morning", "this afternoon")
	visit := false
	for _, w := range q.words {
		when = when || sameDayWhen[w]
		visit = visit || sameDayVisit[w]
	}
	if !when || !visit || len(c.p.Services) == 0 {
		return part{}, false
	}
	for _, o := range c.objectWords() {
		if !o.optional && !o.neutral && !sameDayWhen[o.word] && !sameDayVisit[o.word] && !genericServiceWords[o.word] &&
			!speciesWords[o.word] && !sameDayOther[o.word] {
			return part{}, false
		}
	}
	var found []string
	for i := range c.p.Services {
		s := &c.p.Services[i]
		words := vocab.Words(s.Name + " " + s.Description)
		if !slices.ContainsFunc(sameDayMarked, func(m []string) bool { return indexSeq(words, m) >= 0 }) {
			continue
		}
		found = append(found, s.Name+c.serviceDetails(s))
		c.services = append(c.services, s.Name) // what "can I be seen today" asks for
	}
	if len(found) == 0 {
		return part{}, false
	}
	return part{KindService, c.t.sameDay(strings.Join(found, "; ")), 0.7}, true
}

// NamesService reports whether text names the service called name: it holds a word of
// the name that tells it apart (not a qualifier such as "adult", nor a generic word such
// as "session"), as written or by stem ("the decompression table" names "Spinal
// decompression").
func NamesService(text, name string) bool {
	st := newServiceText(&Service{Name: name})
	stems := map[string]bool{}
	for _, w := range vocab.Words(text) {
		stems[vocab.Stem(w)] = true
	}
	for k, stem := range st.name {
		if k < st.main && st.weights[k] >= 1 && stems[stem] {
			return true
		}
	}
	return false
}
