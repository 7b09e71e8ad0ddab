// Package locale is the catalog of texts Frontdesk writes itself, rather than the model or
// the practice, in every language it speaks, and the choice of language for a
// conversation. Hooks and the internal libraries take their texts from here so each text
// has one copy, and a translation can't be left out without a test failing.
package locale

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Lang is a language the catalog has texts in, named by its BCP 47 language subtag so it
// can be stored and logged as it is.
type Lang string

// The languages with a catalog. English is the fallback for every other language.
const (
	English Lang = "en"
	Spanish Lang = "es"
)

// supported lists the languages in the matcher's order: the first is its default, which
// is what makes English the fallback.
var supported = []Lang{English, Spanish}

var matcher = language.NewMatcher(func() []language.Tag {
	tags := make([]language.Tag, len(supported))
	for i, l := range supported {
		tags[i] = l.Tag()
	}
	return tags
}())

// Langs returns every language with a catalog, English first.
func Langs() []Lang { return slices.Clone(supported) }

// Tag is l as a language tag, for callers that hand it to golang.org/x/text.
func (l Lang) Tag() language.Tag { return language.Make(string(l)) }

// Match picks the language to write in from preferences, most wanted first: typically the
// conversation's locale, then the practice's. Each preference is a locale ("es-MX",
// "es_419") or an Accept-Language value ("es-MX,es;q=0.9,en;q=0.8"); empty and malformed
// ones are skipped. A regional or related variant matches its language (es-MX is Spanish),
// a later preference is used when an earlier one has no catalog (fr, then es, is Spanish),
// and English is the answer when none matches.
func Match(prefs ...string) Lang {
	var tags []language.Tag
	for _, p := range prefs {
		tags = append(tags, parse(p)...)
	}
	_, i, _ := matcher.Match(tags...)
	return supported[i]
}

// parse reads a locale or an Accept-Language value into tags, best first. Unlike
// language.ParseAcceptLanguage it drops only a malformed entry, not the whole list, since
// a browser's or a widget's value is input the server does not control.
func parse(s string) []language.Tag {
	type weighted struct {
		tag language.Tag
		q   float32
	}
	var entries []weighted
	for entry := range strings.SplitSeq(s, ",") {
		tags, q, err := language.ParseAcceptLanguage(entry)
		if err != nil {
			continue
		}
		for i := range tags {
			entries = append(entries, weighted{tags[i], q[i]})
		}
	}
	slices.SortStableFunc(entries, func(a, b weighted) int { return cmp.Compare(b.q, a.q) })
	tags := make([]language.Tag, len(entries))
	for i, e := range entries {
		tags[i] = e.tag
	}
	return tags
}

// Catalog holds every text in one language. A field per text, rather than keys into a
// table, lets the compiler check what each caller passes to a text with parameters; the
// package's test checks that no language leaves a field empty.
type Catalog struct {
	// NotSure answers a question the practice's knowledge does not cover, and asks for
	// contact details so the team can answer it.
	NotSure string
	// Offer follows an answer the offline provider found in the practice's knowledge: the
	// visitor may leave contact details for a follow-up.
	Offer string
	// BookOffer answers a visitor who asks to book when no model takes the booking: the
	// widget's booking form, behind the button shown under the reply.
	BookOffer string
	// FollowUp answers a turn in which the model only called tools (took contact details,
	// asked for a person) and said nothing.
	FollowUp string
	// Health acknowledges health details a visitor volunteered, gives no advice and points
	// to the practice's team at phone; an empty phone leaves the number out.
	Health func(phone string) string
	// OffTopic declines a message outside what the front desk is for (an attempt to
	// redirect the assistant, or a reply that would reveal its instructions) and names
	// the practice it does help with.
	OffTopic func(practice string) string
	// HumanRequested is the note staff find in a conversation whose visitor asked to talk
	// to a person; the visitor never sees it.
	HumanRequested string

	// The staff alerts (internal/notify) say what happened, the practice, a time and a
	// link, and never anything a visitor wrote or gave: no text here takes visitor data.

	// AlertLeadCreated titles the alert for a visitor's contact request.
	AlertLeadCreated string
	// AlertNeedsHuman titles the alert for a visitor asking to talk to a person.
	AlertNeedsHuman string
	// AlertBookingCreated titles the alert for a new booking.
	AlertBookingCreated string
	// AlertBookingCancelled titles the alert for a cancelled booking.
	AlertBookingCancelled string
	// AlertBookingRescheduled titles the alert for a booking moved to another time.
	AlertBookingRescheduled string
	// AlertKnowledgeFailed titles the alert for a document that could not be indexed.
	AlertKnowledgeFailed string
	// AlertDeliveryFailed titles the alert for another alert that could not be delivered.
	AlertDeliveryFailed string
	// AlertBody is an alert's sentence: what happened (one of the titles above), at which
	// practice, and when (already formatted).
	AlertBody func(what, practice, when string) string
	// AlertOpen introduces the link into the staff console.
	AlertOpen string
	// AlertButton labels the link in an HTML alert.
	AlertButton string
	// AlertPrivacy tells staff why an alert names nobody.
	AlertPrivacy string
	// AlertWhy tells staff why the email came and where to turn it off.
	AlertWhy string
	// DigestSubject is a digest email's subject: how many alerts, and the practice.
	DigestSubject func(n int, practice string) string
	// DigestIntro opens a digest email: how many alerts, the practice, and since when.
	DigestIntro func(n int, practice, since string) string
	// SMSAlert is an alert as a text message: the practice, what happened, the link.
	SMSAlert func(practice, what, link string) string
	// SMSStopped confirms, once, that a number texted STOP and gets nothing more.
	SMSStopped func(practice string) string
	// SMSStarted confirms that a number texted START and may be sent to again.
	SMSStarted func(practice string) string
	// SMSHelp answers HELP with the practice and its phone; an empty phone leaves it out.
	SMSHelp func(practice, phone string) string
	// The emails a visitor gets about a booking: a subject naming the practice and a
	// first line greeting them by name, per event.
	BookingConfirmedSubject, BookingRescheduledSubject, BookingCancelledSubject, BookingReminderSubject func(practice string) string
	BookingConfirmedIntro, BookingRescheduledIntro, BookingCancelledIntro, BookingReminderIntro         func(name string) string
	// BookingDetails lists what was booked, when (as BookingWhen writes it) and where.
	BookingDetails func(service, when, practice, address string) string
	// BookingManage points to the page where the visitor reschedules or cancels.
	BookingManage func(url string) string
	// BookingWhen writes an appointment's start for a person, in the zone t carries
	// (the practice's), naming the zone.
	BookingWhen func(t time.Time) string
}

// catalogs holds each language's texts, filled in by the file named after the language.
var catalogs = map[Lang]*Catalog{
	English: &english,
	Spanish: &spanish,
}

// For returns l's texts; a Lang without a catalog (one read back from storage, say) gets
// English's. The Catalog is a copy, so a caller can't change another's texts.
func For(l Lang) Catalog {
	if c, ok := catalogs[l]; ok {
		return *c
	}
	return english
}
