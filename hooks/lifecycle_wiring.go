package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/audit"
	"frontdesk/hooks/lifecycle"
)

// lifecycleAudit writes the lifecycle's entries (retention, erasure, practice deletion,
// export) to the audit chain.
type lifecycleAudit struct{ a *audit.Auditor }

// Record implements lifecycle.Auditor.
func (l lifecycleAudit) Record(e lifecycle.AuditEntry) error {
	return l.a.Record(e.Business, e.Actor, e.Action, e.Target, e.IP)
}

// RunRetention applies every practice's retention now (`frontdesk retention run`),
// beside a running server or not, and audits it.
func RunRetention(app core.App) (lifecycle.Report, error) {
	return lifecycle.RunRetention(app, lifecycle.Options{Auditor: lifecycleAudit{audit.New(app)}})
}
