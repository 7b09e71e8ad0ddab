package models

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pocketbase/pocketbase/tools/types"
)

// MessagesCollection is the collection of conversation messages.
const MessagesCollection = "messages"

// Message roles.
const (
	RoleVisitor   = "visitor"
	RoleAssistant = "assistant"
	RoleStaff     = "staff"
	RoleSystem    = "system"
)

// MaxMessageText is the most characters a message's text holds (the text field's Max
// in the messages migration).
const MaxMessageText = 20000

// Flags are what the engine noted about a message, stored in its `flags` JSON field.
type Flags struct {
	Health           bool     `json:"health,omitempty"`            // the visitor volunteered health details
	Injection        bool     `json:"injection,omitempty"`         // the visitor's text tried to steer the assistant
	HealthAck        bool     `json:"health_ack,omitempty"`        // the fixed health reply
	InjectionRefused bool     `json:"injection_refused,omitempty"` // the fixed off-topic reply to an injection
	LeakBlocked      bool     `json:"leak_blocked,omitempty"`      // a reply that would have revealed the prompt, replaced
	Interrupted      bool     `json:"interrupted,omitempty"`       // the visitor left before the reply ended
	Error            bool     `json:"error,omitempty"`             // the model failed
	Partial          bool     `json:"partial,omitempty"`           // what the model said before it failed
	Offline          bool     `json:"offline,omitempty"`           // answered without a model
	Tools            []string `json:"tools,omitempty"`             // the model's tool calls, by name
	Actions          []string `json:"actions,omitempty"`           // what the widget offers under the reply (ActionBook)
}

// ActionBook is a reply's offer of the widget's booking form, which the widget shows as
// a "Book a visit" button under it.
const ActionBook = "book"

// Empty tells whether no flag is set, so nothing needs storing.
func (f Flags) Empty() bool {
	return !f.Health && !f.Injection && !f.HealthAck && !f.InjectionRefused && !f.LeakBlocked &&
		!f.Interrupted && !f.Error && !f.Partial && !f.Offline && len(f.Tools) == 0 && len(f.Actions) == 0
}

// AddTool notes a tool call of the model's, once per tool.
func (f *Flags) AddTool(name string) {
	if !slices.Contains(f.Tools, name) {
		f.Tools = append(f.Tools, name)
	}
}

// Scan reads the stored JSON column, so a query fills Flags once instead of each
// reader parsing a map. Keys it doesn't know (tool_<name> of messages stored before
// Tools) are ignored.
func (f *Flags) Scan(value any) error {
	*f = Flags{}
	var raw []byte
	switch v := value.(type) {
	case nil:
		return nil
	case []byte:
		raw = v
	case string:
		raw = []byte(v)
	default:
		return fmt.Errorf("message flags: can't scan %T", value)
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return json.Unmarshal(raw, f)
}

// MessageRow is a message as the visitor API and the model's history read it: plain
// columns, without building a full record on the hot path.
type MessageRow struct {
	ID      string         `db:"id" json:"id"`
	Role    string         `db:"role" json:"role"`
	Text    string         `db:"text" json:"text"`
	Flags   Flags          `db:"flags" json:"-"`
	Created types.DateTime `db:"created" json:"created"`
	// Author is a staff message's author as the visitor sees them: their display name,
	// never their email ("" for other roles, or a staff member without a name).
	Author string `db:"author" json:"author,omitempty"`
}

// MarshalJSON is the row as the visitor API answers it: the columns and the reply's
// actions (flags are otherwise not the visitor's to read).
func (m MessageRow) MarshalJSON() ([]byte, error) {
	type row MessageRow
	return json.Marshal(struct {
		row
		Actions []string `json:"actions,omitempty"`
	}{row(m), m.Flags.Actions})
}
