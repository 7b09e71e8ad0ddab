package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ollama/ollama/api"
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
	if eval[bool](c.tab, `[...document.querySelectorAll('#nav a')].some((a) => a.textContent === 'Dashboard')`) {
		t.Error("a viewer's navigation links the dashboard")
	}
}

// On a phone (390×844) no page of the console scrolls sideways.
func TestConsolePhoneHasNoHorizontalScroll(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	id := seedConversation(t, srv.App, "needs_human", "A long question with a long address https://example.com/a/very/long/path/that/does/not/break/easily/at/all?query=string&more=1")
	c := openConsole(t, srv, addStaff(t, srv.App, models.RoleOwner, "Owen"))
	c.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	for _, page := range []string{"inbox", "conversation/" + id, "leads", "knowledge", "settings", "team", "dashboard"} {
		c.do(chromedp.Navigate(c.url + "#/" + page))
		c.wait(`document.querySelector('main h1') && !document.querySelector('main').hasAttribute('aria-busy')`, "page "+page)
		if w := eval[[]float64](c.tab, `[document.scrollingElement.scrollWidth, innerWidth]`); w[0] > w[1] {
			wide := eval[string](c.tab, `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1).slice(0, 5).map((e) => e.tagName + '.' + e.className).join(', ')`)
			t.Errorf("#/%s scrolls sideways at 390px: scrollWidth %v > %v (too wide: %s)", page, w[0], w[1], wide)
		}
	}
}

// With PocketBase's multi-factor login on for staff, the password step answers with an
// mfaId; the console asks for the emailed one-time code and signs in with both.
func TestConsoleOneTimeCodeLogin(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	email := addStaff(t, srv.App, models.RoleOwner, "Owen")
	col, err := srv.App.FindCollectionByNameOrId(models.StaffCollection)
	if err != nil {
		t.Fatal(err)
	}
	col.MFA.Enabled = true
	col.MFA.Duration = 600
	col.OTP.Enabled = true
	col.OTP.Duration = 300
	col.OTP.Length = 8
	if err := srv.App.Save(col); err != nil {
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
	for _, m := range srv.App.TestMailer.Messages() {
		if found := regexp.MustCompile(`\b\d{8}\b`).FindString(m.HTML); found != "" && m.To[0].Address == email {
			code = found
		}
	}
	if code == "" {
		t.Fatalf("no one-time code emailed to %s (%d messages)", email, srv.App.TestMailer.TotalSend())
	}
	// A wrong code is refused and the staff member stays on the step.
	c.typeText("00000000")
	c.enter()
	c.wait(`document.querySelector('main [role=alert]:not([hidden])')?.textContent === 'That code is wrong or has expired.'`, "the wrong-code error")
	c.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name=otp]').select()`))
	c.typeText(code)
	c.enter()
	c.wait(`document.querySelector('main h1')?.textContent === 'Inbox' && !document.querySelector('.top').hidden`, "the inbox after the one-time code")
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
