package models

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// ConversationsCollection is the collection of visitor conversations.
const ConversationsCollection = "conversations"

// Conversation statuses: the assistant answers while open or needs_human; a staff member
// holds it while human (the assistant stays silent); closed ends it.
const (
	StatusOpen       = "open"
	StatusNeedsHuman = "needs_human"
	StatusHuman      = "human"
	StatusClosed     = "closed"
)

// Statuses are every conversation status, in the order of the status field's values.
var Statuses = []string{StatusOpen, StatusNeedsHuman, StatusHuman, StatusClosed}

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

// Status is open, needs_human, human or closed.
func (c *Conversation) Status() string { return c.GetString("status") }

// Locale is the visitor's language as the widget reported it.
func (c *Conversation) Locale() string { return c.GetString("locale") }

// MessageCount is the visitor's messages as of the last reply: a message whose reply was
// lost is counted with the next turn, so the message cap counts stored messages instead.
func (c *Conversation) MessageCount() int { return c.GetInt("message_count") }

// AssignedTo is the staff member who holds the conversation, or last held it ("" for none).
func (c *Conversation) AssignedTo() string { return c.GetString("assigned_to") }

// NeedsHumanAt is when the visitor asked for a person; zero once staff handed the
// conversation back or closed it.
func (c *Conversation) NeedsHumanAt() types.DateTime { return c.GetDateTime("needs_human_at") }

// Held tells whether a staff member holds the conversation, so the assistant stays silent.
func (c *Conversation) Held() bool { return c.Status() == StatusHuman }
