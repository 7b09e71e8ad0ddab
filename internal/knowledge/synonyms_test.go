package knowledge

import (
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
