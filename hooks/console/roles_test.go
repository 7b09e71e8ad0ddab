package console_test

import (
	"net/http"
	"testing"

	"frontdesk/models"
	"frontdesk/tests"
)

// Roles are the owners' to change, through the team route or the record API alike: an
// admin can't promote a viewer, demote another admin or make themselves owner.
func TestOnlyOwnersChangeRolesThroughTheRecordAPI(t *testing.T) {
	f := tests.NewPractices(t)
	other := f.Create(t, models.StaffCollection, map[string]any{"business": f.A.Id, "role": models.RoleAdmin, "name": "Second admin", "email": "second@example.com", "password": "correct horse battery"})
	viewer, err := f.App.FindAuthRecordByEmail(models.StaffCollection, "viewer@example.com")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := f.App.FindAuthRecordByEmail(models.StaffCollection, "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what, id, role string
	}{
		{"promote a viewer", viewer.Id, models.RoleAdmin},
		{"demote another admin", other.Id, models.RoleViewer},
		{"make themselves owner", admin.Id, models.RoleOwner},
	} {
		rec := f.Do(http.MethodPatch, "/api/collections/staff/records/"+c.id, `{"role":"`+c.role+`"}`, tests.Admin)
		if rec.Code == http.StatusOK {
			t.Errorf("an admin could %s: %s", c.what, rec.Body)
		}
		r, err := f.App.FindRecordById(models.StaffCollection, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if r.GetString("role") == c.role {
			t.Errorf("after an admin tried to %s, the role is %s", c.what, c.role)
		}
	}
	// An admin still edits a viewer's name; an owner changes the viewer's role.
	if rec := f.Do(http.MethodPatch, "/api/collections/staff/records/"+viewer.Id, `{"name":"Front desk"}`, tests.Admin); rec.Code != http.StatusOK {
		t.Errorf("an admin renaming a viewer: %d %s", rec.Code, rec.Body)
	}
	if rec := f.Do(http.MethodPatch, "/api/collections/staff/records/"+viewer.Id, `{"role":"admin"}`, tests.Owner); rec.Code != http.StatusOK {
		t.Errorf("an owner promoting a viewer: %d %s", rec.Code, rec.Body)
	}
}
