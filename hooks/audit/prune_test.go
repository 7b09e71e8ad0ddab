package audit_test

import (
	"strings"
	"testing"
	"time"

	"frontdesk/hooks/audit"
	"frontdesk/models"
	"frontdesk/tests"
)

// firstEntry is the oldest entry left in the trail: its seq, action and target.
func firstEntry(t *testing.T, f *tests.Practices) (seq int, action, target string) {
	t.Helper()
	recs, err := f.App.FindRecordsByFilter(models.AuditCollection, "", "seq", 1, 0)
	if err != nil || len(recs) == 0 {
		t.Fatalf("no audit entries: %v", err)
	}
	return recs[0].GetInt("seq"), recs[0].GetString("action"), recs[0].GetString("target")
}

// Pruning drops the oldest entries and leaves a checkpoint that keeps the rest of the
// chain verifiable; editing the checkpoint, or deleting one entry more from the start,
// is caught.
func TestPruneKeepsTheChainVerifiable(t *testing.T) {
	f := tests.NewPractices(t)
	f.ListLeads(t, 6)
	total, broken, err := audit.Verify(f.App)
	if err != nil || broken != nil || total < 6 {
		t.Fatalf("intact chain: %d entries, %+v %v", total, broken, err)
	}
	// Everything written before entry 4 goes.
	r, err := f.App.FindFirstRecordByData(models.AuditCollection, "seq", 4)
	if err != nil {
		t.Fatal(err)
	}
	cut, err := time.Parse(time.RFC3339Nano, r.GetString("at"))
	if err != nil {
		t.Fatal(err)
	}
	a := audit.New(f.App)
	n, err := a.PruneBefore(cut)
	if err != nil || n < 1 || n > 3 {
		t.Fatalf("pruned %d entries (%v); want 1 to 3", n, err)
	}
	if seq, _, _ := firstEntry(t, f); seq != n+1 {
		t.Fatalf("first entry left is %d after pruning %d", seq, n)
	}
	cp, err := f.App.FindFirstRecordByData(models.AuditCollection, "action", "audit_pruned")
	if err != nil {
		t.Fatalf("no checkpoint entry: %v", err)
	}
	if !strings.Contains(cp.GetString("target"), "through seq ") {
		t.Errorf("checkpoint target %q", cp.GetString("target"))
	}
	checked, broken, err := audit.Verify(f.App)
	if err != nil || broken != nil {
		t.Fatalf("pruned chain reported broken: %+v %v", broken, err)
	}
	if checked != total-n+1 {
		t.Errorf("verify checked %d entries; want %d", checked, total-n+1)
	}
	// Nothing older than the cut is left: a second prune removes nothing.
	if again, err := a.PruneBefore(cut); err != nil || again != 0 {
		t.Errorf("second prune removed %d (%v)", again, err)
	}
	// Writing on after pruning keeps verifying.
	f.ListLeads(t, 2)
	if _, broken, err := audit.Verify(f.App); err != nil || broken != nil {
		t.Fatalf("chain written on after pruning reported broken: %+v %v", broken, err)
	}

	// Tampering after the prune: the checkpoint's record changed...
	target := cp.GetString("target")
	if _, err := f.App.DB().NewQuery("UPDATE audit_log SET target = {:t} WHERE id = {:id}").
		Bind(map[string]any{"t": strings.Replace(target, "through seq ", "through seq 1", 1), "id": cp.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if _, broken, _ := audit.Verify(f.App); broken == nil {
		t.Fatal("an edited checkpoint was not caught")
	}
	if _, err := f.App.DB().NewQuery("UPDATE audit_log SET target = {:t} WHERE id = {:id}").
		Bind(map[string]any{"t": target, "id": cp.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if _, broken, _ := audit.Verify(f.App); broken != nil {
		t.Fatalf("restored checkpoint still broken: %+v", broken)
	}
	// ...or one more old entry deleted without a checkpoint.
	seq, _, _ := firstEntry(t, f)
	if _, err := f.App.DB().NewQuery("DELETE FROM audit_log WHERE seq = {:s}").Bind(map[string]any{"s": seq}).Execute(); err != nil {
		t.Fatal(err)
	}
	_, broken, _ = audit.Verify(f.App)
	if broken == nil || !strings.Contains(broken.Reason, "no checkpoint") {
		t.Fatalf("an entry deleted from the start was not caught: %+v", broken)
	}
}

// A prune with nothing old enough writes no checkpoint.
func TestPruneWithNothingOldChangesNothing(t *testing.T) {
	f := tests.NewPractices(t)
	f.ListLeads(t, 3)
	before := auditActions(t, f.App)
	n, err := audit.New(f.App).PruneBefore(time.Now().AddDate(-6, 0, 0))
	if err != nil || n != 0 {
		t.Fatalf("pruned %d (%v)", n, err)
	}
	if after := auditActions(t, f.App); len(after) != len(before) {
		t.Fatalf("entries %d -> %d", len(before), len(after))
	}
}
