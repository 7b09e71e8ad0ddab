package lifecycle_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/lifecycle"
	"frontdesk/tests"
)

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// erasureFixture is one visitor, Ana, across the demo practice's records, beside
// records of other visitors and of another practice that must stay.
type erasureFixture struct {
	*fixture
	anaConv, anaMention, otherConv, otherPracticeConv *core.Record
	anaLead, legacyLead, otherLead, otherPracticeLead *core.Record
	anaBooking, otherBooking                          *core.Record
	anaGap, otherGap                                  *core.Record
	// Texts to her number, the record of her STOP, and the same for others.
	anaText, anaOptOut, otherText, otherPracticeOptOut *core.Record
}

func newErasureFixture(t *testing.T, lo ...lifecycle.Options) *erasureFixture {
	var o lifecycle.Options
	if len(lo) > 0 {
		o = lo[0]
	}
	f := &erasureFixture{fixture: newFixtureWith(t, tests.Options{}, o)}
	f.bookingsCollection()
	f.anaConv = f.conversation(f.demo, t0, "Hi, I'd like a cleaning", "Thursday works")
	// Another conversation where she typed her number instead of leaving details.
	f.anaMention = f.conversation(f.demo, t0, "call me back on (503) 555-0199 please")
	f.otherConv = f.conversation(f.demo, t0, "do you take Delta Dental?")
	f.otherPracticeConv = f.conversation(f.other, t0, "hola")

	f.anaLead = f.lead(f.demo, f.anaConv, t0, "Ana Perez", "ana.perez@example.com", "+15035550199")
	// From before phones were stored in E.164: as she typed it, and no conversation.
	f.legacyLead = f.lead(f.demo, nil, t0, "A. Perez", "", "")
	if _, err := f.app.DB().Update("leads", dbx.Params{"phone": "503 555 0199"}, dbx.HashExp{"id": f.legacyLead.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	f.otherLead = f.lead(f.demo, f.otherConv, t0, "Bo Chen", "bo@example.com", "+15035550123")
	f.otherPracticeLead = f.lead(f.other, f.otherPracticeConv, t0, "Ana Perez", "ana.perez@example.com", "+15035550199")

	f.anaBooking = f.booking(f.demo, map[string]any{"lead": f.anaLead.Id, "conversation": f.anaConv.Id, "service": "Cleaning", "calendar_event": "evt-ana"}, t0.Add(48*3600e9))
	f.otherBooking = f.booking(f.demo, map[string]any{"lead": f.otherLead.Id, "conversation": f.otherConv.Id, "service": "Cleaning", "calendar_event": "evt-bo"}, t0.Add(48*3600e9))

	f.anaGap = f.create("knowledge_gaps", map[string]any{"business": f.demo.Id, "question": "will ana.perez@example.com get a reminder", "count": 1})
	f.otherGap = f.create("knowledge_gaps", map[string]any{"business": f.demo.Id, "question": "do you offer sedation for kids", "count": 3})

	text := func(biz *core.Record, to, subject string) *core.Record {
		return f.create("outbox", map[string]any{"business": biz.Id, "channel": "sms", "event": "booking.text_confirmed", "to": to, "subject": subject, "status": "sent"})
	}
	f.anaText = text(f.demo, "+15035550199", f.anaBooking.Id)
	f.otherText = text(f.demo, "+15035550123", f.otherBooking.Id)
	f.anaOptOut = f.create("sms_optouts", map[string]any{"business": f.demo.Id, "phone": "+15035550199", "opted_out": true})
	f.otherPracticeOptOut = f.create("sms_optouts", map[string]any{"business": f.other.Id, "phone": "+15035550199", "opted_out": true})
	return f
}

// erase posts an erasure as actor and decodes the counts of a 200.
func (f *erasureFixture) erase(actor, body string) (int, lifecycle.ErasureCounts) {
	f.t.Helper()
	rec := f.do("POST", "/api/frontdesk/erasure", actor, body)
	var c lifecycle.ErasureCounts
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil {
			f.t.Fatalf("counts: %v: %s", err, rec.Body.String())
		}
	}
	return rec.Code, c
}

// gone checks which records are deleted (true) or kept (false).
func (f *erasureFixture) gone(want map[*core.Record]bool) {
	f.t.Helper()
	for r, deleted := range want {
		if f.exists(r.Collection().Name, r.Id) == deleted {
			f.t.Errorf("%s %s: deleted %v; want %v", r.Collection().Name, r.Id, !deleted, deleted)
		}
	}
}

func TestErasureByEmail(t *testing.T) {
	f := newErasureFixture(t)
	code, c := f.erase(owner, `{"email": " Ana.Perez@EXAMPLE.com "}`)
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	want := lifecycle.ErasureCounts{Conversations: 1, Messages: 2, Leads: 1, Bookings: 1, KnowledgeGaps: 1, Texts: 1, SMSOptOuts: 1}
	if c != want {
		t.Errorf("counts %+v; want %+v", c, want)
	}
	f.gone(map[*core.Record]bool{
		f.anaConv: true, f.anaLead: true, f.anaBooking: true, f.anaGap: true,
		// Found by phone only: an email request does not reach them.
		f.anaMention: false, f.legacyLead: false,
		f.otherConv: false, f.otherLead: false, f.otherBooking: false, f.otherGap: false,
		// The same person at another practice is that practice's to erase.
		f.otherPracticeConv: false, f.otherPracticeLead: false,
		// Her lead's number reaches the texts to it and her STOP, at this practice only.
		f.anaText: true, f.anaOptOut: true, f.otherText: false, f.otherPracticeOptOut: false,
	})
	if n, _ := f.app.CountRecords("messages", dbx.HashExp{"conversation": f.anaConv.Id}); n != 0 {
		t.Errorf("%d of her messages left", n)
	}

	// The booking's calendar event is queued for deletion, in the same transaction.
	var job struct {
		Kind    string `db:"kind"`
		Payload string `db:"payload"`
	}
	if err := f.app.DB().Select("kind", "payload").From("jobs").Where(dbx.HashExp{"kind": lifecycle.KindCalendarDelete}).One(&job); err != nil {
		t.Fatalf("no calendar deletion queued: %v", err)
	}
	if !strings.Contains(job.Payload, "evt-ana") || strings.Contains(job.Payload, "evt-bo") {
		t.Errorf("calendar job payload %s; want Ana's event only", job.Payload)
	}

	entries := f.audit.actions("erasure")
	if len(entries) != 1 {
		t.Fatalf("erasure entries: %+v", entries)
	}
	e := entries[0]
	if e.Business != f.demo.Id || !strings.HasPrefix(e.Actor, "staff:") || e.Target != "by email: 1 conversations, 2 messages, 1 leads, 1 bookings, 1 knowledge gaps, 1 texts, 1 sms opt-outs" {
		t.Errorf("audit entry %+v", e)
	}
	if strings.Contains(strings.ToLower(e.Target), "ana") || strings.Contains(e.Target, "0199") {
		t.Errorf("audit entry holds an identifier: %q", e.Target)
	}
}

func TestErasureByPhoneInAnotherFormat(t *testing.T) {
	f := newErasureFixture(t)
	code, c := f.erase(owner, `{"phone": "503.555.0199"}`)
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	// Her lead (E.164), the legacy lead (as typed), the conversation of the first and
	// the one where she wrote the number, their messages, her booking. The gap holds
	// her email, not her number.
	want := lifecycle.ErasureCounts{Conversations: 2, Messages: 3, Leads: 2, Bookings: 1, Texts: 1, SMSOptOuts: 1}
	if c != want {
		t.Errorf("counts %+v; want %+v", c, want)
	}
	f.gone(map[*core.Record]bool{
		f.anaConv: true, f.anaMention: true, f.anaLead: true, f.legacyLead: true, f.anaBooking: true,
		f.anaGap: false, f.otherConv: false, f.otherLead: false, f.otherBooking: false,
		f.otherPracticeConv: false, f.otherPracticeLead: false,
	})
	if e := f.audit.actions("erasure"); len(e) != 1 || strings.Contains(e[0].Target, "555") {
		t.Errorf("audit entries %+v", e)
	}
}

func TestErasureByConversation(t *testing.T) {
	f := newErasureFixture(t)
	code, c := f.erase(owner, `{"conversation": "`+f.otherConv.Id+`"}`)
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	// The conversation, its message, the lead left in it and that lead's booking; not
	// other leads with the lead's email, which anyone could have typed. The lead's
	// number takes the text sent to it.
	want := lifecycle.ErasureCounts{Conversations: 1, Messages: 1, Leads: 1, Bookings: 1, Texts: 1}
	if c != want {
		t.Errorf("counts %+v; want %+v", c, want)
	}
	f.gone(map[*core.Record]bool{
		f.otherConv: true, f.otherLead: true, f.otherBooking: true, f.otherText: true,
		f.anaConv: false, f.anaLead: false, f.anaBooking: false, f.otherGap: false, f.anaText: false, f.anaOptOut: false,
	})
}

func TestErasureWithEveryIdentifierAtOnce(t *testing.T) {
	f := newErasureFixture(t)
	code, c := f.erase(owner, `{"email": "ana.perez@example.com", "phone": "+1 503 555 0199", "conversation": "`+f.anaConv.Id+`"}`)
	want := lifecycle.ErasureCounts{Conversations: 2, Messages: 3, Leads: 2, Bookings: 1, KnowledgeGaps: 1, Texts: 1, SMSOptOuts: 1}
	if code != http.StatusOK || c != want {
		t.Errorf("%d %+v; want %+v", code, c, want)
	}
	if e := f.audit.actions("erasure"); len(e) != 1 || !strings.HasPrefix(e[0].Target, "by conversation+email+phone: ") {
		t.Errorf("audit entries %+v", e)
	}
}

// An erased visitor's words leave the inbox's full-text index with her records: the
// inbox no longer finds her, and the index lists none of her words and keeps no row of
// her messages or leads, while another visitor's words and the same name at another
// practice stay.
func TestErasureLeavesNothingInTheSearchIndex(t *testing.T) {
	f := newErasureFixture(t)
	var records []string
	if err := f.app.DB().NewQuery("SELECT id FROM messages WHERE conversation IN ({:a}, {:b})").
		Bind(dbx.Params{"a": f.anaConv.Id, "b": f.anaMention.Id}).Column(&records); err != nil || len(records) != 3 {
		t.Fatalf("her messages %v: %v", records, err)
	}
	records = append(records, f.anaLead.Id, f.legacyLead.Id)
	found := func(actor, q string) []string {
		t.Helper()
		rec := f.do("GET", "/api/frontdesk/inbox?q="+q, actor, "")
		var page struct{ Items []struct{ ID string } }
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("inbox %s: %d %s", q, rec.Code, rec.Body.String())
		}
		var ids []string
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		return ids
	}
	if got := found(owner, "thursday"); len(got) != 1 || got[0] != f.anaConv.Id {
		t.Fatalf("before the erasure the inbox finds %v; want her conversation", got)
	}
	hers := []string{"thursday", "cleaning", "works", "call", "please", "503", "0199"}
	terms := tests.SearchTerms(t, f.app)
	for _, w := range hers {
		if !terms[w] {
			t.Fatalf("before the erasure the index lacks %q", w)
		}
	}

	if code, _ := f.erase(owner, `{"email": "ana.perez@example.com", "phone": "+1 503 555 0199"}`); code != http.StatusOK {
		t.Fatalf("erasure: %d", code)
	}
	for _, q := range []string{"thursday", "perez", "0199", "ana.perez@example.com"} {
		if got := found(owner, q); len(got) != 0 {
			t.Errorf("after the erasure %q finds %v", q, got)
		}
	}
	terms = tests.SearchTerms(t, f.app)
	for _, w := range hers {
		if terms[w] {
			t.Errorf("after the erasure the index still lists %q", w)
		}
	}
	var left int
	if err := f.app.DB().Select("COUNT(*)").From("conversation_search_rows").Where(dbx.In("record", toAny(records)...)).Row(&left); err != nil || left != 0 {
		t.Errorf("%d index rows of her records left (%v)", left, err)
	}
	// What is not hers stays findable.
	if !terms["delta"] || !terms["perez"] {
		t.Errorf("the erasure took others' words: %v", terms)
	}
	if got := found(owner, "delta"); len(got) != 1 || got[0] != f.otherConv.Id {
		t.Errorf("another visitor: %v", got)
	}
	if got := found(otherOwner, "perez"); len(got) != 1 || got[0] != f.otherPracticeConv.Id {
		t.Errorf("the other practice's Ana Perez: %v", got)
	}
}

func TestErasureRefusesBadInputAndChangesNothing(t *testing.T) {
	f := newErasureFixture(t)
	before := map[string]int{}
	collections := []string{"conversations", "messages", "leads", "bookings", "knowledge_gaps"}
	for _, c := range collections {
		before[c] = f.count(c, f.demo)
	}
	for _, c := range []struct {
		body, code string
		status     int
	}{
		{`{}`, "invalid_input", 400},
		{`{"email": "", "phone": "  "}`, "invalid_input", 400},
		{`{"email": "not-an-address"}`, "invalid_input", 400},
		{`{"email": "ana.perez@example.com", "phone": "12"}`, "invalid_input", 400},
		{`{"email": 42}`, "invalid_input", 400},
		{`not json`, "invalid_input", 400},
		{`{"conversation": "nosuchconversation"}`, "not_found", 404},
		// Another practice's conversation is not this practice's to erase.
		{`{"conversation": "` + f.otherPracticeConv.Id + `"}`, "not_found", 404},
		{`{"email": "` + strings.Repeat("a", 5000) + `@example.com"}`, "too_long", 413},
	} {
		rec := f.do("POST", "/api/frontdesk/erasure", owner, c.body)
		if rec.Code != c.status {
			t.Errorf("%.60s: status %d; want %d (%s)", c.body, rec.Code, c.status, rec.Body.String())
			continue
		}
		if code, msg := errorCode(t, rec); code != c.code || msg == "" {
			t.Errorf("%.60s: %s %q; want code %s", c.body, code, msg, c.code)
		}
	}
	for _, c := range collections {
		if n := f.count(c, f.demo); n != before[c] {
			t.Errorf("%s: %d records, was %d", c, n, before[c])
		}
	}
	if e := f.audit.actions("erasure"); len(e) != 0 {
		t.Errorf("refused requests were audited as erasures: %+v", e)
	}
}

// A superuser operates every practice and names the one to act on.
func TestErasureBySuperuser(t *testing.T) {
	f := newErasureFixture(t)
	rec := f.do("POST", "/api/frontdesk/erasure", superuser, `{"email": "ana.perez@example.com"}`)
	if code, _ := errorCode(t, rec); rec.Code != 400 || code != "invalid_input" {
		t.Errorf("superuser without ?business: %d %s", rec.Code, rec.Body.String())
	}
	rec = f.do("POST", "/api/frontdesk/erasure?business="+f.other.Id, superuser, `{"email": "ana.perez@example.com"}`)
	if rec.Code != 200 {
		t.Fatalf("superuser: %d %s", rec.Code, rec.Body.String())
	}
	f.gone(map[*core.Record]bool{f.otherPracticeLead: true, f.otherPracticeConv: true, f.anaLead: false, f.anaConv: false})
	if e := f.audit.actions("erasure"); len(e) != 1 || e[0].Business != f.other.Id || !strings.HasPrefix(e[0].Actor, "_superusers:") {
		t.Errorf("audit entries %+v", e)
	}
}

// fakeCalendar records the events it is asked to delete.
type fakeCalendar struct {
	mu      sync.Mutex
	deleted []string
}

func (c *fakeCalendar) DeleteEvent(_ context.Context, business, event string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deleted = append(c.deleted, business+"/"+event)
	return nil
}

func (c *fakeCalendar) events() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.deleted...)
}

// With a calendar wired, the queued deletion of an erased booking's event runs.
func TestErasureDeletesTheCalendarEvent(t *testing.T) {
	cal := &fakeCalendar{}
	f := newErasureFixture(t, lifecycle.Options{Calendar: cal})
	if code, _ := f.erase(owner, `{"email": "ana.perez@example.com"}`); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(cal.events()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := cal.events(); len(got) != 1 || got[0] != f.demo.Id+"/evt-ana" {
		t.Errorf("calendar deletions %v; want Ana's event only", got)
	}
}

func TestBindNeedsAnAuditor(t *testing.T) {
	app := tests.NewApp(t, tests.Options{NoDemo: true})
	if _, err := lifecycle.Bind(app, lifecycle.Options{}); err == nil {
		t.Error("Bind without an Auditor succeeded: erasures and exports would go unaudited")
	}
}
