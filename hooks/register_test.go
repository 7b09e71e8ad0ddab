package hooks_test

import (
	"testing"

	"github.com/pocketbase/dbx"

	"frontdesk/models"
	"frontdesk/tests"
)

// Register binds the alerts: a visitor's contact request puts an alert for the
// practice's owner in the outbox, with its send job.
func TestRegisterBindsAlerts(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	b, err := v.App.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
	if err != nil {
		t.Fatal(err)
	}
	owner := tests.NewRecord(t, v.App, models.StaffCollection, map[string]any{"business": b.Id, "role": models.RoleOwner, "email": "owner@example.com", "notify_email": true, "verified": true})
	owner.SetPassword("correct horse battery")
	if err := v.App.Save(owner); err != nil {
		t.Fatal(err)
	}
	id, tok := v.Start()
	v.PostLead(id, tok, `{"name":"Ana Ruiz","email":"ana@example.com"}`)
	n, err := v.App.CountRecords(models.OutboxCollection, dbx.HashExp{"event": "lead.created", "channel": "email"})
	if err != nil || n != 1 {
		t.Fatalf("lead.created email alerts in the outbox: %d, %v", n, err)
	}
}
