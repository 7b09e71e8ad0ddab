package booking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/availability"
	"frontdesk/internal/llm"
	"frontdesk/models"
)

// Tool is a chat tool for the chat capability's registry: its spec for the model, the
// line it adds to the system prompt's rules, and what it does. Handler gets the
// arguments as the model wrote them, with any identifiers the chat redacted before the
// model saw them restored, and returns the result the model reads (JSON); an error is
// for failures on Frontdesk's side only, a visitor's mistake is a result.
type Tool struct {
	Spec    llm.Tool
	Rule    string
	Handler func(ctx context.Context, app core.App, b *models.Business, conversationID string, args json.RawMessage) (string, error)
}

// maxToolSlots is how many times find_slots hands the model: enough to offer a choice,
// few enough to read out in a chat.
const maxToolSlots = 12

// Tools are find_slots and book_appointment, for practices with booking on.
func (m *Manager) Tools() []Tool {
	return []Tool{
		{
			Spec: llm.Tool{
				Name:        "find_slots",
				Description: "List free appointment times for one of the practice's services, in the practice's time zone. Use it before offering any time.",
				Parameters: map[string]any{
					"type": "object",
					"properties": map[string]any{
						"service": map[string]any{"type": "string", "description": "One of the practice's services"},
						"date":    map[string]any{"type": "string", "description": "First day to look at, YYYY-MM-DD in the practice's time zone; default today"},
						"days":    map[string]any{"type": "integer", "description": "How many days to look at, 1 to 14; default 7"},
					},
					"required": []string{"service"},
				},
			},
			Rule:    "Offer appointment times only from find_slots, never invented ones. Call book_appointment only after the visitor chose a time and confirmed their name and an email or phone; never ask for health details to book.",
			Handler: m.findSlotsTool,
		},
		{
			Spec: llm.Tool{
				Name:        "book_appointment",
				Description: "Book a time find_slots offered, once the visitor has chosen it and confirmed their name and email or phone.",
				Parameters: models.ContactSchema(map[string]any{
					"service": map[string]any{"type": "string", "description": "The service, as find_slots was asked"},
					"start":   map[string]any{"type": "string", "description": "The chosen slot's start exactly as find_slots gave it (RFC 3339)"},
				}, "service", "start", "name"),
			},
			Handler: m.bookTool,
		},
	}
}

func toolResult(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (m *Manager) findSlotsTool(ctx context.Context, app core.App, b *models.Business, _ string, args json.RawMessage) (string, error) {
	var in struct {
		Service string `json:"service"`
		Date    string `json:"date"`
		Days    int    `json:"days"`
	}
	if err := json.Unmarshal(args, &in); err != nil {
		return toolResult(map[string]any{"ok": false, "error": "arguments must be a JSON object"}), nil
	}
	if !b.BookingEnabled() {
		return toolResult(map[string]any{"ok": false, "error": "this practice does not take bookings online; offer to take contact details"}), nil
	}
	if _, ok := service(b, in.Service); !ok {
		names := []string{}
		for _, s := range b.BookableServices() {
			names = append(names, s.Name)
		}
		return toolResult(map[string]any{"ok": false, "error": "not a service booked online", "services": names}), nil
	}
	loc := b.Location()
	from := availability.DateOf(m.now().In(loc))
	if in.Date != "" {
		d, err := availability.ParseDate(in.Date)
		if err != nil {
			return toolResult(map[string]any{"ok": false, "error": "date must be YYYY-MM-DD"}), nil
		}
		from = d
	}
	days := min(max(in.Days, 1), 14)
	if in.Days == 0 {
		days = 7
	}
	slots, err := m.Slots(ctx, b, in.Service, from, days)
	if err != nil {
		return "", err
	}
	type slot struct {
		Start string `json:"start"`
		Label string `json:"label"`
	}
	out := []slot{}
	// Spread the offer over the days rather than filling it with the first morning.
	for _, s := range spread(slots, maxToolSlots) {
		out = append(out, slot{Start: s.Start.Format(time.RFC3339), Label: s.Start.Format("Mon 2 Jan 15:04")})
	}
	res := map[string]any{"ok": true, "timezone": loc.String(), "slots": out}
	if len(out) == 0 {
		res["note"] = "no free times in these days; try later dates or offer to take contact details"
	}
	return toolResult(res), nil
}

// spread picks at most n slots, evenly across the list.
func spread(slots []availability.Slot, n int) []availability.Slot {
	if len(slots) <= n {
		return slots
	}
	out := make([]availability.Slot, 0, n)
	for i := range n {
		out = append(out, slots[i*len(slots)/n])
	}
	return out
}

func (m *Manager) bookTool(ctx context.Context, app core.App, b *models.Business, conversationID string, args json.RawMessage) (string, error) {
	var in struct {
		Service string `json:"service"`
		Start   string `json:"start"`
		Contact
	}
	if err := json.Unmarshal(args, &in); err != nil {
		return toolResult(map[string]any{"ok": false, "error": "arguments must be a JSON object"}), nil
	}
	start, err := time.Parse(time.RFC3339, strings.TrimSpace(in.Start))
	if err != nil {
		return toolResult(map[string]any{"ok": false, "error": "start must be a slot start exactly as find_slots gave it"}), nil
	}
	booked, err := m.Book(ctx, b, BookInput{ConversationID: conversationID, Service: in.Service, Start: start, Contact: in.Contact, Source: models.SourceChat})
	var fe FieldErrors
	var be *Error
	switch {
	case errors.As(err, &fe):
		return toolResult(map[string]any{"ok": false, "error": "contact details missing or invalid", "fields": map[string]string(fe)}), nil
	case errors.Is(err, errSlotTaken):
		return toolResult(map[string]any{"ok": false, "error": "that time was just taken; call find_slots again and offer other times"}), nil
	case errors.As(err, &be):
		return toolResult(map[string]any{"ok": false, "error": be.Message}), nil
	case err != nil:
		return "", fmt.Errorf("book from chat: %w", err)
	}
	bk := booked.Booking
	return toolResult(map[string]any{
		"ok":       true,
		"service":  bk.Service(),
		"start":    bk.Start().In(b.Location()).Format(time.RFC3339),
		"label":    bk.Start().In(b.Location()).Format("Monday 2 January 15:04"),
		"timezone": b.Location().String(),
		"message":  "Booked. A confirmation with a link to change or cancel it goes to the visitor's email.",
	}), nil
}
