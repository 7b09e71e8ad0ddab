package profile

import (
	"strings"
	"testing"
	"time"

	"frontdesk/internal/availability"
	"frontdesk/internal/locale"
)

// testProfile is a small dental practice in Chicago's zone, with a lunch break on
// Fridays and a partial closure.
func testProfile(t *testing.T) *Profile {
	t.Helper()
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	date := func(s string) availability.Date {
		d, err := availability.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	return &Profile{
		Name:     "Lakeview Dental",
		Timezone: "America/Chicago",
		Location: loc,
		Hours: map[string][]Interval{
			"mon": {{"08:00", "17:00"}},
			"tue": {{"08:00", "17:00"}},
			"wed": {{"10:00", "19:30"}},
			"thu": {{"08:00", "17:00"}},
			"fri": {{"08:00", "12:00"}, {"13:00", "16:00"}},
			"sat": {{"09:00", "13:00"}},
		},
		Closures: []availability.Closure{
			{Label: "Christmas", From: date("2026-12-24"), To: date("2026-12-25")},
			{Label: "team training", From: date("2026-03-18"), Start: "14:00"},
		},
		Services: []Service{
			{Name: "Adult cleaning", DurationMin: 60, Price: "$120", Description: "Scaling and polishing by a hygienist."},
			{Name: "Children's cleaning", DurationMin: 45, Price: "$80"},
			{Name: "Comprehensive exam", DurationMin: 60, Price: "$150", Description: "Exam and X-rays by the dentist."},
			{Name: "Emergency exam", DurationMin: 30, Price: "$90", Description: "Same-day visit for pain or a broken tooth."},
			{Name: "Root canal", DurationMin: 90, Description: "The price depends on the tooth and is quoted at the exam."},
			{Name: "Teeth whitening", DurationMin: 90, Price: "$350"},
		},
		Insurance: []string{"Delta Dental", "Blue Cross Blue Shield", "Aetna", "MetLife"},
		Address:   "100 N Lake St, Chicago, IL 60601",
		Phone:     "(312) 555-0100",
		Email:     "hi@lakeview.example",
		Website:   "https://lakeview.example",
		Languages: []string{"English", "Spanish"},
	}
}

// at is 2026-03-<day> at hh:mm in Chicago (March 9 is a Monday).
func at(t *testing.T, day, hh, mm int) time.Time {
	loc, _ := time.LoadLocation("America/Chicago")
	return time.Date(2026, 3, day, hh, mm, 0, 0, loc)
}

func TestAnswers(t *testing.T) {
	p := testProfile(t)
	thu10 := at(t, 12, 10, 0)
	for _, tc := range []struct {
		q    string
		now  time.Time
		kind Kind
		want []string // facts the answer holds; nil: no answer
	}{
		// hours
		{"what time do you close on thursday", thu10, KindHours, []string{"5:00 pm", "Thursday"}},
		{"wat time u close thurs?", thu10, KindHours, []string{"5:00 pm"}},
		{"what time do you open tomorrow", at(t, 10, 20, 0), KindHours, []string{"Tomorrow (Wednesday)", "10:00 am"}},
		{"hours on saturday?", thu10, KindHours, []string{"9:00 am–1:00 pm"}},
		{"are you open now", thu10, KindHours, []string{"open now", "5:00 pm"}},
		{"r u open rn", at(t, 13, 12, 30), KindHours, []string{"closed right now", "today at 1:00 pm"}},
		{"are you open?", at(t, 14, 15, 0), KindHours, []string{"closed", "Monday at 8:00 am"}},
		{"are you open right now", time.Date(2026, 12, 24, 10, 0, 0, 0, p.Location), KindHours, []string{"Christmas", "Saturday at 9:00 am"}},
		{"are you open this afternoon", at(t, 18, 9, 0), KindHours, []string{"team training", "10:00 am–2:00 pm"}},
		{"are you open on the weekend", thu10, KindHours, []string{"Saturday", "9:00 am", "Sunday", "closed"}},
		{"open sundays?", thu10, KindHours, []string{"Sunday we're closed"}},
		{"do you have evening hours? I work till 5", thu10, KindHours, []string{"Wednesday", "7:30 pm"}},
		{"do you close for lunch", thu10, KindHours, []string{"12:00 pm", "1:00 pm", "Friday"}},
		{"what are your hours", thu10, KindHours, []string{"Monday to Tuesday 8:00 am–5:00 pm", "Sunday closed"}},
		{"are you open on christmas eve", thu10, KindClosure, []string{"December 24", "Christmas"}},
		{"are you open on new year's day", thu10, KindClosure, []string{"no closure listed", "January 1"}},
		{"open the day after christmas?", thu10, KindClosure, []string{"Saturday, December 26", "usual hours"}},
		{"what are your holiday hours", thu10, KindClosure, []string{"Wednesday, March 18 (team training)"}},
		{"what's your late cancellation fee", thu10, "", nil},
		{"is the courthouse open today", thu10, "", nil},
		{"is the pharmacy downstairs open on sunday", thu10, "", nil},
		{"is the office open today", thu10, KindHours, []string{"Today (Thursday)"}},
		{"is the Lakeview clinic open saturday", thu10, KindHours, []string{"9:00 am"}},
		{"can i drop my dog off in the morning and get him after work", thu10, "", nil},
		{"what time should i arrive for my first visit", thu10, "", nil},
		{"how long is the wait for results", thu10, "", nil},
		// insurance
		{"do you take delta", thu10, KindInsurance, []string{"Yes", "Delta Dental"}},
		{"is BCBS ok?", thu10, KindInsurance, []string{"Blue Cross Blue Shield"}},
		{"do you take blue cros", thu10, KindInsurance, []string{"Blue Cross Blue Shield"}},
		{"is atena accepted", thu10, KindInsurance, []string{"Aetna"}},
		{"do you take my kid's insurance, Delta Dental?", thu10, KindInsurance, []string{"Yes", "Delta Dental"}},
		{"do you accept Cigna?", thu10, KindInsurance, []string{"don't accept Cigna", "Delta Dental", "MetLife"}},
		{"do you take zebra health insurance", thu10, KindInsurance, []string{"don't accept Zebra", "Aetna"}},
		{"what insurance do you take", thu10, KindInsurance, []string{"Delta Dental", "Blue Cross Blue Shield", "Aetna", "MetLife"}},
		{"do you take walk-ins", thu10, "", nil},
		{"do you take credit cards", thu10, "", nil},
		{"I don't have insurance, what can I do", thu10, "", nil},
		{"how does insurance billing work", thu10, "", nil},
		{"what's the best toothpaste", thu10, "", nil},
		// services
		{"how much is a cleaning", thu10, KindPrice, []string{"$120", "$80"}},
		{"how much for my son's teeth cleaning", thu10, KindPrice, []string{"$80"}},
		{"hw much is an exam", thu10, KindPrice, []string{"$150"}},
		{"how much is a root canal", thu10, KindPriceUnknown, []string{"confirm", "quoted at the exam"}},
		{"how long does whitening take", thu10, KindDuration, []string{"90 minutes"}},
		{"do you do teeth whitening", thu10, KindService, []string{"Yes", "Teeth whitening"}},
		{"do you whiten teeth", thu10, KindService, []string{"Yes", "Teeth whitening"}},
		{"what are your prices", thu10, KindPrice, []string{"$120", "$350"}},
		{"how much is a haircut", thu10, "", nil},
		{"can you clean my dog's teeth", thu10, "", nil},
		{"how much is the late cancellation fee", thu10, "", nil},
		{"how much is an exam without insurance", thu10, KindPrice, []string{"$150"}},
		{"how much for my 4 year olds cleaning", thu10, KindPrice, []string{"$80"}},
		{"does insurance cover an exam", thu10, "", nil},
		{"can i book a whitening", thu10, KindService, []string{"Teeth whitening ($350, 90 minutes)"}},
		// address, contacts, languages
		{"where are you located", thu10, KindAddress, []string{"100 N Lake St"}},
		{"whats ur address", thu10, KindAddress, []string{"100 N Lake St"}},
		{"where do i park", thu10, "", nil},
		{"is there a bus that stops near you", thu10, "", nil},
		{"is there a bus stop close by", thu10, "", nil},
		{"any parking close to the office?", thu10, "", nil},
		{"what's your phone number", thu10, KindContact, []string{"(312) 555-0100"}},
		{"can i email you", thu10, KindContact, []string{"hi@lakeview.example"}},
		{"what's your email address", thu10, KindContact, []string{"hi@lakeview.example"}},
		{"what's your fax number", thu10, "", nil},
		{"do you have a website", thu10, KindContact, []string{"https://lakeview.example"}},
		{"who do I call after hours", thu10, "", nil},
		{"do you speak spanish", thu10, KindLanguages, []string{"Yes", "Spanish"}},
		{"does anyone speak mandarin", thu10, KindLanguages, []string{"Mandarin", "English and Spanish"}},
		{"do you have an interpreter", thu10, "", nil},
		{"parlez-vous français?", thu10, KindLanguages, []string{"French", "English and Spanish"}},
		{"sprechen Sie Deutsch?", thu10, KindLanguages, []string{"German"}},
		// several questions at once
		{"where are you, and are you open saturday?", thu10, KindHours, []string{"100 N Lake St", "9:00 am"}},
		// nothing the profile knows
		{"do you do botox", thu10, "", nil},
		{"hello", thu10, "", nil},
	} {
		a, ok := p.Answer(tc.q, tc.now)
		if tc.want == nil {
			if ok {
				t.Errorf("%q: answered %q (%s), want no answer", tc.q, a.Text, a.Kind)
			}
			continue
		}
		if !ok {
			t.Errorf("%q: no answer, want %q", tc.q, tc.want)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(a.Text, w) {
				t.Errorf("%q: %q lacks %q", tc.q, a.Text, w)
			}
		}
		if tc.kind != "" && a.Kind != tc.kind && !strings.Contains(tc.q, ",") {
			t.Errorf("%q: kind %s, want %s", tc.q, a.Kind, tc.kind)
		}
	}
}

// Spanish questions get Spanish answers; Portuguese ones are understood and answered in
// English, which locale falls back to.
func TestAnswerLanguages(t *testing.T) {
	p := testProfile(t)
	thu10 := at(t, 12, 10, 0)
	for _, tc := range []struct {
		q    string
		lang locale.Lang
		want []string
	}{
		{"¿A qué hora cierran los jueves?", locale.Spanish, []string{"El jueves cerramos", "5:00 p. m."}},
		{"¿Aceptan Delta Dental?", locale.Spanish, []string{"Sí, aceptamos Delta Dental."}},
		{"¿Cuánto cuesta una limpieza?", locale.Spanish, []string{"$120"}},
		{"¿Dónde están ubicados?", locale.Spanish, []string{"Estamos en 100 N Lake St"}},
		{"¿Hablan español?", locale.Spanish, []string{"Sí, nuestro equipo habla español."}},
		{"¿Están abiertos ahora?", locale.Spanish, []string{"Sí, ahora estamos abiertos", "5:00 p. m."}},
		{"vocês abrem no sábado?", locale.English, []string{"On Saturday we're open 9:00 am–1:00 pm."}},
		{"quanto custa o clareamento?", locale.English, []string{"$350"}},
	} {
		a, ok := p.Answer(tc.q, thu10)
		if !ok {
			t.Errorf("%q: no answer", tc.q)
			continue
		}
		if a.Lang != tc.lang {
			t.Errorf("%q: answered in %s, want %s", tc.q, a.Lang, tc.lang)
		}
		for _, w := range tc.want {
			if !strings.Contains(a.Text, w) {
				t.Errorf("%q: %q lacks %q", tc.q, a.Text, w)
			}
		}
	}
}

// Every language the catalog speaks has every sentence the profile answers with.
func TestEveryLanguageHasEveryText(t *testing.T) {
	for _, l := range locale.Langs() {
		tx := textsFor(l)
		if tx.lang != l {
			t.Errorf("%s: texts are %s's", l, tx.lang)
		}
		for i, d := range tx.days {
			if d == "" {
				t.Errorf("%s: day %d has no name", l, i)
			}
		}
		for _, s := range []string{tx.clock(17 * 60), tx.openNow("x"), tx.closedNow("x"), tx.dayHours("x", "y"),
			tx.insuranceYes("x"), tx.insuranceNo("x", "y"), tx.insuranceMaybe("x", "y"), tx.insuranceList("x"), tx.price("x", "y"), tx.priceUnknown("x"),
			tx.duration("x", "y"), tx.offered("x", "y"), tx.address("x"), tx.phone("x"), tx.email("x"),
			tx.website("x"), tx.speaks("x"), tx.speaksNot("x", "y"), tx.speaksList("x"), tx.week([]string{"x"}),
			tx.lateDays("x"), tx.noLateDays("x", "y"), tx.earliest("x", "y"), tx.lunch("x", "y", "z"), tx.noLunch,
			tx.holidayNoClosure("x", "y", "z"), tx.closures("x"), tx.closedOn("x", "y"), tx.partlyClosedOn("x", "y", "z"),
			tx.prices("x"), tx.minutes(30), tx.on("x"), tx.relative("x", "y"), tx.nextAt("x", "y")} {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: an empty text", l)
			}
		}
	}
}

// A list with a catch-all entry ("Most PPO plans") never says no to a plan it may cover.
func TestInsuranceCatchAll(t *testing.T) {
	p := &Profile{Insurance: []string{"Delta Dental", "Most PPO plans"}}
	now := time.Now()
	a, ok := p.Answer("do you take cigna", now)
	if !ok || strings.Contains(a.Text, "don't") || !strings.Contains(a.Text, "Most PPO plans") || a.Confidence >= SureConfidence {
		t.Errorf("cigna: %+v", a)
	}
	if a, ok := p.Answer("do you take delta", now); !ok || !strings.Contains(a.Text, "Yes, we accept Delta Dental") {
		t.Errorf("delta: %+v", a)
	}
}

// An owner's mistakes (a backwards interval, a bad zone) open nothing and crash nothing.
func TestMalformedProfile(t *testing.T) {
	p := &Profile{
		Timezone: "Nowhere/Town",
		Hours:    map[string][]Interval{"mon": {{"17:00", "09:00"}}, "tue": {{"nine", "five"}}, "wed": {{"09:00", "17:00"}}},
		Closures: []availability.Closure{{Label: "oops", From: availability.Date{Year: 2026, Month: 3, Day: 11}, Start: "zz"}},
	}
	a, ok := p.Answer("what are your hours", time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC))
	if !ok || strings.Contains(a.Text, "5:00 pm–9:00 am") || !strings.Contains(a.Text, "Wednesday 9:00 am–5:00 pm") {
		t.Errorf("hours = %q", a.Text)
	}
	if a, ok := p.Answer("are you open wednesday march 11", time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)); !ok || !strings.Contains(a.Text, "oops") {
		t.Errorf("a closure with a bad time should close the whole day: %q", a.Text)
	}
	for _, q := range []string{"do you take aetna", "how much is a cleaning", "where are you", "do you speak spanish"} {
		if a, ok := p.Answer(q, time.Now()); ok {
			t.Errorf("%q answered %q from an empty profile", q, a.Text)
		}
	}
	var empty Profile
	if _, ok := empty.Answer("are you open now", time.Now()); ok {
		t.Error("an empty profile answered about its hours")
	}
}

func TestOpenAtFollowsHoursZoneAndClosures(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	p := &Profile{Timezone: "America/New_York", Hours: map[string][]Interval{
		"mon": {{Open: "08:00", Close: "12:00"}, {Open: "13:00", Close: "17:00"}},
	}}
	p.Closures = []availability.Closure{{Label: "Training", From: availability.Date{Year: 2026, Month: time.December, Day: 14}}}
	cases := []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, time.December, 7, 9, 0, 0, 0, ny), true},
		{time.Date(2026, time.December, 7, 12, 30, 0, 0, ny), false},      // lunch
		{time.Date(2026, time.December, 7, 17, 0, 0, 0, ny), false},       // closed at 17:00
		{time.Date(2026, time.December, 7, 14, 0, 0, 0, time.UTC), true},  // 09:00 in New York
		{time.Date(2026, time.December, 7, 23, 0, 0, 0, time.UTC), false}, // 18:00 in New York
		{time.Date(2026, time.December, 8, 9, 0, 0, 0, ny), false},        // Tuesday: no hours
		{time.Date(2026, time.December, 14, 9, 0, 0, 0, ny), false},       // a Monday closed all day
	}
	for _, c := range cases {
		if got := p.OpenAt(c.at); got != c.want {
			t.Errorf("OpenAt(%v) = %v, want %v", c.at, got, c.want)
		}
	}
	if !(&Profile{Timezone: "UTC"}).OpenAt(time.Now()) {
		t.Error("a profile without hours is not open")
	}
}

// A price or duration asked in generic words ("a regular session") is read as the
// practice's usual service, the one whose name says so, as a likely (not sure) answer; a
// generic question at a practice with no such service, or with a named service the
// profile lacks, is not answered.
func TestUsualServiceForGenericWords(t *testing.T) {
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	p := &Profile{Name: "Lakeside Counseling", Timezone: "UTC", Services: []Service{
		{Name: "Intake appointment", DurationMin: 60, Price: "$190"},
		{Name: "Individual therapy", DurationMin: 50, Price: "$160"},
		{Name: "Couples counseling", DurationMin: 80, Price: "$210"},
	}}
	for _, tc := range []struct{ q, want string }{
		{"how long is a regular session", "50"},
		{"how much is a session?", "$160"},
	} {
		a, ok := p.Answer(tc.q, now)
		if !ok || !strings.Contains(a.Text, tc.want) || a.Confidence >= SureConfidence {
			t.Errorf("%q: %+v %v; want a likely answer holding %q", tc.q, a, ok, tc.want)
		}
	}
	if a, ok := p.Answer("how much is a hypnotherapy session", now); ok && strings.Contains(a.Text, "$160") {
		t.Errorf("a service the practice lacks answered with the usual one: %+v", a)
	}
	p.Services[1].Name = "Therapy"
	if a, ok := p.Answer("how long is a regular session", now); ok {
		t.Errorf("no usual service, yet answered: %+v", a)
	}
	// A service called routine, alone of its kind, is not the usual visit.
	p.Services = []Service{{Name: "New patient foot exam", Price: "$140"}, {Name: "Routine nail and callus care", Price: "$65"}}
	if a, ok := p.Answer("how much is a consultation", now); ok {
		t.Errorf("a lone routine service answered: %+v", a)
	}
}

// therapyProfile is a counselling practice whose services visitors name in their own
// words.
func therapyProfile() *Profile {
	return &Profile{Name: "Lakeside Counseling", Timezone: "UTC", Services: []Service{
		{Name: "Welcome appointment", DurationMin: 60, Price: "$190", Description: "Your first visit: your history and your goals."},
		{Name: "Individual therapy", DurationMin: 50, Price: "$160", Description: "One-to-one talk therapy."},
		{Name: "Couples counseling", DurationMin: 80, Price: "$210", Description: "Sessions for partners."},
		{Name: "Family therapy", DurationMin: 80, Price: "$200", Description: "Sessions for parents and children together."},
		{Name: "EMDR therapy", DurationMin: 80, Price: "$220", Description: "A structured therapy for trauma."},
		{Name: "Anxiety skills group", DurationMin: 90, Price: "$60 per session", Description: "A weekly group on Tuesday evenings at 6 pm; $40 for a half session."},
	}}
}

// A service is named by less than its name: by its head word when no other service's name
// ends so ("the group"), by what its description says it is ("the first appointment" is
// the visit described as "your first visit"); a word about who it is for names it when a
// service is named for them ("family"); and of the services a question names, the one
// that accounts for more of it comes first ("trauma therapy"). What a service is, or when
// it meets, is its description.
func TestServicesNamedInOtherWords(t *testing.T) {
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	p := therapyProfile()
	for _, tc := range []struct{ q, want, not string }{
		{"how much is the group", "$60", ""},
		{"how much is the first appointment?", "$190", ""},
		{"how long is the first session", "60 minutes", ""},
		{"do you do family counseling", "Family therapy", "Couples"},
		{"do you do trauma therapy", "EMDR", "Individual"},
		{"how much for couples counselling", "$210", ""},
		{"when does the anxiety group meet", "Tuesday evenings", ""},
		{"what is EMDR?", "for trauma", ""},
		{"how many sessions of EMDR will i need", "for trauma", ""},
		{"how much is a 30 min group", "$60 per session, 90 minutes (A weekly group on Tuesday evenings at 6 pm; $40 for a half session)", ""},
	} {
		a, ok := p.Answer(tc.q, now)
		if !ok || !strings.Contains(a.Text, tc.want) || tc.not != "" && strings.HasPrefix(strings.TrimPrefix(a.Text, "Yes, we offer "), tc.not) {
			t.Errorf("%q: %q %v; want %q", tc.q, a.Text, ok, tc.want)
		}
	}
	// Two groups: "the group" names neither.
	p.Services = append(p.Services, Service{Name: "Grief support group", DurationMin: 90, Price: "$40"})
	if a, ok := p.Answer("how much is the group", now); ok {
		t.Errorf("two groups, yet answered: %q", a.Text)
	}
	// Two services described as a first visit: the first appointment is neither.
	p.Services = append(p.Services, Service{Name: "Child assessment", DurationMin: 90, Price: "$250", Description: "Your child's first visit."})
	if a, ok := p.Answer("how much is the first appointment?", now); ok {
		t.Errorf("two first visits, yet answered: %q", a.Text)
	}
}

// A request to be seen today is answered with the practice's same-day or urgent service;
// not when it names another service, or when the practice lists none.
func TestSameDayVisit(t *testing.T) {
	p := testProfile(t)
	thu10 := at(t, 12, 10, 0)
	for _, q := range []string{"can I bring him in today?", "can i be seen today", "any chance you could fit me in today", "necesito una cita hoy"} {
		a, ok := p.Answer(q, thu10)
		if !ok || !strings.Contains(a.Text, "Emergency exam") || !strings.Contains(a.Text, "$90") || a.Confidence >= SureConfidence {
			t.Errorf("%q: %+v %v; want the emergency exam, as a likely answer", q, a, ok)
		}
	}
	if a, ok := p.Answer("can i get a cleaning today", thu10); ok && strings.Contains(a.Text, "Emergency exam") {
		t.Errorf("a cleaning today answered with the emergency exam: %q", a.Text)
	}
	p.Services = p.Services[:2]
	if a, ok := p.Answer("can I bring him in today?", thu10); ok {
		t.Errorf("no same-day service, yet answered: %q", a.Text)
	}
}

// Part of an accepted plan's name, in a question not about insurance, names something
// else: "vision therapy" is not Davis Vision.
func TestPlanWordInAnotherQuestion(t *testing.T) {
	p := &Profile{Timezone: "UTC", Insurance: []string{"Davis Vision", "VSP"}}
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	if a, ok := p.Answer("do you do vision therapy for adults", now); ok {
		t.Errorf("answered %q", a.Text)
	}
	for _, q := range []string{"do you take davis vision", "is davis ok?", "davis vision?"} {
		if a, ok := p.Answer(q, now); !ok || !strings.Contains(a.Text, "Davis Vision") {
			t.Errorf("%q: %q %v", q, a.Text, ok)
		}
	}
}

// A text names a service by a word of its name that tells it apart, not by a qualifier
// or a generic word.
func TestNamesService(t *testing.T) {
	for _, tc := range []struct {
		text, name string
		want       bool
	}{
		{"Spinal decompression usually takes 12 to 20 sessions.", "Spinal decompression", true},
		{"Our decompression table", "Spinal decompression", true},
		{"How many visits will I need?", "Spinal decompression", false},
		{"A session is 50 minutes.", "Individual session", false},
		{"We do LASIK consultations only.", "LASIK consultation", true},
		{"Ask about extras with your plan.", "Cleaning with extras", false},
	} {
		if got := NamesService(tc.text, tc.name); got != tc.want {
			t.Errorf("NamesService(%q, %q) = %v, want %v", tc.text, tc.name, got, tc.want)
		}
	}
}

// A question naming what services are about, not the services ("how much are hearing
// aids" of Hearing aid repair and fitting), gets no sure answer from them: a passage may
// price the thing itself. One that names a service's head, or stands a generic word in
// for it, does.
func TestServiceHeadNamed(t *testing.T) {
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	p := &Profile{Timezone: "UTC", Services: []Service{
		{Name: "Hearing aid consultation", DurationMin: 90, Price: "Free"},
		{Name: "Hearing aid fitting", DurationMin: 60, Price: "Included with purchase"},
		{Name: "Hearing aid repair", DurationMin: 30, Price: "$40"},
		{Name: "Couples counseling", DurationMin: 80, Price: "$210"},
		{Name: "Massage therapy", DurationMin: 60, Price: "$85"},
	}}
	if a, ok := p.Answer("how much do hearing aids cost", now); ok && a.Confidence >= SureConfidence {
		t.Errorf("hearing aids: a sure %q", a.Text)
	}
	for _, tc := range []struct{ q, want string }{
		{"how much is a hearing aid repair", "$40"},
		{"how much is a hearing aid consult", "Free"},
		{"how long are couples sessions", "80 minutes"},
		{"how much is a massage", "$85"},
	} {
		if a, ok := p.Answer(tc.q, now); !ok || !strings.Contains(a.Text, tc.want) || a.Confidence < SureConfidence {
			t.Errorf("%q: %+v %v; want a sure answer holding %q", tc.q, a, ok, tc.want)
		}
	}
}

// The phone as a way to be seen ("on the phone") gets the number as a likely answer, which
// an FAQ about phone consultations may beat; asking for the number is sure. What insurance
// is, or how two kinds differ, is an FAQ matter, not the list of plans.
func TestChannelAndInsuranceConcepts(t *testing.T) {
	p := testProfile(t)
	now := at(t, 12, 10, 0)
	a, ok := p.Answer("can i talk to someone on the phone before booking", now)
	if !ok || a.Kind != KindContact || a.Confidence >= SureConfidence {
		t.Errorf("phone as a channel: %+v, %v", a, ok)
	}
	if a, ok := p.Answer("does aetna pay for whitening", now); !ok || a.Confidence >= SureConfidence {
		t.Errorf("what a plan pays for: %+v, %v", a, ok)
	}
	a, ok = p.Answer("what's your phone number", now)
	if !ok || a.Confidence < SureConfidence {
		t.Errorf("phone number: %+v, %v", a, ok)
	}
	for _, q := range []string{"whats the diff between vision insurance and medical insurance", "what does in-network insurance mean"} {
		if a, ok := p.Answer(q, now); ok && a.Kind == KindInsurance {
			t.Errorf("%q: answered with %q", q, a.Text)
		}
	}
	if a, ok := p.Answer("what insurance do you take", now); !ok || !strings.Contains(a.Text, "MetLife") {
		t.Errorf("the list: %+v, %v", a, ok)
	}
}

// Services named in a visitor's words: by a verb of doing them, on the part of the body
// the practice is named for, by a phrase with a word between, by what their description
// says; and not by one word of a description.
func TestServicesFoundInVisitorsWords(t *testing.T) {
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	p := &Profile{Name: "Northgate Foot & Ankle Clinic", Timezone: "UTC", Services: []Service{
		{Name: "New patient foot exam", DurationMin: 45, Price: "$140"},
		{Name: "Ingrown toenail removal", DurationMin: 30, Price: "$225"},
		{Name: "Routine nail and callus care", DurationMin: 30, Price: "$65", Description: "Trimming of thick or fungal nails."},
		{Name: "Wart treatment", DurationMin: 20, Price: "$85", Description: "Cryotherapy, usually two to four visits."},
		{Name: "Laser treatment for fungal nails", DurationMin: 30, Price: "from $300"},
		{Name: "Puppy and kitten vaccine visit", DurationMin: 30, Price: "$95", Description: "Vaccines for puppies and kittens."},
	}}
	for _, tc := range []struct{ q, want string }{
		{"cost for ingrown toenail removal", "$225"},
		{"do you remove warts on feet", "Wart treatment"},
		{"how much is a first visit", "$140"},
		{"how much to get my toenails trimmed", "$65"},
		{"how much is laser for toenail fungus", "$300"},
	} {
		if a, ok := p.Answer(tc.q, now); !ok || !strings.Contains(a.Text, tc.want) {
			t.Errorf("%q: %+v %v, want %q", tc.q, a, ok, tc.want)
		}
	}
	p.Services = append(p.Services, Service{Name: "Flu shot", DurationMin: 10, Price: "$40", Description: "Walk-in flu shots on weekday mornings."})
	if a, ok := p.Answer("can i walk in for a flu shot", now); !ok || !strings.Contains(a.Text, "weekday mornings") {
		t.Errorf("can I ... for a service: %+v %v", a, ok)
	}
	if a, ok := p.Answer("do you check for warts", now); !ok || !strings.Contains(a.Text, "Wart treatment") {
		t.Errorf("checking for something asks for its service: %+v %v", a, ok)
	}
	if a, ok := p.Answer("do you sell puppies", now); ok {
		t.Errorf("one word of a description named a service: %+v", a)
	}
	if a, ok := p.Answer("how much to get my toenails trimmed", now); !ok || a.Confidence >= SureConfidence {
		t.Errorf("a service found by its description is a likely reading: %+v", a)
	}
}

// "Next week" is the coming week's hours with the closures in it; "we speak Spanish at
// home" tells, it doesn't ask.
func TestWeekAndOwnLanguage(t *testing.T) {
	p := testProfile(t)
	p.Closures = append(p.Closures, availability.Closure{Label: "Spring break", From: mustDate(t, "2026-03-23"), To: mustDate(t, "2026-03-27")})
	a, ok := p.Answer("are you open next week", at(t, 16, 10, 0))
	if !ok || !strings.Contains(a.Text, "Spring break") || !strings.Contains(a.Text, "Monday") {
		t.Errorf("next week: %+v %v", a, ok)
	}
	if a, ok := p.Answer("are you open next week", at(t, 9, 10, 0)); !ok || strings.Contains(a.Text, "Spring break") {
		t.Errorf("a week without closures: %+v %v", a, ok)
	}
	if a, ok := p.Answer("we speak spanish at home, will that confuse him?", at(t, 12, 10, 0)); ok && a.Kind == KindLanguages {
		t.Errorf("the visitor's own language: %+v", a)
	}
	if a, ok := p.Answer("i speak spanish, do you?", at(t, 12, 10, 0)); !ok || a.Kind != KindLanguages {
		t.Errorf("asked back: %+v %v", a, ok)
	}
}

func mustDate(t *testing.T, s string) availability.Date {
	t.Helper()
	d, err := availability.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
