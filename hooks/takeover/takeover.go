// Package takeover is a person at the practice stepping into a visitor's chat: an owner
// or admin sets a conversation's status to human (the hook records who holds it), writes
// to the visitor by creating a staff message (the hook records the author and keeps the
// conversation's counters), hands it back to the assistant (open) or closes it; and
// presence, whether anyone who can answer has the console open. The API rules of
// migrations/1795392060 and 1795392061 say who may do this; the visitor side (the held
// turn, the events stream) is hooks/chat's and hooks/visitor's.
package takeover

import (
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// Takeover answers whether a practice's team is available.
type Takeover struct {
	app core.App
}

// Bind binds the takeover hooks.
func Bind(app core.App) *Takeover {
	app.OnRecordCreateRequest(models.MessagesCollection).BindFunc(staffMessage)
	app.OnRecordCreateExecute(models.MessagesCollection).BindFunc(touchConversation)
	app.OnRecordUpdateRequest(models.ConversationsCollection).BindFunc(holder)
	app.OnRecordUpdate(models.ConversationsCollection).BindFunc(clearWait)
	return &Takeover{app: app}
}

var errClosed = validation.Errors{"conversation": validation.NewError("conversation_closed", "The conversation is closed.")}

// staffMessage completes a staff message sent through the API before it is saved: its
// author is the staff member who sent it and its business the conversation's, whatever
// the body said; engine fields are not the sender's to set. A closed conversation takes
// no more messages.
func staffMessage(e *core.RecordRequestEvent) error {
	r := e.Record
	if r.GetString("role") != models.RoleStaff {
		return e.Next()
	}
	conv, err := e.App.FindRecordById(models.ConversationsCollection, r.GetString("conversation"))
	if err != nil {
		return e.Next() // the relation's own validation answers
	}
	if conv.GetString("status") == models.StatusClosed {
		return e.BadRequestError("The conversation is closed.", errClosed)
	}
	r.Set("business", conv.GetString("business"))
	if e.Auth != nil && e.Auth.Collection().Name == models.StaffCollection {
		r.Set("author", e.Auth.Id)
	}
	r.Set("flags", nil)
	r.Set("provider", "")
	return e.Next()
}

// touchConversation moves the conversation's last_message_at with a staff message, in the
// message's transaction, however it is saved: the inbox sorts by it. message_count
// counts the visitor's messages (models.Conversation), which a staff message leaves as
// they were.
func touchConversation(e *core.RecordEvent) error {
	if e.Record.GetString("role") != models.RoleStaff {
		return e.Next()
	}
	run := func(tx core.App) error {
		orig := e.App
		e.App = tx
		defer func() { e.App = orig }()
		if err := e.Next(); err != nil {
			return err
		}
		conv, err := tx.FindRecordById(models.ConversationsCollection, e.Record.GetString("conversation"))
		if err != nil {
			return err
		}
		conv.Set("last_message_at", time.Now().UTC())
		// Only the timestamp changed: nothing to validate.
		if err := tx.SaveNoValidate(conv); err != nil {
			return err
		}
		if !conv.GetDateTime("first_reply_at").IsZero() {
			return nil
		}
		return NoteFirstReplies(tx, conv.Id)
	}
	if e.App.IsTransactional() {
		return run(e.App)
	}
	return e.App.RunInTransaction(run)
}

// NoteFirstReplies records, on each conversation staff have answered in and that has no
// first reply yet (only conversation id's, when not empty), when staff first answered
// and how long the visitor had waited for it: from their last message before it, or
// the conversation's start. The owner's dashboard reads these.
func NoteFirstReplies(app core.App, conversation string) error {
	where := ""
	if conversation != "" {
		where = "AND conversation = {:id} "
	}
	_, err := app.DB().NewQuery(`UPDATE conversations SET first_reply_at = f.reply,
  first_reply_secs = CAST(ROUND((julianday(f.reply) - julianday(COALESCE(
    (SELECT MAX(v.created) FROM messages v WHERE v.conversation = f.id AND v.role = 'visitor' AND v.created < f.reply),
    conversations.created))) * 86400) AS INTEGER)
FROM (SELECT conversation AS id, MIN(created) AS reply FROM messages WHERE role = 'staff' ` + where + `GROUP BY conversation) f
WHERE conversations.id = f.id AND conversations.first_reply_at = ''`).Bind(dbx.Params{"id": conversation}).Execute()
	if err != nil {
		return fmt.Errorf("note first replies: %w", err)
	}
	return nil
}

// holder records who takes a conversation over: the staff member who set its status to
// human, unless the request named someone.
func holder(e *core.RecordRequestEvent) error {
	r := e.Record
	if r.GetString("status") == models.StatusHuman && r.Original().GetString("status") != models.StatusHuman &&
		e.Auth != nil && e.Auth.Collection().Name == models.StaffCollection {
		info, err := e.RequestInfo()
		if err == nil {
			if _, named := info.Body["assigned_to"]; !named {
				r.Set("assigned_to", e.Auth.Id)
			}
		}
	}
	return e.Next()
}

// clearWait ends a visitor's wait for a person once the conversation is handed back or
// closed, however it is saved: needs_human_at is set only while one is awaited or holds it.
func clearWait(e *core.RecordEvent) error {
	switch e.Record.GetString("status") {
	case models.StatusOpen, models.StatusClosed:
		if !e.Record.GetDateTime("needs_human_at").IsZero() {
			e.Record.Set("needs_human_at", "")
		}
	}
	return e.Next()
}

// Available tells whether anyone of the practice who can answer visitors (an owner or
// admin) is connected to PocketBase's realtime API with a subscription: the staff
// console open. A viewer can't write to a visitor, so a viewer alone is no one to wait for.
func (t *Takeover) Available(business string) bool {
	for _, c := range t.app.SubscriptionsBroker().Clients() {
		if c.IsDiscarded() {
			continue
		}
		auth, _ := c.Get(apis.RealtimeClientAuthKey).(*core.Record)
		if auth == nil || auth.Collection().Name != models.StaffCollection || auth.GetString("business") != business {
			continue
		}
		if role := auth.GetString("role"); role != models.RoleOwner && role != models.RoleAdmin {
			continue
		}
		if len(c.Subscriptions()) > 0 {
			return true
		}
	}
	return false
}
