package notify

import (
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"frontdesk/internal/netguard"
	"frontdesk/internal/notify"
	"frontdesk/internal/phone"
	"frontdesk/models"
)

// bindSettings validates what staff set for alerts, and dates SMS consent.
func (m *Manager) bindSettings() {
	m.app.OnRecordCreate(models.StaffCollection).BindFunc(m.checkStaff)
	m.app.OnRecordUpdate(models.StaffCollection).BindFunc(m.checkStaff)
	// Before the secret is encrypted (hooks' secrets run at the default priority), so
	// the secret checked is the one typed.
	check := &hook.Handler[*core.RecordEvent]{Func: m.checkWebhook, Priority: -10}
	m.app.OnRecordCreate(models.WebhooksCollection).Bind(check)
	m.app.OnRecordUpdate(models.WebhooksCollection).Bind(check)
	m.app.OnRecordCreate(models.LeadsCollection).BindFunc(m.dateConsent)
	m.app.OnRecordUpdate(models.LeadsCollection).BindFunc(m.dateConsent)
}

// checkStaff stores a staff member's alert number in E.164 (read in the practice's
// country when typed nationally), refuses text alerts without a number, and turns
// email alerts on for a new owner, so a practice's first leads reach someone.
func (m *Manager) checkStaff(e *core.RecordEvent) error {
	r := e.Record
	if r.IsNew() && r.GetString("role") == models.RoleOwner {
		r.Set("notify_email", true)
	}
	errs := validation.Errors{}
	if raw := strings.TrimSpace(r.GetString("phone")); raw != "" {
		region := phone.DefaultRegion
		if biz, err := e.App.FindRecordById(models.BusinessesCollection, r.GetString("business")); err == nil {
			region = phone.Region(biz.GetString("phone"))
		}
		if n, err := phone.E164(raw, region); err != nil {
			errs["phone"] = validation.NewError("invalid_phone", "Enter a valid mobile number, such as +15035550142.")
		} else {
			r.Set("phone", n)
		}
	}
	if r.GetBool("notify_sms") && r.GetString("phone") == "" {
		errs["phone"] = validation.NewError("phone_required", "Text alerts need a mobile number.")
	}
	if len(errs) > 0 {
		return errs
	}
	return e.Next()
}

// checkWebhook refuses a webhook whose URL isn't http(s) (or names a private address
// the operator doesn't allow), whose format is unknown, or whose secret is not a
// Standard Webhooks one; the standard format must have one, to be signed.
func (m *Manager) checkWebhook(e *core.RecordEvent) error {
	r := e.Record
	errs := validation.Errors{}
	if err := netguard.CheckURL(r.GetString("url"), m.opts.AllowPrivateNetworks); err != nil {
		errs["url"] = validation.NewError("invalid_webhook_url", "Use an http:// or https:// address on the internet ("+err.Error()+").")
	}
	format := r.GetString("format")
	if format == "" {
		format = models.WebhookStandard
		r.Set("format", format)
	}
	secret := r.GetString("secret")
	if plain, err := m.opts.Decrypt(secret); err == nil {
		secret = plain // stored already (an unchanged form resubmitted)
	}
	switch {
	case secret != "":
		if _, err := notify.ParseSecret(secret); err != nil {
			errs["secret"] = validation.NewError("invalid_webhook_secret", "The secret must be whsec_ followed by a base64 key of 24 to 64 bytes: "+err.Error()+".")
		}
	case format == models.WebhookStandard:
		errs["secret"] = validation.NewError("webhook_secret_required", "Standard webhooks are signed: set a secret (whsec_ followed by a base64 key).")
	}
	if len(errs) > 0 {
		return errs
	}
	return e.Next()
}

// dateConsent records when a visitor agreed to text messages: whenever consent is
// given, or given to different wording, sms_consent_at is now; without consent it is
// empty. With sms_consent_text, that is the record of what was agreed and when.
func (m *Manager) dateConsent(e *core.RecordEvent) error {
	r := e.Record
	switch {
	case !r.GetBool("sms_consent"):
		r.Set("sms_consent_at", "")
	case r.IsNew(), !r.Original().GetBool("sms_consent"),
		r.Original().GetString("sms_consent_text") != r.GetString("sms_consent_text"),
		r.GetDateTime("sms_consent_at").IsZero():
		r.Set("sms_consent_at", m.opts.Now())
	}
	return e.Next()
}
