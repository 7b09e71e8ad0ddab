package hooks

import (
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// leadInput is the contact form, from the widget or the model's save_contact tool.
type leadInput struct {
	Name       string `json:"name"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
	Service    string `json:"service"`
	SMSConsent bool   `json:"sms_consent"`
}

var phoneChars = regexp.MustCompile(`^\+?[0-9 ().\-]{7,25}$`)

// validate normalises the input and returns an error message per bad field.
func (in *leadInput) validate(b *models.Business) map[string]string {
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Phone = strings.TrimSpace(in.Phone)
	in.Service = strings.TrimSpace(in.Service)
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
		if digits := countDigits(in.Phone); !phoneChars.MatchString(in.Phone) || digits < 7 || digits > 15 {
			f["phone"] = "Please give a valid phone number."
		}
	}
	if in.Email == "" && in.Phone == "" {
		f["email"] = "Please give an email address or a phone number."
	}
	if in.SMSConsent && in.Phone == "" {
		f["phone"] = "A phone number is needed for text messages."
	}
	if in.Service != "" {
		found := false
		for _, s := range b.Services() {
			if strings.EqualFold(s.Name, in.Service) {
				in.Service, found = s.Name, true
			}
		}
		if !found {
			f["service"] = "Choose one of the practice's services."
		}
	}
	return f
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// saveLead creates the lead, or updates the practice's existing lead with the same email
// or phone, so one person asking twice is one lead.
func saveLead(app core.App, b *models.Business, conversationID string, in leadInput) (*core.Record, error) {
	var existing *core.Record
	if in.Email != "" || in.Phone != "" {
		conds := []dbx.Expression{}
		if in.Email != "" {
			conds = append(conds, dbx.HashExp{"email": in.Email})
		}
		if in.Phone != "" {
			conds = append(conds, dbx.HashExp{"phone": in.Phone})
		}
		recs, err := app.FindAllRecords(models.LeadsCollection, dbx.HashExp{"business": b.Id}, dbx.Or(conds...))
		if err != nil {
			return nil, err
		}
		if len(recs) > 0 {
			existing = recs[0]
		}
	}
	r := existing
	if r == nil {
		col, err := app.FindCachedCollectionByNameOrId(models.LeadsCollection)
		if err != nil {
			return nil, err
		}
		r = core.NewRecord(col)
		r.Set("business", b.Id)
		r.Set("status", "new")
	}
	r.Set("name", in.Name)
	if in.Email != "" {
		r.Set("email", in.Email)
	}
	if in.Phone != "" {
		r.Set("phone", in.Phone)
	}
	if in.Service != "" {
		r.Set("service", in.Service)
	}
	if conversationID != "" {
		r.Set("conversation", conversationID)
	}
	if in.SMSConsent {
		r.Set("sms_consent", true)
		r.Set("sms_consent_text", b.SMSConsentText())
	}
	return r, app.Save(r)
}

func (eng *engine) handleLead(e *core.RequestEvent) error {
	b, c, err := eng.conversation(e)
	if err != nil {
		return err
	}
	var in leadInput
	if err := e.BindBody(&in); err != nil {
		return invalidInput("The body must be JSON: {name, email, phone, service, sms_consent}.", nil)
	}
	if f := in.validate(b); len(f) > 0 {
		return invalidInput("Some contact details are missing or invalid.", f)
	}
	r, err := saveLead(eng.app, b, c.Id, in)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusCreated, map[string]any{"id": r.Id})
}
