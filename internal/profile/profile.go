// Package profile answers a visitor's questions about a practice's own profile (opening
// hours and closures in the practice's time zone, services with their prices and
// durations, insurance accepted, address and contacts, languages spoken) deterministically
// and without a model, in English or Spanish. The profile's facts are never searched as
// text: a question is recognised for what it asks, and the answer is built from the facts,
// so "are you open now" is computed, not looked up.
//
// It answers only what it recognises with confidence and returns ok=false otherwise, so the
// caller can fall back on the practice's FAQs and documents, or abstain. It does no I/O.
package profile

import (
	"strings"
	"time"

	"frontdesk/internal/availability"
	"frontdesk/internal/locale"
)

// Profile is what a practice enters about itself, in the shape of the businesses record's
// fields, so a record's JSON fields unmarshal straight into it.
type Profile struct {
	Name string `json:"name"`
	// Timezone is the IANA zone hours and closures are read in ("America/Chicago").
	Timezone string `json:"timezone"`
	// Location is Timezone loaded; when nil, Answer loads Timezone (UTC if that fails).
	Location *time.Location `json:"-"`
	// Hours are the opening intervals per weekday key "mon" ... "sun"; a missing or empty
	// day is closed.
	Hours map[string][]Interval `json:"hours"`
	// Closures are dated closures and holidays, as the booking code reads them.
	Closures  []availability.Closure `json:"closures"`
	Services  []Service              `json:"services"`
	Insurance []string               `json:"insurance"`
	Address   string                 `json:"address"`
	Phone     string                 `json:"phone"`
	Email     string                 `json:"email"`
	Website   string                 `json:"website"`
	// Languages are the languages the team speaks ("English", "Spanish").
	Languages []string `json:"languages"`
}

// Interval is one opening period of a day, "HH:MM" in the practice's zone.
type Interval struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

// Service is one thing the practice offers. Price is free text as the owner wrote it
// ("$125", "from $450", "Free"); empty means the practice gives no price.
type Service struct {
	Name        string `json:"name"`
	DurationMin int    `json:"duration_min"`
	Price       string `json:"price,omitempty"`
	Description string `json:"description,omitempty"`
}

// Kind says what an Answer is about.
type Kind string

// Kinds of Answer.
const (
	KindHours        Kind = "hours"         // open now, on a day, in a week, at the weekend
	KindClosure      Kind = "closure"       // a dated closure or a holiday
	KindInsurance    Kind = "insurance"     // a plan accepted or not, or the list
	KindPrice        Kind = "price"         // a service's price
	KindPriceUnknown Kind = "price_unknown" // the service, with no price listed
	KindDuration     Kind = "duration"      // how long a service takes
	KindService      Kind = "service"       // whether a service is offered
	KindAddress      Kind = "address"
	KindContact      Kind = "contact" // phone, email or website
	KindLanguages    Kind = "languages"
)

// Answer is a reply built from the profile.
type Answer struct {
	Text string
	// Kind is what the (first) part of the answer is about.
	Kind Kind
	// Confidence (0 to 1) is how sure the reading of the question is: the facts
	// themselves are the owner's. At SureConfidence and above, the question was
	// recognised unambiguously; below it (a price the profile doesn't list, a holiday
	// with no closure entered), a matching FAQ is likely the better answer.
	Confidence float64
	// Lang is the language of Text: Spanish for a Spanish question, else English
	// (Portuguese questions are answered in English; see vocab.Detect).
	Lang locale.Lang
	// Services are the names of the listed services the answer is about, if any.
	Services []string
}

// SureConfidence is the Confidence at and above which an Answer should be preferred to a
// search result.
const SureConfidence = 0.75

// Answer answers question from the profile at the instant now, or reports ok=false when
// the question is not one the profile can answer for sure. Several questions in one
// message ("where are you, and are you open Saturday?") get one sentence each.
func (p *Profile) Answer(question string, now time.Time) (Answer, bool) {
	q := parseQuestion(question)
	if q == nil {
		return Answer{}, false
	}
	loc := p.location()
	c := &ask{p: p, q: q, t: textsFor(q.lang), now: now.In(loc), loc: loc}
	var parts []part
	for _, f := range []func(*ask) (part, bool){
		(*ask).languages, (*ask).insurance, (*ask).hours, (*ask).address,
		(*ask).contact, (*ask).service, (*ask).sameDay,
	} {
		if pt, ok := f(c); ok {
			parts = append(parts, pt)
		}
	}
	if len(parts) == 0 {
		return Answer{}, false
	}
	a := Answer{Kind: parts[0].kind, Confidence: 1, Lang: c.t.lang, Services: c.services}
	texts := make([]string, 0, len(parts))
	for _, pt := range parts {
		texts = append(texts, pt.text)
		a.Confidence = min(a.Confidence, pt.confidence)
	}
	// Spanish clock times end in a period ("p. m."), which a sentence's own must not double.
	a.Text = strings.ReplaceAll(strings.Join(texts, " "), "m..", "m.")
	return a, true
}

// part is the answer to one thing a question asks.
type part struct {
	kind       Kind
	text       string
	confidence float64
}

// ask is one question being answered.
type ask struct {
	p   *Profile
	q   *question
	t   *texts
	now time.Time // in loc
	loc *time.Location
	// services are the names of the services an answer part was about.
	services []string
}

// location is the practice's zone: Location, else Timezone loaded, else UTC.
func (p *Profile) location() *time.Location {
	if p.Location != nil {
		return p.Location
	}
	loc, err := time.LoadLocation(p.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// OpenAt tells whether t falls within the practice's opening hours, in its zone, less
// its closures. A profile without any hours is taken as open: nothing says otherwise,
// and a practice that entered none still has staff who answer.
func (p *Profile) OpenAt(t time.Time) bool {
	if !p.hasHours() {
		return true
	}
	t = t.In(p.location())
	m := t.Hour()*60 + t.Minute()
	for _, s := range p.on(dateAt(t)).spans {
		if s.open <= m && m < s.close {
			return true
		}
	}
	return false
}
