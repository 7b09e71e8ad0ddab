package visitor

import (
	"database/sql"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/sse"
	"frontdesk/models"
)

// The events stream's limits.
const (
	// keepAlive is how often a quiet stream writes a comment, so proxies keep it open
	// and a visitor who left is noticed.
	keepAlive = 20 * time.Second
	// streamsPerConversation are the streams one conversation may hold open (a few tabs);
	// another one ends the oldest, so a widget that reconnects before its old connection
	// is noticed gone is never refused.
	streamsPerConversation = 3
	// streamBuffer is how many changes a stream may fall behind by before it is ended:
	// a slow reader reconnects and resumes, it never holds up the hook that published.
	streamBuffer = 32
	// sinceStart, as a stream's position, is before the conversation's first message.
	sinceStart = "0"
)

// change is a record change a conversation's streams hear of: a staff message, or the
// conversation saved (its status may have changed).
type change struct {
	message *core.Record // a staff message, or nil
	status  string       // the conversation's status, when message is nil
	holder  string       // the staff member who holds it, when message is nil
}

// listener is one open events stream of a conversation.
type listener struct {
	ch   chan change
	gone chan struct{} // closed when the hub drops the stream
}

// hub fans changes out to the open streams of each conversation, without ever blocking
// the hook that publishes: a stream that can't take a change is dropped.
type hub struct {
	mu    sync.Mutex
	convs map[string][]*listener // conversation id -> its streams, oldest first
}

func newHub() *hub { return &hub{convs: map[string][]*listener{}} }

// listen opens a stream of conversation id's changes, ending its oldest stream if it
// has streamsPerConversation already.
func (h *hub) listen(id string) *listener {
	l := &listener{ch: make(chan change, streamBuffer), gone: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if ls := h.convs[id]; len(ls) >= streamsPerConversation {
		h.dropLocked(id, ls[0])
	}
	h.convs[id] = append(h.convs[id], l)
	return l
}

// leave closes a stream: the handler's deferred call, whether or not it was dropped.
func (h *hub) leave(id string, l *listener) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropLocked(id, l)
}

// dropLocked removes l from conversation id's streams and tells it, once. h.mu is held.
func (h *hub) dropLocked(id string, l *listener) {
	ls := h.convs[id]
	for i, x := range ls {
		if x == l {
			ls = append(ls[:i:i], ls[i+1:]...)
			close(l.gone)
			break
		}
	}
	if len(ls) == 0 {
		delete(h.convs, id)
	} else {
		h.convs[id] = ls
	}
}

// listening tells whether conversation id has an open stream, so a hook does no work
// for the conversations nobody is watching (nearly all of them).
func (h *hub) listening(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.convs[id]) > 0
}

// publish hands c to conversation id's streams; one that is full is dropped.
func (h *hub) publish(id string, c change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, l := range h.convs[id] {
		select {
		case l.ch <- c:
		default:
			h.dropLocked(id, l)
		}
	}
}

// bindEvents feeds the hub from the record hooks: each staff message created and each
// save of a conversation, once committed, whoever made it.
func (a *api) bindEvents() {
	a.app.OnRecordAfterCreateSuccess(models.MessagesCollection).BindFunc(func(e *core.RecordEvent) error {
		if conv := e.Record.GetString("conversation"); e.Record.GetString("role") == models.RoleStaff && a.hub.listening(conv) {
			a.hub.publish(conv, change{message: e.Record.Fresh()})
		}
		return e.Next()
	})
	a.app.OnRecordAfterUpdateSuccess(models.ConversationsCollection).BindFunc(func(e *core.RecordEvent) error {
		if a.hub.listening(e.Record.Id) {
			a.hub.publish(e.Record.Id, change{status: e.Record.GetString("status"), holder: e.Record.GetString("assigned_to")})
		}
		return e.Next()
	})
}

// statusEvent is the conversation's status, with who holds it (or last held it) by name.
type statusEvent struct {
	Status string `json:"status"`
	Author string `json:"author"`
}

// handleEvents streams to the visitor's widget, while it is open, what staff do in the
// conversation: each staff message (`message`) and each status change (`status`), with
// keep-alives. Every event's id is a message id, the stream's position: a widget that
// reconnects with it (Last-Event-ID, or ?since=ID) gets the staff messages after it,
// then the live ones, with none twice. The stream begins with the current status, and
// ends once the conversation is closed.
func (a *api) handleEvents(e *core.RequestEvent) error {
	_, c, err := a.conversation(e)
	if err != nil {
		return err
	}
	since := e.Request.Header.Get("Last-Event-ID")
	if since == "" {
		since = e.Request.URL.Query().Get("since")
	}
	if len(since) > 30 {
		return invalidInput("since must be a message id.", map[string]string{"since": "Use the id of the last event received."})
	}
	// Listening first: a change made while the stream starts is in the buffer, and the
	// replay below may hold it too (sent below skips it the second time).
	l := a.hub.listen(c.Id)
	defer a.hub.leave(c.Id, l)

	pos := since
	var replay []models.MessageRow
	if since == "" {
		// A new stream without a position starts now.
		if pos, err = lastMessageID(a.app, c.Id); err != nil {
			return err
		}
	} else if replay, err = a.chat.StaffMessagesAfter(c.Id, since); err != nil {
		return err
	}
	status, holder := c.Status(), c.AssignedTo()
	if fresh, err := a.app.FindRecordById(models.ConversationsCollection, c.Id); err == nil {
		status, holder = fresh.GetString("status"), fresh.GetString("assigned_to")
	}

	// The stream outlives the server's write timeout; its keep-alives show a visitor gone.
	if err := http.NewResponseController(e.Response).SetWriteDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	w := sse.New(e.Response, e.Request)
	defer w.Close()
	sent := map[string]bool{}
	for _, m := range replay {
		w.SendID(m.ID, "message", m)
		sent[m.ID], pos = true, m.ID
	}
	names := map[string]string{} // staff id -> name, for this stream
	sendStatus := func() {
		w.SendID(pos, "status", statusEvent{Status: status, Author: a.staffName(names, holder)})
	}
	sendStatus()
	if status == models.StatusClosed {
		return nil
	}

	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case ch := <-l.ch:
			if m := ch.message; m != nil {
				if sent[m.Id] {
					continue
				}
				sent[m.Id], pos = true, m.Id
				w.SendID(m.Id, "message", models.MessageRow{ID: m.Id, Role: models.RoleStaff, Text: m.GetString("text"),
					Created: m.GetDateTime("created"), Author: a.staffName(names, m.GetString("author"))})
				continue
			}
			if ch.status == status && ch.holder == holder {
				continue // a save that changed something else (the counters of a turn)
			}
			changed := ch.status != status
			status, holder = ch.status, ch.holder
			if changed {
				sendStatus()
			}
			if status == models.StatusClosed {
				return nil
			}
		case <-tick.C:
			w.Ping()
		case <-l.gone:
			return nil // too slow, or a newer stream of the conversation took its place
		case <-e.Request.Context().Done():
			return nil
		}
		if w.Gone() {
			return nil
		}
	}
}

// staffName is a staff member's display name, never their email; "" when they have no
// name or are gone. names keeps those already read, for the stream's life.
func (a *api) staffName(names map[string]string, id string) string {
	if id == "" {
		return ""
	}
	if n, ok := names[id]; ok {
		return n
	}
	var n string
	err := a.app.DB().Select("name").From(models.StaffCollection).Where(dbx.HashExp{"id": id}).Row(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		a.app.Logger().Warn("staff name", "error", err)
		return ""
	}
	names[id] = n
	return n
}

// lastMessageID is the id of the conversation's newest message, or sinceStart.
func lastMessageID(app core.App, conversationID string) (string, error) {
	var id string
	err := app.DB().Select("id").From(models.MessagesCollection).
		Where(dbx.HashExp{"conversation": conversationID}).
		OrderBy("rowid DESC").Limit(1).Row(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return sinceStart, nil
	}
	return id, err
}
