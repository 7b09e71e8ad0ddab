package lifecycle_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"frontdesk/hooks"
	"frontdesk/hooks/jobs"
	"frontdesk/hooks/lifecycle"
	"frontdesk/tests"
)

const day = 24 * time.Hour

func TestRetentionDeletesWhatIsOlderThanThePracticeKeeps(t *testing.T) {
	// Without the alerts, whose entries for the fixture's records would carry today's
	// date, long before the fixture's clock: the outbox holds the test's entries only.
	f := newFixture(t, tests.Options{Configure: func(c *hooks.Config) { c.Skip.Alerts = true }})
	f.bookingsCollection()
	f.demo.Set("retention_days", 30)
	f.demo.Set("lead_retention_days", 90)
	if err := f.app.Save(f.demo); err != nil {
		t.Fatal(err)
	}

	stale := f.conversation(f.demo, t0.Add(-31*day), "hello", "are you open?", "thanks")
	idle := f.conversation(f.demo, t0.Add(-40*day)) // never had a message
	if _, err := f.app.DB().NewQuery("UPDATE conversations SET last_message_at = '' WHERE id = {:id}").Bind(map[string]any{"id": idle.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	recent := f.conversation(f.demo, t0.Add(-29*day), "still talking")
	otherOld := f.conversation(f.other, t0.Add(-400*day), "no retention here")

	oldLead := f.lead(f.demo, stale, t0.Add(-100*day), "Old Lead", "old@example.com", "+15035550101")
	keptLead := f.lead(f.demo, stale, t0.Add(-60*day), "Kept Lead", "kept@example.com", "+15035550102")
	pastBooking := f.booking(f.demo, map[string]any{"lead": oldLead.Id, "service": "Cleaning"}, t0.Add(-100*day))
	lastMonth := f.booking(f.demo, map[string]any{"service": "Cleaning"}, t0.Add(-10*day))
	upcoming := f.booking(f.demo, map[string]any{"service": "Cleaning"}, t0.Add(10*day))
	outbox := func(status string, created time.Time) *core.Record {
		r := f.create("outbox", map[string]any{"business": f.demo.Id, "channel": "sms", "event": "booking.text_confirmed", "to": "+15035550101", "status": status})
		f.backdate("outbox", r.Id, map[string]time.Time{"created": created, "updated": created})
		return r
	}
	oldText, oldPending, newText := outbox("sent", t0.Add(-31*day)), outbox("pending", t0.Add(-31*day)), outbox("sent", t0.Add(-29*day))

	rep, err := f.m.RunRetention(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := lifecycle.Report{Practices: 1, Conversations: 2, Messages: 3, Leads: 1, Bookings: 1, Outbox: 1}
	if rep != want {
		t.Errorf("report %+v; want %+v", rep, want)
	}
	for _, c := range []struct {
		collection, id, what string
		kept                 bool
	}{
		{"conversations", stale.Id, "a conversation silent for 31 days", false},
		{"conversations", idle.Id, "a conversation without messages unchanged for 40 days", false},
		{"conversations", recent.Id, "a conversation active 29 days ago", true},
		{"conversations", otherOld.Id, "a practice without retention's conversation", true},
		{"leads", oldLead.Id, "a lead of 100 days (lead retention 90)", false},
		{"leads", keptLead.Id, "a lead of 60 days whose conversation went", true},
		{"bookings", pastBooking.Id, "a booking that ended 100 days ago", false},
		{"bookings", lastMonth.Id, "a booking that ended 10 days ago", true},
		{"bookings", upcoming.Id, "an upcoming booking", true},
		{"outbox", oldText.Id, "a text sent 31 days ago", false},
		{"outbox", oldPending.Id, "a text still waiting to be sent", true},
		{"outbox", newText.Id, "a text sent 29 days ago", true},
	} {
		if got := f.exists(c.collection, c.id); got != c.kept {
			t.Errorf("%s: kept %v; want %v", c.what, got, c.kept)
		}
	}
	if n := f.count("messages", f.demo); n != 1 {
		t.Errorf("%d demo messages left; want the recent conversation's 1", n)
	}
	if kept, _ := f.app.FindRecordById("leads", keptLead.Id); kept != nil && kept.GetString("conversation") != "" {
		t.Error("the kept lead still links its deleted conversation")
	}
	// The inbox's search index forgets what went and keeps what stays.
	terms := tests.SearchTerms(t, f.app)
	for w, kept := range map[string]bool{"hello": false, "thanks": false, "old": false, "talking": true, "retention": true, "kept": true} {
		if terms[w] != kept {
			t.Errorf("the search index lists %q: %v; want %v", w, terms[w], kept)
		}
	}

	entries := f.audit.actions("retention")
	if len(entries) != 2 {
		t.Fatalf("retention entries %+v; want the practice's and the run's", entries)
	}
	if e := entries[0]; e.Business != f.demo.Id || e.Target != "deleted 2 conversations, 3 messages, 1 leads, 1 bookings, 1 outbox entries" {
		t.Errorf("practice entry %+v", e)
	}
	if e := entries[1]; e.Business != "" || !strings.HasPrefix(e.Target, "1 practices: deleted 2 conversations") {
		t.Errorf("run entry %+v", e)
	}
	if len(f.audit.pruned) != 1 || !f.audit.pruned[0].Equal(t0.AddDate(-6, 0, 0)) {
		t.Errorf("audit pruned before %v; want once, six years before now", f.audit.pruned)
	}

	t.Run("a second run deletes nothing more", func(t *testing.T) {
		rep, err := f.m.RunRetention(context.Background())
		if err != nil || rep != (lifecycle.Report{Practices: 1}) {
			t.Errorf("second run: %+v, %v", rep, err)
		}
	})

	t.Run("the clock moves on", func(t *testing.T) {
		f.clock.Advance(31 * day)
		rep, err := lifecycle.RunRetention(f.app, lifecycle.Options{Auditor: f.audit, Now: f.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Conversations != 1 || rep.Leads != 1 || rep.Bookings != 0 {
			t.Errorf("a month later: %+v; want the then-stale conversation and the 91-day lead", rep)
		}
		if f.exists("conversations", recent.Id) || f.exists("leads", keptLead.Id) {
			t.Error("records past their period are still there")
		}
	})
}

func TestRetentionKeepsEverythingWithoutAPeriod(t *testing.T) {
	f := newFixture(t)
	f.demo.Set("retention_days", nil)
	if err := f.app.Save(f.demo); err != nil {
		t.Fatal(err)
	}
	c := f.conversation(f.demo, t0.Add(-3000*day), "very old")
	l := f.lead(f.demo, c, t0.Add(-3000*day), "Very Old", "", "")
	rep, err := f.m.RunRetention(context.Background())
	if err != nil || rep.Practices != 0 || !f.exists("conversations", c.Id) || !f.exists("leads", l.Id) {
		t.Errorf("no retention set: %+v, %v; want nothing deleted", rep, err)
	}
}

// A lead period alone (retention_days empty) deletes leads and keeps conversations.
func TestRetentionOfLeadsAlone(t *testing.T) {
	f := newFixture(t)
	f.demo.Set("retention_days", nil)
	f.demo.Set("lead_retention_days", 30)
	if err := f.app.Save(f.demo); err != nil {
		t.Fatal(err)
	}
	c := f.conversation(f.demo, t0.Add(-300*day), "old")
	l := f.lead(f.demo, c, t0.Add(-300*day), "Old", "", "")
	if _, err := f.m.RunRetention(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !f.exists("conversations", c.Id) || f.exists("leads", l.Id) {
		t.Error("lead_retention_days alone: want the lead deleted and the conversation kept")
	}
}

// PocketBase removes a deleted record's files in the background after the delete
// commits; a process that exits first (the retention command) leaves them behind. The
// run sweeps such files once they are older than an hour.
func TestRetentionSweepsFilesOfDeletedRecords(t *testing.T) {
	f := newFixture(t)
	file, err := filesystem.NewFileFromBytes([]byte("price list"), "prices.txt")
	if err != nil {
		t.Fatal(err)
	}
	gone := f.create("documents", map[string]any{"business": f.demo.Id, "title": "Prices", "file": file})
	file2, _ := filesystem.NewFileFromBytes([]byte("fresh upload"), "fresh.txt")
	fresh := f.create("documents", map[string]any{"business": f.demo.Id, "title": "Fresh", "file": file2})
	file3, _ := filesystem.NewFileFromBytes([]byte("kept"), "kept.txt")
	kept := f.create("documents", map[string]any{"business": f.demo.Id, "title": "Kept", "file": file3})

	storage := filepath.Join(f.app.DataDir(), "storage")
	dir := func(r *core.Record) string { return filepath.Join(storage, r.BaseFilesPath()) }
	// The rows vanish without PocketBase's delete, as if its file cleanup never ran.
	for _, r := range []*core.Record{gone, fresh} {
		if _, err := f.app.DB().NewQuery("DELETE FROM documents WHERE id = {:id}").Bind(map[string]any{"id": r.Id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	old := t0.Add(-2 * time.Hour)
	for _, r := range []*core.Record{gone, kept} {
		entries, _ := os.ReadDir(dir(r))
		for _, e := range entries {
			_ = os.Chtimes(filepath.Join(dir(r), e.Name()), old, old)
		}
	}
	recentMod := t0.Add(-10 * time.Minute)
	entries, _ := os.ReadDir(dir(fresh))
	for _, e := range entries {
		_ = os.Chtimes(filepath.Join(dir(fresh), e.Name()), recentMod, recentMod)
	}

	rep, err := f.m.RunRetention(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 1 {
		t.Errorf("files swept: %d; want 1", rep.Files)
	}
	if _, err := os.Stat(dir(gone)); !os.IsNotExist(err) {
		t.Error("the orphaned file of a deleted document is still stored")
	}
	if _, err := os.Stat(dir(fresh)); err != nil {
		t.Error("a file younger than an hour was swept (its record may not have committed yet)")
	}
	if _, err := os.Stat(dir(kept)); err != nil {
		t.Error("the file of an existing document was swept")
	}
}

// The daily job is registered on PocketBase's cron and runs the same retention when
// the runner picks it up.
func TestRetentionRunsAsAJob(t *testing.T) {
	f := newFixture(t)
	found := false
	for _, j := range f.app.Cron().Jobs() {
		if j.Id() == "jobs:retention" {
			found = j.Expression() == lifecycle.DefaultRetentionCron
		}
	}
	if !found {
		t.Fatalf("no cron job jobs:retention at %q", lifecycle.DefaultRetentionCron)
	}
	stale := f.conversation(f.demo, t0.Add(-400*day), "old") // the demo keeps 365 days
	if _, err := jobs.Enqueue(f.app, lifecycle.KindRetention, "cron:retention", nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for f.exists("conversations", stale.Id) {
		if time.Now().After(deadline) {
			t.Fatal("the retention job did not run within 20s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
