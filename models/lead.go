package models

import (
	"maps"

	"github.com/pocketbase/pocketbase/core"
)

// LeadsCollection is the collection of contact details visitors left.
const LeadsCollection = "leads"

// Lead pipeline statuses.
const (
	LeadNew       = "new"
	LeadContacted = "contacted"
	LeadBooked    = "booked"
	LeadClosed    = "closed"
)

// Lead is one person's contact request to a practice.
type Lead struct {
	core.BaseRecordProxy
}

// NewLead wraps r.
func NewLead(r *core.Record) *Lead {
	l := &Lead{}
	l.SetProxyRecord(r)
	return l
}

// Business is the owning practice's id.
func (l *Lead) Business() string { return l.GetString("business") }

// Conversation is the id of the conversation the lead came from ("" when staff made it).
func (l *Lead) Conversation() string { return l.GetString("conversation") }

// Name is the person's name.
func (l *Lead) Name() string { return l.GetString("name") }

// Email is the person's email address, lower-cased ("" when they gave a phone only).
func (l *Lead) Email() string { return l.GetString("email") }

// Phone is the person's phone number ("" when they gave an email only).
func (l *Lead) Phone() string { return l.GetString("phone") }

// Service is the practice's service the person asked about, if any.
func (l *Lead) Service() string { return l.GetString("service") }

// SMSConsent tells whether the person agreed to text messages.
func (l *Lead) SMSConsent() bool { return l.GetBool("sms_consent") }

// Status is the lead's place in the pipeline (LeadNew ...).
func (l *Lead) Status() string { return l.GetString("status") }

// LeadForm is the contact details a visitor gives, through the widget's form or the
// model's save_contact tool, before they are checked and stored as a Lead.
type LeadForm struct {
	Name       string `json:"name"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
	Service    string `json:"service"`
	SMSConsent bool   `json:"sms_consent"`
}

// ContactSchema is the JSON Schema of a LeadForm's contact fields (name, email, phone,
// sms_consent) for a model tool's parameters, with more properties beside them.
func ContactSchema(more map[string]any, required ...string) map[string]any {
	props := map[string]any{
		"name":        map[string]any{"type": "string", "description": "The visitor's name"},
		"email":       map[string]any{"type": "string", "description": "Email address, if given"},
		"phone":       map[string]any{"type": "string", "description": "Phone number, if given"},
		"sms_consent": map[string]any{"type": "boolean", "description": "True only if the visitor explicitly agreed to receive text messages"},
	}
	maps.Copy(props, more)
	return map[string]any{"type": "object", "properties": props, "required": required}
}
