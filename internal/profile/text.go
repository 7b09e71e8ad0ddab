package profile

import (
	"fmt"
	"strings"
	"time"

	"frontdesk/internal/locale"
)

// texts are the sentences answers are built from, in one language. They live here rather
// than in locale's Catalog because they are grammar as much as text (lists, clock times,
// dates); TestEveryLanguageHasEveryText checks each locale language has them all.
type texts struct {
	lang   locale.Lang
	days   [7]string  // by time.Weekday
	months [13]string // by time.Month
	and    string
	to     string // joins the first and last day of a run: "Monday to Friday"
	clock  func(minutes int) string
	// language names as profiles write them (English), in this language
	langNames map[string]string

	today, tomorrow    string
	nextAt             func(day, clock string) string
	openNow            func(until string) string
	openNowClosingSoon func(until, label string) string
	closedNow          func(next string) string
	closedNowFor       func(label, next string) string
	// The day sentences start with when: "On Thursday", "Tomorrow (Wednesday)".
	on                    func(day string) string
	relative              func(rel, day string) string
	dayHours              func(when, hours string) string
	dayClosed             func(when string) string
	dayCloses             func(when, clock, hours string) string
	dayOpens              func(when, clock, hours string) string
	closedOn              func(when, label string) string
	partlyClosedOn        func(when, hours, label string) string
	holidayNoClosure      func(holiday, date, hours string) string
	closures              func(list string) string
	week                  func(lines []string) string
	weekLine              func(days, hours string) string
	closedWord            string
	lateDays              func(list string) string
	noLateDays            func(clock, days string) string
	earliest              func(clock, days string) string
	lunch                 func(from, to, days string) string
	noLunch               string
	insuranceYes          func(plan string) string
	insuranceNo           func(asked, list string) string
	insuranceList         func(list string) string
	insuranceMaybe        func(asked, list string) string
	price                 func(service, price string) string
	priceUnknown          func(service string) string
	prices                func(list string) string
	duration              func(service, length string) string
	minutes               func(n int) string
	offered               func(service, details string) string
	sameDay               func(services string) string
	address               func(address string) string
	phone, email, website func(string) string
	speaks                func(list string) string
	speaksNot             func(asked, list string) string
	speaksList            func(list string) string
}

func textsFor(l locale.Lang) *texts {
	if l == locale.Spanish {
		return &spanish
	}
	return &english
}

func capitalize(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// list joins items as a sentence does: "a, b and c".
func (t *texts) list(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + t.and + " " + items[len(items)-1]
}

// twelveHour writes minutes after midnight as "5:30" and "am"/"pm" parts; every language
// here writes the minutes, so a visitor (or a test) looking for "5:30" or "9:00" finds it.
func twelveHour(minutes int) (string, bool) {
	h, m := (minutes/60)%24, minutes%60
	pm := h >= 12
	h %= 12
	if h == 0 {
		h = 12
	}
	return fmt.Sprintf("%d:%02d", h, m), pm
}

var english = texts{
	lang:   locale.English,
	days:   [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
	months: [13]string{"", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	and:    "and",
	to:     "to",
	clock: func(minutes int) string {
		if minutes == 24*60 {
			return "midnight"
		}
		s, pm := twelveHour(minutes)
		if pm {
			return s + " pm"
		}
		return s + " am"
	},
	langNames: map[string]string{},
	today:     "today",
	tomorrow:  "tomorrow",
	nextAt:    func(day, clock string) string { return day + " at " + clock },
	openNow:   func(until string) string { return "Yes, we're open now, until " + until + " today." },
	openNowClosingSoon: func(until, label string) string {
		return "Yes, we're open now, until " + until + " today (" + label + ")."
	},
	closedNow: func(next string) string { return "We're closed right now. We open again " + next + "." },
	closedNowFor: func(label, next string) string {
		return "We're closed right now (" + label + "). We open again " + next + "."
	},
	on:        func(day string) string { return "On " + day },
	relative:  func(rel, day string) string { return capitalize(rel) + " (" + day + ")" },
	dayHours:  func(when, hours string) string { return when + " we're open " + hours + "." },
	dayClosed: func(when string) string { return when + " we're closed." },
	dayCloses: func(when, clock, hours string) string {
		return when + " we close at " + clock + " (open " + hours + ")."
	},
	dayOpens: func(when, clock, hours string) string {
		return when + " we open at " + clock + " (open " + hours + ")."
	},
	closedOn: func(when, label string) string { return when + " we're closed (" + label + ")." },
	partlyClosedOn: func(when, hours, label string) string {
		return when + " we're open only " + hours + " (" + label + ")."
	},
	holidayNoClosure: func(holiday, date, hours string) string {
		return "We have no closure listed for " + holiday + " (" + date + "), so our usual hours apply: " + hours + ". The team can confirm."
	},
	closures:   func(list string) string { return "We're closed on " + list + "." },
	week:       func(lines []string) string { return "Our opening hours: " + strings.Join(lines, "; ") + "." },
	weekLine:   func(days, hours string) string { return days + " " + hours },
	closedWord: "closed",
	lateDays:   func(list string) string { return "Yes, we're open late on " + list + "." },
	noLateDays: func(clock, days string) string {
		return "We don't have evening hours: the latest we're open is until " + clock + " on " + days + "."
	},
	earliest: func(clock, days string) string { return "Our earliest opening is " + clock + " on " + days + "." },
	lunch: func(from, to, days string) string {
		return "We close for lunch from " + from + " to " + to + " on " + days + "."
	},
	noLunch:      "We don't close for lunch: we're open straight through the day.",
	insuranceYes: func(plan string) string { return "Yes, we accept " + plan + "." },
	insuranceNo: func(asked, list string) string {
		return "Sorry, we don't accept " + asked + ". We accept " + list + "."
	},
	insuranceList: func(list string) string { return "We accept " + list + "." },
	insuranceMaybe: func(asked, list string) string {
		return "We accept " + list + ". The team can confirm whether that includes " + asked + "."
	},
	price: func(service, price string) string { return service + ": " + price + "." },
	priceUnknown: func(service string) string {
		return "We don't list a price for " + service + "; the team will confirm it for you."
	},
	prices:   func(list string) string { return "Our prices: " + list + "." },
	duration: func(service, length string) string { return service + " takes about " + length + "." },
	minutes: func(n int) string {
		if n >= 120 && n%60 == 0 {
			return fmt.Sprintf("%d minutes (%d hours)", n, n/60)
		}
		return fmt.Sprintf("%d minutes", n)
	},
	offered: func(service, details string) string { return "Yes, we offer " + service + details + "." },
	sameDay: func(services string) string { return "For a visit at short notice, ask for " + services + "." },
	address: func(address string) string { return "We're at " + address + "." },
	phone:   func(phone string) string { return "You can call us at " + phone + "." },
	email:   func(email string) string { return "You can email us at " + email + "." },
	website: func(url string) string { return "Our website is " + url + "." },
	speaks:  func(list string) string { return "Yes, our team speaks " + list + "." },
	speaksNot: func(asked, list string) string {
		return "Sorry, no one on our team speaks " + asked + "; we speak " + list + "."
	},
	speaksList: func(list string) string { return "Our team speaks " + list + "." },
}

var spanish = texts{
	lang:   locale.Spanish,
	days:   [7]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
	months: [13]string{"", "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
	and:    "y",
	to:     "a",
	clock: func(minutes int) string {
		if minutes == 24*60 {
			return "medianoche"
		}
		s, pm := twelveHour(minutes)
		if pm {
			return s + " p. m."
		}
		return s + " a. m."
	},
	langNames: map[string]string{
		"english": "inglés", "spanish": "español", "portuguese": "portugués", "french": "francés",
		"german": "alemán", "italian": "italiano", "polish": "polaco", "russian": "ruso",
		"vietnamese": "vietnamita", "chinese": "chino", "mandarin": "mandarín", "cantonese": "cantonés",
		"arabic": "árabe", "korean": "coreano", "japanese": "japonés", "tagalog": "tagalo",
		"hindi": "hindi", "ukrainian": "ucraniano", "haitian creole": "criollo haitiano",
	},
	today:    "hoy",
	tomorrow: "mañana",
	nextAt:   func(day, clock string) string { return day + " a las " + clock },
	openNow:  func(until string) string { return "Sí, ahora estamos abiertos, hasta las " + until + "." },
	openNowClosingSoon: func(until, label string) string {
		return "Sí, ahora estamos abiertos, hasta las " + until + " (" + label + ")."
	},
	closedNow: func(next string) string { return "Ahora estamos cerrados. Volvemos a abrir " + next + "." },
	closedNowFor: func(label, next string) string {
		return "Ahora estamos cerrados (" + label + "). Volvemos a abrir " + next + "."
	},
	on:        func(day string) string { return "El " + day },
	relative:  func(rel, day string) string { return capitalize(rel) + " (" + day + ")" },
	dayHours:  func(when, hours string) string { return when + " abrimos " + hours + "." },
	dayClosed: func(when string) string { return when + " estamos cerrados." },
	dayCloses: func(when, clock, hours string) string {
		return when + " cerramos a las " + clock + " (horario: " + hours + ")."
	},
	dayOpens: func(when, clock, hours string) string {
		return when + " abrimos a las " + clock + " (horario: " + hours + ")."
	},
	closedOn: func(when, label string) string { return when + " estamos cerrados (" + label + ")." },
	partlyClosedOn: func(when, hours, label string) string {
		return when + " solo abrimos " + hours + " (" + label + ")."
	},
	holidayNoClosure: func(holiday, date, hours string) string {
		return "No tenemos un cierre anunciado para " + holiday + " (" + date + "), así que aplica el horario habitual: " + hours + ". El equipo se lo puede confirmar."
	},
	closures:   func(list string) string { return "Cerramos el " + list + "." },
	week:       func(lines []string) string { return "Nuestro horario: " + strings.Join(lines, "; ") + "." },
	weekLine:   func(days, hours string) string { return days + " " + hours },
	closedWord: "cerrado",
	lateDays:   func(list string) string { return "Sí, abrimos hasta tarde el " + list + "." },
	noLateDays: func(clock, days string) string {
		return "No tenemos horario de noche: lo más tarde que abrimos es hasta las " + clock + " el " + days + "."
	},
	earliest: func(clock, days string) string {
		return "Lo más temprano que abrimos es a las " + clock + " el " + days + "."
	},
	lunch: func(from, to, days string) string {
		return "Cerramos para el almuerzo de " + from + " a " + to + " el " + days + "."
	},
	noLunch:      "No cerramos al mediodía: abrimos todo el día.",
	insuranceYes: func(plan string) string { return "Sí, aceptamos " + plan + "." },
	insuranceNo: func(asked, list string) string {
		return "Lo siento, no aceptamos " + asked + ". Aceptamos " + list + "."
	},
	insuranceList: func(list string) string { return "Aceptamos " + list + "." },
	insuranceMaybe: func(asked, list string) string {
		return "Aceptamos " + list + ". El equipo le puede confirmar si eso incluye " + asked + "."
	},
	price: func(service, price string) string { return service + ": " + price + "." },
	priceUnknown: func(service string) string {
		return "No tenemos un precio publicado para " + service + "; el equipo se lo confirmará."
	},
	prices:   func(list string) string { return "Nuestros precios: " + list + "." },
	duration: func(service, length string) string { return service + " dura unos " + length + "." },
	minutes: func(n int) string {
		if n >= 120 && n%60 == 0 {
			return fmt.Sprintf("%d minutos (%d horas)", n, n/60)
		}
		return fmt.Sprintf("%d minutos", n)
	},
	offered: func(service, details string) string { return "Sí, ofrecemos " + service + details + "." },
	sameDay: func(services string) string { return "Para una visita sin mucha antelación, pida " + services + "." },
	address: func(address string) string { return "Estamos en " + address + "." },
	phone:   func(phone string) string { return "Puede llamarnos al " + phone + "." },
	email:   func(email string) string { return "Puede escribirnos a " + email + "." },
	website: func(url string) string { return "Nuestro sitio web es " + url + "." },
	speaks:  func(list string) string { return "Sí, nuestro equipo habla " + list + "." },
	speaksNot: func(asked, list string) string {
		return "Lo siento, nadie del equipo habla " + asked + "; hablamos " + list + "."
	},
	speaksList: func(list string) string { return "Nuestro equipo habla " + list + "." },
}

// date writes a calendar day: "Thursday, December 24", "jueves 24 de diciembre".
func (t *texts) date(d time.Weekday, m time.Month, day int) string {
	if t.lang == locale.Spanish {
		return fmt.Sprintf("%s %d de %s", t.days[d], day, t.months[m])
	}
	return fmt.Sprintf("%s, %s %d", t.days[d], t.months[m], day)
}

// languageName is the language folded (its English name, folded) in t's language, or as
// written when t has no name for it.
func (t *texts) languageName(folded, written string) string {
	if n, ok := t.langNames[folded]; ok {
		return n
	}
	return written
}
