package models

// Collections of the alerts (hooks/notify).
const (
	WebhooksCollection   = "webhooks"
	SMSOptOutsCollection = "sms_optouts"
)

// Outbox entry statuses: pending -> sending -> sent, or failed after retrying for a day,
// or skipped when there is nothing left to send (the number texted STOP, alerts turned off).
const (
	OutboxPending = "pending"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
	OutboxSkipped = "skipped"
)

// Outbox channels.
const (
	ChannelEmail   = "email"
	ChannelSMS     = "sms"
	ChannelWebhook = "webhook"
)

// Webhook formats.
const (
	WebhookStandard = "standard"
	WebhookSlack    = "slack"
	WebhookTeams    = "teams"
)

// Credential kinds of the SMS providers: twilio {account_sid, auth_token, from} and
// telnyx {api_key, from, public_key}.
const (
	CredentialTwilio = "twilio"
	CredentialTelnyx = "telnyx"
)
