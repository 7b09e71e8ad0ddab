package console_test

import (
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"frontdesk/hooks/takeover"
)

// seeder writes rows straight into the tables, as a year of a practice's traffic would
// have left them, with the times a test needs (the record API would stamp now).
type seeder struct {
	t   testing.TB
	app core.App
}

func at(t time.Time) string { return t.UTC().Format(types.DefaultDateLayout) }

// row inserts a row of table with a new id and returns the id; created and updated
// default to now.
func (s seeder) row(table string, cols dbx.Params) string {
	s.t.Helper()
	id := core.GenerateDefaultRandomId()
	cols["id"] = id
	now := at(time.Now())
	for _, c := range []string{"created", "updated"} {
		if _, ok := cols[c]; !ok {
			cols[c] = now
		}
	}
	if _, err := s.app.DB().Insert(table, cols).Execute(); err != nil {
		s.t.Fatalf("seed %s: %v", table, err)
	}
	return id
}

// conversation adds a conversation of business started at start, with status, whose
// messages (role, text, at) follow.
func (s seeder) conversation(business, status string, start time.Time, msgs ...msg) string {
	s.t.Helper()
	last, visitor := start, 0
	for _, m := range msgs {
		if m.at.After(last) {
			last = m.at
		}
		if m.role == "visitor" {
			visitor++
		}
	}
	// message_count counts the visitor's messages (models.Conversation).
	id := s.row("conversations", dbx.Params{"business": business, "status": status, "visitor_id": "v", "created": at(start), "updated": at(last), "last_message_at": at(last), "message_count": visitor})
	for _, m := range msgs {
		s.row("messages", dbx.Params{"business": business, "conversation": id, "role": m.role, "text": m.text, "flags": m.flags, "created": at(m.at), "updated": at(m.at)})
	}
	// What the first staff message would have written on the conversation.
	if err := takeover.NoteFirstReplies(s.app, id); err != nil {
		s.t.Fatal(err)
	}
	return id
}

// msg is one message of a seeded conversation.
type msg struct {
	role, text string
	at         time.Time
	flags      string
}

func (s seeder) lead(business, conversation, name, email string, created time.Time) string {
	return s.row("leads", dbx.Params{"business": business, "conversation": conversation, "name": name, "email": email, "status": "new", "created": at(created), "updated": at(created)})
}

func (s seeder) booking(business, conversation string, created time.Time) string {
	return s.row("bookings", dbx.Params{"business": business, "conversation": conversation, "service": "Cleaning", "start": at(created.Add(72 * time.Hour)), "end": at(created.Add(73 * time.Hour)), "status": "confirmed", "source": "chat", "created": at(created), "updated": at(created)})
}
