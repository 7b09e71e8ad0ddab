package hooks

import (
	"context"
	"encoding/json"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/booking"
	"frontdesk/hooks/chat"
	"frontdesk/models"
)

// bookingLeads stores a booking's contact details as the conversation's lead, the way
// the widget's contact form does, in the booking's own transaction.
type bookingLeads struct{}

// Save implements booking.Leads.
func (bookingLeads) Save(app core.App, b *models.Business, conversationID string, c booking.Contact, service string) (string, error) {
	id, fields, err := chat.SaveLeadIn(app, b, conversationID, models.LeadForm{Name: c.Name, Email: c.Email, Phone: c.Phone, Service: service, SMSConsent: c.SMSConsent})
	if err != nil {
		return "", err
	}
	if len(fields) > 0 {
		return "", booking.FieldErrors(fields)
	}
	return id, nil
}

// bookingTool puts one of booking's model tools (find_slots, book_appointment) on the
// chat's registry, offered where the practice takes bookings.
func bookingTool(app core.App, t booking.Tool) chat.Tool {
	return chat.NewTool(chat.Tool{
		Name:        t.Spec.Name,
		Description: t.Spec.Description,
		Parameters:  t.Spec.Parameters,
		Rule:        t.Rule,
		Offered:     func(b *models.Business) bool { return b.GetBool("booking_enabled") },
	}, chat.Handler[json.RawMessage]{
		Handle: func(ctx context.Context, turn chat.Turn, args json.RawMessage) (any, error) {
			out, err := t.Handler(ctx, app, turn.Business, turn.Conversation.Id, args)
			if err != nil {
				return nil, err
			}
			return json.RawMessage(out), nil
		},
		Failure: "the booking could not be made; offer the visitor the booking form",
	})
}
