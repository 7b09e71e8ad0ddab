package models

import "github.com/pocketbase/pocketbase/core"

// MessagesCollection is the collection of conversation messages.
const MessagesCollection = "messages"

// Message roles.
const (
	RoleVisitor   = "visitor"
	RoleAssistant = "assistant"
	RoleStaff     = "staff"
	RoleSystem    = "system"
)

// Message is one line of a conversation.
type Message struct {
	core.BaseRecordProxy
}

// NewMessage wraps r.
func NewMessage(r *core.Record) *Message {
	m := &Message{}
	m.SetProxyRecord(r)
	return m
}

// Role is visitor, assistant, staff or system.
func (m *Message) Role() string { return m.GetString("role") }

// Text is what was said.
func (m *Message) Text() string { return m.GetString("text") }

// Flags are markers such as health, injection, interrupted, error, offline.
func (m *Message) Flags() map[string]any {
	f := map[string]any{}
	_ = m.UnmarshalJSONField("flags", &f)
	return f
}
