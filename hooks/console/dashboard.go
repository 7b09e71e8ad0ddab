package console

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/apierr"
	"frontdesk/internal/guard"
	"frontdesk/models"
)

// The dashboard's ranges, in days ending today, and how many top questions and gaps
// it lists.
var dashboardDays = []int{7, 30, 90, 365}

const dashboardTop = 10

// questionSample is how many of the range's latest visitor messages the top questions
// are counted from.
const questionSample = 5000

// figures are one day's, one week's or the whole range's numbers. Conversation figures
// (conversations, handoffs, first replies) count conversations by the day they
// started; leads and bookings by the day they were made.
type figures struct {
	Date          string `json:"date,omitempty"`
	Week          string `json:"week,omitempty"`
	Conversations int    `json:"conversations"`
	Leads         int    `json:"leads"`
	// Conversion is leads / conversations (totals only).
	Conversion *float64 `json:"conversion,omitempty"`
	// Handoffs are conversations a person was asked for (still waiting) or answered in.
	Handoffs int `json:"handoffs"`
	Bookings int `json:"bookings"`
	// FirstReplySecondsMedian is the median wait, in seconds, from the visitor's last
	// message to the first staff message of a conversation; null without staff replies.
	FirstReplySecondsMedian *float64 `json:"first_reply_seconds_median"`
}

func (f *figures) add(g *figures) {
	f.Conversations += g.Conversations
	f.Leads += g.Leads
	f.Handoffs += g.Handoffs
	f.Bookings += g.Bookings
}

// dashboard answers the practice's figures per day and per ISO week over the last
// ?days (7, 30, 90 or 365) days of the practice, with totals, the visitors' most asked
// questions and the knowledge gaps. Every figure is grouped in SQL by the practice's
// local day.
func dashboard(e *core.RequestEvent) error {
	b, err := practiceOf(e)
	if err != nil {
		return err
	}
	n := 30
	if s := e.Request.URL.Query().Get("days"); s != "" {
		n, err = strconv.Atoi(s)
		if err != nil || !slices.Contains(dashboardDays, n) {
			return apierr.Invalid("days is 7, 30, 90 or 365.", map[string]string{"days": "unsupported range"})
		}
	}
	d, err := computeDashboard(e.App, b, n, time.Now())
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, d)
}

// Dashboard is the dashboard route's answer.
type Dashboard struct {
	Days         []*figures `json:"days"`
	Weeks        []*figures `json:"weeks"`
	Totals       *figures   `json:"totals"`
	TopQuestions []question `json:"top_questions"`
	Gaps         []gap      `json:"gaps"`
}

type question struct {
	Text  string `db:"q" json:"text"`
	Count int    `db:"n" json:"count"`
}

type gap struct {
	ID       string `db:"id" json:"id"`
	Question string `db:"question" json:"question"`
	Count    int    `db:"count" json:"count"`
}

// computeDashboard is the dashboard of practice b over the n days ending on now's day in
// its zone.
func computeDashboard(app core.App, b *models.Business, n int, now time.Time) (*Dashboard, error) {
	loc := b.Location()
	y, m, d := now.In(loc).Date()
	first := time.Date(y, m, d-n+1, 0, 0, 0, 0, loc)
	end := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	params := dbx.Params{"b": b.Id, "from": stamp(first), "to": stamp(end), "top": dashboardTop, "sample": questionSample}
	out := &Dashboard{Totals: &figures{}, TopQuestions: []question{}, Gaps: []gap{}}
	byDay := map[string]*figures{}
	for t := first; t.Before(end); t = t.AddDate(0, 0, 1) {
		f := &figures{Date: t.Format(time.DateOnly)}
		byDay[f.Date] = f
		out.Days = append(out.Days, f)
	}
	byWeek := map[string]*figures{}
	for _, f := range out.Days {
		monday := mondayOf(f.Date)
		w := byWeek[monday]
		if w == nil {
			day, _ := time.Parse(time.DateOnly, f.Date)
			yr, wk := day.ISOWeek()
			w = &figures{Date: monday, Week: fmt.Sprintf("%d-W%02d", yr, wk)}
			byWeek[monday] = w
			out.Weeks = append(out.Weeks, w)
		}
	}

	day := func(col string) string { return localDate(col, loc, first, end) }
	// Counts per local day: each day's rows are one range of a (business, [status,]
	// created) index, counted without reading the rows. The days' bounds are the
	// practice's midnights, which Go knows across daylight saving time.
	var bounds strings.Builder
	for i, f := range out.Days {
		t, _ := localDay(f.Date, loc)
		if i > 0 {
			bounds.WriteString(", ")
		}
		fmt.Fprintf(&bounds, "('%s', '%s', '%s')", f.Date, stamp(t), stamp(t.AddDate(0, 0, 1)))
	}
	var counts []struct {
		D             string `db:"d"`
		Conversations int    `db:"conversations"`
		Waiting       int    `db:"waiting"`
		Leads         int    `db:"leads"`
		Bookings      int    `db:"bookings"`
	}
	count := func(table, where string) string {
		return "(SELECT COUNT(*) FROM " + table + " WHERE business = {:b} " + where + "AND created >= d.s AND created < d.e)"
	}
	err := app.DB().NewQuery(`WITH d(d, s, e) AS (VALUES ` + bounds.String() + `)
SELECT d.d AS d, ` + count("conversations", "") + ` AS conversations,
  ` + count("conversations", "AND status IN ('needs_human', 'human') ") + ` AS waiting,
  ` + count("leads", "") + ` AS leads, ` + count("bookings", "") + ` AS bookings
FROM d`).Bind(params).All(&counts)
	if err != nil {
		return nil, fmt.Errorf("dashboard counts: %w", err)
	}
	for _, c := range counts {
		if f := byDay[c.D]; f != nil {
			f.Conversations, f.Handoffs, f.Leads, f.Bookings = c.Conversations, c.Waiting, c.Leads, c.Bookings
		}
	}

	// The first staff reply's wait of each conversation started in the range, with the
	// conversation's local day: written on the conversation with that reply
	// (hooks/takeover) and read from a partial index of the answered conversations. The
	// medians of these rows per day, week and range are taken below. A conversation
	// answered by staff is a hand-off too, unless it is counted above as waiting still.
	var replies []struct {
		D     string `db:"d"`
		Secs  int    `db:"secs"`
		Extra bool   `db:"extra"`
	}
	err = app.DB().NewQuery(`SELECT ` + day("created") + ` AS d, status NOT IN ('needs_human', 'human') AS extra,
  first_reply_secs AS secs
FROM conversations INDEXED BY idx_conversations_replied
WHERE business = {:b} AND first_reply_at != '' AND created >= {:from} AND created < {:to}
ORDER BY secs`).Bind(params).All(&replies)
	if err != nil {
		return nil, fmt.Errorf("dashboard replies: %w", err)
	}
	waits := map[*figures][]int{} // each figure's waits, in order (the rows are sorted)
	for _, r := range replies {
		f := byDay[r.D]
		if f == nil {
			continue
		}
		if r.Extra {
			f.Handoffs++
		}
		w := byWeek[mondayOf(r.D)]
		for _, x := range []*figures{f, w, out.Totals} {
			waits[x] = append(waits[x], r.Secs)
		}
	}
	for x, secs := range waits {
		m := float64(secs[(len(secs)-1)/2]+secs[len(secs)/2]) / 2
		x.FirstReplySecondsMedian = &m
	}

	for _, f := range out.Days {
		out.Totals.add(f)
		byWeek[mondayOf(f.Date)].add(f)
	}
	if out.Totals.Conversations > 0 {
		c := math.Round(float64(out.Totals.Leads)/float64(out.Totals.Conversations)*10000) / 10000
		out.Totals.Conversion = &c
	}

	// The visitors' most asked questions among their latest questionSample messages of
	// the range (a year of a busy practice holds too many to group on every view):
	// short ones, case and closing punctuation folded, none that told of health;
	// anonymized, since they are read out of their conversation.
	err = app.DB().NewQuery(`SELECT rtrim(lower(trim(text)), '?!. ') AS q, COUNT(*) AS n FROM (
  SELECT text, flags FROM messages
  WHERE business = {:b} AND role = 'visitor' AND created >= {:from} AND created < {:to}
  ORDER BY created DESC LIMIT {:sample}
) WHERE length(text) <= 200 AND instr(COALESCE(flags, ''), '"health":true') = 0
GROUP BY q HAVING n >= 2 ORDER BY n DESC, q LIMIT {:top}`).Bind(params).All(&out.TopQuestions)
	if err != nil {
		return nil, fmt.Errorf("dashboard questions: %w", err)
	}
	for i := range out.TopQuestions {
		out.TopQuestions[i].Text = guard.Anonymize(out.TopQuestions[i].Text)
	}
	err = app.DB().NewQuery(`SELECT id, question, count FROM knowledge_gaps
WHERE business = {:b} AND resolved = FALSE AND last_asked >= {:from}
ORDER BY count DESC, last_asked DESC LIMIT {:top}`).Bind(params).All(&out.Gaps)
	if err != nil {
		return nil, fmt.Errorf("dashboard gaps: %w", err)
	}
	return out, nil
}

// mondayOf is the Monday of the ISO week of date (YYYY-MM-DD).
func mondayOf(date string) string {
	day, _ := time.Parse(time.DateOnly, date)
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7)).Format(time.DateOnly)
}

// localDate is SQL for the practice's calendar day (YYYY-MM-DD) of col, a stored date
// in [from, end): SQLite knows no time zones, but within the range the zone's offset
// changes only at a few instants Go knows (daylight saving time), so the day is col
// moved by the offset in force, a CASE over those instants.
func localDate(col string, loc *time.Location, from, end time.Time) string {
	var cases strings.Builder
	for t := from; ; {
		_, offset := t.In(loc).Zone()
		_, next := t.In(loc).ZoneBounds()
		if next.IsZero() || !next.Before(end) {
			if cases.Len() == 0 {
				return fmt.Sprintf("date(%s, '%+d seconds')", col, offset)
			}
			return fmt.Sprintf("date(%s, CASE%s ELSE '%+d seconds' END)", col, cases.String(), offset)
		}
		fmt.Fprintf(&cases, " WHEN %s < '%s' THEN '%+d seconds'", col, stamp(next), offset)
		t = next
	}
}
