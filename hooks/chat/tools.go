package chat

import (
	"context"
	"encoding/json"
	"fmt"

	"frontdesk/internal/guard"
	"frontdesk/internal/llm"
	"frontdesk/models"
)

// Tool is a model tool a capability offers in chat, registered in one place: what the
// model is told of it (name, description, the JSON schema of its arguments), the
// system prompt's rule on when to call it, and what it does (NewTool). A tool acts on
// the turn's own practice and conversation only.
type Tool struct {
	// Name is what the model calls it by.
	Name string
	// Description tells the model what it does.
	Description string
	// Parameters is the JSON Schema of its arguments. It is handed to providers, which
	// may keep their own form of it: it must not change once registered.
	Parameters map[string]any
	// Rule is the sentence of the system prompt's rules on when to call it.
	Rule string
	// Offered tells whether a practice offers the tool (booking tools where booking is
	// on); nil offers it everywhere.
	Offered func(b *models.Business) bool

	// run decodes, checks and acts on one call, and returns what the model is told,
	// and an error to log when the tool failed.
	run func(ctx context.Context, turn Turn, args []byte) (string, error)
}

// Turn is the turn a tool call is made in.
type Turn struct {
	Business     *models.Business
	Conversation *models.Conversation
}

// Handler is what a tool does with arguments of type In.
type Handler[In any] struct {
	// Validate checks and normalises the arguments for the practice and returns a
	// message per bad field, which goes back to the model to correct; nil accepts any.
	// Arguments get the visitor's own identifiers back first (a hosted model only sees
	// placeholders), so Validate checks what will be stored.
	Validate func(in *In, b *models.Business) map[string]string
	// Handle acts on valid arguments and returns what the model is told (marshalled to
	// JSON), or an error, which is logged.
	Handle func(ctx context.Context, turn Turn, in In) (any, error)
	// Failure is what the model is told when Handle fails, for it to pass on.
	Failure string
}

// NewTool makes t do h.
func NewTool[In any](t Tool, h Handler[In]) Tool {
	t.run = func(ctx context.Context, turn Turn, args []byte) (string, error) {
		var in In
		if len(args) > 0 && string(args) != "null" {
			if err := json.Unmarshal(args, &in); err != nil {
				return result(map[string]any{"ok": false, "error": "arguments must be a JSON object"}), nil
			}
		}
		if h.Validate != nil {
			if f := h.Validate(&in, turn.Business); len(f) > 0 {
				return result(map[string]any{"ok": false, "errors": f}), nil
			}
		}
		out, err := h.Handle(ctx, turn, in)
		if err != nil {
			failed := map[string]any{"ok": false}
			if h.Failure != "" {
				failed["error"] = h.Failure
			}
			return result(failed), err
		}
		return result(out), nil
	}
	return t
}

// result is a tool's outcome as the model reads it.
func result(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return `{"ok": false}`
	}
	return string(b)
}

// AddTool registers a tool, for every practice its Offered admits. Tools are added
// while the app is wired, before it serves; a name is registered once.
func (eng *Engine) AddTool(t Tool) {
	if t.run == nil {
		panic(fmt.Sprintf("chat: tool %s made without NewTool", t.Name))
	}
	if _, dup := eng.tools[t.Name]; dup {
		panic(fmt.Sprintf("chat: tool %s registered twice", t.Name))
	}
	eng.tools[t.Name] = t
	eng.order = append(eng.order, t.Name)
}

// offered are the tools practice b offers, in the order they were added: the model's
// tool list and the prompt's rules.
func (eng *Engine) offered(b *models.Business) []Tool {
	var out []Tool
	for _, name := range eng.order {
		if t := eng.tools[name]; t.Offered == nil || t.Offered(b) {
			out = append(out, t)
		}
	}
	return out
}

// llmTools is what the model is told of tools.
func llmTools(tools []Tool) []llm.Tool {
	out := make([]llm.Tool, len(tools))
	for i, t := range tools {
		out[i] = llm.Tool{Name: t.Name, Description: t.Description, Parameters: t.Parameters}
	}
	return out
}

// runTool executes a model's tool call in the current turn and returns the result the
// model sees. Identifiers a hosted model only saw as placeholders are restored first.
func (eng *Engine) runTool(ctx context.Context, turn Turn, call llm.ToolCall, redactor *guard.Redactor) string {
	t, ok := eng.tools[call.Name]
	if !ok || (t.Offered != nil && !t.Offered(turn.Business)) {
		return `{"ok": false, "error": "unknown tool"}`
	}
	args := []byte(call.Arguments)
	if redactor != nil {
		args = []byte(redactor.Restore(string(args)))
	}
	out, err := t.run(ctx, turn, args)
	if err != nil {
		eng.app.Logger().Error("chat tool failed", "tool", t.Name, "conversation", turn.Conversation.Id, "error", err)
	}
	return out
}

// requestHumanTool lets the model hand the conversation to the team.
func requestHumanTool(eng *Engine) Tool {
	return NewTool(Tool{
		Name:        "request_human",
		Description: "Ask a person from the practice's team to take over this conversation.",
		Parameters:  map[string]any{"type": "object", "properties": map[string]any{}},
		Rule:        "Call request_human when the visitor wants a person.",
	}, Handler[struct{}]{
		Handle: func(_ context.Context, turn Turn, _ struct{}) (any, error) {
			if err := eng.RequestHuman(turn.Business, turn.Conversation); err != nil {
				return nil, err
			}
			return map[string]any{"ok": true, "message": "A team member has been asked to join."}, nil
		},
	})
}
