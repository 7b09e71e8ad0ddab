package models

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
}

// Empty tells whether no flag is set, so nothing needs storing.
func (f Flags) Empty() bool {
	return !f.Health && !f.Injection && !f.HealthAck && !f.InjectionRefused && !f.LeakBlocked &&
		!f.Interrupted && !f.Error && !f.Partial && !f.Offline && len(f.Tools) == 0
}
