package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// staffMFARule is who must pass a second factor at login: the owners and admins of a
// practice that requires it (PocketBase evaluates the collection's MFA rule against the
// staff record signing in; viewers and practices that don't require it log in with one).
const staffMFARule = `role != "viewer" && business.require_mfa = true`

// A practice holding patient data can require its owners and admins to sign in with a
// one-time code emailed to them besides their password: PocketBase's own multi-factor
// login, with email OTP as the second method.
func init() {
	m.Register(func(app core.App) error {
		businesses, err := app.FindCollectionByNameOrId("businesses")
		if err != nil {
			return err
		}
		businesses.Fields.Add(&core.BoolField{Name: "require_mfa", Help: "Owners and admins sign in with their password and a code emailed to them (needs the mail settings)."})
		if err := app.Save(businesses); err != nil {
			return err
		}
		staff, err := app.FindCollectionByNameOrId("staff")
		if err != nil {
			return err
		}
		staff.OTP.Enabled = true
		staff.OTP.Length = 6
		staff.OTP.Duration = 300
		staff.MFA.Enabled = true
		staff.MFA.Rule = staffMFARule
		return app.Save(staff)
	}, func(app core.App) error {
		staff, err := app.FindCollectionByNameOrId("staff")
		if err != nil {
			return err
		}
		staff.MFA.Enabled, staff.MFA.Rule = false, ""
		staff.OTP.Enabled = false
		if err := app.Save(staff); err != nil {
			return err
		}
		businesses, err := app.FindCollectionByNameOrId("businesses")
		if err != nil {
			return err
		}
		businesses.Fields.RemoveByName("require_mfa")
		return app.Save(businesses)
	})
}
