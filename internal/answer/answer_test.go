package answer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"frontdesk/internal/knowledge"
	"frontdesk/internal/llm"
	"frontdesk/internal/locale"
	"frontdesk/internal/profile"
)

// fakeSearch answers from canned hits by a word of the question, and records what it
// was asked.
type fakeSearch struct {
	hits  map[string]knowledge.Hit // word in the question -> hit
	asked []string
	err   error
}

func (f *fakeSearch) Search(_ context.Context, business, q string, k int) ([]knowledge.Hit, error) {
	f.asked = append(f.asked, q)
	if f.err != nil {
		return nil, f.err
	}
	var out []knowledge.Hit
	for w, h := range f.hits {
		if strings.Contains(strings.ToLower(q), w) {
			out = append(out, h)
		}
	}
	return out, nil
}

func hit(id, text string, score float64) knowledge.Hit {
	return knowledge.Hit{Chunk: knowledge.Chunk{ID: id, Text: text}, Score: score}
}

func testRequest(msg string) Request {
	return Request{
		Business: "b",
		Message:  msg,
		Now:      time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC), // a Thursday
		Profile: &profile.Profile{
			Timezone:  "UTC",
			Hours:     map[string][]profile.Interval{"thu": {{Open: "09:00", Close: "17:00"}}, "sat": {{Open: "09:00", Close: "12:00"}}},
			Insurance: []string{"Blue Cross Blue Shield", "Aetna"},
			Address:   "1 Main St",
			Phone:     "555-0100",
		},
	}
}

func TestReply(t *testing.T) {
	en, es := locale.For(locale.English), locale.For(locale.Spanish)
	search := &fakeSearch{hits: map[string]knowledge.Hit{
		"parking":         hit("park", "Free parking behind the building.", 0.9),
		"wifi":            hit("wifi", "We have a waiting room.", 0.2),
		"estacionamiento": hit("park", "Free parking behind the building.", 0.9),
	}}
	e := &Engine{Search: search}
	for _, tc := range []struct {
		msg      string
		answered bool
		health   bool
		want     []string // in Text
		notAsked string   // must not reach search
	}{
		{"is there parking?", true, false, []string{"Free parking", en.Offer}, ""},
		{"do you take blue cross", true, false, []string{"Blue Cross Blue Shield", en.Offer}, ""},
		{"where are you? and is there parking?", true, false, []string{"1 Main St", "Free parking"}, ""},
		{"what's the wifi password", false, false, []string{en.NotSure}, ""},
		{"my back is killing me, do you take Blue Cross?", true, true, []string{en.Health("555-0100"), "Blue Cross Blue Shield"}, "back"},
		{"I sprained my ankle, is there parking near you?", true, true, []string{en.Health("555-0100"), "Free parking"}, "sprained"},
		{"what should I take for a toothache", false, true, []string{en.Health("555-0100")}, "toothache"},
		{"¿Tienen estacionamiento?", true, false, []string{"Free parking", es.Offer}, ""},
		{"¿Aceptan Aetna?", true, false, []string{"Sí, aceptamos Aetna."}, ""},
	} {
		search.asked = nil
		r, err := e.Reply(context.Background(), testRequest(tc.msg))
		if err != nil {
			t.Fatal(err)
		}
		if r.Answered != tc.answered || r.Health != tc.health {
			t.Errorf("%q: answered %v health %v, want %v %v (%q)", tc.msg, r.Answered, r.Health, tc.answered, tc.health, r.Text)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.Text, w) {
				t.Errorf("%q: %q lacks %q", tc.msg, r.Text, w)
			}
		}
		if tc.notAsked != "" {
			for _, q := range append(search.asked, r.Practical) {
				if strings.Contains(strings.ToLower(q), tc.notAsked) {
					t.Errorf("%q: %q reached search or the practical part: %q", tc.msg, tc.notAsked, q)
				}
			}
		}
		if r.Answered && strings.Contains(r.Answer, en.Offer) {
			t.Errorf("%q: Answer holds the offer: %q", tc.msg, r.Answer)
		}
	}
}

// A sure profile answer doesn't wait for search; an unsure one yields to a confident FAQ.
func TestReplyPrefersSureProfile(t *testing.T) {
	search := &fakeSearch{hits: map[string]knowledge.Hit{"open": hit("hours", "FAQ hours text", 0.95)}}
	e := &Engine{Search: search}
	r, _ := e.Reply(context.Background(), testRequest("are you open on saturday"))
	if len(search.asked) != 0 || !strings.Contains(r.Answer, "9:00 am") {
		t.Errorf("asked %q, answer %q", search.asked, r.Answer)
	}
	if len(r.Sources) != 1 || r.Sources[0] != SourceProfile {
		t.Errorf("sources %v", r.Sources)
	}
}

// A listed service the visitor asks about is answered from the owner's entry, not from a
// passage that mentions it in passing; an FAQ asking the same question still wins.
func TestReplyPrefersOwnService(t *testing.T) {
	page := hit("page", "Besides the anxiety skills group, our grief group meets on Thursdays.", 1)
	faq := hit("faq", "Yes: the anxiety skills group meets on Tuesdays; ask us for a place.", 0.9)
	faq.QuestionMatch = 0.9
	req := testRequest("do you have an anxiety group?")
	req.Profile.Services = []profile.Service{{Name: "Anxiety skills group", DurationMin: 90, Price: "$60", Description: "Weekly, Tuesdays at 6 pm."}}
	r, _ := (&Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"anxiety": page}}}).Reply(context.Background(), req)
	if !strings.Contains(r.Answer, "Tuesdays at 6 pm") || r.Sources[0] != SourceProfile {
		t.Errorf("with a page mentioning it: %q %v", r.Answer, r.Sources)
	}
	r, _ = (&Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"anxiety": faq}}}).Reply(context.Background(), req)
	if r.Answer != faq.Text {
		t.Errorf("with an FAQ asking the same: %q", r.Answer)
	}
	general := hit("visits", "Most people feel better in 3 to 6 visits.", 0.7)
	general.Question, general.QuestionMatch = "How many visits will I need?", 0.7
	r, _ = (&Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"anxiety": general}}}).Reply(context.Background(), req)
	if r.Sources[0] != SourceProfile {
		t.Errorf("with an FAQ asking in general: %q", r.Answer)
	}
}

// A fee asked about is answered by a passage that says there is none.
func TestReplyNoFeeIsAPrice(t *testing.T) {
	e := &Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"cancel": hit("cancel", "Please tell us 24 hours ahead; we don't charge a fee.", 0.8)}}}
	r, _ := e.Reply(context.Background(), testRequest("is there a fee if I cancel"))
	if !strings.Contains(r.Answer, "don't charge") {
		t.Errorf("answer %q", r.Answer)
	}
	// "free" of something else is no price.
	e = &Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"spay": hit("give", "We run a free vaccine clinic and donate spay surgeries.", 0.8)}}}
	if r, _ := e.Reply(context.Background(), testRequest("how much is a spay")); r.Answered {
		t.Errorf("a spay priced by %q", r.Answer)
	}
	// "Free" asked is answered by "free" said.
	e = &Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"vaccines": hit("vfc", "Children who qualify get their vaccines free.", 0.8)}}}
	if r, _ := e.Reply(context.Background(), testRequest("do you do free vaccines")); !strings.Contains(r.Answer, "free") {
		t.Errorf("free vaccines: %q", r.Answer)
	}
	// A fee for missing a visit is no visit's price, unless it is what is asked.
	e = &Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"a": hit("late", "Please call 24 hours ahead. Missed appointments are charged a $35 fee.", 0.8)}}}
	if r, _ := e.Reply(context.Background(), testRequest("how much is a consultation")); r.Answered {
		t.Errorf("a consultation priced by %q", r.Answer)
	}
	if r, _ := e.Reply(context.Background(), testRequest("what's the fee for missing an appointment")); !strings.Contains(r.Answer, "$35") {
		t.Errorf("the fee for missing: %q", r.Answer)
	}
}

// Search failing costs the answer, not the reply.
func TestReplySearchError(t *testing.T) {
	boom := errors.New("index closed")
	e := &Engine{Search: &fakeSearch{err: boom}}
	r, err := e.Reply(context.Background(), testRequest("is there parking"))
	if !errors.Is(err, boom) || r.Answered || r.Text != locale.For(locale.English).NotSure {
		t.Errorf("reply %+v, err %v", r, err)
	}
	// The profile still answers what it knows.
	r, err = e.Reply(context.Background(), testRequest("where are you"))
	if err != nil || !strings.Contains(r.Answer, "1 Main St") {
		t.Errorf("reply %+v, err %v", r, err)
	}
}

func TestQuestions(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"where are you? and is there parking?", []string{"where are you?", "and is there parking?"}},
		{"Hi. Do you take Aetna", []string{"Hi.", "Do you take Aetna"}},
		{"how much is it, $1.50?", []string{"how much is it, $1.50?"}},
		{"hola ¿abren hoy?", []string{"hola", "¿abren hoy?"}},
		{"?? !!", nil},
		{"my son's eyes keep getting worse, do you do myopia control?", []string{"my son's eyes keep getting worse", "do you do myopia control?"}},
		{"I work till 5, are you open late? thanks", []string{"I work till 5", "are you open late?", "thanks"}},
		{"if I cancel, is there a fee", []string{"if I cancel, is there a fee"}},
		{"we have pets best for our dog, is that ok", []string{"we have pets best for our dog, is that ok"}},
		{"my insurance, the one from work, do you take it", []string{"my insurance, the one from work, do you take it"}},
		{"is there a ramp, my dad uses a walker", []string{"is there a ramp", "my dad uses a walker"}},
		{"do you take walk-ins, i'm free after 3", []string{"do you take walk-ins", "i'm free after 3"}},
		{"is it ok, my dog is shy", []string{"is it ok, my dog is shy"}},
		{"do you do x-rays there or do i go somewhere else", []string{"do you do x-rays there", "do i go somewhere else"}},
		{"cash or card?", []string{"cash or card?"}},
	} {
		got := questions(tc.in)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("questions(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The offline provider and this package answer from the same threshold.
func TestThresholdMatchesOfflineProvider(t *testing.T) {
	if DefaultThreshold != llm.OfflineConfidence {
		t.Errorf("DefaultThreshold %v, llm.OfflineConfidence %v", DefaultThreshold, llm.OfflineConfidence)
	}
}

func TestAsksToBook(t *testing.T) {
	for msg, want := range map[string]bool{
		"Can I book a cleaning for Tuesday?":   true,
		"I need an appointment":                true,
		"how do I schedule a visit":            true,
		"Quiero pedir cita para el martes":     true,
		"¿Puedo reservar una hora?":            true,
		"I'd like to reschedule my visit":      true,
		"Do you take my insurance?":            false,
		"I found you on Facebook":              false,
		"what books do you have in the lobby?": false,
		"¿Dónde están?":                        false,
	} {
		if got := AsksToBook(msg); got != want {
			t.Errorf("AsksToBook(%q) = %v; want %v", msg, got, want)
		}
	}
}

// "Who are the ..." is answered by a passage naming someone, when one is confident; else
// by the best passage as usual.
func TestReplyWhoNamesSomeone(t *testing.T) {
	about := hit("about", "We are a family chiropractic clinic with three chiropractors.", 1)
	team := hit("team", "Dr. Renata Costa, DC, sees most of our pregnant patients.", 0.9)
	e := &Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"chiro": about, "who": team}}}
	r, _ := e.Reply(context.Background(), testRequest("who are the chiropractors"))
	if r.Answer != team.Text {
		t.Errorf("answer %q", r.Answer)
	}
	// The page's own passage naming its people answers for the page.
	about.SourceID, about.SourceKind = "site", knowledge.KindDocument
	people := hit("people", "Our team: Dr. Jamal Whitfield leads our sports rehab.", 0.2)
	people.SourceID, people.SourceKind = "site", knowledge.KindDocument
	e = &Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"chiro": about, "who": people}}}
	if r, _ := e.Reply(context.Background(), testRequest("who are the chiropractors")); r.Answer != people.Text {
		t.Errorf("with the page's people: %q", r.Answer)
	}
	// A passage naming no one does not say who.
	e = &Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"chiro": about}}}
	if r, _ := e.Reply(context.Background(), testRequest("who are the chiropractors")); r.Answered {
		t.Errorf("with no one named: %q", r.Answer)
	}
	for text, want := range map[string]bool{
		"Catherine Hartwell is a certified specialist in family law.": true,
		"Our assistant Maria Lopez speaks Spanish.":                   false,
		"Riverbend Family Dental has cared for Austin since 2009.":    false,
		"Ana Morales, LMT, has twelve years of experience.":           true,
	} {
		if got := namesPerson(text, "Riverbend Family Dental"); got != want {
			t.Errorf("namesPerson(%q) = %v", text, got)
		}
	}
}

// A page's passage gives way to a confident FAQ holding as much of the question.
func TestReplyFAQOverPageOfEqualCoverage(t *testing.T) {
	page := hit("page", "Dr. Okafor performs most of our bunion surgery.", 0.6)
	page.SourceKind, page.Coverage = knowledge.KindDocument, 0.6
	faq := hit("faq", "Most people spend 6 to 8 weeks in a walking boot after surgery.", 0.54)
	faq.SourceKind, faq.Coverage, faq.QuestionMatch = knowledge.KindFAQ, 0.6, 0.39
	e := &Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"bunion": page, "surgery": faq}}}
	if r, _ := e.Reply(context.Background(), testRequest("how long is recovery from bunion surgery")); r.Answer != faq.Text {
		t.Errorf("answer %q", r.Answer)
	}
}

// A page's passage gives way to a confident FAQ holding as much of the question, not to
// one holding less.
func TestReplyPrefersFAQHoldingAsMuch(t *testing.T) {
	page := hit("page", "Every August we give free eye exams to kids.", 0.92)
	page.SourceKind, page.Coverage = knowledge.KindDocument, 0.92
	faq := hit("faq", "We recommend a first exam at 6 to 12 months.", 0.9)
	faq.SourceKind, faq.QuestionMatch, faq.Coverage = knowledge.KindFAQ, 0.87, 0.92
	e := &Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"eyes": page, "baby": faq}}}
	if r, _ := e.Reply(context.Background(), testRequest("when should my baby get her eyes checked")); r.Answer != faq.Text {
		t.Errorf("answer %q", r.Answer)
	}
	faq.Coverage = 0.62
	e = &Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"eyes": page, "baby": faq}}}
	if r, _ := e.Reply(context.Background(), testRequest("when should my baby get her eyes checked")); r.Answer != page.Text {
		t.Errorf("with an FAQ holding less: %q", r.Answer)
	}
}

// A question about jobs is answered only by a passage about jobs.
func TestReplyJobsNeedAJobsPassage(t *testing.T) {
	team := hit("team", "Our medical assistant Maria Lopez speaks Spanish.", 0.9)
	e := &Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"assistant": team}}}
	if r, _ := e.Reply(context.Background(), testRequest("are you hiring medical assistants")); r.Answered {
		t.Errorf("answered %q", r.Answer)
	}
	jobs := hit("jobs", "We are hiring! See open positions on our careers page.", 0.9)
	e = &Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"assistant": team, "hiring": jobs}}}
	if r, _ := e.Reply(context.Background(), testRequest("are you hiring medical assistants")); r.Answer != jobs.Text {
		t.Errorf("answer %q", r.Answer)
	}
}

// "How long" is answered only by a passage giving a length of time; "how long does it
// last" lets an FAQ asking the same beat the visit's length.
func TestReplyDurationNeedsATime(t *testing.T) {
	prep := hit("prep", "Arrive early and come without makeup.", 0.8)
	e := &Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"first": prep}}}
	if r, _ := e.Reply(context.Background(), testRequest("how long is the first appointment")); r.Answered {
		t.Errorf("answered %q", r.Answer)
	}
	lasts := hit("lasts", "Results usually last 3 to 4 months.", 0.9)
	lasts.Question, lasts.QuestionMatch = "How long does Botox last?", 0.9
	req := testRequest("how long does botox last")
	req.Profile.Services = []profile.Service{{Name: "Botox", DurationMin: 30, Price: "$13 per unit"}}
	e = &Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"botox": lasts}}}
	if r, _ := e.Reply(context.Background(), req); r.Answer != lasts.Text {
		t.Errorf("answer %q", r.Answer)
	}
}

// How long a service the question names takes, and what it costs, are the owner's entry
// unless an FAQ asks the same about it: "how long is each session" is not "How long will
// my child need therapy?".
func TestReplyOwnServiceDuration(t *testing.T) {
	course := hit("course", "Many children need 6 to 12 months of weekly sessions.", 0.83)
	course.Question, course.QuestionMatch = "How long will my child need therapy?", 0.45
	req := testRequest("how long is each session")
	req.Profile.Services = []profile.Service{{Name: "Speech therapy session", DurationMin: 45, Price: "$130"}}
	e := &Engine{Search: &fakeSearch{hits: map[string]knowledge.Hit{"session": course}}}
	if r, _ := e.Reply(context.Background(), req); !strings.Contains(r.Answer, "45") {
		t.Errorf("answer %q", r.Answer)
	}
}
