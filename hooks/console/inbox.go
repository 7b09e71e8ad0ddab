package console

import (
	"maps"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/apierr"
	"frontdesk/internal/phone"
	"frontdesk/models"
)

// Inbox paging: a page is small enough for a phone, and no page is unbounded.
const (
	inboxPerPage    = 30
	inboxMaxPerPage = 100
	previewLen      = 140
	// searchMaxLen is the longest search, in characters.
	searchMaxLen = 200
)

// inboxItem is one conversation in the inbox.
type inboxItem struct {
	ID            string     `db:"id" json:"id"`
	Status        string     `db:"status" json:"status"`
	Preview       string     `db:"preview" json:"preview"`
	LastMessageAt string     `db:"last_message_at" json:"last_message_at"`
	NeedsHumanAt  string     `db:"needs_human_at" json:"needs_human_at"`
	MessageCount  int        `db:"message_count" json:"message_count"`
	AssignedTo    string     `db:"assigned_to" json:"assigned_to"`
	HasBooking    bool       `db:"has_booking" json:"has_booking"`
	HealthFlagged bool       `db:"health_flagged" json:"health_flagged"`
	Lead          *inboxLead `db:"-" json:"lead"`

	LeadID     string `db:"lead_id" json:"-"`
	LeadName   string `db:"lead_name" json:"-"`
	LeadStatus string `db:"lead_status" json:"-"`
	Total      int    `db:"total" json:"-"`
}

// inboxLead is the lead a conversation left, if any.
type inboxLead struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// inbox lists the practice's conversations: those waiting for a person first, the
// longest wait first, then the newest activity; filtered by ?filter=needs_human|has_lead
// |all, ?from and ?to (days of last activity, in the practice's zone) and ?q (words, or
// their beginnings, all in one message or in the lead's name and email; case and accents
// aside; or a lead's phone number, in any format). One query answers a page with its
// total; the read is audited with its count.
func inbox(e *core.RequestEvent, a Auditor) error {
	b, err := practiceOf(e)
	if err != nil {
		return err
	}
	q := e.Request.URL.Query()
	page, perPage, err := paging(q.Get("page"), q.Get("perPage"))
	if err != nil {
		return err
	}
	where := []string{"c.business = {:business}"}
	params := dbx.Params{"business": b.Id}
	switch q.Get("filter") {
	case "", "all":
	case "needs_human":
		where = append(where, "c.status = 'needs_human'")
	case "has_lead":
		where = append(where, "EXISTS (SELECT 1 FROM leads l WHERE l.conversation = c.id AND l.conversation != '')")
	default:
		return apierr.Invalid("filter is needs_human, has_lead or all.", map[string]string{"filter": "unknown filter"})
	}
	within, dayParams, err := days(e, b.Location(), "c.last_message_at")
	if err != nil {
		return err
	}
	if within != "" {
		where = append(where, within)
		maps.Copy(params, dayParams)
	}
	// The conversations the page is cut from: all of the practice's, or those the search
	// matches, found once in the full-text index (migrations: the conversation search)
	// and each looked up by id. (SQLite builds an index of a set it is asked "IN" at a
	// cost per row that is higher here than the search itself.)
	with, from := "", "conversations c"
	if s := strings.TrimSpace(q.Get("q")); s != "" {
		if utf8.RuneCountInString(s) > searchMaxLen {
			return apierr.Invalid("q is at most 200 characters.", map[string]string{"q": "too long"})
		}
		match := matchQuery(s)
		if n, ok := phoneWord(s, b); ok {
			// A lead's phone is indexed in E.164: the number as typed finds it in any format.
			match = "(" + match + `) OR "` + n + `"*`
		}
		if match == "" {
			// No word to look up: nothing matches.
			where = append(where, "FALSE")
		} else {
			params["q"] = match
			with = `WITH hits AS MATERIALIZED (SELECT r.conversation AS id FROM conversation_search s
  JOIN conversation_search_rows r ON r.rid = s.rowid
  WHERE conversation_search MATCH {:q} GROUP BY r.conversation)
`
			from = "hits h CROSS JOIN conversations c ON c.id = h.id"
		}
	}
	// Two runs, each in an order an index can give without sorting the practice's every
	// conversation: the visitors waiting for a person (few, read from their own small
	// index with what they are ordered by), the one who asked first first, then everyone
	// else by their latest message, newest first. Each run stops at the page's end; the
	// page is cut from the two. The runs read only the columns they order by: every
	// write to the database empties each connection's page cache, so a run that read
	// whole rows would read the waiting visitors' pages from the disk on most requests.
	waitOrder := "COALESCE(NULLIF(c.needs_human_at, ''), c.updated), c.id"
	restOrder := "c.last_message_at DESC, c.id DESC"
	params["limit"], params["offset"], params["end"] = perPage, (page-1)*perPage, page*perPage
	filter := strings.Join(where, " AND ")
	run := func(status, order string) string {
		return `SELECT id, ROW_NUMBER() OVER (ORDER BY ` + order + `) AS n FROM (
    SELECT c.id, c.needs_human_at, c.updated, c.last_message_at FROM ` + from + ` WHERE ` + filter + ` AND ` + status + ` ORDER BY ` + order + ` LIMIT {:end}) c`
	}
	// Only the page's rows are joined to their last message, lead and booking; the
	// total is counted in the same statement.
	sql := with + `SELECT c.id, c.status, c.message_count, c.health_flagged, c.last_message_at,
  (SELECT COUNT(*) FROM ` + from + ` WHERE ` + filter + `) AS total,
  c.needs_human_at, c.assigned_to,
  COALESCE((SELECT substr(m.text, 1, 600) FROM messages m WHERE m.conversation = c.id ORDER BY m.created DESC, m.id DESC LIMIT 1), '') AS preview,
  COALESCE(l.id, '') AS lead_id, COALESCE(l.name, '') AS lead_name, COALESCE(l.status, '') AS lead_status,
  EXISTS (SELECT 1 FROM bookings bk WHERE bk.conversation = c.id AND bk.conversation != '') AS has_booking
FROM (
  SELECT id, arm, n FROM (
    SELECT id, 0 AS arm, n FROM (` + run("c.status = 'needs_human'", waitOrder) + `)
    UNION ALL
    SELECT id, 1 AS arm, n FROM (` + run("c.status != 'needs_human'", restOrder) + `)
  ) ORDER BY arm, n LIMIT {:limit} OFFSET {:offset}
) p
JOIN conversations c ON c.id = p.id
LEFT JOIN leads l ON l.id = (SELECT id FROM leads WHERE conversation = c.id AND conversation != '' ORDER BY created, id LIMIT 1)
ORDER BY p.arm, p.n`

	items := []*inboxItem{}
	if err := e.App.DB().NewQuery(sql).Bind(params).All(&items); err != nil {
		return err
	}
	total := 0
	for _, it := range items {
		total = it.Total
		it.Preview = models.Truncate(it.Preview, previewLen)
		if it.LeadID != "" {
			it.Lead = &inboxLead{ID: it.LeadID, Name: it.LeadName, Status: it.LeadStatus}
		}
	}
	if len(items) == 0 && page > 1 {
		// Past the last page no row carries the total.
		if err := e.App.DB().NewQuery(with + "SELECT COUNT(*) FROM " + from + " WHERE " + filter).Bind(params).Row(&total); err != nil {
			return err
		}
	}
	if err := a.Read(e, "list", "inbox", len(items), b.Id); err != nil {
		return err // no read without its audit entry
	}
	return e.JSON(http.StatusOK, map[string]any{"page": page, "perPage": perPage, "totalItems": total, "items": items})
}

// paging reads ?page and ?perPage (defaults 1 and inboxPerPage, at most inboxMaxPerPage).
func paging(pageS, perPageS string) (page, perPage int, err error) {
	page, perPage = 1, inboxPerPage
	if pageS != "" {
		if page, err = strconv.Atoi(pageS); err != nil || page < 1 {
			return 0, 0, apierr.Invalid("page is a number from 1.", map[string]string{"page": "not a page number"})
		}
	}
	if perPageS != "" {
		if perPage, err = strconv.Atoi(perPageS); err != nil || perPage < 1 || perPage > inboxMaxPerPage {
			return 0, 0, apierr.Invalid("perPage is a number from 1 to 100.", map[string]string{"perPage": "out of range"})
		}
	}
	return page, perPage, nil
}

// matchQuery is the staff's search q as an FTS5 query: each word a quoted string, so
// that what a visitor wrote (a quote, NEAR(, *, AND, a column name) is only ever words to
// find, never query syntax; each a prefix, so a word's start finds it; all of them
// required. Words of punctuation alone, which the index holds nothing of, are left out
// (an empty string in FTS5 matches nothing); "" when no word is left.
func matchQuery(q string) string {
	var terms []string
	// A control character (a NUL would end the FTS5 string early) separates words too.
	q = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, q)
	for _, w := range strings.Fields(q) {
		if strings.ContainsFunc(w, tokenRune) {
			terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"*`)
		}
	}
	return strings.Join(terms, " ")
}

// phoneWord is q as the search index holds a lead's phone, when q is a phone number (in
// any format, read in the practice's country when national): the E.164 number's digits.
func phoneWord(q string, b *models.Business) (string, bool) {
	digits := 0
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case !strings.ContainsRune(" +()-./", r):
			return "", false
		}
	}
	if digits < 7 {
		return "", false
	}
	n, err := phone.E164(q, phone.Region(b.Phone()))
	if err != nil {
		return "", false
	}
	return strings.TrimPrefix(n, "+"), true
}

// tokenRune reports whether the index's tokenizer (unicode61) keeps r in a word:
// letters, digits and private-use characters; the rest separate words.
func tokenRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r)
}
