package lifecycle_test

import (
	"context"
	"testing"
	"time"

	"frontdesk/hooks"
	"frontdesk/hooks/audit"
	"frontdesk/hooks/lifecycle"
	"frontdesk/models"
)

// The retention job keeps audit entries six years whatever a practice's retention, then
// prunes them behind a checkpoint: `audit verify` passes after the prune, and fails
// when the trail is tampered with afterwards.
func TestRetentionPrunesAuditEntriesAfterSixYearsKeepingTheChain(t *testing.T) {
	f := newFixture(t)
	f.demo.Set("retention_days", 1) // the shortest retention: audit entries stay all the same
	if err := f.app.Save(f.demo); err != nil {
		t.Fatal(err)
	}
	auditor := audit.New(f.app)
	for i := range 3 {
		if err := auditor.Record(f.demo.Id, "staff:x", "export", "test entry", ""); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	run := func(now time.Time) lifecycle.Report {
		t.Helper()
		m, err := lifecycle.New(f.app, lifecycle.Options{Auditor: hooks.LifecycleAudit(auditor), Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := m.RunRetention(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	verify := func() *audit.Break {
		t.Helper()
		_, broken, err := audit.Verify(f.app)
		if err != nil {
			t.Fatal(err)
		}
		return broken
	}
	count := func() int {
		t.Helper()
		n, err := f.app.CountRecords(models.AuditCollection)
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}

	// Five years and 364 days on: every entry is kept.
	before := count()
	if rep := run(time.Now().AddDate(lifecycle.AuditKeepYears, 0, -1)); rep.AuditPruned != 0 {
		t.Fatalf("pruned %d entries younger than %d years", rep.AuditPruned, lifecycle.AuditKeepYears)
	}
	if got := count(); got <= before {
		t.Fatalf("entries %d -> %d: the run was not audited, or something was pruned", before, got)
	}

	// Six years and a day on: all of them go, behind a checkpoint.
	written := count()
	rep := run(time.Now().AddDate(lifecycle.AuditKeepYears, 0, 1))
	// The run's per-practice entries are written before the prune, so they go too.
	if rep.AuditPruned < written {
		t.Fatalf("pruned %d entries; want at least the %d written before the run", rep.AuditPruned, written)
	}
	recs, err := f.app.FindRecordsByFilter(models.AuditCollection, "", "seq", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].GetString("action") != "audit_pruned" || recs[1].GetString("action") != "retention" {
		var got []string
		for _, r := range recs {
			got = append(got, r.GetString("action"))
		}
		t.Fatalf("left after the prune: %v; want the checkpoint and the run's own entry", got)
	}
	if b := verify(); b != nil {
		t.Fatalf("audit verify after the prune: %+v", b)
	}

	// Tampering after the prune is still caught.
	if _, err := f.app.DB().NewQuery("UPDATE audit_log SET target = 'deleted 0 conversations' WHERE id = {:id}").
		Bind(map[string]any{"id": recs[1].Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if b := verify(); b == nil {
		t.Fatal("an entry changed after the prune was not caught")
	}
}
