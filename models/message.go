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
