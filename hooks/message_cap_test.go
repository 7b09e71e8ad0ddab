package hooks_test

import (
	"testing"

	"frontdesk/tests"
)

func TestMessageCapCountsMessagesWithoutReply(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	id, token := v.Start()
	// 59 visitor messages whose replies were lost, and messages of others, which the cap
	// doesn't count.
	tests.StoreMessages(t, v.App, id, "visitor", 59)
	tests.StoreMessages(t, v.App, id, "assistant", 5)
	tests.StoreMessages(t, v.App, id, "system", 1)
	if rec, _ := v.Send(id, token, "The 60th"); rec.Code != 200 {
		t.Fatalf("60th message: %d %s", rec.Code, rec.Body.String())
	}
	path := "/api/widget/demo/conversations/" + id + "/messages"
	tests.AssertError(t, v.Do("POST", path, `{"text":"The 61st"}`, map[string]string{"X-Conversation-Token": token}), 429, "too_many_messages")
	if n := len(v.Messages(id)); n != 59+5+1+2 {
		t.Fatalf("%d messages stored, want the refused one left out", n)
	}
	// The counter staff read is made good by the turn that completed.
	c, _ := v.App.FindRecordById("conversations", id)
	if n := c.GetInt("message_count"); n != 60 {
		t.Fatalf("message_count %d, want 60", n)
	}
}
