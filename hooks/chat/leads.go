package chat

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/guard"
	"frontdesk/internal/phone"
	"frontdesk/models"
)

// validateLead normalises the contact details and returns an error message per bad field.
func validateLead(in *models.LeadForm, b *models.Business) map[string]string {
	in.Name = strings.TrimSpace(guard.CleanLine(in.Name))
	in.Email = strings.ToLower(strings.TrimSpace(guard.CleanLine(in.Email)))
	in.Phone = strings.TrimSpace(guard.CleanLine(in.Phone))
	in.Service = strings.TrimSpace(guard.CleanLine(in.Service))
	f := map[string]string{}
	switch {
	case in.Name == "":
		f["name"] = "Please give your name."
	case utf8.RuneCountInString(in.Name) > 200:
		f["name"] = "The name is too long."
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
			f["email"] = "Please give a valid email address."
		}
	}
	if in.Phone != "" {
		// Stored in E.164, so one number typed two ways is one number; a national
		// number is read in the practice's own country.
		if e164, err := phone.E164(in.Phone, phone.Region(b.Phone())); err != nil {
			f["phone"] = "Please give a valid phone number."
		} else {
			in.Phone = e164
		}
	}
	if in.Email == "" && in.Phone == "" {
		f["email"] = "Please give an email address or a phone number."
	}
	if in.SMSConsent && in.Phone == "" {
		f["phone"] = "A phone number is needed for text messages."
	}
	if in.Service != "" {
		if s, ok := models.FindService(b.Services(), in.Service); ok {
			in.Service = s.Name
		} else {
			f["service"] = "Choose one of the practice's services."
		}
	}
	return f
}

// SaveLead checks the contact details a visitor gave in a conversation through the
// widget's form and stores them (see saveLead): the lead's id, or a message per bad
// field and nothing stored.
func (eng *Engine) SaveLead(b *models.Business, conversationID string, form models.LeadForm) (string, map[string]string, error) {
	return SaveLeadIn(eng.app, b, conversationID, form)
}

// SaveLeadIn is SaveLead on app, which may be a transaction's: a booking's lead commits
// with the booking, or not at all.
func SaveLeadIn(app core.App, b *models.Business, conversationID string, form models.LeadForm) (string, map[string]string, error) {
	if f := validateLead(&form, b); len(f) > 0 {
		return "", f, nil
	}
	r, err := saveLead(app, b, conversationID, form)
	if err != nil {
		return "", nil, err
	}
	return r.Id, nil, nil
}

// saveContactTool lets the model store the contact details the visitor gave, as the
// widget's form does.
func saveContactTool(eng *Engine) Tool {
	return NewTool(Tool{
		Name:        "save_contact",
		Description: "Save the visitor's contact details so the practice's team can follow up. Use only details the visitor gave in this conversation.",
		Parameters: models.ContactSchema(map[string]any{
			"service": map[string]any{"type": "string", "description": "The service they are interested in, one of the practice's services"},
		}, "name"),
		Rule: "When it helps, offer to take the visitor's name and phone or email so the team can follow up. Call save_contact only with details the visitor actually gave.",
	}, Handler[models.LeadForm]{
		Validate: validateLead,
		Handle: func(_ context.Context, turn Turn, in models.LeadForm) (any, error) {
			if _, err := saveLead(eng.app, turn.Business, turn.Conversation.Id, in); err != nil {
				return nil, err
			}
			return map[string]any{"ok": true, "message": "Saved. The team will follow up."}, nil
		},
		Failure: "could not save; ask the visitor to use the contact form",
	})
}

// saveLead stores the contact details a visitor gave in a conversation. A conversation
// has one lead, which its own later submissions update (a visitor correcting a phone
// number). A lead from another conversation is never changed, even when it has the same
// email or phone: whoever holds a conversation's token can type anyone's address, so
// matching on what was typed would let them rewrite another person's lead and consent.
// A lead that shares an email or phone with an earlier lead of the practice is flagged
// and linked to it instead, for staff to merge.
func saveLead(app core.App, b *models.Business, conversationID string, in models.LeadForm) (*core.Record, error) {
	var r *core.Record
	// One transaction (SQLite's single writer), so the contact form and the model's
	// save_contact tool submitting at once still make one lead for the conversation.
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		if r, err = conversationLead(tx, b.Id, conversationID); err != nil {
			return err
		}
		if r == nil {
			col, err := tx.FindCachedCollectionByNameOrId(models.LeadsCollection)
			if err != nil {
				return err
			}
			r = core.NewRecord(col)
			r.Set("business", b.Id)
			r.Set("conversation", conversationID)
			r.Set("status", models.LeadNew)
		}
		applyLead(r, b, in)
		if err := linkDuplicate(tx, r); err != nil {
			return err
		}
		return tx.Save(r)
	})
	if err != nil {
		return nil, fmt.Errorf("save lead: %w", err)
	}
	return r, nil
}

// conversationLead is the lead the conversation's visitor left earlier, or nil. Before
// leads were kept per conversation one could hold several; the newest is the one updated.
func conversationLead(tx core.App, business, conversationID string) (*core.Record, error) {
	if conversationID == "" {
		return nil, nil
	}
	r := &core.Record{}
	err := tx.RecordQuery(models.LeadsCollection).
		AndWhere(dbx.HashExp{"conversation": conversationID, "business": business}).
		// The partial index's condition, and an order SQLite can't take from the
		// practice's (business, created) index, so it looks the conversation up.
		AndWhere(dbx.NewExp("[[conversation]] != ''")).
		OrderBy("+[[created]] DESC", "rowid DESC").Limit(1).One(r)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// applyLead writes a submission over the conversation's own lead (or a new one). Empty
// optional fields keep what an earlier submission gave.
func applyLead(r *core.Record, b *models.Business, in models.LeadForm) {
	r.Set("name", in.Name)
	if in.Email != "" {
		r.Set("email", in.Email)
	}
	if in.Phone != "" {
		// Consent to texts was given for the number it came with: a different number
		// needs its own.
		if old := r.GetString("phone"); old != "" && old != in.Phone && !in.SMSConsent {
			r.Set("sms_consent", false)
			r.Set("sms_consent_text", "")
		}
		r.Set("phone", in.Phone)
	}
	if in.Service != "" {
		r.Set("service", in.Service)
	}
	if in.SMSConsent {
		r.Set("sms_consent", true)
		r.Set("sms_consent_text", b.SMSConsentText())
	}
}

// linkDuplicate flags r when an earlier lead of the practice has the same email or phone,
// and links the earliest such lead, or clears both when none has (a corrected phone).
func linkDuplicate(tx core.App, r *core.Record) error {
	type match struct {
		ID      string `db:"id"`
		Created string `db:"created"`
	}
	var first match
	// One query per column, each on its partial index: with an OR of both, or an order
	// it could take from the practice's (business, created) index (hence the unary +),
	// SQLite walks all the practice's leads instead. The stored dates sort as text.
	for _, col := range []string{"email", "phone"} {
		value := r.GetString(col)
		if value == "" {
			continue
		}
		var m match
		q := tx.DB().Select("id", "created").From(models.LeadsCollection).
			Where(dbx.HashExp{"business": r.GetString("business"), col: value}).
			AndWhere(dbx.NewExp("[["+col+"]] != ''")).
			OrderBy("+[[created]]", "+[[rowid]]").Limit(1)
		if r.Id != "" {
			q.AndWhere(dbx.Not(dbx.HashExp{"id": r.Id}))
		}
		err := q.One(&m)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("find duplicate lead: %w", err)
		}
		if first.ID == "" || m.Created < first.Created {
			first = m
		}
	}
	r.Set("possible_duplicate", first.ID != "")
	r.Set("duplicate_of", first.ID)
	return nil
}
