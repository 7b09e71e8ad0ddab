package visitor_test

import (
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"frontdesk/internal/llm/ollamatest"
	"frontdesk/models"
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
	c, _ := v.App.FindRecordById(models.ConversationsCollection, id)
	if n := c.GetInt("message_count"); n != 60 {
		t.Fatalf("message_count %d, want 60", n)
	}
}

func TestConversationRateLimit(t *testing.T) {
	fake := tests.NewFakeOllama(t, func(api.ChatRequest) ollamatest.Reply {
		r := ollamatest.Words("slow reply here")
		r.FirstTokenDelay = 500 * time.Millisecond
		return r
	})
	v := tests.NewVisitor(t, tests.Options{OllamaURL: fake.URL})
	id, token := v.Start()
	done := make(chan struct{})
	go func() {
		defer close(done)
		v.Send(id, token, "first")
	}()
	time.Sleep(150 * time.Millisecond)
	rec := v.Do("POST", "/api/widget/demo/conversations/"+id+"/messages", `{"text":"second"}`, map[string]string{"X-Conversation-Token": token})
	<-done
	tests.AssertError(t, rec, 429, "rate_limited")
	if rec.Header().Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
}

func TestPerIPRateLimit(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	s := v.App.Settings()
	for i := range s.RateLimits.Rules {
		if s.RateLimits.Rules[i].Label == "POST /api/widget/" {
			s.RateLimits.Rules[i].MaxRequests = 3
		}
	}
	if err := v.App.Save(s); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if rec := v.Do("POST", "/api/widget/demo/conversations", `{}`, nil); rec.Code != 201 {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
	}
	rec := v.Do("POST", "/api/widget/demo/conversations", `{}`, nil)
	tests.AssertError(t, rec, 429, "rate_limited")
	if rec.Header().Get("Retry-After") != "60" {
		t.Fatalf("Retry-After %q", rec.Header().Get("Retry-After"))
	}
}
