package console

import (
	"encoding/csv"
	"net/http"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/guard"
	"frontdesk/models"
)

// exportPage is how many leads are read from the database at a time: an export of any
// size holds one page in memory.
const exportPage = 500

// exportLeads streams the practice's leads as CSV, oldest first, those that came in
// between ?from and ?to (days of the practice, inclusive) when given; every export is
// audited before its first row is sent. The export holds the leads created before it
// started, so the count the audit entry gives is the count sent.
func exportLeads(e *core.RequestEvent, a Auditor) error {
	b, err := practiceOf(e)
	if err != nil {
		return err
	}
	business := b.Id
	scope := dbx.And(dbx.HashExp{"business": business}, dbx.NewExp("[[created]] <= {:until}", dbx.Params{"until": stamp(time.Now())}))
	within, params, err := days(e, b.Location(), "[[created]]")
	if err != nil {
		return err
	}
	if within != "" {
		scope = dbx.And(scope, dbx.NewExp(within, params))
	}
	var n int
	if err := e.App.DB().Select("COUNT(*)").From(models.LeadsCollection).Where(scope).Row(&n); err != nil {
		return err
	}
	if err := a.Read(e, "export", "leads.csv", n, business); err != nil {
		// No export without its audit entry.
		return err
	}
	h := e.Response.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="leads-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	h.Set("Cache-Control", "no-store")
	e.Response.WriteHeader(http.StatusOK)
	w := csv.NewWriter(e.Response)
	_ = w.Write([]string{"created", "name", "email", "phone", "service", "sms_consent", "status", "conversation"})
	// Pages follow (created, id), the order of the rows, rather than an offset, which
	// SQLite would count past again for every page.
	var last *core.Record
	for {
		q := e.App.RecordQuery(models.LeadsCollection).AndWhere(scope).OrderBy("created", "id").Limit(exportPage)
		if last != nil {
			q.AndWhere(dbx.NewExp("([[created]] > {:c} OR ([[created]] = {:c} AND [[id]] > {:id}))",
				dbx.Params{"c": last.GetDateTime("created").String(), "id": last.Id}))
		}
		var page []*core.Record
		if err := q.All(&page); err != nil {
			// The header is sent: all that is left is to cut the file short and say so.
			e.App.Logger().Error("export leads", "business", business, "error", err)
			break
		}
		for _, r := range page {
			l := models.NewLead(r)
			consent := "no"
			if l.SMSConsent() {
				consent = "yes"
			}
			_ = w.Write([]string{r.GetDateTime("created").String(), guard.CSVCell(l.Name()), guard.CSVCell(l.Email()), guard.CSVCell(l.Phone()), guard.CSVCell(l.Service()), consent, l.Status(), l.Conversation()})
		}
		w.Flush()
		if len(page) < exportPage {
			break
		}
		last = page[len(page)-1]
	}
	w.Flush()
	return w.Error()
}
