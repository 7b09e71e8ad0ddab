package guard

import (
	"strings"

	"frontdesk/internal/lazyre"
)

// HealthSplit is a visitor's message with its health details set apart from the
// practical questions it asks.
type HealthSplit struct {
	// Health reports that the message volunteers health details (DetectHealth) or asks a
	// clinical question ("what should I give my dog for ..."): the reply acknowledges it
	// briefly and points to the practice's team.
	Health bool
	// Terms are the health terms DetectHealth found in the whole message. They may be
	// there with Health false: a refill request names medication in general, which
	// DetectHealth flags (so no hosted model sees it) but which needs no acknowledgement.
	Terms []string
	// Practical is what search and a model may see: the whole message when Health is
	// false; otherwise its clauses that carry no health detail and ask no clinical
	// question, or "" when nothing practical remains and the fixed reply is all there is
	// to say.
	Practical string
}

// SplitHealth sets a message's clinical clauses apart from its practical ones, so "my back
// is killing me, do you take Blue Cross?" still gets an answer about Blue Cross while the
// back never reaches search or a model, and "what should I take for a toothache" gets the
// fixed reply alone. It works for people and animals alike ("my cat keeps sneezing, do you
// have evening hours?").
//
// A message is cut into clauses at sentence and clause punctuation and at "and", "but"
// and "so" when a new clause follows ("... dementia and I need a power of attorney"). A
// clause is clinical when DetectHealth flags it on its own, when it holds a term
// DetectHealth flagged in the whole message (where the first-person context may sit in
// another clause), or when it asks for clinical advice: what to take or give, a dose,
// whether something is normal or serious, ice or heat, which exercises to do. Clinical
// questions count even without a first person, since the practice's assistant can't
// answer them either way. Of the other clauses, those that ask or request something (a
// question, "I need ...", "looking for ...") are the practical part; a statement left over
// ("my dog ate chocolate") is not passed on, since it may be clinical in words the
// detector does not know. A question whose health detail is only what it is for ("can I
// do a virtual visit for my rash") keeps the question before it ("can I do a virtual
// visit").
func SplitHealth(text string) HealthSplit {
	det := DetectHealth(text)
	res := HealthSplit{Terms: det.Terms}
	var kept []string
	for _, c := range splitClauses(text) {
		f := fold(c)
		if clinicalQuestion(f) {
			res.Health = true
			continue
		}
		if (DetectHealth(c).Found || holdsTerm(f, det.Terms)) && !refillOnly(c) {
			res.Health = true
			// "Can I do a virtual visit for my rash": the question before what it is for
			// is practical, and holds no health detail.
			if q, ok := beforePurpose(c, det.Terms); ok {
				kept = append(kept, q)
			}
			continue
		}
		kept = append(kept, c)
	}
	if !res.Health {
		res.Practical = text
		return res
	}
	var asks []string
	for _, c := range kept {
		if asksSomething(c) {
			asks = append(asks, c)
		}
	}
	res.Practical = strings.Join(asks, " ")
	return res
}

// clauseEnd splits at punctuation that ends a clause (the mark stays with its clause) and
// before the marks that open a Spanish question or exclamation.
var clauseEnd = lazyre.New(`[.!?;:,\n]+|[¿¡]`)

// conjunctions that may start a new clause, in folded form with their spaces.
var conjunctions = []string{" and ", " but ", " so ", " because ", " cause ", " y ", " pero ", " e ", " mas "}

// clauseStarters are words that begin a new clause after a conjunction; after any other
// word the conjunction joins a list ("my son and daughter"), not clauses.
var clauseStarters = wordSet(`i i'm im i've ive i'd we we're my our can could do does did is are
	will would what where when how who which you your should also please any is there he she
	it it's its they his her their tengo puedo pueden tienen aceptan cuanto donde cuando que
	como necesito quiero hay mi eu posso preciso voces voce`)

// splitClauses cuts text into clauses, trimmed, in order, each keeping its closing mark.
func splitClauses(text string) []string {
	var pieces []string
	last := 0
	for _, loc := range clauseEnd.FindAllStringIndex(text, -1) {
		end := loc[1]
		if r := text[loc[0]:loc[1]]; r == "¿" || r == "¡" {
			end = loc[0]
		}
		pieces = append(pieces, text[last:end])
		last = end
	}
	pieces = append(pieces, text[last:])
	var out []string
	for _, p := range pieces {
		for _, c := range splitAtConjunctions(p) {
			if c = strings.TrimSpace(c); strings.IndexFunc(c, isWordRune) >= 0 {
				out = append(out, c)
			}
		}
	}
	return out
}

// splitAtConjunctions cuts a piece before "and"/"but"/"so" when a clause starter follows.
// It reads the lower-cased piece, whose byte offsets match the piece's for the ASCII
// conjunctions it looks for.
func splitAtConjunctions(p string) []string {
	lower := strings.ToLower(p)
	var out []string
	start := 0
	for i := 0; i < len(lower); i++ {
		for _, cj := range conjunctions {
			if !strings.HasPrefix(lower[i:], cj) {
				continue
			}
			next := strings.FieldsFunc(lower[i+len(cj):], func(r rune) bool {
				return !isWordRune(r) && r != '\''
			})
			if len(next) > 0 && clauseStarters[fold(next[0])] && i > start {
				out = append(out, p[start:i])
				start = i + 1
			}
		}
		// Visitors leave out the comma: "my cat is sick can i bring her in today".
		for _, q := range questionOpeners {
			if !strings.HasPrefix(lower[i:], q) || i <= start {
				continue
			}
			before := strings.FieldsFunc(lower[start:i], func(r rune) bool { return !isWordRune(r) && r != '\'' })
			if len(before) >= 2 && !askingWords[fold(before[0])] && !askingWords[fold(before[len(before)-1])] {
				out = append(out, p[start:i])
				start = i + 1
			}
		}
	}
	return append(out, p[start:])
}

// questionOpeners open a question in the middle of a piece, folded with their spaces: of
// the visitor or the practice, which stands alone, not "can he eat tonight", which needs
// what came before ("my dog has surgery tomorrow");
// askingWords before one, or opening the piece, make it part of the same question
// ("where can i park", "what dose of benadryl can i give my cat").
var (
	questionOpeners = []string{" can i ", " can you ", " can we ", " could i ", " could you ", " do you ",
		" is there ", " are you ", " will you ", " puedo ", " pueden ", " tienen ", " posso "}
	askingWords = wordSet(`what where when how who which why whom whose and or but so if that than
		que donde cuando como quien cual onde quando`)
)

// purposeWords introduce what a visit is for: "... for my rash", "... para mi dolor".
var purposeWords = []string{" for ", " para "}

// beforePurpose is the part of a question clause before the last word introducing what it
// is for, when every health detail of the clause comes after that word and the part asks
// something of its own ("how many sessions will I need" of "... for low back pain"); ok is
// false otherwise. What it is for is left out: "can I get botox while pregnant" asks
// about pregnancy and stays whole.
func beforePurpose(c string, terms []string) (string, bool) {
	lower := strings.ToLower(c)
	cut := -1
	for _, p := range purposeWords {
		cut = max(cut, strings.LastIndex(lower, p))
	}
	if cut <= 0 {
		return "", false
	}
	q := strings.TrimSpace(c[:cut])
	f := fold(q)
	if !asksSomething(q) || DetectHealth(q).Found || holdsTerm(f, terms) || clinicalQuestion(f) {
		return "", false
	}
	for _, w := range tokenize(f) {
		if !functionWords[w] {
			return q, true
		}
	}
	return "", false // "do you have anything" asks nothing without what it is for
}

// functionWords ask without saying what about.
var functionWords = wordSet(`do does did you your i we me my our can could is are was will would
	what how many much when where who which a an the there get got need have has any anything
	something someone anyone please help tienen tiene hay algo puedo pueden`)

// holdsTerm reports whether folded clause f holds one of terms as whole words.
func holdsTerm(f string, terms []string) bool {
	if len(terms) == 0 {
		return false
	}
	padded := " " + strings.Join(tokenize(f), " ") + " "
	for _, t := range terms {
		if strings.Contains(padded, " "+t+" ") {
			return true
		}
	}
	return false
}

// clinicalAdvice are questions asking for a clinical opinion whatever they mention, on
// folded text.
var clinicalAdvice = lazyre.New(`\b(` + strings.Join([]string{
	`what (should|can|could|do) (i|we) give\b`,
	`what (medication|medicine|meds|pills?|antibiotics?|antidepressants?|painkillers?|cream|ointment|drops|supplements?|exercises?|stretch(es)?) (should|can|could|helps?|is best|are best|works?|do you recommend|would you recommend)`,
	`(should|can|could) (i|we) (ice|heat|stretch|exercise|walk on|go to the (er|hospital|emergency))`,
	`ice or heat`, `heat or ice`,
	`is (it|this|that) (normal|serious|broken|infected|fractured|contagious|dangerous|an emergency)`,
	`(what|which) (dose|dosage)`, `how (much|many) (mg|milligrams|ml|tablets|pills)`, `\bdos(e|age) of\b`,
	`how (do|can|should) (i|we) (treat|cure|heal|stop|get rid of|relieve|ease)`,
	`what (helps|causes|cures|relieves|is good for)`, `(helps|good) (with|for) (the |my |a )?(pain|stress|anxiety|swelling|itching|sleep)`,
	`could (it|this|that) be`, `do (i|we) need (stitches|antibiotics|surgery|an x-?ray|a scan|an mri)`,
	`(better|best) for (a |an |my |the )?(headache|pain|toothache|fever|cold|flu|cough|migraine|stress|anxiety|sleep)`,
	`que (le )?(debo|puedo|doy) (tomar|dar|usar|hacer)`, `que (medicamento|medicina|pastilla|dosis)`,
	`es (normal|grave)`, `o que (devo|posso) (tomar|dar|usar|fazer)`, `qual (remedio|dose)`,
}, "|") + `)`)

// clinicalIfHealth are questions that ask for clinical advice when the clause also
// names something clinical: "what should I take for a toothache", not "what should I
// take to my appointment".
var clinicalIfHealth = lazyre.New(`\b(` + strings.Join([]string{
	`what (should|can|could|do|would) (i|we|you) (take|use|do|put|apply|try)\b`,
	`(should|can|could) (i|we) (take|use|give|put|apply)\b`,
}, "|") + `)`)

// procedure asks what to do in a case supposed, not told: "what do I do if my dog gets
// sick at night" asks how the practice handles it.
var procedure = lazyre.New(`\bwhat (should|do|can) (i|we) do (if|when|in case)\b`)

// clinicalQuestion reports whether folded clause f asks for clinical advice.
func clinicalQuestion(f string) bool {
	if clinicalAdvice.MatchString(f) {
		return true
	}
	return clinicalIfHealth.MatchString(f) && !procedure.MatchString(f) && namesHealth(tokenize(f))
}

// namesHealth reports whether any health term occurs in toks, first person or not.
func namesHealth(toks []string) bool {
	for i := range toks {
		if healthTerms.match(toks, i) > 0 && healthExclusions.match(toks, i) == 0 {
			return true
		}
	}
	return false
}

// A refill request names medication in general without saying what it is for: it is a
// practical question, like asking for a prescription's renewal.
var (
	genericMedication = wordSet(`medication medications medicine medicines meds pills prescription prescriptions`)
	refillWords       = wordSet(`refill refills refilled renew renewal repeat reorder order pick pickup`)
)

// refillOnly reports whether clause c is flagged only for medication in general and asks
// for a refill.
func refillOnly(c string) bool {
	for _, t := range DetectHealth(c).Terms {
		if !genericMedication[t] {
			return false
		}
	}
	for _, w := range tokenize(fold(c)) {
		if refillWords[w] {
			return true
		}
	}
	return false
}

// askWords start a clause that asks or requests something.
var askWords = wordSet(`can could do does did is are will would what whats what's where wheres
	where's when how who which why should may any please need want looking wondering
	interested have has puedo pueden podria tienen tiene aceptan acepta cuanto cuanta donde
	cuando que cual como hay necesito quiero hacen atienden abren voces voce aceitam quanto
	onde posso tem fazem atendem abrem qual preciso quero`)

// askPhrases ask or request something anywhere in a clause.
var askPhrases = []string{"i need", "i'd like", "i would like", "i want", "looking for", "wondering", "interested in", "is there", "are there"}

// asksSomething reports whether a clause asks or requests something.
func asksSomething(clause string) bool {
	if strings.Contains(clause, "?") {
		return true
	}
	words := tokenize(fold(clause))
	for len(words) > 0 && (words[0] == "and" || words[0] == "but" || words[0] == "so" || words[0] == "also" || words[0] == "y" || words[0] == "e") {
		words = words[1:]
	}
	if len(words) == 0 {
		return false
	}
	if askWords[words[0]] {
		return true
	}
	joined := " " + strings.Join(words, " ") + " "
	for _, p := range askPhrases {
		if strings.Contains(joined, " "+p+" ") {
			return true
		}
	}
	return false
}
