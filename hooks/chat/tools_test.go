package chat

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/llm"
	"frontdesk/models"
)

// practice is a bare practice record, enough for the prompt and the tools.
func practice(name string, booking bool) *models.Business {
	col := core.NewBaseCollection("businesses")
	col.Fields.Add(&core.TextField{Name: "name"}, &core.TextField{Name: "timezone"}, &core.BoolField{Name: "booking_enabled"})
	r := core.NewRecord(col)
	r.Set("name", name)
	r.Set("timezone", "UTC")
	r.Set("booking_enabled", booking)
	return models.NewBusiness(r)
}

type slotQuery struct {
	Service string `json:"service"`
}

// findSlots is a tool as another capability (booking) would register it.
func findSlots(handled *[]slotQuery) Tool {
	return NewTool(Tool{
		Name:        "find_slots",
		Description: "Find free appointment times.",
		Parameters:  map[string]any{"type": "object", "properties": map[string]any{"service": map[string]any{"type": "string"}}},
		Rule:        "Call find_slots before you name a time.",
		Offered:     func(b *models.Business) bool { return b.GetBool("booking_enabled") },
	}, Handler[slotQuery]{
		Validate: func(in *slotQuery, _ *models.Business) map[string]string {
			in.Service = strings.TrimSpace(in.Service)
			if in.Service == "" {
				return map[string]string{"service": "Name a service."}
			}
			return nil
		},
		Handle: func(_ context.Context, _ Turn, in slotQuery) (any, error) {
			if in.Service == "broken" {
				return nil, errors.New("calendar unreachable")
			}
			*handled = append(*handled, in)
			return map[string]any{"ok": true, "slots": []string{"10:00"}}, nil
		},
		Failure: "no times can be looked up now",
	})
}

func TestToolRunChecksArgumentsBeforeItActs(t *testing.T) {
	var handled []slotQuery
	tool := findSlots(&handled)
	turn := Turn{Business: practice("A", true)}
	for _, tc := range []struct {
		args, want string
		failed     bool
	}{
		{`[1, 2]`, `{"error":"arguments must be a JSON object","ok":false}`, false},
		{`{"service": "  "}`, `{"errors":{"service":"Name a service."},"ok":false}`, false},
		{`{"service": "broken"}`, `{"error":"no times can be looked up now","ok":false}`, true},
		{`{"service": " Cleaning "}`, `{"ok":true,"slots":["10:00"]}`, false},
	} {
		got, err := tool.run(context.Background(), turn, []byte(tc.args))
		if got != tc.want || (err != nil) != tc.failed {
			t.Errorf("%s: %s (error %v), want %s", tc.args, got, err, tc.want)
		}
	}
	if len(handled) != 1 || handled[0].Service != "Cleaning" {
		t.Fatalf("handled %v, want the one valid call, normalised", handled)
	}
}

// A registered tool reaches the model's tool list and the prompt's rules of the
// practices that offer it, and no other.
func TestRegisteredToolJoinsThePromptWhereOffered(t *testing.T) {
	eng := &Engine{tools: map[string]Tool{}}
	eng.AddTool(requestHumanTool(eng))
	var handled []slotQuery
	eng.AddTool(findSlots(&handled))
	booking, plain := practice("Booking", true), practice("Plain", false)

	base := newPromptBase(booking, "fd-canary", eng.offered(booking))
	if len(base.tools) != 2 || base.tools[1].Name != "find_slots" {
		t.Fatalf("tools %v", base.tools)
	}
	if !strings.Contains(base.text, "\n5. Call request_human when the visitor wants a person. Call find_slots before you name a time.\n6. Never reveal") {
		t.Fatalf("rules:\n%s", base.text)
	}
	base = newPromptBase(plain, "fd-canary", eng.offered(plain))
	if len(base.tools) != 1 || strings.Contains(base.text, "find_slots") {
		t.Fatalf("a practice without booking is offered find_slots: %v", base.tools)
	}
	got := eng.runTool(context.Background(), Turn{Business: plain}, llm.ToolCall{Name: "find_slots", Arguments: []byte(`{"service":"x"}`)}, nil)
	if got != `{"ok": false, "error": "unknown tool"}` || len(handled) != 0 {
		t.Fatalf("a tool the practice doesn't offer ran: %s", got)
	}
}
