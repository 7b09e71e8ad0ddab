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
