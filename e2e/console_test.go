package e2e

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/ollama/ollama/api"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/llm/ollamatest"
	"frontdesk/models"
	"frontdesk/tests"
)

const staffPassword = "correct horse battery"

// addStaff adds a staff member with role to the demo practice and returns their email.
func addStaff(t *testing.T, app core.App, role, name string) string {
	t.Helper()
	b, err := app.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
	if err != nil {
		t.Fatal(err)
	}
	email := strings.ToLower(name) + "@example.com"
	s := tests.NewRecord(t, app, models.StaffCollection, map[string]any{"business": b.Id, "role": role, "name": name, "email": email, "verified": true})
	s.SetPassword(staffPassword)
	if err := app.Save(s); err != nil {
		t.Fatal(err)
	}
	return email
}

// seedConversation stores a conversation of the demo practice with one visitor message.
func seedConversation(t *testing.T, app core.App, status, text string) string {
	t.Helper()
	b, err := app.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Format("2006-01-02 15:04:05.000Z")
	c := tests.NewRecord(t, app, models.ConversationsCollection, map[string]any{"business": b.Id, "status": status, "visitor_id": "v-" + core.GenerateDefaultRandomId(), "message_count": 1, "last_message_at": now})
	if err := app.Save(c); err != nil {
		t.Fatal(err)
	}
	m := tests.NewRecord(t, app, models.MessagesCollection, map[string]any{"business": b.Id, "conversation": c.Id, "role": "visitor", "text": text})
	if err := app.Save(m); err != nil {
		t.Fatal(err)
	}
	return c.Id
}

// console is a page of the staff console in its own browser.
type console struct {
	*tab
	url string
}

// openConsole starts a browser at the console and signs in as email.
func openConsole(t *testing.T, srv *tests.Server, email string) *console {
	t.Helper()
	c := &console{tab: newTab(t), url: srv.URL + "/console/"}
	c.do(chromedp.Navigate(c.url))
	c.wait(`document.querySelector('input[name=email]')`, "the sign-in form")
	c.click(`document.querySelector('input[name=email]')`)
	c.typeText(email)
	c.click(`document.querySelector('input[name=password]')`)
	c.typeText(staffPassword)
	c.enter()
	c.wait(`document.querySelector('main h1')?.textContent === 'Inbox' && !document.querySelector('main').hasAttribute('aria-busy')`, "the inbox after signing in")
	return c
}

// click scrolls the element into view and clicks it, as a person would.
func (c *console) click(el string) {
	c.t.Helper()
	c.wait(el, "element "+el)
	c.do(chromedp.Evaluate[chromedp.Void](`(` + el + `).scrollIntoView({block: 'center'})`))
	c.tab.click(el)
}

// text is what the console's main area shows, for failure messages.
func (c *console) text() string {
	return eval[string](c.tab, `document.querySelector('main').innerText`)
}

// row is a JavaScript expression for the inbox row of conversation id.
func row(id string) string {
	return fmt.Sprintf("document.querySelector('.rows li[data-id=%q]')", id)
}

func TestConsoleSignInAndInbox(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	email := addStaff(t, srv.App, models.RoleAdmin, "Olive")
	waiting := seedConversation(t, srv.App, "needs_human", "Can a person call me back?")
	open := seedConversation(t, srv.App, "open", "Do you take Delta Dental?")

	c := openConsole(t, srv, email)
	c.wait(row(waiting)+" && "+row(open), "both seeded conversations in the inbox")
	first := eval[string](c.tab, `document.querySelector('.rows li').dataset.id`)
	if first != waiting {
		t.Errorf("first row is %s, want the visitor waiting for a person (%s)\n%s", first, waiting, c.text())
	}
	if got := eval[string](c.tab, row(open)+`.querySelector('.preview').textContent`); got != "Do you take Delta Dental?" {
		t.Errorf("preview = %q", got)
	}
	if eval[string](c.tab, row(waiting)+`.querySelector('.waited')?.textContent || ''`) == "" {
		t.Errorf("the waiting visitor's row shows no time waited\n%s", c.text())
	}

	// The conversation opens from its row, with its messages.
	c.click(row(open) + ".querySelector('a')")
	c.wait(`document.querySelector('.log .m.visitor')?.textContent.includes('Do you take Delta Dental?')`, "the conversation's messages")
}

// A visitor writes in the widget on the demo page while a staff member has the inbox open
// in another browser: the message shows in the inbox without a reload, within a second.
func TestConsoleInboxIsLive(t *testing.T) {
	// The reply streams slowly, so the row shows the visitor's message before the reply.
	slow := tests.NewFakeOllama(t, func(api.ChatRequest) ollamatest.Reply {
		return ollamatest.Reply{Chunks: []string{"Yes, ", "parking is free."}, ChunkDelay: 1500 * time.Millisecond}
	})
	srv := startApp(t, slow)
	c := openConsole(t, srv, addStaff(t, srv.App, models.RoleAdmin, "Olive"))
	c.do(chromedp.Evaluate[chromedp.Void](`window.__loaded = performance.timeOrigin;
		new MutationObserver(() => {
			if (!window.__seenAt && [...document.querySelectorAll('.rows .preview')].some((p) => p.textContent === 'Is parking free?')) window.__seenAt = Date.now();
		}).observe(document.querySelector('main'), {subtree: true, childList: true, characterData: true})`))

	visitor := newTab(t)
	visitor.open(srv.URL + "/")
	visitor.click(shadow(".l"))
	visitor.click(shadow("textarea"))
	visitor.typeText("Is parking free?")
	sent := time.Now()
	visitor.enter()
	c.wait(`window.__seenAt`, "the visitor's message in the inbox")
	seen := time.UnixMilli(int64(eval[float64](c.tab, `window.__seenAt`)))
	lag := seen.Sub(sent)
	t.Logf("the visitor's message reached the inbox %v after it was sent", lag)
	if lag > time.Second {
		t.Errorf("the visitor's message reached the inbox %v after it was sent, want within 1s", lag)
	}
	if eval[float64](c.tab, `performance.timeOrigin`) != eval[float64](c.tab, `window.__loaded`) {
		t.Error("the console reloaded to show the message")
	}
}

// A viewer reads conversations and leads but gets no reply box, no takeover and no export.
func TestConsoleViewerReadsOnly(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	id := seedConversation(t, srv.App, "needs_human", "Please call me")
	c := openConsole(t, srv, addStaff(t, srv.App, models.RoleViewer, "Vera"))
	c.click(row(id) + ".querySelector('a')")
	c.wait(`document.querySelector('.log .m.visitor')`, "the conversation")
	if n := eval[int](c.tab, `document.querySelectorAll('textarea, .convbar button').length`); n != 0 {
		t.Errorf("a viewer sees %d reply boxes or status buttons\n%s", n, c.text())
	}
	c.do(chromedp.Navigate(c.url + "#/leads"))
	c.wait(`document.querySelector('main h1')?.textContent === 'Leads' && !document.querySelector('main').hasAttribute('aria-busy')`, "the leads page")
	if n := eval[int](c.tab, `[...document.querySelectorAll('main a, main button')].filter((e) => /export/i.test(e.textContent)).length`); n != 0 {
		t.Errorf("a viewer sees an export control\n%s", c.text())
	}
	if eval[bool](c.tab, `[...document.querySelectorAll('#nav a')].some((a) => a.textContent === 'Dashboard' || a.textContent === 'Team')`) {
		t.Error("a viewer's navigation links the dashboard or the team")
	}
	c.do(chromedp.Navigate(c.url + "#/settings"))
	c.wait(`document.querySelector('main h1')?.textContent === 'Settings' && !document.querySelector('main').hasAttribute('aria-busy')`, "the settings page")
	if n := eval[int](c.tab, `[...document.querySelectorAll('main input, main textarea, main select, main button[type=submit]')].filter((e) => !e.matches(':disabled')).length`); n != 0 {
		t.Errorf("a viewer can change %d settings controls\n%s", n, c.text())
	}
}

// On a phone (390×844) no page of the console scrolls sideways.
func TestConsolePhoneHasNoHorizontalScroll(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	id := seedConversation(t, srv.App, "needs_human", "A long question with a long address https://example.com/a/very/long/path/that/does/not/break/easily/at/all?query=string&more=1")
	c := openConsole(t, srv, addStaff(t, srv.App, models.RoleOwner, "Owen"))
	c.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	for _, page := range []string{"inbox", "conversation/" + id, "leads", "bookings", "knowledge", "evaluation", "settings", "team", "dashboard"} {
		c.do(chromedp.Navigate(c.url + "#/" + page))
		c.wait(`document.querySelector('main h1') && !document.querySelector('main').hasAttribute('aria-busy')`, "page "+page)
		if w := eval[[]float64](c.tab, `[document.scrollingElement.scrollWidth, innerWidth]`); w[0] > w[1] {
			wide := eval[string](c.tab, `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1).slice(0, 5).map((e) => e.tagName + '.' + e.className).join(', ')`)
			t.Errorf("#/%s scrolls sideways at 390px: scrollWidth %v > %v (too wide: %s)", page, w[0], w[1], wide)
		}
	}
}

// A practice that requires a second factor: the password step answers with an mfaId; the
// console asks for the code PocketBase emails (through a real SMTP server) and signs in
// with both.
func TestConsoleOneTimeCodeLogin(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	mail := tests.StartMailServer(t)
	tests.UseMailServer(srv.App, mail)
	email := addStaff(t, srv.App, models.RoleOwner, "Owen")
	biz, err := srv.App.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
	if err != nil {
		t.Fatal(err)
	}
	biz.Set("require_mfa", true)
	if err := srv.App.Save(biz); err != nil {
		t.Fatal(err)
	}

	c := &console{tab: newTab(t), url: srv.URL + "/console/"}
	c.do(chromedp.Navigate(c.url))
	c.wait(`document.querySelector('input[name=email]')`, "the sign-in form")
	c.click(`document.querySelector('input[name=email]')`)
	c.typeText(email)
	c.click(`document.querySelector('input[name=password]')`)
	c.typeText(staffPassword)
	c.enter()
	c.wait(`document.activeElement?.name === 'otp' && document.querySelector('main [role=status]')?.textContent.includes('`+email+`')`, "the one-time code step, its code sent")
	var code string
	deadline := time.Now().Add(waitTimeout)
	for code == "" && time.Now().Before(deadline) {
		for _, m := range mail.Messages() {
			if found := regexp.MustCompile(`(?m)^Subject: (\d{6}) is your`).FindSubmatch(m.Raw); found != nil && slices.Contains(m.To, email) {
				code = string(found[1])
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code == "" {
		t.Fatalf("no one-time code emailed to %s (%d messages)", email, len(mail.Messages()))
	}
	// A wrong code is refused and the staff member stays on the step.
	c.typeText("000000")
	c.enter()
	c.wait(`document.querySelector('main [role=alert]:not([hidden])')?.textContent === 'That code is wrong or has expired.'`, "the wrong-code error")
	c.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name=otp]').select()`))
	c.typeText(code)
	c.enter()
	c.wait(`document.querySelector('main h1')?.textContent === 'Inbox' && !document.querySelector('.top').hidden`, "the inbox after the one-time code")
}

// An admin turns an unanswered question into an FAQ and edits the practice's settings;
// an owner exports the leads (an audited read); the console speaks Spanish on request.
func TestConsoleEditsKnowledgeSettingsAndExports(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	biz, err := srv.App.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
	if err != nil {
		t.Fatal(err)
	}
	gap := tests.NewRecord(t, srv.App, models.KnowledgeGapsCollection, map[string]any{"business": biz.Id, "question": "do you offer nitrous oxide", "count": 3})
	if err := srv.App.Save(gap); err != nil {
		t.Fatal(err)
	}
	c := openConsole(t, srv, addStaff(t, srv.App, models.RoleAdmin, "Olive"))

	c.do(chromedp.Navigate(c.url + "#/knowledge?tab=gaps"))
	c.click(fmt.Sprintf(`document.querySelector('li[data-id=%q] button.primary')`, gap.Id))
	c.wait(`document.activeElement?.name === 'answer'`, "the answer box")
	c.typeText("Yes, nitrous oxide is available for anxious patients.")
	c.click(`document.querySelector('main form button[type=submit]')`)
	c.wait(`document.querySelector('.empty')?.textContent === 'No unanswered questions. Well done.'`, "the gap gone from the list")
	faq, err := srv.App.FindFirstRecordByData(models.FAQsCollection, "question", "do you offer nitrous oxide")
	if err != nil || faq.GetString("answer") != "Yes, nitrous oxide is available for anxious patients." || faq.GetString("business") != biz.Id {
		t.Errorf("FAQ from the gap: %v %v", faq, err)
	}

	c.do(chromedp.Navigate(c.url + "#/settings"))
	c.wait(`document.querySelector('#hours-sun')`, "the settings form")
	c.click(`document.querySelector('#hours-sun')`)
	c.typeText("10:00-13:00")
	c.click(`document.querySelector('textarea[name=greeting]')`)
	c.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('textarea[name=greeting]').select()`))
	c.typeText("Hello from the console!")
	c.click(`document.querySelector('textarea[name=services]')`)
	c.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('textarea[name=services]').select()`))
	c.typeText("Cleaning | 60 | $120 | Polish included")
	c.click(`document.querySelector('main form button[type=submit].primary')`)
	c.wait(`document.querySelector('.toast')?.textContent === 'Saved.'`, "the settings saved")
	biz, _ = srv.App.FindRecordById(models.BusinessesCollection, biz.Id)
	if biz.GetString("greeting") != "Hello from the console!" || !strings.Contains(biz.GetString("hours"), `"sun":[{"close":"13:00","open":"10:00"}]`) ||
		!strings.Contains(biz.GetString("hours"), `"mon":[{"close":"17:00","open":"08:00"}]`) {
		t.Errorf("settings saved as greeting %q, hours %s", biz.GetString("greeting"), biz.GetString("hours"))
	}
	if got := biz.GetString("services"); !strings.Contains(got, `"price":"$120"`) || !strings.Contains(got, `"description":"Polish included"`) || !strings.Contains(got, `"duration_min":60`) {
		t.Errorf("services saved as %s, want Cleaning with its price and description", got)
	}
	if got := eval[string](c.tab, `document.querySelector('#snippet').textContent`); got != `<script src="`+srv.URL+`/widget.js" data-business="demo" defer></script>` {
		t.Errorf("widget snippet = %q", got)
	}

	c.do(chromedp.Evaluate[chromedp.Void](`(() => { const l = document.querySelector('#lang'); l.value = 'es'; l.dispatchEvent(new Event('change')); })()`))
	c.wait(`document.querySelector('main h1')?.textContent === 'Ajustes' && document.documentElement.lang === 'es'`, "the console in Spanish")

	owner := openConsole(t, srv, addStaff(t, srv.App, models.RoleOwner, "Owen"))
	owner.do(chromedp.Navigate(owner.url + "#/leads"))
	owner.click(`[...document.querySelectorAll('main button')].find((b) => b.textContent === 'Export CSV')`)
	owner.wait(`!document.querySelector('main form button.primary').disabled`, "the export finished")
	n, err := srv.App.CountRecords(models.AuditCollection, dbx.HashExp{"action": "export"}, dbx.Like("target", "leads.csv"))
	if err != nil || n != 1 {
		t.Errorf("%d audit entries for the leads export (%v), want 1", n, err)
	}
}

// A visitor in the widget and an admin in the console, in two browsers: the admin takes
// the conversation over from the console, their message shows in the widget within a
// second, the visitor's next message reaches the console live while the assistant stays
// silent, and handing back lets the assistant answer again.
func TestConsoleTakeOverAndHandBack(t *testing.T) {
	fake := model(t, "We are open today.")
	srv := startApp(t, fake)
	visitor := newTab(t)
	visitor.open(srv.URL + "/")
	visitor.click(shadow(".l"))
	visitor.ask("Are you open today?", 2)
	id := conversationID(visitor)

	c := openConsole(t, srv, addStaff(t, srv.App, models.RoleAdmin, "Olive"))
	c.click(row(id) + ".querySelector('a')")
	c.wait(`document.querySelectorAll('.log .m').length === 2`, "the conversation's two messages")
	c.click(`[...document.querySelectorAll('.convbar button')].find((b) => b.textContent === 'Take over')`)
	visitor.wait(shadow(".log > .system:last-child")+"?.textContent === 'Olive from Bright Smile Dental joined'", "the takeover note in the widget")
	c.wait(`document.querySelector('.convbar .badge')?.textContent === 'Staff replying' && document.querySelector('.convbar').textContent.includes('Held by Olive')`, "the console showing the conversation held")

	visitor.do(chromedp.Evaluate[chromedp.Void](`window.__staffAt = 0; new MutationObserver(() => {
		if (!window.__staffAt && ` + shadow(".log > .staff") + `) window.__staffAt = Date.now();
	}).observe(` + shadow(".log") + `, {childList: true})`))
	c.click(`document.querySelector('textarea[name=reply]')`)
	c.typeText("Hi, I'm Olive. How can I help?")
	sent := time.Now()
	c.enter()
	visitor.wait(shadow(".log > .staff")+"?.lastChild.textContent === \"Hi, I'm Olive. How can I help?\"", "the staff message in the widget")
	lag := time.UnixMilli(int64(eval[float64](visitor, `window.__staffAt`))).Sub(sent)
	t.Logf("the staff message reached the widget %v after Enter in the console", lag)
	if lag > time.Second {
		t.Errorf("the staff message reached the widget %v after it was sent, want within 1s", lag)
	}
	c.wait(`document.querySelector('.log .m.staff:last-child')?.textContent.includes('Olive')`, "the staff message in the console, by name")

	// While held, the visitor's message reaches the console and the assistant is silent.
	visitor.click(shadow("textarea"))
	visitor.typeText("I'd like to move my visit.")
	visitor.enter()
	c.wait(`document.querySelector('.log .m:last-child.visitor')?.textContent.includes("I'd like to move my visit.")`, "the held visitor message in the console")
	visitor.wait(shadow(".log")+".getAttribute('aria-busy') === null", "the held message sent")
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("the model was asked %d times, want once (not while held)", n)
	}
	if n := eval[int](visitor, count(".assistant")); n != 2 {
		t.Errorf("%d assistant bubbles while held, want 2 (the greeting and the first reply)", n)
	}

	c.click(`[...document.querySelectorAll('.convbar button')].find((b) => b.textContent === 'Hand back to the assistant')`)
	visitor.wait(shadow(".log > .system:last-child")+"?.textContent === 'Olive left; the assistant is back.'", "the hand-back note")
	if reply := visitor.ask("When can I come in?", 3); reply != "We are open today." {
		t.Errorf("reply after hand-back = %q", reply)
	}
	c.wait(`document.querySelector('.log .m:last-child.assistant')?.textContent.includes('We are open today.')`, "the assistant's reply in the console")
	want := []string{"visitor: Are you open today?", "assistant: We are open today.", "staff: Hi, I'm Olive. How can I help?",
		"visitor: I'd like to move my visit.", "visitor: When can I come in?", "assistant: We are open today."}
	if got := messages(t, srv.App, id); !slices.Equal(got, want) {
		t.Errorf("stored messages = %q, want %q", got, want)
	}
}

// The console works from the keyboard: signing in with Tab and Enter, then reaching a
// conversation from the inbox; each new page puts the focus on its heading.
func TestConsoleKeyboardOnly(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	email := addStaff(t, srv.App, models.RoleViewer, "Vera")
	id := seedConversation(t, srv.App, "needs_human", "Can someone call me?")
	c := &console{tab: newTab(t), url: srv.URL + "/console/"}
	c.do(chromedp.Navigate(c.url))
	c.wait(`document.activeElement?.name === 'email'`, "the focus in the email field")
	c.typeText(email)
	c.press(kb.Tab)
	c.wait(`document.activeElement?.name === 'password'`, "the focus in the password field")
	c.typeText(staffPassword)
	c.enter()
	c.wait(`document.activeElement === document.querySelector('main h1') && document.activeElement.textContent === 'Inbox'`, "the focus on the inbox's heading")
	// Tab through the filters (a date field takes a stop per part) to the first conversation.
	for i := 0; i < 25 && !eval[bool](c.tab, `document.activeElement?.classList.contains('rowlink')`); i++ {
		c.press(kb.Tab)
	}
	if got := eval[string](c.tab, `document.activeElement?.closest('li')?.dataset.id || ''`); got != id {
		t.Fatalf("Tab from the heading reached %q, not the conversation %s", eval[string](c.tab, `document.activeElement?.outerHTML.slice(0, 100)`), id)
	}
	if eval[string](c.tab, `getComputedStyle(document.activeElement).outlineStyle`) == "none" {
		t.Error("the focused conversation shows no focus outline")
	}
	c.enter()
	c.wait(`document.activeElement === document.querySelector('main h1') && document.activeElement.textContent === 'Conversation' && document.querySelector('.log .m.visitor')`, "the conversation, its heading focused")
}

// The realtime connection drops while a visitor writes: once the console is connected
// again, the conversation and the inbox show what was missed.
func TestConsoleCatchesUpAfterLosingRealtime(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	id := seedConversation(t, srv.App, "needs_human", "Hello?")
	c := openConsole(t, srv, addStaff(t, srv.App, models.RoleViewer, "Vera"))
	c.click(row(id) + ".querySelector('a')")
	c.wait(`document.querySelector('.log .m.visitor')`, "the conversation")

	c.block(srv.URL + "/api/realtime")
	for _, client := range srv.App.SubscriptionsBroker().Clients() {
		srv.App.SubscriptionsBroker().Unregister(client.Id())
	}
	m := tests.NewRecord(t, srv.App, models.MessagesCollection, map[string]any{"business": eval[string](c.tab, `JSON.parse(localStorage.getItem('pocketbase_auth')).record.business`), "conversation": id, "role": "visitor", "text": "Is anyone there?"})
	if err := srv.App.Save(m); err != nil {
		t.Fatal(err)
	}
	c.block("")
	c.wait(`[...document.querySelectorAll('.log .m.visitor')].some((m) => m.textContent.includes('Is anyone there?'))`, "the missed message after reconnecting")
	c.do(chromedp.Navigate(c.url + "#/inbox"))
	c.wait(row(id)+`?.querySelector('.preview').textContent === 'Is anyone there?'`, "the missed message in the inbox")
}

// An owner adds the practice's own synonyms in the console's settings; a line that is
// not a group is refused, naming the line.
func TestConsoleOwnerEditsSynonyms(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	c := openConsole(t, srv, addStaff(t, srv.App, models.RoleOwner, "Olga"))
	c.do(chromedp.Navigate(c.url + "#/settings"))
	c.wait(`document.querySelector('textarea[name=synonyms]') && !document.querySelector('main').hasAttribute('aria-busy')`, "the synonyms field")
	save := func(text string) {
		t.Helper()
		c.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('textarea[name=synonyms]'); s.scrollIntoView({block: 'center'}); s.focus(); s.select(); })()`))
		c.typeText(text)
		c.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('main form').requestSubmit()`))
	}
	saved := func() string {
		b, err := srv.App.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
		if err != nil {
			t.Fatal(err)
		}
		return b.GetString("synonyms")
	}
	save("parkade, parking")
	c.wait(`[...document.querySelectorAll('#toasts .toast')].some((e) => e.textContent === 'Saved.' || e.classList.contains('ok'))`, "the saved notice")
	if got := saved(); got != "parkade, parking" {
		t.Fatalf("synonyms saved as %q", got)
	}
	save("parkade, parking\ntrolley")
	c.wait(`[...document.querySelectorAll('#toasts .toast.error')].some((e) => e.textContent.includes('line 2'))`, "the error naming line 2")
	if got := saved(); got != "parkade, parking" {
		t.Fatalf("a refused save changed synonyms to %q", got)
	}
}

// An admin invites a colleague from the team page (an email goes out); re-sending at
// once is refused in words, and nothing more is sent; a colleague whose invite was sent
// long ago (here: by another server run) gets it again from the button.
func TestConsoleTeamInviteAndResend(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	mail := tests.StartMailServer(t)
	tests.UseMailServer(srv.App, mail)
	c := openConsole(t, srv, addStaff(t, srv.App, models.RoleAdmin, "Olive"))
	mailsTo := func(email string) int {
		n := 0
		for _, m := range mail.Messages() {
			if slices.Contains(m.To, email) {
				n++
			}
		}
		return n
	}
	waitMail := func(email string, n int) {
		t.Helper()
		for deadline := time.Now().Add(waitTimeout); mailsTo(email) < n; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d emails to %s, want %d", mailsTo(email), email, n)
			}
		}
	}

	c.do(chromedp.Navigate(c.url + "#/team"))
	c.click(`document.querySelector('input[name=invite-email]')`)
	c.typeText("nia@example.com")
	c.click(`document.querySelector('input[name=invite-name]')`)
	c.typeText("Nia")
	c.click(`[...document.querySelectorAll('main form button[type=submit]')].find((b) => b.textContent === 'Send invitation')`)
	c.wait(`[...document.querySelectorAll('#toasts .toast')].some((e) => e.textContent === 'Invitation sent to nia@example.com.')`, "the invitation sent")
	waitMail("nia@example.com", 1)
	resend := func(name string) string {
		return fmt.Sprintf(`document.querySelector('main button[aria-label="Resend invite: %s"]')`, name)
	}
	c.click(resend("Nia"))
	c.wait(`[...document.querySelectorAll('#toasts .toast.error')].some((e) => e.textContent === 'The invite was just sent. Try again in two minutes.')`, "the too-soon notice")
	if n := mailsTo("nia@example.com"); n != 1 {
		t.Errorf("%d emails to nia@example.com after a refused resend, want 1", n)
	}

	biz, err := srv.App.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
	if err != nil {
		t.Fatal(err)
	}
	pending := tests.NewRecord(t, srv.App, models.StaffCollection, map[string]any{"business": biz.Id, "role": models.RoleViewer, "name": "Pat", "email": "pat@example.com", "verified": false})
	pending.SetRandomPassword()
	if err := srv.App.Save(pending); err != nil {
		t.Fatal(err)
	}
	c.do(chromedp.Reload())
	c.click(resend("Pat"))
	c.wait(`[...document.querySelectorAll('#toasts .toast')].some((e) => e.textContent === 'Invitation sent to pat@example.com.')`, "the invite sent again")
	waitMail("pat@example.com", 1)
}
