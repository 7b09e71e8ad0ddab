package hooks_test

import (
	"fmt"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/tests"
)

// storeMessages stores n messages of role in a conversation the way a turn cut short by
// a crash leaves them: the message is there, the conversation's counter never moved.
func storeMessages(t *testing.T, app core.App, conversation, role string, n int) {
	t.Helper()
	c, err := app.FindRecordById("conversations", conversation)
	if err != nil {
		t.Fatal(err)
	}
	col, err := app.FindCollectionByNameOrId("messages")
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		m := core.NewRecord(col)
		m.Load(map[string]any{"business": c.GetString("business"), "conversation": conversation, "role": role, "text": fmt.Sprintf("%s message %d", role, i)})
		if err := app.SaveNoValidate(m); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMessageCapCountsMessagesWithoutReply(t *testing.T) {
	v := newVisitorAPI(t, tests.Options{})
	id, token := v.start()
	// 59 visitor messages whose replies were lost, and messages of others, which the cap
	// doesn't count.
	storeMessages(t, v.app, id, "visitor", 59)
	storeMessages(t, v.app, id, "assistant", 5)
	storeMessages(t, v.app, id, "system", 1)
	if rec, _ := v.send(id, token, "The 60th"); rec.Code != 200 {
		t.Fatalf("60th message: %d %s", rec.Code, rec.Body.String())
	}
	path := "/api/widget/demo/conversations/" + id + "/messages"
	assertError(t, v.do("POST", path, `{"text":"The 61st"}`, map[string]string{"X-Conversation-Token": token}), 429, "too_many_messages")
	if n := len(v.messages(id)); n != 59+5+1+2 {
		t.Fatalf("%d messages stored, want the refused one left out", n)
	}
	// The counter staff read is made good by the turn that completed.
	c, _ := v.app.FindRecordById("conversations", id)
	if n := c.GetInt("message_count"); n != 60 {
		t.Fatalf("message_count %d, want 60", n)
	}
}
