package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"frontdesk/models"
	"frontdesk/tests"
)

// staffAPI is an admin of the demo practice calling PocketBase's REST API, as the staff
// console does.
type staffAPI struct {
	t     *testing.T
	url   string
	token string
}

func newStaffAPI(t *testing.T, srv *tests.Server, name string) *staffAPI {
	t.Helper()
	b, err := srv.App.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
	if err != nil {
		t.Fatal(err)
	}
	s := tests.NewRecord(t, srv.App, models.StaffCollection, map[string]any{"business": b.Id, "role": models.RoleAdmin, "name": name, "email": "olive@example.com", "verified": true})
	s.SetPassword("correct horse battery")
	if err := srv.App.Save(s); err != nil {
		t.Fatal(err)
	}
	tok, err := s.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	return &staffAPI{t: t, url: srv.URL, token: tok}
}

func (s *staffAPI) call(method, path string, body any) {
	s.t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.url+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", s.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		s.t.Fatalf("%s %s: %d", method, path, res.StatusCode)
	}
}

func (s *staffAPI) setStatus(conversation, status string) {
	s.call(http.MethodPatch, "/api/collections/conversations/records/"+conversation, map[string]any{"status": status})
}

func (s *staffAPI) write(conversation, text string) {
	s.call(http.MethodPost, "/api/collections/messages/records", map[string]any{"conversation": conversation, "role": models.RoleStaff, "text": text})
}

// lastOf is a JavaScript expression: the widget log's last message matching sel.
func lastOf(sel string) string {
	return fmt.Sprintf("[...document.querySelector('frontdesk-chat').shadowRoot.querySelectorAll(%q)].pop()", ".log > "+sel)
}

// count is a JavaScript expression: how many messages of the widget's log match sel.
func count(sel string) string {
	return fmt.Sprintf("document.querySelector('frontdesk-chat').shadowRoot.querySelectorAll(%q).length", ".log > "+sel)
}

func TestStaffTakeOverAndHandBack(t *testing.T) {
	fake := model(t, "We are open today.")
	srv := startApp(t, fake)
	staff := newStaffAPI(t, srv, "Olive")
	b := newTab(t)
	b.open(srv.URL + "/")
	b.click(shadow(".l"))
	b.ask("Are you open today?", 2)
	id := conversationID(b)

	staff.setStatus(id, models.StatusHuman)
	b.wait(shadow(".log > .system:last-child")+"?.textContent === 'Olive from Bright Smile Dental joined'", "the takeover note")

	// The staff message shows in the widget, by name, in the staff style.
	b.do(chromedp.Evaluate[chromedp.Void](`window.__staffAt = 0; new MutationObserver(() => {
		if (!window.__staffAt && ` + shadow(".log > .staff") + `) window.__staffAt = performance.now();
	}).observe(` + shadow(".log") + `, {childList: true})`))
	sentAt := eval[float64](b, "performance.now()")
	start := time.Now()
	staff.write(id, "Hi, I'm Olive. How can I help?")
	b.wait(shadow(".log > .staff")+"?.lastChild.textContent === \"Hi, I'm Olive. How can I help?\"", "the staff message")
	t.Logf("staff message shown %.0f ms after it was sent (the REST call took %v)", eval[float64](b, "window.__staffAt")-sentAt, time.Since(start).Round(time.Millisecond))
	if who := eval[string](b, shadow(".log > .staff .who")+".textContent"); who != "Olive" {
		t.Errorf("staff message labelled %q, want Olive", who)
	}

	// While held, the visitor's message is stored and the assistant stays silent.
	b.click(shadow("textarea"))
	b.typeText("I'd like to move my visit.")
	b.enter()
	b.wait(lastOf(".visitor")+"?.lastChild.textContent === \"I'd like to move my visit.\" && "+shadow(".log")+".getAttribute('aria-busy') === null", "the held message sent")
	if n := eval[int](b, count(".assistant")); n != 2 {
		t.Errorf("%d assistant bubbles while held, want 2 (the greeting and the first reply)", n)
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("the model was asked %d times, want once (not while held)", n)
	}
	if eval[bool](b, button("Retry")+" !== undefined") {
		t.Errorf("the held message is marked failed")
	}

	staff.setStatus(id, models.StatusOpen)
	b.wait(shadow(".log > .system:last-child")+"?.textContent === 'Olive left; the assistant is back.'", "the hand-back note")
	if reply := b.ask("When can I come in?", 3); reply != "We are open today." {
		t.Errorf("reply after hand-back = %q", reply)
	}

	want := []string{"visitor: Are you open today?", "assistant: We are open today.", "staff: Hi, I'm Olive. How can I help?",
		"visitor: I'd like to move my visit.", "visitor: When can I come in?", "assistant: We are open today."}
	if got := messages(t, srv.App, id); !slices.Equal(got, want) {
		t.Errorf("stored messages = %q, want %q", got, want)
	}

	// Reopened, the history shows the staff message by name, and the widget listens again.
	b.reload()
	b.click(shadow(".l"))
	b.wait(count(".staff")+" === 1 && "+shadow(".log > .staff .who")+".textContent === 'Olive'", "the staff message in the history")
	staff.setStatus(id, models.StatusClosed)
	b.wait(shadow(".log > .system:last-child")+"?.textContent === 'This conversation is closed.'", "the closed note")
	if conversationID(b) != "" {
		t.Errorf("a closed conversation is kept: the next message must start a new one")
	}
}

func TestTalkToAPersonOffersACallBackWhenNobodyIsThere(t *testing.T) {
	srv := startApp(t, model(t, "Sure."))
	b := newTab(t)
	b.open(srv.URL + "/")
	b.click(shadow(".l"))
	b.click(button("Talk to a person"))
	// No staff member has the console open: leave details for a call back.
	b.wait(hasFocus(shadow("#i-name")), "the contact form")
	b.click(button("Back to chat"))
	b.wait(shadow(".log > .system:last-child")+"?.textContent === 'Nobody can join right now. Leave your details and we will call you back.'", "the call-back note")
	c, err := srv.App.FindRecordById(models.ConversationsCollection, conversationID(b))
	if err != nil || c.GetString("status") != models.StatusNeedsHuman {
		t.Fatalf("conversation after Talk to a person: %v %v", err, c)
	}
}
