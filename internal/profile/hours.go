package profile

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"frontdesk/internal/availability"
)

// whenKind is the time a question asks about.
type whenKind int

const (
	whenNone whenKind = iota
	whenNow
	whenToday
	whenTomorrow
	whenDay      // a weekday in general: "on Saturdays"
	whenWeekend  // Saturday and Sunday
	whenWeekdays // Monday to Friday
	whenDate     // a dated day: a holiday, "December 24"
	whenWeek     // a week: "this week", "next week"
)

type when struct {
	kind    whenKind
	day     time.Weekday
	date    availability.Date // for whenWeek, its first day
	holiday string            // the holiday's name as the visitor wrote it, for whenDate
}

var dayWords = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

var monthWords = map[string]time.Month{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
	"sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

// weekday reads a day name, its plural, or a typo of either ("wednsday", "fridays").
func weekday(w string) (time.Weekday, bool) {
	w = strings.TrimSuffix(w, "'s")
	if d, ok := dayWords[strings.TrimSuffix(w, "s")]; ok {
		return d, true
	}
	for name, d := range dayWords {
		if len(w) >= 5 && (nearWord(w, name) || nearWord(w, name+"s")) {
			return d, true
		}
	}
	return 0, false
}

// dayNumber reads "24", "24th", "1st".
func dayNumber(w string) (int, bool) {
	for _, s := range []string{"st", "nd", "rd", "th"} {
		w = strings.TrimSuffix(w, s)
	}
	n, err := strconv.Atoi(w)
	return n, err == nil && n >= 1 && n <= 31
}

// parseWhen finds the time a question asks about, relative to now.
func (c *ask) parseWhen() when {
	q := c.q
	today := dateAt(c.now)
	// A named holiday or a date comes first: "open the day after thanksgiving" is not
	// about today even though it says "day".
	for i := range q.words {
		for _, h := range holidays {
			for _, name := range h.names {
				if q.phraseAt(i, name) {
					d := nextOccurrence(today, h.date, canadian(c.loc))
					w := when{kind: whenDate, date: d, holiday: name}
					switch {
					case i >= 2 && q.words[i-1] == "after" && q.words[i-2] == "day":
						w.date, w.holiday = d.AddDays(1), "the day after "+name
					case i >= 2 && q.words[i-1] == "before" && q.words[i-2] == "day":
						w.date, w.holiday = d.AddDays(-1), "the day before "+name
					case c.p.on(d).closure == nil:
						if cl := c.closureNamed(h, d); cl != nil {
							w.date = cl.From // "Independence Day (observed)" on the Friday before
						}
					}
					return w
				}
			}
		}
	}
	for i, w := range q.words {
		m, ok := monthWords[w]
		if !ok || (w == "may" || w == "mar") && !(i+1 < len(q.words) && isDayNumber(q.words[i+1]) || i > 0 && isDayNumber(q.words[i-1])) {
			continue
		}
		day := 0
		if i+1 < len(q.words) {
			day, _ = dayNumber(q.words[i+1])
		}
		if day == 0 && i > 0 {
			day, _ = dayNumber(q.words[i-1])
		}
		if day == 0 && i > 1 && q.words[i-1] == "of" {
			day, _ = dayNumber(q.words[i-2])
		}
		if day == 0 {
			continue
		}
		d := availability.Date{Year: today.Year, Month: m, Day: day}
		if d.Compare(today) < 0 {
			d.Year++
		}
		return when{kind: whenDate, date: d}
	}
	// A closure the owner named, asked about by its label ("open on staff training day?").
	for i := range c.p.Closures {
		cl := &c.p.Closures[i]
		if words := labelWords(cl.Label); len(words) > 0 && q.hasAll(words) {
			return when{kind: whenDate, date: cl.From, holiday: cl.Label}
		}
	}
	switch {
	case q.hasPhrase("next week"):
		d := today.AddDays(1)
		for d.Weekday() != time.Monday {
			d = d.AddDays(1)
		}
		return when{kind: whenWeek, date: d}
	case q.hasPhrase("this week"):
		return when{kind: whenWeek, date: today}
	case q.hasPhrase("right now", "at the moment", "open now", "currently") || q.has("now"):
		return when{kind: whenNow}
	case q.has("today", "tonight") || q.hasPhrase("this morning", "this afternoon", "this evening"):
		return when{kind: whenToday}
	case q.has("tomorrow"):
		return when{kind: whenTomorrow}
	case q.has("weekend", "weekends"):
		return when{kind: whenWeekend}
	case q.has("weekday", "weekdays") || q.hasPhrase("during the week", "in the week", "monday to friday", "monday through friday"):
		return when{kind: whenWeekdays}
	}
	for _, w := range q.words {
		if d, ok := weekday(w); ok {
			return when{kind: whenDay, day: d}
		}
	}
	return when{}
}

func isDayNumber(w string) bool { _, ok := dayNumber(w); return ok }

// closureNamed finds a closure within a week of d whose label names holiday h ("July 4th"
// is "Independence Day (observed)" on the Friday before).
func (c *ask) closureNamed(h holiday, d availability.Date) *availability.Closure {
	for i := range c.p.Closures {
		cl := &c.p.Closures[i]
		if cl.From.Compare(d.AddDays(-7)) < 0 || cl.From.Compare(d.AddDays(7)) > 0 {
			continue
		}
		label := " " + strings.Join(labelWords(cl.Label), " ") + " "
		for _, name := range h.names {
			for _, w := range labelWords(name) {
				if len(w) > 3 && strings.Contains(label, " "+w+" ") {
					return cl
				}
			}
		}
	}
	return nil
}

// weekHours answers about the week from date from to the Sunday after: the weekly
// hours, and the closures that fall in it ("are you open next week" in a spring break).
func (c *ask) weekHours(from availability.Date) string {
	to := from
	for to.Weekday() != time.Sunday {
		to = to.AddDays(1)
	}
	lines := c.closureLines(from, to, -1)
	s := c.t.week(c.weekLines(time.Monday, time.Sunday+7))
	if len(lines) > 0 {
		s = c.t.closures(strings.Join(lines, "; ")) + " " + s
	}
	return s
}

// closureLines are the closures that fall between from and to (days included), at most
// most of them when most is not negative, each as its dates and its label.
func (c *ask) closureLines(from, to availability.Date, most int) []string {
	var lines []string
	for _, cl := range c.p.Closures {
		end := cl.To
		if end.IsZero() {
			end = cl.From
		}
		if end.Compare(from) < 0 || cl.From.Compare(to) > 0 || len(lines) == most {
			continue
		}
		when := c.t.date(cl.From.Weekday(), cl.From.Month, cl.From.Day)
		if end != cl.From {
			when += " " + c.t.to + " " + c.t.date(end.Weekday(), end.Month, end.Day)
		}
		lines = append(lines, when+" ("+cl.Label+")")
	}
	return lines
}

// upcomingClosures lists the closures of the next 120 days: "what are your holiday hours".
func (c *ask) upcomingClosures() (part, bool) {
	today := dateAt(c.now)
	lines := c.closureLines(today, today.AddDays(120), 6)
	if len(lines) == 0 {
		return part{}, false
	}
	return part{KindClosure, c.t.closures(strings.Join(lines, "; ")), 0.9}, true
}

// labelWords are the words of a closure label worth matching: "Staff training day" gives
// "staff training".
func labelWords(label string) []string {
	var out []string
	for _, w := range strings.Fields(foldWords(label)) {
		if !labelStop[w] {
			out = append(out, w)
		}
	}
	return out
}

var labelStop = wordSet(`day days the a an of and for our closed closure holiday holidays observed office clinic practice`)

// hoursAsked says which part of the hours a question wants.
type hoursAsked int

const (
	askState hoursAsked = iota // open or not, and the hours
	askOpen                    // the opening time
	askClose                   // the closing time
)

// Words that make a question about something else even when it says "open" or "late":
// cancelling late, opening a claim, closing on a house, arriving late, results.
var hoursExclusions = wordSet(`cancel cancels cancelled canceled cancellation cancellations cancelling
	canceling reschedule rescheduling noshow no-show missed miss fee fees charge charged arrive
	arriving arrival results result refill refills claim claims account case cases file estate
	closings wait waiting recovery heal`)

// hours answers questions about opening hours, closures and holidays.
func (c *ask) hours() (part, bool) {
	q := c.q
	if !c.p.hasHours() {
		return part{}, false
	}
	for _, w := range q.words {
		if hoursExclusions[w] {
			return part{}, false
		}
	}
	if q.hasPhrase("open to", "accepting", "new patients", "new clients", "open a", "open an", "how long", "how many hours",
		"after hours", "out of hours") || c.otherPlace() {
		return part{}, false
	}
	w := c.parseWhen()
	openWord := q.has("open", "opens", "opened", "opening", "abierto")
	// "close by" and "close to" say where, not when ("is there a bus stop close by").
	closeWord := q.has("closes", "closing", "shut", "shuts") || q.has("close") && !q.hasPhrase("close by", "close to")
	stateWord := q.has("closed", "shut")
	hoursWord := q.has("hours", "hour") && !q.has("long", "many", "take", "takes", "last", "lasts", "per")
	timeWord := q.hasPhrase("what time", "how late", "how early", "until when", "till when", "til when")
	late := q.has("evening", "evenings", "late", "later", "night", "nights") || q.hasPhrase("after work", "after school", "after 5", "after five", "after 6")
	early := q.has("early", "earlier", "earliest") || q.hasPhrase("before work", "before school", "first thing")
	lunch := q.has("lunch", "lunchtime", "midday", "noon")
	visitWord := q.has("appointment", "appointments", "available", "availability", "come", "see", "seeing")
	// "Do you work Saturdays", but not "get him after work".
	dayVisitWord := visitWord || q.has("work", "working")

	asked := askState
	switch {
	case closeWord || q.has("until", "till", "til") || q.hasPhrase("how late"):
		asked = askClose
	case openWord && (timeWord || q.has("when", "start", "starts") || q.hasPhrase("how early")):
		asked = askOpen
	}

	confidence := 0.95
	switch {
	case openWord || closeWord || stateWord || hoursWord || timeWord:
	case (late || early || lunch) && visitWord:
	case (w.kind == whenDay || w.kind == whenWeekend || w.kind == whenWeekdays || w.kind == whenDate) && dayVisitWord:
		confidence = 0.85
	case (w.kind == whenDay || w.kind == whenWeekend || w.kind == whenDate) && q.hasPhrase("can you", "can i", "could you", "could i", "can we"):
		// "can you notarize a title on Sunday": whether the practice is open that day is
		// likely the answer, but the practice's FAQs may know better.
		confidence = 0.7
	default:
		return part{}, false
	}
	if timeWord && !openWord && !closeWord && !hoursWord {
		confidence = 0.8 // "what time ..." with no verb of opening: likely, not certain
	}

	switch {
	case w.kind == whenDate:
		return c.dateHours(w)
	case w.kind == whenWeek:
		return part{KindHours, c.weekHours(w.date), confidence}, true
	case w.kind == whenNone && (q.has("holiday", "holidays", "closures", "vacation", "vacations") || q.hasPhrase("closed days", "days off", "time off")):
		if pt, ok := c.upcomingClosures(); ok {
			return pt, true
		}
	case lunch:
		return part{KindHours, c.lunchHours(), confidence}, true
	case late && w.kind == whenNone:
		return part{KindHours, c.lateHours(), confidence}, true
	case early && w.kind == whenNone:
		return part{KindHours, c.earlyHours(), confidence}, true
	}
	switch w.kind {
	case whenNow:
		if c.now.IsZero() {
			return part{}, false
		}
		return part{KindHours, c.nowStatus(), confidence}, true
	case whenToday:
		return part{KindHours, c.dayText(dateAt(c.now), c.t.today, asked, true), confidence}, true
	case whenTomorrow:
		return part{KindHours, c.dayText(dateAt(c.now).AddDays(1), c.t.tomorrow, asked, false), confidence}, true
	case whenDay:
		return part{KindHours, c.weekdayText(w.day, asked), confidence}, true
	case whenWeekend:
		return part{KindHours, c.weekdayText(time.Saturday, askState) + " " + c.weekdayText(time.Sunday, askState), confidence}, true
	case whenWeekdays:
		return part{KindHours, c.t.week(c.weekLines(time.Monday, time.Friday)), confidence}, true
	}
	// No day named. "Are you open?" asks about now; "what time do you close?" about today,
	// with the week for context; "what are your hours?" about the week.
	if stateWord || openWord && asked == askState && !hoursWord && !c.now.IsZero() {
		return part{KindHours, c.nowStatus(), confidence}, true
	}
	week := c.t.week(c.weekLines(time.Monday, time.Sunday+7))
	if asked != askState && !c.now.IsZero() {
		return part{KindHours, c.dayText(dateAt(c.now), c.t.today, asked, false) + " " + week, confidence}, true
	}
	return part{KindHours, week, confidence}, true
}

// practiceWords name the practice itself, or a place the visitor may call it.
var practiceWords = wordSet(`office offices clinic practice firm hospital center centre surgery
	studio dentist dentists vet vets doctor doctors place you your front desk reception team staff
	dental medical animal vet's veterinary law physio physiotherapy`)

// otherPlace reports whether the question asks whether some other place is open: "is the
// courthouse open today", "is the pharmacy open on Sunday".
func (c *ask) otherPlace() bool {
	q := c.q
	for i, w := range q.words {
		if w != "open" && w != "closed" && w != "opened" {
			continue
		}
		// "is/are the X Y open": the words between the article and "open".
		for j := i - 1; j >= 0 && i-j <= 4; j-- {
			if q.words[j] == "the" || q.words[j] == "that" || q.words[j] == "this" {
				for _, x := range q.words[j+1 : i] {
					if !practiceWords[x] && !fillerWords[x] && !weekdayWord(x) && !c.inName(x) {
						return true
					}
				}
				return false
			}
			if q.words[j] == "you" || q.words[j] == "your" || q.words[j] == "we" {
				return false
			}
		}
	}
	return false
}

// weekdayWord reports whether w names a day.
func weekdayWord(w string) bool { _, ok := weekday(w); return ok }

// inName reports whether w is a word of the practice's name ("is the Riverbend office
// open").
func (c *ask) inName(w string) bool {
	return slices.Contains(strings.Fields(foldWords(c.p.Name)), w)
}

// spansText writes opening periods: "8:00 am–12:00 pm and 1:00 pm–6:00 pm".
func (c *ask) spansText(spans []span) string {
	parts := make([]string, len(spans))
	for i, s := range spans {
		parts[i] = c.t.clock(s.open) + "–" + c.t.clock(s.close)
	}
	return c.t.list(parts)
}

// dayText answers about one date, named as name ("today", "tomorrow"), with the status
// now when withNow is set and the date is today.
func (c *ask) dayText(d availability.Date, name string, asked hoursAsked, withNow bool) string {
	o := c.p.on(d)
	label := c.t.relative(name, c.t.days[d.Weekday()])
	var s string
	switch {
	case len(o.spans) == 0 && o.closure != nil:
		s = c.t.closedOn(label, o.closure.Label)
	case len(o.spans) == 0:
		s = c.t.dayClosed(label)
	case o.closure != nil:
		s = c.t.partlyClosedOn(label, c.spansText(o.spans), o.closure.Label)
	case asked == askClose:
		s = c.t.dayCloses(label, c.t.clock(o.spans[len(o.spans)-1].close), c.spansText(o.spans))
	case asked == askOpen:
		s = c.t.dayOpens(label, c.t.clock(o.spans[0].open), c.spansText(o.spans))
	default:
		s = c.t.dayHours(label, c.spansText(o.spans))
	}
	if withNow && !c.now.IsZero() {
		s += " " + c.nowStatus()
	}
	return s
}

// weekdayText answers about a weekday in general, and warns of a closure on its next date.
func (c *ask) weekdayText(d time.Weekday, asked hoursAsked) string {
	spans := c.p.weekly(d)
	name := c.t.on(c.t.days[d])
	var s string
	switch {
	case len(spans) == 0:
		s = c.t.dayClosed(name)
	case asked == askClose:
		s = c.t.dayCloses(name, c.t.clock(spans[len(spans)-1].close), c.spansText(spans))
	case asked == askOpen:
		s = c.t.dayOpens(name, c.t.clock(spans[0].open), c.spansText(spans))
	default:
		s = c.t.dayHours(name, c.spansText(spans))
	}
	if !c.now.IsZero() && len(spans) > 0 {
		next := dateAt(c.now)
		for next.Weekday() != d {
			next = next.AddDays(1)
		}
		if o := c.p.on(next); o.closure != nil {
			date := c.t.on(c.t.date(d, next.Month, next.Day))
			if len(o.spans) == 0 {
				s += " " + c.t.closedOn(date, o.closure.Label)
			} else {
				s += " " + c.t.partlyClosedOn(date, c.spansText(o.spans), o.closure.Label)
			}
		}
	}
	return s
}

// dateHours answers about a holiday or a dated day.
func (c *ask) dateHours(w when) (part, bool) {
	o := c.p.on(w.date)
	date := c.t.date(w.date.Weekday(), w.date.Month, w.date.Day)
	on := c.t.on(date)
	switch {
	case len(o.spans) == 0 && o.closure != nil:
		return part{KindClosure, c.t.closedOn(on, o.closure.Label), 0.95}, true
	case o.closure != nil:
		return part{KindClosure, c.t.partlyClosedOn(on, c.spansText(o.spans), o.closure.Label), 0.95}, true
	}
	hours := c.t.closedWord
	if len(o.spans) > 0 {
		hours = c.spansText(o.spans)
	}
	if w.holiday != "" {
		// The owner lists closures; a holiday missing from the list is likely, not surely, open.
		return part{KindClosure, c.t.holidayNoClosure(w.holiday, date, hours), 0.6}, true
	}
	if len(o.spans) == 0 {
		return part{KindHours, c.t.dayClosed(on), 0.9}, true
	}
	return part{KindHours, c.t.dayHours(on, hours), 0.9}, true
}

// nowStatus says whether the practice is open at c.now and, if not, when it opens next.
func (c *ask) nowStatus() string {
	today := dateAt(c.now)
	m := c.now.Hour()*60 + c.now.Minute()
	o := c.p.on(today)
	for _, s := range o.spans {
		if s.open <= m && m < s.close {
			if o.closure != nil {
				return c.t.openNowClosingSoon(c.t.clock(s.close), o.closure.Label)
			}
			return c.t.openNow(c.t.clock(s.close))
		}
	}
	next := c.nextOpening(today, m)
	// A closure today is the reason only when the usual hours would have had the
	// practice open now.
	for _, s := range c.p.weekly(today.Weekday()) {
		if o.closure != nil && s.open <= m && m < s.close {
			return c.t.closedNowFor(o.closure.Label, next)
		}
	}
	return c.t.closedNow(next)
}

// nextOpening describes the first opening after minute m of date d: "today at 1:00 pm",
// "tomorrow at 8:00 am", "Monday at 8:00 am".
func (c *ask) nextOpening(d availability.Date, m int) string {
	for i := 0; i < 21; i++ {
		day := d.AddDays(i)
		for _, s := range c.p.on(day).spans {
			if i == 0 && s.open <= m {
				continue
			}
			var name string
			switch {
			case i == 0:
				name = c.t.today
			case i == 1:
				name = c.t.tomorrow
			case i < 7:
				name = c.t.days[day.Weekday()]
			default:
				name = c.t.date(day.Weekday(), day.Month, day.Day)
			}
			return c.t.nextAt(name, c.t.clock(s.open))
		}
	}
	return "—"
}

// weekLines writes the weekly hours from day first to last (Sunday+7 for a week ending
// on Sunday), runs of days with the same hours joined: "Monday to Friday 8:00 am–5:00 pm".
func (c *ask) weekLines(first, last time.Weekday) []string {
	var lines []string
	key := func(d time.Weekday) string { return c.spansText(c.p.weekly(d % 7)) }
	for d := first; d <= last; {
		end := d
		for end+1 <= last && key(end+1) == key(d) {
			end++
		}
		days := c.t.days[d%7]
		if end > d {
			days += " " + c.t.to + " " + c.t.days[end%7]
		}
		hours := key(d)
		if hours == "" {
			hours = c.t.closedWord
		}
		lines = append(lines, c.t.weekLine(days, hours))
		d = end + 1
	}
	return lines
}

// lateHours names the days open until 18:00 or later, or the latest closing.
func (c *ask) lateHours() string {
	var late []string
	latest, latestDays := 0, []string(nil)
	for d := time.Monday; d <= time.Sunday+7; d++ {
		spans := c.p.weekly(d % 7)
		if len(spans) == 0 {
			continue
		}
		cl := spans[len(spans)-1].close
		if cl > 18*60 { // open past six: closing at six is a working day's end
			late = append(late, c.t.days[d%7]+" ("+c.t.clock(cl)+")")
		}
		switch {
		case cl > latest:
			latest, latestDays = cl, []string{c.t.days[d%7]}
		case cl == latest:
			latestDays = append(latestDays, c.t.days[d%7])
		}
	}
	if len(late) > 0 {
		return c.t.lateDays(c.t.list(late))
	}
	return c.t.noLateDays(c.t.clock(latest), c.t.list(latestDays))
}

// earlyHours names the earliest opening and its days.
func (c *ask) earlyHours() string {
	earliest, days := 24*60, []string(nil)
	for d := time.Monday; d <= time.Sunday+7; d++ {
		spans := c.p.weekly(d % 7)
		if len(spans) == 0 {
			continue
		}
		switch op := spans[0].open; {
		case op < earliest:
			earliest, days = op, []string{c.t.days[d%7]}
		case op == earliest:
			days = append(days, c.t.days[d%7])
		}
	}
	return c.t.earliest(c.t.clock(earliest), c.t.list(days))
}

// lunchHours says when the practice closes in the middle of the day, if it does.
func (c *ask) lunchHours() string {
	type gap struct{ from, to int }
	byGap := map[gap][]string{}
	var order []gap
	for d := time.Monday; d <= time.Sunday+7; d++ {
		spans := c.p.weekly(d % 7)
		for i := 1; i < len(spans); i++ {
			g := gap{spans[i-1].close, spans[i].open}
			if _, ok := byGap[g]; !ok {
				order = append(order, g)
			}
			byGap[g] = append(byGap[g], c.t.days[d%7])
		}
	}
	if len(order) == 0 {
		return c.t.noLunch
	}
	var parts []string
	for _, g := range order {
		parts = append(parts, c.t.lunch(c.t.clock(g.from), c.t.clock(g.to), c.t.list(byGap[g])))
	}
	return strings.Join(parts, " ")
}
