// Package answer composes Frontdesk's reply to a visitor's message without a model: the
// message's health details are set apart, each practical question in it is answered
// from the practice's profile when the profile knows, else from its FAQs and documents by
// search when a passage is confident enough, and the visitor is told honestly that the
// team will follow up when neither knows. It is the offline provider's logic as a plain
// library, so the chat engine, the owner's evaluation and the tests share one answer.
package answer

import (
	"context"
	"slices"
	"strings"
	"time"

	"frontdesk/internal/guard"
	"frontdesk/internal/knowledge"
	"frontdesk/internal/lazyre"
	"frontdesk/internal/locale"
	"frontdesk/internal/profile"
	"frontdesk/internal/vocab"
)

// Searcher finds the passages that answer a question; *knowledge.Index satisfies it.
type Searcher interface {
	Search(ctx context.Context, business, q string, k int) ([]knowledge.Hit, error)
}

// DefaultThreshold is the lowest passage Score answered from, calibrated on the
// evaluation in testdata/eval (see TestOfflineEval and knowledge.AnswerThreshold).
const DefaultThreshold = knowledge.AnswerThreshold

// Request is one visitor message to answer.
type Request struct {
	Business string
	Message  string
	// Now is the moment of the question: "are you open now" is answered for it, in the
	// practice's zone.
	Now time.Time
	// Profile holds the practice's own facts; nil answers from search alone.
	Profile *profile.Profile
}

// Source says where a reply's facts came from.
type Source string

// Sources of a Reply.
const (
	SourceProfile   Source = "profile"
	SourceKnowledge Source = "knowledge"
)

// Reply is the answer to a Request.
type Reply struct {
	// Text is the whole reply as the visitor reads it: the health acknowledgement, the
	// answers, and the offer of a follow-up (or the "not sure" text).
	Text string
	// Answer is the facts given, without acknowledgement or offer; "" when the reply
	// abstains.
	Answer string
	// Answered reports that facts were given.
	Answered bool
	// Sources are where the facts came from, one per question answered.
	Sources []Source
	// Health reports that health details were set apart (guard.SplitHealth): the reply
	// acknowledges them and points to the team, and they reached no search.
	Health bool
	// Practical is what was searched and read: the message without its health details.
	Practical string
	// Lang is the language of Text: Spanish for a Spanish message, else English
	// (Portuguese is answered in English; see vocab.Detect).
	Lang locale.Lang
	// Booking reports that the visitor asks to book (or change) a visit: a practice that
	// takes bookings offers its booking form.
	Booking bool
	// Hits are the passages search found for the practical questions, best first, for a
	// model's prompt when there is one.
	Hits []knowledge.Hit
}

// Engine answers messages for every practice of a Searcher.
type Engine struct {
	Search Searcher
	// Threshold is the lowest passage Score answered from; 0 means DefaultThreshold.
	Threshold float64
	// Passages is how many passages a search returns; 0 means 5.
	Passages int
}

// Reply answers one message. A search error is returned with the reply so far (which
// then abstains): an answer must not depend on search being up.
func (e *Engine) Reply(ctx context.Context, r Request) (Reply, error) {
	threshold := e.Threshold
	if threshold <= 0 {
		threshold = DefaultThreshold
	}
	k := e.Passages
	if k <= 0 {
		k = 5
	}
	split := guard.SplitHealth(r.Message)
	reply := Reply{Health: split.Health, Practical: split.Practical, Lang: replyLang(r.Message), Booking: AsksToBook(split.Practical)}
	texts := locale.For(reply.Lang)
	phone := ""
	if r.Profile != nil {
		phone = r.Profile.Phone
	}

	var answers []string
	var firstErr error
	seen := map[string]bool{}
	for _, q := range questions(split.Practical) {
		text, src, hits, err := e.answerOne(ctx, r, q, threshold, k)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		reply.Hits = appendHits(reply.Hits, hits)
		if text != "" && !seen[text] {
			seen[text] = true
			answers = append(answers, text)
			reply.Sources = append(reply.Sources, src)
		}
	}
	reply.Answer = strings.Join(answers, "\n\n")
	reply.Answered = len(answers) > 0
	switch {
	case reply.Health && reply.Answered:
		reply.Text = texts.Health(phone) + "\n\n" + reply.Answer
	case reply.Health:
		reply.Text = texts.Health(phone)
	case reply.Answered:
		reply.Text = reply.Answer + "\n\n" + texts.Offer
	default:
		reply.Text = texts.NotSure
	}
	return reply, firstErr
}

// answerOne answers one question: from the profile when it is sure, else from the best
// passage when it clears the threshold (and, for a listed service the question names, is
// an FAQ asking the same), else from the profile when it has a likely answer, else not
// at all.
func (e *Engine) answerOne(ctx context.Context, r Request, q string, threshold float64, k int) (string, Source, []knowledge.Hit, error) {
	var pa profile.Answer
	var pok bool
	if r.Profile != nil {
		pa, pok = r.Profile.Answer(q, r.Now)
		if pok && pa.Confidence >= profile.SureConfidence {
			return pa.Text, SourceProfile, nil, nil
		}
	}
	var hits []knowledge.Hit
	var err error
	who := asksWho.MatchString(q)
	if e.Search != nil {
		n := k
		if who {
			n = max(k, whoPassages) // the passage naming them may rank below the one about them
		}
		hits, err = e.Search.Search(ctx, r.Business, q, n)
	}
	// A passage answers "how much" only with a price in it: the profile's "the team will
	// confirm" (or an honest "not sure") is better than a paragraph without one.
	english := vocab.ToEnglish(vocab.Detect(q), q)
	asksPrice := pok && (pa.Kind == profile.KindPriceUnknown || pa.Kind == profile.KindPrice) || priceQuestion.MatchString(english)
	// Likewise "how long" is answered only by a passage that gives a length of time.
	asksDuration := pok && pa.Kind == profile.KindDuration || durationQuestion.MatchString(english)
	// A listed service the question names ("do you have a group for anxiety") is the
	// owner's own entry, with its price, length and description: a passage is the better
	// answer only when it is an FAQ asking the same about that service ("do you do
	// LASIK" of a LASIK consultation), not one that mentions it, nor one that asks in
	// general ("how many visits will I need" of "how many decompression sessions").
	ownService := pok && (pa.Kind == profile.KindService || pa.Kind == profile.KindDuration || pa.Kind == profile.KindPrice) && len(pa.Services) > 0
	candidates := hits
	if jobWords.MatchString(q) {
		// "Are you hiring nurses" is answered by a passage about jobs, not by the one
		// naming the practice's nurse.
		candidates = slices.DeleteFunc(slices.Clone(candidates), func(h knowledge.Hit) bool { return !jobWords.MatchString(h.Text) })
	}
	if who {
		practice := ""
		if r.Profile != nil {
			practice = r.Profile.Name
		}
		candidates = whoAnswers(candidates, threshold, practice)
	}
	if best := answerHit(candidates, threshold); best != nil && best.Score >= threshold && !(asksPrice && !pricedFor(best.Text, q)) &&
		!(asksDuration && !durationLike.MatchString(best.Text)) &&
		!(ownService && !(best.QuestionMatch >= faqSameQuestion && namesAny(best.Question+" "+best.Text, pa.Services))) {
		return strings.TrimSpace(best.Text), SourceKnowledge, hits, err
	}
	if pok {
		return pa.Text, SourceProfile, hits, err
	}
	return "", "", hits, err
}

// faqSameQuestion is the QuestionMatch at and above which an FAQ asks what the visitor
// asks.
const faqSameQuestion = 0.6

// bookingAsk finds a request for a visit, in English or Spanish: "can I book", "I need
// an appointment", "schedule a cleaning", "quiero pedir cita", "reservar una hora".
var bookingAsk = lazyre.New(`(?i)\b(book(ing)?|appointments?|appt|schedul(e|ing)|reserv(e|ation)|reschedule|cita|citas|reservar|reserva|agendar|turno)\b`)

// AsksToBook reports whether message asks to book a visit.
func AsksToBook(message string) bool { return bookingAsk.MatchString(message) }

// priceLike finds a price in a passage, or that something costs nothing ("we don't charge
// a fee"): a passage without one does not answer what a service costs better than the
// profile's "the team will confirm" and the service's description.
var priceLike = lazyre.New(`(?i)[$£€]\s?\d|\d\s?(dollars|pounds|euros|usd|gbp|eur)\b|\b(free of charge|for free|(is|are|it's) free|no charge|no cost|no fee|(don't|do not|doesn't|does not|won't|will not) charge)\b`)

// jobWords find work at the practice asked about or offered: hiring, jobs, careers,
// vacancies, in English and Spanish.
var jobWords = lazyre.New(`(?i)\b(hiring|hire|jobs?|careers?|vacanc(y|ies)|job openings?|positions? (open|available)|work for you|work there|internships?|resumes?|cv|empleos?|trabajo|contratando|vagas?|emprego)\b`)

// whoAnswers are the passages that may answer "who are the chiropractors": the
// confident ones that name someone (namesPerson), not the one that says the practice has
// chiropractors; else, when the confident passage is a page's, the page's passages that
// name its people ("We are a practice of pediatricians" is followed by "Our team"), at its
// confidence; else none: a passage naming no one does not say who.
func whoAnswers(hits []knowledge.Hit, threshold float64, practice string) []knowledge.Hit {
	var named []knowledge.Hit
	for _, h := range hits {
		if h.Score >= threshold && namesPerson(h.Text, practice) {
			named = append(named, h)
		}
	}
	if len(named) > 0 {
		return named
	}
	best := bestHit(hits)
	if best == nil || best.Score < threshold || best.SourceKind == knowledge.KindFAQ {
		return nil
	}
	for _, h := range hits {
		if h.SourceID == best.SourceID && h.Score > 0 && namesPerson(h.Text, practice) {
			h.Score = best.Score
			named = append(named, h)
		}
	}
	return named
}

// whoPassages is how many passages a "who are ..." question reads.
const whoPassages = 10

// asksWho finds a question about who someone is: "who are the vets", "who's the owner",
// "who r the doctors". "Who do I call" asks for a way to reach someone, which any
// passage may give.
var asksWho = lazyre.New(`(?i)\bwho('s|s| is| are| r| was| were)\b`)

// personLike finds a person named in a passage: a title before a name ("Dr. Costa"), or a
// name and credentials after it ("Ana Morales, LMT").
var personLike = lazyre.New(`\b(Dr|Mr|Mrs|Ms|Mx|Prof)\.? [A-Z]|\b[A-Z][a-z]+ [A-Z][a-z'-]+, [A-Z][A-Za-z]{1,5}\b`)

// bioStart finds a sentence that opens with a name and what its person does, as a page
// about a practice's people does: "Catherine Hartwell is a certified specialist".
var bioStart = lazyre.New(`(?:^|[.!?]\s+|\n)([A-Z][a-z]+ [A-Z][a-z'-]+) (?:is|was|has|joined|leads|grew|founded|speaks|sees|trained|graduated|specializes|specialises|works|holds|brings|loves|studied)\b`)

// namesPerson reports whether a passage names someone: by title or credentials
// (personLike), or as the subject of a sentence about them that is not the practice's
// own name ("Riverbend Family Dental has cared ..." names no one).
func namesPerson(text, practice string) bool {
	if personLike.MatchString(text) {
		return true
	}
	for _, m := range bioStart.FindAllStringSubmatch(text, -1) {
		if !strings.Contains(practice, m[1]) {
			return true
		}
	}
	return false
}

// pricedFor reports whether a passage gives a price that answers question: a sentence
// holding a price (priceLike) that is not a penalty for cancelling, missing or coming late,
// unless the question asks about those ("how much is a consultation" is not answered by
// "missed appointments are charged a $35 fee").
func pricedFor(passage, question string) bool {
	if askedFree.MatchString(question) && askedFree.MatchString(passage) {
		return true // "do you do free vaccines" is answered by "they get them free"
	}
	askedPenalty := penaltyWords.MatchString(question)
	for _, s := range sentence.Split(passage, -1) {
		if priceLike.MatchString(s) && (askedPenalty || !penaltyWords.MatchString(s)) {
			return true
		}
	}
	return false
}

// askedFree finds "free" (or "gratis", "gratuito") in a question or a passage.
var askedFree = lazyre.New(`(?i)\b(free|gratis|gratuit[oa]s?)\b`)

// sentence splits a passage into sentences.
var sentence = lazyre.New(`[.!?;]\s+|\n+`)

// penaltyWords find a fee for cancelling, missing or being late, in English or Spanish.
var penaltyWords = lazyre.New(`(?i)\b(cancel\w*|miss\w*|no[- ]?shows?|late|reschedul\w*|notice|cancelar|cancelaci[oó]n|faltar|perder)\b`)

// durationQuestion finds a question about how long something takes or lasts.
var durationQuestion = lazyre.New(`(?i)\bhow (long|many (minutes|hours|days|weeks|months))\b`)

// durationLike finds a length of time in a passage: "6 to 8 weeks", "about an hour", "a
// few days", "3-4 months", "the same day", "overnight".
var durationLike = lazyre.New(`(?i)\b(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a few|several|many|half an?)(\s*(to|-|–|or)\s*(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve))?[\s-]+(minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\b|\b(same day|overnight|same-day)\b`)

// priceQuestion finds a question about what something costs.
var priceQuestion = lazyre.New(`(?i)\b(how much|cost|costs|price|prices|pricing|fee|fees|charge|charges|rate|rates)\b`)

// namesAny reports whether text names one of the services.
func namesAny(text string, services []string) bool {
	return slices.ContainsFunc(services, func(s string) bool { return profile.NamesService(text, s) })
}

// answerHit is the passage to answer from: the best one, except that a page's passage
// gives way to a confident FAQ that holds as much of the question as the page does: a
// page that holds the question's words ("free eye exams for kids every August", "she
// performs most of our bunion surgery") is about something else more often than an FAQ
// written for a question ("When should my child have their first eye exam?", "Most
// people spend 6 to 8 weeks in a walking boot"), which its Score, weighing how well the
// FAQ's question matches, may leave a little behind. An FAQ holding less of the question
// ("How often should I have a skin check?" of "do you ever do free skin cancer
// screenings") does not, nor one whose question shares nothing with the visitor's ("Where
// do I park?", mentioning wheelchairs, of "is your office wheelchair accessible").
func answerHit(hits []knowledge.Hit, threshold float64) *knowledge.Hit {
	best := bestHit(hits)
	if best == nil || best.SourceKind == knowledge.KindFAQ {
		return best
	}
	var same *knowledge.Hit
	for i := range hits {
		h := &hits[i]
		if h.SourceKind == knowledge.KindFAQ && h.Score >= threshold && strings.TrimSpace(h.Text) != "" &&
			h.QuestionMatch > 0 && h.Coverage >= best.Coverage && (same == nil || h.Score > same.Score) {
			same = h
		}
	}
	if same != nil {
		return same
	}
	return best
}

func bestHit(hits []knowledge.Hit) *knowledge.Hit {
	var best *knowledge.Hit
	for i := range hits {
		if h := &hits[i]; strings.TrimSpace(h.Text) != "" && (best == nil || h.Score > best.Score) {
			best = h
		}
	}
	return best
}

func appendHits(all, more []knowledge.Hit) []knowledge.Hit {
	for _, h := range more {
		dup := false
		for _, a := range all {
			if a.ID == h.ID {
				dup = true
				break
			}
		}
		if !dup {
			all = append(all, h)
		}
	}
	return all
}

// replyLang is the language to answer a message in: Spanish for a Spanish message,
// English otherwise, Portuguese included (locale has no Portuguese texts, and the
// practice's knowledge is English: one language reads better than a mixture).
func replyLang(message string) locale.Lang {
	if vocab.Detect(message) == locale.Spanish {
		return locale.Spanish
	}
	return locale.English
}

// questionEnd cuts a message into the questions it asks: after a question mark, a
// sentence's end or a line break.
var questionEnd = lazyre.New(`[?!]+\s*|\.\s+|\n+|\s+¿`)

// questions are the separate questions of a message, each answered on its own so "where
// are you? and do you have parking?" gets the address and the parking FAQ. A message of
// one sentence is one question.
func questions(text string) []string {
	var out []string
	last := 0
	for _, loc := range questionEnd.FindAllStringIndex(text, -1) {
		end := loc[1]
		if strings.HasSuffix(text[loc[0]:loc[1]], "¿") {
			end -= len("¿") // "¿" opens the next question
		}
		out = appendQuestion(out, text[last:end])
		last = end
	}
	out = appendQuestion(out, text[last:])
	return out
}

func appendQuestion(out []string, q string) []string {
	q = strings.TrimSpace(q)
	if len(vocab.Words(q)) == 0 {
		return out
	}
	// "My son's eyes keep getting worse, do you do myopia control?": what the visitor
	// tells before the comma is not what they ask, and its words would dilute the
	// question's; nor is what they tell after it ("is there a ramp, my dad uses a
	// walker"). A clause of anything else ("if I cancel, is there a fee"), or one the
	// question points back to ("we have Pets Best, is that ok"), is the question's own.
	if i := strings.Index(q, ", "); i > 0 {
		before, after := vocab.Words(q[:i]), vocab.Words(q[i+2:])
		pointing := func(ws []string) bool { return slices.ContainsFunc(ws, func(w string) bool { return pointsBack[w] }) }
		if len(before) > 0 && len(after) > 0 && (statementStart[before[0]] && questionStart[after[0]] && !pointing(after) ||
			questionStart[before[0]] && statementStart[after[0]] && !pointing(before)) {
			return appendQuestion(append(out, strings.TrimSpace(q[:i])), q[i+2:])
		}
	}
	// "Do you do X-rays there or do I go somewhere else": two questions, each its own.
	if loc := orQuestion.FindStringIndex(q); loc != nil && loc[0] > 0 {
		return appendQuestion(append(out, strings.TrimSpace(q[:loc[0]])), q[loc[0]+len(" or "):])
	}
	return append(out, q)
}

// orQuestion finds " or " opening a second question: "... or do I go elsewhere", "... or
// can I pay later".
var orQuestion = lazyre.New(`(?i),? or (do|does|can|could|is|are|will|would|should) (i|you|we|they|he|she|it|there)\b`)

// statementStart and questionStart are the first words of a visitor's statement about
// themselves and of a question.
var (
	statementStart = wordSet(`i i'm im i've ive i'd my we we're our`)
	questionStart  = wordSet(`do does did can could is are will would what where when how who which should any`)
	pointsBack     = wordSet(`it it's its that that's this these those they them`)
)

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
