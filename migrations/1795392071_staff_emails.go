package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The emails PocketBase sends staff read as their practice's console: the password reset
// opens the console's own reset page, and {PRACTICE_NAME} is filled in by the console
// capability (hooks/console) when the mail is sent.
var staffTemplates = struct{ reset, verification, emailChange, otp core.EmailTemplate }{
	reset: core.EmailTemplate{
		Subject: "Set your password for the {PRACTICE_NAME} console",
		Body: `<p>Hello {RECORD:name},</p>
<p>Choose a password for the {PRACTICE_NAME} staff console with the button below. The link works once and expires soon.</p>
<p><a class="btn" href="{APP_URL}/console/#/reset/{TOKEN}" target="_blank" rel="noopener">Set password</a></p>
<p><i>If you didn't ask for this, you can ignore this email: your password stays as it is.</i></p>
<p>{PRACTICE_NAME}</p>`,
	},
	verification: core.EmailTemplate{
		Subject: "Confirm your email for the {PRACTICE_NAME} console",
		Body: `<p>Hello {RECORD:name},</p>
<p>Confirm this address for your {PRACTICE_NAME} staff console account with the button below.</p>
<p><a class="btn" href="{APP_URL}/_/#/auth/confirm-verification/{TOKEN}" target="_blank" rel="noopener">Confirm email</a></p>
<p><i>If you don't work with {PRACTICE_NAME}, you can ignore this email.</i></p>
<p>{PRACTICE_NAME}</p>`,
	},
	emailChange: core.EmailTemplate{
		Subject: "Confirm your new email for the {PRACTICE_NAME} console",
		Body: `<p>Hello {RECORD:name},</p>
<p>Confirm the new address of your {PRACTICE_NAME} staff console account with the button below.</p>
<p><a class="btn" href="{APP_URL}/_/#/auth/confirm-email-change/{TOKEN}" target="_blank" rel="noopener">Confirm new email</a></p>
<p><i>If you didn't ask to change it, you can ignore this email.</i></p>
<p>{PRACTICE_NAME}</p>`,
	},
	otp: core.EmailTemplate{
		Subject: "{OTP} is your {PRACTICE_NAME} console sign-in code",
		Body: `<p>Hello {RECORD:name},</p>
<p>Your code to sign in to the {PRACTICE_NAME} staff console is: <strong>{OTP}</strong></p>
<p>It expires in a few minutes. <i>If you didn't just sign in, change your password: someone else knows it.</i></p>
<p>{PRACTICE_NAME}</p>`,
	},
}

func init() {
	m.Register(func(app core.App) error {
		staff, err := app.FindCollectionByNameOrId("staff")
		if err != nil {
			return err
		}
		staff.ResetPasswordTemplate = staffTemplates.reset
		staff.VerificationTemplate = staffTemplates.verification
		staff.ConfirmEmailChangeTemplate = staffTemplates.emailChange
		staff.OTP.EmailTemplate = staffTemplates.otp
		return app.Save(staff)
	}, func(app core.App) error {
		staff, err := app.FindCollectionByNameOrId("staff")
		if err != nil {
			return err
		}
		// PocketBase's defaults, as a new auth collection has them.
		defaults := core.NewAuthCollection("defaults")
		staff.ResetPasswordTemplate = defaults.ResetPasswordTemplate
		staff.VerificationTemplate = defaults.VerificationTemplate
		staff.ConfirmEmailChangeTemplate = defaults.ConfirmEmailChangeTemplate
		staff.OTP.EmailTemplate = defaults.OTP.EmailTemplate
		return app.Save(staff)
	})
}
