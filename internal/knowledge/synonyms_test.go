package knowledge

import (
	"context"
	"strings"
	"testing"

	"frontdesk/internal/vocab"
)

// A visitor's words find a practice's different words through the shipped groups.
func TestSearchShippedSynonyms(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "teen", FAQChunk("teen", "Do you treat adolescents?", "Yes, from age 12 with a parent present."))
	mustReplace(t, ix, "b", "tele", FAQChunk("tele", "Do you offer telehealth?", "Yes, telehealth consultations on a secure link."))
	mustReplace(t, ix, "b", "cats", FAQChunk("cats", "Do you see cats?", "Yes, we have a cat-only waiting room."))
	mustReplace(t, ix, "b", "clean", FAQChunk("clean", "How often do I need a dental cleaning?", "Every six months for most people."))
	mustReplace(t, ix, "b", "law", FAQChunk("law", "Can I meet an attorney by phone?", "Yes, any weekday."))
	mustReplace(t, ix, "b", "shots", FAQChunk("shots", "Which vaccinations does my dog need?", "Core vaccinations at 8, 12 and 16 weeks."))
	mustReplace(t, ix, "b", "park", FAQChunk("park", "Is there parking?", "Yes, behind the building."))
	for _, c := range []struct{ q, want string }{
		{"does my teenager need a parent with her", "teen"},
		{"can I do a zoom appointment", "tele"},
		{"do you see kitties", "cats"},
		{"how often should i get my chompers cleaned", "clean"},
		{"can i talk to a lawyer on the phone", "law"},
		{"what shots does my dog need", "shots"},
	} {
		hits := mustSearch(t, ix, "b", c.q, 3)
		if len(hits) == 0 || hits[0].SourceID != c.want {
			t.Errorf("%q: got %v, want %s first", c.q, ids(hits), c.want)
			continue
		}
		if hits[0].Score < 0.5 {
			t.Errorf("%q: %s scored %.2f, want a confident match", c.q, c.want, hits[0].Score)
		}
	}
}

// An owner's own groups apply to their practice only, at once, and can be taken back.
func TestSetSynonyms(t *testing.T) {
	ix := openTest(t)
	for _, b := range []string{"b", "other"} {
		mustReplace(t, ix, b, "bed", FAQChunk("bed", "Do you offer hydrotherapy?", "Yes, in our heated pool."))
	}
	before := mustSearch(t, ix, "b", "can I use the aqua bath", 1)
	groups, err := vocab.ParseGroups("aqua bath, hydrotherapy")
	if err != nil {
		t.Fatal(err)
	}
	ix.SetSynonyms("b", groups)
	after := mustSearch(t, ix, "b", "can I use the aqua bath", 1)
	if len(after) == 0 || after[0].SourceID != "bed" || (len(before) > 0 && after[0].Score <= before[0].Score) {
		t.Fatalf("with the owner's group: %+v (before: %+v)", after, before)
	}
	other := mustSearch(t, ix, "other", "can I use the aqua bath", 1)
	if len(other) > 0 && other[0].Score >= after[0].Score {
		t.Errorf("another practice got the owner's synonyms: %+v", other)
	}
	ix.SetSynonyms("b", nil)
	if again := mustSearch(t, ix, "b", "can I use the aqua bath", 1); len(again) > 0 && again[0].Score >= after[0].Score {
		t.Errorf("synonyms still apply after removal: %+v", again)
	}
}

// An FAQ whose question the visitor asks in other words matches by its question, and
// one that only shares words in its answer scores lower than its coverage alone.
func TestQuestionMatch(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "bring", FAQChunk("bring", "What should I bring to my first appointment?", "Your ID, insurance card and a list of medications."))
	mustReplace(t, ix, "b", "flea", FAQChunk("flea", "Do you sell flea prevention?", "Yes, monthly chewables for dogs and cats."))
	hits := mustSearch(t, ix, "b", "what do i need to bring to my first visit", 2)
	if len(hits) == 0 || hits[0].SourceID != "bring" || hits[0].QuestionMatch < 0.6 {
		t.Fatalf("paraphrase: %+v", hits)
	}
	hits = mustSearch(t, ix, "b", "do you sell dog beds", 2)
	if len(hits) > 0 && hits[0].Score >= 0.5 {
		t.Errorf("%q matched only through the answer's words, scored %.2f", "do you sell dog beds", hits[0].Score)
	}
}

// Spanish and Portuguese questions find English knowledge.
func TestSearchOtherLanguages(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "park", FAQChunk("park", "Is there parking?", "Yes, a free lot behind the building."))
	mustReplace(t, ix, "b", "pay", FAQChunk("pay", "Do you offer payment plans?", "Yes, in three monthly installments."))
	mustReplace(t, ix, "b", "kids", FAQChunk("kids", "Do you see children?", "Yes, from age 1."))
	for _, c := range []struct{ q, want string }{
		{"¿Tienen estacionamiento?", "park"},
		{"¿Puedo pagar en cuotas?", "pay"},
		{"vocês atendem crianças?", "kids"},
		{"tem estacionamento?", "park"},
	} {
		hits := mustSearch(t, ix, "b", c.q, 3)
		if len(hits) == 0 || hits[0].SourceID != c.want || hits[0].Score < 0.5 {
			t.Errorf("%q: got %v, want %s confidently", c.q, ids(hits), c.want)
		}
	}
}

func ids(hits []Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.SourceID)
	}
	return out
}

// A species finds its broader word and the broader word finds it, but one species never
// finds another.
func TestSearchBroaderWords(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "records", FAQChunk("records", "Can I get a copy of my pet's records?", "Yes, by email the same day."))
	mustReplace(t, ix, "b", "dogs", FAQChunk("dogs", "Do you groom dogs?", "Yes, every weekday."))
	hits := mustSearch(t, ix, "b", "can i get my cat's records", 2)
	if len(hits) == 0 || hits[0].SourceID != "records" || hits[0].Score < 0.5 {
		t.Errorf("cat's records: %+v", ids(hits))
	}
	for _, c := range ix.concepts("b", "do you groom cats") {
		for _, v := range c.variants {
			if strings.Join(v, " ") == "dog" {
				t.Errorf("cats are searched as dogs: %v", c.variants)
			}
		}
	}
}

// A question's form counts in its match with an FAQ's question: "what do I need to
// bring" asks what "What should I bring?" asks, not "Can I bring my own frames?".
func TestQuestionFormMatch(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "own", FAQChunk("own", "Can I bring my own frames?", "Yes, we can fit new lenses in them."))
	mustReplace(t, ix, "b", "what", FAQChunk("what", "What should I bring to my eye exam?", "Your glasses, contact lenses and insurance card."))
	hits := mustSearch(t, ix, "b", "what do i need to bring to my appt", 2)
	if b := bestScored(hits); b == nil || b.SourceID != "what" {
		t.Errorf("got %+v", hits)
	}
	for q, want := range map[string]string{
		"what do i need to bring": "what", "Is what I tell you confidential?": yesNo, "r u open": yesNo,
		"hi, how much is a cleaning": "how much", "whats ur address": "what", "which dentist is best": "what",
		"parking?": "", "my son is 5, when should he come": "when",
	} {
		if got := questionForm(q); got != want {
			t.Errorf("questionForm(%q) = %q, want %q", q, got, want)
		}
	}
}

// A synonym phrase counts only where its words stand together: "walk in without an
// appointment" is not in "clients without insurance ... a session".
func TestSynonymPhraseMustBeAPhrase(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "scale", FAQChunk("scale", "Do you offer a sliding scale?", "Yes, for clients without insurance, from $70 a session."))
	mustReplace(t, ix, "b", "walk", FAQChunk("walk", "Can I come without booking?", "Yes, we see people without an appointment every morning."))
	hits := mustSearch(t, ix, "b", "do you take walk ins", 2)
	if b := bestScored(hits); b == nil || b.SourceID != "walk" {
		t.Fatalf("got %+v", hits)
	}
	for _, h := range hits {
		if h.SourceID == "scale" && h.Score >= AnswerThreshold {
			t.Errorf("the sliding scale answers walk-ins: %.2f", h.Score)
		}
	}
}

// "After hours" and "out of hours" are a time of day, not opening hours: "who do I call at
// night" finds the FAQ about calling after hours.
func TestAfterHoursIsNotHours(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "night", FAQChunk("night", "What if I need care after hours?", "Call our main number to reach the on-call provider."))
	mustReplace(t, ix, "b", "terp", FAQChunk("terp", "Do you provide interpreters?", "Yes, phone interpreters for 200 languages."))
	hits := mustSearch(t, ix, "b", "who do i call if i need a doctor at night", 2)
	if b := bestScored(hits); b == nil || b.SourceID != "night" || b.Score < AnswerThreshold {
		t.Errorf("got %+v", hits)
	}
}

// bestScored is the hit of highest Score, the one an answer is read from.
func bestScored(hits []Hit) *Hit {
	var best *Hit
	for i := range hits {
		if best == nil || hits[i].Score > best.Score {
			best = &hits[i]
		}
	}
	return best
}

// A word a translation can't carry over is often what the question is about: a price
// question about it is not answered by another fee.
func TestUntranslatedSubject(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "late", FAQChunk("late", "What is your cancellation policy?", "Please give us 24 hours' notice. Missed appointments have a $25 fee."))
	for _, h := range mustSearch(t, ix, "b", "cuanto cuesta un zumbido", 3) {
		if h.Score >= AnswerThreshold {
			t.Errorf("%s answers with %.2f", h.SourceID, h.Score)
		}
	}
}

// Two words the practice writes as one are read as one: "care credit" is CareCredit.
func TestSplitWordsJoined(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "pay", FAQChunk("pay", "How can I pay?", "Cash, all major cards, HSA cards and CareCredit."))
	mustReplace(t, ix, "b", "kids", FAQChunk("kids", "Do you see children?", "Yes, with gentle care for every age."))
	b := bestScored(mustSearch(t, ix, "b", "do you take care credit", 3))
	if b == nil || b.SourceID != "pay" || b.Score < AnswerThreshold {
		t.Errorf("got %+v", b)
	}
}

// What a visitor names is often a kind of what the practice says: a migraine of
// headaches, an operation of surgery, a sport of sports.
func TestSearchNarrowerWords(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "head", FAQChunk("head", "Can you help with headaches?", "Often, yes: tension headaches and headaches that start in the neck."))
	mustReplace(t, ix, "b", "home", FAQChunk("home", "Can a physio come to my home?", "Yes, within three miles, for example after an operation."))
	mustReplace(t, ix, "b", "guard", FAQChunk("guard", "Do you make sports mouthguards?", "Yes, custom-fitted for $150."))
	for _, c := range []struct{ q, want string }{
		{"do you help with migraines", "head"},
		{"can someone come to my house after my hip replacement", "home"},
		{"do you make mouthguards for football", "guard"},
	} {
		b := bestScored(mustSearch(t, ix, "b", c.q, 3))
		if b == nil || b.SourceID != c.want || b.Score < AnswerThreshold {
			t.Errorf("%q: got %+v, want %s confidently", c.q, b, c.want)
		}
	}
}

// A kind of thing the practice never mentions in any form (a species at a dentist's)
// says the question is about something else.
func TestForeignKindAbstains(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "often", FAQChunk("often", "How often should I get my teeth cleaned?", "Every six months for most patients."))
	mustReplace(t, ix, "b", "kids", FAQChunk("kids", "Do you see children?", "Yes, from their first tooth."))
	mustReplace(t, ix, "b", "gas", FAQChunk("gas", "Do you offer sedation?", "Yes, laughing gas for nervous patients."))
	if b := bestScored(mustSearch(t, ix, "b", "can you clean my dog's teeth", 3)); b != nil && b.Score >= AnswerThreshold {
		t.Errorf("answered by %s at %.2f", b.SourceID, b.Score)
	}
	if b := bestScored(mustSearch(t, ix, "b", "can you clean my son's teeth", 3)); b == nil || b.SourceID != "often" || b.Score < AnswerThreshold {
		t.Errorf("a person's teeth: %+v", b)
	}
}

// A word of whom it is for inside a synonym phrase does not break it: "come to my mom's
// house" is a home visit, "cut my dog's hair" a haircut.
func TestPhraseAroundPeople(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "home", FAQChunk("home", "Do you make home visits?", "Yes, on Thursday afternoons within 10 miles."))
	mustReplace(t, ix, "b", "ref", FAQChunk("ref", "Do I need a referral?", "Not for most plans; ask your doctor."))
	b := bestScored(mustSearch(t, ix, "b", "can the doctor come to my moms house", 3))
	if b == nil || b.SourceID != "home" || b.Score < AnswerThreshold {
		t.Errorf("got %+v", b)
	}
	mustReplace(t, ix, "b", "groom", FAQChunk("groom", "Do you do grooming?", "Only nail trims; for baths and haircuts, Suds & Scissors."))
	b = bestScored(mustSearch(t, ix, "b", "can you cut my dog's hair", 3))
	if b == nil || b.SourceID != "groom" || b.Score < AnswerThreshold {
		t.Errorf("an animal inside the phrase: %+v", b)
	}
}

// A filler dropped from questions is no form of a word the analyzer maps a group onto
// ("even" is the stem of "evening", which night and evenings are searched as).
func TestQueryFillersAreNoGroupWords(t *testing.T) {
	for stem, canon := range synonyms {
		if queryFillers[stem] || queryFillers[canon] {
			t.Errorf("%q (group %q) is dropped as a filler", stem, canon)
		}
	}
}

// "Out of network", "in network" and "from home" are not just a network and a home.
func TestCompoundsOfStopWords(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "oon", FAQChunk("oon", "Can I use my out-of-network benefits?", "Yes, we give you a superbill to send to your insurer for reimbursement."))
	mustReplace(t, ix, "b", "in", FAQChunk("in", "Are you in network with Aetna?", "Yes, we are in network with Aetna and Cigna."))
	mustReplace(t, ix, "b", "tele", FAQChunk("tele", "Do you offer telehealth sessions?", "Yes, on a secure video platform."))
	mustReplace(t, ix, "b", "home", FAQChunk("home", "Do you make home visits?", "Yes, within five miles."))
	for _, c := range []struct{ q, want string }{
		{"you're out of network for me, can I still get reimbursed?", "oon"},
		{"can i do my sessions over zoom from home", "tele"},
	} {
		b := bestScored(mustSearch(t, ix, "b", c.q, 4))
		if b == nil || b.SourceID != c.want || b.Score < AnswerThreshold {
			t.Errorf("%q: got %+v, want %s confidently", c.q, b, c.want)
		}
	}
}

// A word the vocabulary knows is spelled right, not a typo of a word one edit away:
// "night" is not "right".
func TestKnownWordIsNoTypo(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "fever", FAQChunk("fever", "When should I call about a fever?", "Call us right away if your child seems very unwell."))
	mustReplace(t, ix, "b", "park", FAQChunk("park", "Where do I park?", "Free parking behind the building."))
	for _, h := range mustSearch(t, ix, "b", "night", 3) {
		if h.Score > 0 {
			t.Errorf("%s scored %.2f for night", h.SourceID, h.Score)
		}
	}
	if b := bestScored(mustSearch(t, ix, "b", "parkng", 3)); b == nil || b.SourceID != "park" || b.Score <= 0 {
		t.Errorf("a typo of a word the vocabulary doesn't know: %+v", b)
	}
}

// A child's age said as who the question is about reads as "age", not as numbers no
// passage holds.
func TestAgeIsAnAge(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "teen", FAQChunk("teen", "Can my teenager talk to the doctor alone?", "Yes, from age 13 part of each checkup is one-on-one."))
	mustReplace(t, ix, "b", "park", FAQChunk("park", "Where do I park?", "Free parking behind the building."))
	b := bestScored(mustSearch(t, ix, "b", "can my 15 year old talk to the doctor without me", 3))
	if b == nil || b.SourceID != "teen" || b.Score < AnswerThreshold {
		t.Errorf("got %+v", b)
	}
	for q, want := range map[string]string{"my 15 yo daughter": "my age daughter", "her 2-year-old": "her age", "in 2 years": "in 2 years"} {
		if got := ageOf.ReplaceAllString(q, "age"); got != want {
			t.Errorf("%q -> %q, want %q", q, got, want)
		}
	}
}

// A common verb the practice never uses says what the visitor does ("while I travel"),
// unless a particle makes it what is asked ("sit in on").
func TestPhrasalVerbIsAsked(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "long", FAQChunk("long", "How long will my child need therapy?", "Many children need 6 to 12 months of weekly sessions."))
	mustReplace(t, ix, "b", "room", FAQChunk("room", "Can parents come into the session?", "Yes, parents join the last 10 minutes of every session."))
	weightOf := func(q, word string) float64 {
		terms := ix.concepts("b", q)
		w, err := ix.termStats(context.Background(), "b", terms)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range terms {
			if c.word == word {
				return w[i]
			}
		}
		t.Fatalf("%q has no %q: %+v", q, word, terms)
		return 0
	}
	if in, plain := weightOf("can i sit in on my kids sessions", "sit"), weightOf("can my kids sit during sessions", "sit"); in <= plain {
		t.Errorf("sit in weighs %.2f, sit %.2f", in, plain)
	}
}
