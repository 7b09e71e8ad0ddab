package hooks

import (
	"encoding/csv"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// bindStaffAPI adds the routes staff use beyond PocketBase's record API.
func bindStaffAPI(se *core.ServeEvent, a *auditor) {
	se.Router.GET("/api/frontdesk/leads.csv", func(e *core.RequestEvent) error {
		return exportLeads(e, a)
	})
}

// exportLeads streams the practice's leads as CSV. Owners only (and superusers, who name
// the practice with ?business=ID); every export is audited.
func exportLeads(e *core.RequestEvent, a *auditor) error {
	var business string
	switch {
	case e.HasSuperuserAuth():
		business = e.Request.URL.Query().Get("business")
		if business == "" {
			return e.BadRequestError("Name the practice with ?business=ID.", nil)
		}
	case e.Auth != nil && e.Auth.Collection().Name == "staff" && e.Auth.GetString("role") == "owner":
		business = e.Auth.GetString("business")
	case e.Auth == nil:
		return e.UnauthorizedError("Sign in as the practice's owner to export leads.", nil)
	default:
		return e.ForbiddenError("Only the practice's owner can export leads.", nil)
	}
	leads, err := e.App.FindRecordsByFilter(models.LeadsCollection, "business = {:b}", "created", 0, 0, map[string]any{"b": business})
	if err != nil {
		return err
	}
	if err := a.request(e, "export", recordsRead("leads.csv", len(leads)), business); err != nil {
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
	for _, r := range leads {
		consent := "no"
		if r.GetBool("sms_consent") {
			consent = "yes"
		}
		_ = w.Write([]string{r.GetDateTime("created").String(), csvSafe(r.GetString("name")), csvSafe(r.GetString("email")), csvSafe(r.GetString("phone")), csvSafe(r.GetString("service")), consent, r.GetString("status"), r.GetString("conversation")})
	}
	w.Flush()
	return w.Error()
}

// csvSafe defuses spreadsheet formula injection in visitor-supplied cells.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
