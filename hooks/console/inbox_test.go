package console_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"frontdesk/tests"
)

type inboxPage struct {
	Page, PerPage, TotalItems int
	Items                     []struct {
		ID, Status, Preview string
		LastMessageAt       string `json:"last_message_at"`
		NeedsHumanAt        string `json:"needs_human_at"`
		AssignedTo          string `json:"assigned_to"`
		MessageCount        int    `json:"message_count"`
		HasBooking          bool   `json:"has_booking"`
		HealthFlagged       bool   `json:"health_flagged"`
		Lead                *struct{ ID, Name, Status string }
	}
}

// The inbox puts the visitors waiting for a person first, the longest wait first, then
// the newest activity; filters and search narrow it within the practice, days are the
// practice's own (Los Angeles), and the read is audited with its count.
func TestInbox(t *testing.T) {
	f := tests.NewPractices(t)
	s := seeder{t, f.App}
	a := f.A.Id
	// 2026-11-10 in Los Angeles starts at 08:00 UTC.
	d := time.Date(2026, 11, 10, 8, 0, 0, 0, time.UTC)
	long := strings.Repeat("é", 300)
	answered := s.conversation(a, "open", d.Add(time.Hour), msg{role: "visitor", text: "What are your hours?", at: d.Add(time.Hour)}, msg{role: "assistant", text: long, at: d.Add(2 * time.Hour)})
	lead := s.lead(a, answered, "Ana Perez", "ana@example.com", d.Add(2*time.Hour))
	// Stored in E.164, as the lead hook stores it; the trigger reindexes the lead.
	if _, err := f.App.DB().Update("leads", dbx.Params{"phone": "+15035550142"}, dbx.HashExp{"id": lead}).Execute(); err != nil {
		t.Fatal(err)
	}
	s.booking(a, answered, d.Add(2*time.Hour))
	waiting := s.conversation(a, "needs_human", d, msg{role: "visitor", text: "Can I talk to a person?", at: d.Add(time.Hour)})
	longest := s.conversation(a, "needs_human", d, msg{role: "visitor", text: "Hello? A human please", at: d.Add(30 * time.Minute)})
	closed := s.conversation(a, "closed", d, msg{role: "visitor", text: "I am 100% sure_thing", at: d.Add(3 * time.Hour)})
	// Late on the 9th in Los Angeles, though the 10th in UTC.
	yesterday := s.conversation(a, "open", d.Add(-30*time.Minute), msg{role: "visitor", text: "Do you take Delta?", at: d.Add(-30 * time.Minute)})
	s.lead(a, yesterday, "Zoë Quint", "zq@example.com", d.Add(-30*time.Minute))
	other := s.conversation(f.B.Id, "needs_human", d, msg{role: "visitor", text: "hours?", at: d})
	// The waits: the one who asked first is first.
	for id, asked := range map[string]time.Time{waiting: d.Add(time.Hour), longest: d.Add(30 * time.Minute)} {
		if _, err := f.App.DB().Update("conversations", dbx.Params{"needs_human_at": at(asked), "updated": at(d.Add(4 * time.Hour))}, dbx.HashExp{"id": id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}

	admin, err := f.App.FindFirstRecordByData("staff", "email", "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.DB().Update("conversations", dbx.Params{"assigned_to": admin.Id}, dbx.HashExp{"id": answered}).Execute(); err != nil {
		t.Fatal(err)
	}

	get := func(actor, query string) inboxPage {
		t.Helper()
		rec := f.Do("GET", "/api/frontdesk/inbox"+query, "", actor)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s %s: %d %s", actor, query, rec.Code, rec.Body.String())
		}
		var p inboxPage
		decode(t, rec.Body.Bytes(), &p)
		return p
	}
	ids := func(p inboxPage) []string {
		var out []string
		for _, it := range p.Items {
			out = append(out, it.ID)
		}
		return out
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{longest, waiting, closed, answered, yesterday}},
		{"?filter=all", []string{longest, waiting, closed, answered, yesterday}},
		{"?filter=needs_human", []string{longest, waiting}},
		{"?filter=has_lead", []string{answered, yesterday}},
		{"?from=2026-11-10", []string{longest, waiting, closed, answered}},
		{"?to=2026-11-09", []string{yesterday}},
		{"?from=2026-11-09&to=2026-11-09", []string{yesterday}},
		{"?q=HOURS", []string{answered}},
		{"?q=hou", []string{answered}},
		{"?q=100%25", []string{closed}},
		{"?q=sure_thing", []string{closed}},
		{"?q=quint", []string{yesterday}},
		{"?q=zq@example", []string{yesterday}},
		{"?q=zoe", []string{yesterday}},
		{"?q=P%C3%89REZ", []string{answered}},
		{"?q=take+delta", []string{yesterday}},
		{"?q=nothing+like+it", nil},
		{"?q=(503)+555-0142", []string{answered}},
		{"?q=503.555.0142", []string{answered}},
		{"?q=%2B1+503+555+0142", []string{answered}},
		{"?q=15035550142", []string{answered}},
		{"?q=(503)+555-0199", nil},
		// Every word in one message or lead: these are in two.
		{"?q=hours+delta", nil},
		// Punctuation alone is no word.
		{"?q=_", nil},
		{"?q=%25", nil},
		// What a visitor may have written is words, never query syntax.
		{`?q="`, nil},
		{`?q="hours`, []string{answered}},
		{"?q=*", nil},
		{"?q=NEAR(", nil},
		{"?q=NEAR(hours", nil},
		{"?q=hours+OR+delta", nil},
		{"?q=-hours", []string{answered}},
		{"?q=^hours", []string{answered}},
		{"?q=text:hours", nil},
		{"?q=hours)", []string{answered}},
		{"?q=AND", nil},
		{"?q=hours%00delta", nil},
		{"?q=hou%00", []string{answered}},
		{"?q=%FF%FE", nil},
		{"?perPage=2&page=2", []string{closed, answered}},
	} {
		if got := ids(get(tests.Viewer, c.query)); strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
	}
	p := get(tests.Owner, "?perPage=2&page=2")
	if p.Page != 2 || p.PerPage != 2 || p.TotalItems != 5 {
		t.Errorf("paging %d/%d of %d", p.Page, p.PerPage, p.TotalItems)
	}
	if p := get(tests.Owner, "?perPage=2&page=9"); len(p.Items) != 0 || p.TotalItems != 5 {
		t.Errorf("past the end: %d items of %d", len(p.Items), p.TotalItems)
	}
	it := get(tests.Admin, "?filter=has_lead").Items[0]
	if it.Preview != strings.Repeat("é", 140) || !it.HasBooking || it.Lead == nil || it.Lead.Name != "Ana Perez" || it.Lead.Status != "new" || it.MessageCount != 1 || it.Status != "open" || it.LastMessageAt != at(d.Add(2*time.Hour)) || it.AssignedTo != admin.Id {
		t.Errorf("item %+v", it)
	}
	if it := get(tests.Admin, "?filter=needs_human").Items[0]; it.Lead != nil || it.HasBooking || it.Preview != "Hello? A human please" || it.NeedsHumanAt != at(d.Add(30*time.Minute)) {
		t.Errorf("item without lead %+v", it)
	}
	if got := ids(get(tests.OtherOwner, "")); len(got) != 1 || got[0] != other {
		t.Errorf("another practice's inbox %v", got)
	}
	if got := ids(get(tests.OtherOwner, "?q=hours")); len(got) != 1 || got[0] != other {
		t.Errorf("another practice's search %v", got)
	}
	su := tests.AsSuperuser(t, f.App, f.H)
	if rec := su("GET", "/api/frontdesk/inbox?business="+f.B.Id, nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), other) {
		t.Errorf("superuser: %d %s", rec.Code, rec.Body.String())
	}

	for _, q := range []string{"?q=" + strings.Repeat("a", 201), "?filter=mine", "?perPage=1000", "?perPage=0", "?page=0", "?page=x", "?from=yesterday", "?to=2026-13-01"} {
		rec := f.Do("GET", "/api/frontdesk/inbox"+q, "", tests.Owner)
		if rec.Code != http.StatusBadRequest || code(t, rec.Body.Bytes()) != "invalid_input" {
			t.Errorf("%s: %d %s", q, rec.Code, rec.Body.String())
		}
	}
	if rec := f.Do("GET", "/api/frontdesk/inbox", "", tests.Anonymous); rec.Code != http.StatusUnauthorized || code(t, rec.Body.Bytes()) != "unauthorized" {
		t.Errorf("anonymous: %d %s", rec.Code, rec.Body.String())
	}

	// Every read is audited with its count, never with what was searched.
	entries := auditEntries(t, f, "list")
	if len(entries) == 0 || entries[0] != a+" inbox (5 records)" {
		t.Fatalf("audit %v", entries)
	}
	for _, e := range entries {
		if strings.Contains(e, "quint") || strings.Contains(e, "hours") {
			t.Fatalf("an audit entry holds the search: %s", e)
		}
	}
}
