package hooks

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/audit"
	"frontdesk/hooks/lifecycle"
)

// lifecycleAudit writes the lifecycle's entries (retention, erasure, practice deletion,
// export) to the audit chain, and prunes the chain's entries older than the six years
// retention keeps them (lifecycle.AuditPruner).
type lifecycleAudit struct{ a *audit.Auditor }

// LifecycleAudit is the audit chain a as the lifecycle's Auditor and AuditPruner: what
// Register hands lifecycle.Bind, for tests that bind it with options of their own.
func LifecycleAudit(a *audit.Auditor) lifecycle.Auditor { return lifecycleAudit{a} }

// Record implements lifecycle.Auditor.
func (l lifecycleAudit) Record(e lifecycle.AuditEntry) error {
	return l.a.Record(e.Business, e.Actor, e.Action, e.Target, e.IP)
}

// PruneBefore implements lifecycle.AuditPruner.
func (l lifecycleAudit) PruneBefore(t time.Time) (int, error) { return l.a.PruneBefore(t) }

// RunRetention applies every practice's retention now (`frontdesk retention run`),
// beside a running server or not, and audits it.
func RunRetention(app core.App) (lifecycle.Report, error) {
	return lifecycle.RunRetention(app, lifecycle.Options{Auditor: lifecycleAudit{audit.New(app)}})
}
