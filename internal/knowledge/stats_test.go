package knowledge

import (
	"fmt"
	"testing"
)

// A practice's scores depend on its own knowledge alone: another practice indexed in the
// same index, however large and whatever words it uses, changes none of them.
func TestScoresIgnoreOtherPractices(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "dental", "park", FAQChunk("park", "Is there parking?", "Yes, six free spaces behind the building."))
	mustReplace(t, ix, "dental", "kids", FAQChunk("kids", "Do you see children?", "Yes, from their first tooth."))
	mustReplace(t, ix, "dental", "dogs", FAQChunk("dogs", "Can I bring my dog?", "Only assistance dogs, please."))
	questions := []string{"is there parking for my dog", "do you see kids", "can i bring my dog to the cleaning"}
	score := func() []float64 {
		var out []float64
		for _, q := range questions {
			for _, h := range mustSearch(t, ix, "dental", q, 3) {
				out = append(out, h.Score)
			}
		}
		return out
	}
	before := score()
	for i := range 30 { // a vet: "dog" everywhere, and parking too
		mustReplace(t, ix, "vet", fmt.Sprintf("f%d", i), FAQChunk(fmt.Sprintf("f%d", i), "Do you see dogs?", "Yes, dogs and cats; there is parking."))
	}
	if after := score(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("another practice's chunks moved the scores: %v, then %v", before, after)
	}
}

// The counts behind the scores follow every change to the practice's own knowledge: a
// word that becomes common weighs less at once.
func TestScoresFollowChanges(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "park", FAQChunk("park", "Is there parking?", "Yes, six free spaces behind the building."))
	mustReplace(t, ix, "b", "hours", FAQChunk("hours", "When are you open?", "Monday to Friday, 8 to 6."))
	mustReplace(t, ix, "b", "pay", FAQChunk("pay", "How do I pay?", "By card at the desk."))
	top := func(q string) Hit {
		hits := mustSearch(t, ix, "b", q, 1)
		if len(hits) == 0 {
			t.Fatalf("%q: no hits", q)
		}
		return hits[0]
	}
	q := "is there bike parking"
	before := top(q)
	for i := range 6 {
		id := fmt.Sprintf("bike%d", i)
		mustReplace(t, ix, "b", id, FAQChunk(id, "Can I come by bike?", "Yes, bikes are welcome."))
	}
	// "bike" is now everywhere and says little; the parking FAQ, holding "parking", is
	// the better answer than it was beside a bike no chunk mentioned.
	if after := top(q); after.SourceID != "park" || after.Score <= before.Score {
		t.Errorf("after bike FAQs: %s %.2f, before: %s %.2f", after.SourceID, after.Score, before.SourceID, before.Score)
	}
	if err := ix.DeleteBusiness("b"); err != nil {
		t.Fatal(err)
	}
	if hits := mustSearch(t, ix, "b", q, 1); len(hits) != 0 {
		t.Errorf("deleted practice still answers: %+v", hits)
	}
}

// A phrase that its group also names in one word is one thing: a chunk holding part of
// it ("payment" of "gift card", through "card") does not answer it, though it may
// resemble it.
func TestPhraseOfOneThing(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "fin", FAQChunk("fin", "Do you offer payment plans or financing?", "Yes, through CareCredit with 0% interest plans."))
	mustReplace(t, ix, "b", "kids", FAQChunk("kids", "Is your office kid friendly?", "Very! We have a kids' corner with books and games."))
	mustReplace(t, ix, "b", "park", FAQChunk("park", "Is there parking?", "Yes, behind the building."))
	if hits := mustSearch(t, ix, "b", "do you offer gift cards", 1); len(hits) > 0 && hits[0].Score >= AnswerThreshold {
		t.Errorf("gift cards answered by %s at %.2f", hits[0].SourceID, hits[0].Score)
	}
	if hits := mustSearch(t, ix, "b", "do you have a kids area", 1); len(hits) == 0 || hits[0].SourceID != "kids" || hits[0].Score < AnswerThreshold {
		t.Errorf("kids area: %+v, want the kids' corner, confident", hits)
	}
}

// Selling is what "do you sell ..." asks: a chunk about the thing without a sale does
// not answer it, and one that sells it in other words ("we stock") does.
func TestSellIsAsked(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "puppy", FAQChunk("puppy", "When does my puppy need vaccines?", "Puppies need core vaccines at 8, 12 and 16 weeks."))
	mustReplace(t, ix, "b", "flea", FAQChunk("flea", "What about fleas?", "We stock monthly flea and tick chewables."))
	mustReplace(t, ix, "b", "park", FAQChunk("park", "Is there parking?", "Yes, behind the building."))
	if hits := mustSearch(t, ix, "b", "do you sell puppies", 1); len(hits) > 0 && hits[0].Score >= AnswerThreshold {
		t.Errorf("puppies for sale answered by %s at %.2f", hits[0].SourceID, hits[0].Score)
	}
	if hits := mustSearch(t, ix, "b", "do you sell flea meds", 1); len(hits) == 0 || hits[0].SourceID != "flea" || hits[0].Score < AnswerThreshold {
		t.Errorf("flea meds: %+v, want the flea FAQ, confident", hits)
	}
}

// Verbs a visitor asks for a service with ("do you check for ...") and the day asked
// about ("... today") weigh little: the thing asked for carries the question.
func TestRequestAndDayWeighLittle(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "tech", ChunkText("About", "# About\n\n## Technology\n\nWe use OCT scans for glaucoma and macular degeneration.", 0)...)
	mustReplace(t, ix, "b", "walk", FAQChunk("walk", "Do you take walk-ins?", "Yes, walk-ins are welcome until 4 pm."))
	mustReplace(t, ix, "b", "park", FAQChunk("park", "Is there parking?", "Yes, behind the building."))
	for _, c := range []struct{ q, want string }{
		{"do you check for glaucoma", "tech"},
		{"do you take walk ins today", "walk"},
	} {
		if hits := mustSearch(t, ix, "b", c.q, 1); len(hits) == 0 || hits[0].SourceID != c.want || hits[0].Score < AnswerThreshold {
			t.Errorf("%q: %+v, want %s, confident", c.q, hits, c.want)
		}
	}
}

// A practice with a single FAQ is scored as sensibly as a large one: its question asked
// back is a confident match, another subject is not.
func TestTinyPracticeScores(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "pay", FAQChunk("pay", "What forms of payment do you accept?", "Cash, all major credit and debit cards, and HSA cards."))
	if hits := mustSearch(t, ix, "b", "do you take credit cards", 1); len(hits) == 0 || hits[0].Score < AnswerThreshold || hits[0].Score > 1 {
		t.Errorf("credit cards: %+v", hits)
	}
	if hits := mustSearch(t, ix, "b", "do you treat horses", 1); len(hits) > 0 && (hits[0].Score >= AnswerThreshold || hits[0].Score < 0) {
		t.Errorf("horses: %+v", hits)
	}
}

// A compound whose second part is a stop word is one word, however it is written: "no
// show" is a missed appointment, not a show; "walk in" is a walk-in; and "drop my dog
// off" still finds the drop-off.
func TestCompounds(t *testing.T) {
	ix := openTest(t)
	mustReplace(t, ix, "b", "miss", FAQChunk("miss", "What is your cancellation policy?", "Give us 24 hours' notice. Missed appointments are charged $25."))
	mustReplace(t, ix, "b", "walk", FAQChunk("walk", "Do you accept walk-ins?", "Yes, before noon."))
	mustReplace(t, ix, "b", "show", FAQChunk("show", "Can I see the waiting room first?", "Yes, we are happy to show you around."))
	mustReplace(t, ix, "b", "day", FAQChunk("day", "Do you have same-day appointments?", "Yes, call at 8 am for a same-day slot, or join the waiting list."))
	mustReplace(t, ix, "b", "drop", FAQChunk("drop", "Can I drop off my pet for the day?", "Yes, drop-off is between 8 and 9 am on weekdays."))
	for _, c := range []struct{ q, want string }{
		{"whats the no show fee", "miss"},
		{"do you take walk ins", "walk"},
		{"can i get in the same day", "day"},
		{"can i drop my pet off", "drop"}, // the parts apart still find the compound
		{"how long is the wait", "day"},   // not the room
	} {
		if hits := mustSearch(t, ix, "b", c.q, 1); len(hits) == 0 || hits[0].SourceID != c.want || hits[0].Score < AnswerThreshold {
			t.Errorf("%q: %+v, want %s, confident", c.q, hits, c.want)
		}
	}
}
