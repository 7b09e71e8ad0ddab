package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Only a practice's owners change roles: an admin manages the team's details and invites
// admins and viewers (POST /api/frontdesk/team/invite), but could otherwise promote a
// viewer, or demote another admin, through the record API.
const staffUpdateOwnersRoles = `@request.auth.collectionName = "staff" && business = @request.auth.business && (id = @request.auth.id || @request.auth.role = "owner" || (@request.auth.role = "admin" && role != "owner")) && (@request.body.role:isset = false || @request.body.role = role || @request.auth.role = "owner")` + ruleKeepBiz

const staffUpdateAdminsRoles = `@request.auth.collectionName = "staff" && business = @request.auth.business && (id = @request.auth.id || @request.auth.role = "owner" || (@request.auth.role = "admin" && role != "owner")) && (@request.body.role:isset = false || @request.body.role = role || @request.auth.role = "owner" || (@request.auth.role = "admin" && @request.body.role != "owner"))` + ruleKeepBiz

func init() {
	m.Register(func(app core.App) error {
		return setStaffUpdateRule(app, staffUpdateOwnersRoles)
	}, func(app core.App) error {
		return setStaffUpdateRule(app, staffUpdateAdminsRoles)
	})
}

func setStaffUpdateRule(app core.App, rule string) error {
	c, err := app.FindCollectionByNameOrId("staff")
	if err != nil {
		return err
	}
	c.UpdateRule = ptr(rule)
	return app.Save(c)
}
