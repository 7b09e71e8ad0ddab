package console

import (
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"frontdesk/hooks/apierr"
)

// stamp is t as PocketBase stores dates, so stored dates compare with it as text.
func stamp(t time.Time) string { return t.UTC().Format(types.DefaultDateLayout) }

// localDay is the start of the practice's day date (YYYY-MM-DD) in loc.
func localDay(date string, loc *time.Location) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, date, loc)
}

// days reads ?from=YYYY-MM-DD&to=YYYY-MM-DD, both inclusive and either optional, as
// days of the practice (loc), and returns the condition that column (a stored date)
// falls in them, with its parameters; "" when neither is given.
func days(e *core.RequestEvent, loc *time.Location, column string) (string, dbx.Params, error) {
	q := e.Request.URL.Query()
	var conds []string
	params := dbx.Params{}
	if s := q.Get("from"); s != "" {
		from, err := localDay(s, loc)
		if err != nil {
			return "", nil, apierr.Invalid("from is a date such as 2026-03-01.", map[string]string{"from": "not a date"})
		}
		conds = append(conds, column+" >= {:from}")
		params["from"] = stamp(from)
	}
	if s := q.Get("to"); s != "" {
		to, err := localDay(s, loc)
		if err != nil {
			return "", nil, apierr.Invalid("to is a date such as 2026-03-31.", map[string]string{"to": "not a date"})
		}
		// The end of the day "to" is the start of the next, in the practice's zone
		// (AddDate keeps the wall clock, so a day of 23 or 25 hours ends right).
		conds = append(conds, column+" < {:to}")
		params["to"] = stamp(to.AddDate(0, 0, 1))
	}
	return strings.Join(conds, " AND "), params, nil
}
