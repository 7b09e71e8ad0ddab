package models

import "github.com/pocketbase/pocketbase/core"

// ConversationsCollection is the collection of visitor conversations.
const ConversationsCollection = "conversations"

// Conversation statuses.
const (
	StatusOpen       = "open"
	StatusNeedsHuman = "needs_human"
	StatusClosed     = "closed"
)

// Conversation is one visitor's chat with a practice.
type Conversation struct {
	core.BaseRecordProxy
}

// NewConversation wraps r.
func NewConversation(r *core.Record) *Conversation {
	c := &Conversation{}
	c.SetProxyRecord(r)
	return c
}

// Business is the owning practice's id.
func (c *Conversation) Business() string { return c.GetString("business") }

// TokenHash is the hash of the visitor's secret token.
func (c *Conversation) TokenHash() string { return c.GetString("token_hash") }

// Status is open, needs_human or closed.
func (c *Conversation) Status() string { return c.GetString("status") }

// Locale is the visitor's language as the widget reported it.
func (c *Conversation) Locale() string { return c.GetString("locale") }

// MessageCount is the visitor's messages as of the last reply: a message whose reply was
// lost is counted with the next turn, so the message cap counts stored messages instead.
func (c *Conversation) MessageCount() int { return c.GetInt("message_count") }
