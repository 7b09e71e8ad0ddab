package e2e

import (
	"fmt"
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

// startApp runs the real app with the demo practice, answering through the fake Ollama
// and allowing the widget on the given extra origins.
func startApp(t *testing.T, model *ollamatest.Server, origins ...string) *tests.Server {
	t.Helper()
	return tests.StartServer(t, tests.Options{OllamaURL: model.URL, Origins: origins})
}

// model is a fake Ollama that streams the same chunks for every question.
func model(t *testing.T, chunks ...string) *ollamatest.Server {
	return tests.NewFakeOllama(t, func(api.ChatRequest) ollamatest.Reply {
		return ollamatest.Reply{Chunks: chunks, ChunkDelay: 50 * time.Millisecond}
	})
}

// lastQuestion is the last visitor message in a chat request.
func lastQuestion(req api.ChatRequest) string {
	q := ""
	for _, m := range req.Messages {
		if m.Role == "user" {
			q = m.Content
		}
	}
	return q
}

// messages are the stored texts of a conversation, as "role: text".
func messages(t *testing.T, app core.App, conversation string) []string {
	t.Helper()
	recs, err := app.FindRecordsByFilter(models.MessagesCollection, "conversation = {:c}", "created,id", 0, 0, dbx.Params{"c": conversation})
	if err != nil {
		t.Fatalf("messages: %v", err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.GetString("role")+": "+r.GetString("text"))
	}
	return out
}

func conversationID(b *tab) string {
	return eval[string](b, `JSON.parse(localStorage.getItem('frontdesk:demo') || '{}').id || ''`)
}

func TestDemoPageStreamsReplyAndKeepsHistory(t *testing.T) {
	fake := model(t, "We are open ", "Monday to Saturday. ", "Call (503) 555-0142.")
	srv := startApp(t, fake)
	b := newTab(t)
	b.open(srv.URL + "/")
	if title := eval[string](b, `document.title`); !strings.Contains(title, "Bright Smile Dental") {
		t.Errorf("demo page title = %q", title)
	}

	b.click(shadow(".l"))
	b.wait(hasFocus(shadow("textarea")), "focus in the message box")
	// Record every text the reply bubble shows, to see it grow chunk by chunk.
	b.do(chromedp.Evaluate[chromedp.Void](`window.__seen = [];
		new MutationObserver(() => {
			const m = [...` + shadow(".log") + `.querySelectorAll('.assistant')].pop(), s = m && m.lastChild.textContent;
			if (s && s !== window.__seen.at(-1)) window.__seen.push(s);
		}).observe(` + shadow(".log") + `, {subtree: true, childList: true, characterData: true})`))
	b.typeText("When are you open?")
	b.enter()
	full := "We are open Monday to Saturday. Call (503) 555-0142."
	b.wait(fmt.Sprintf(`%s.lastElementChild.lastChild.textContent === %q && %s.getAttribute('aria-busy') === null`, shadow(".log"), full, shadow(".log")), "the whole reply")
	seen := eval[[]string](b, `window.__seen`)
	if !slices.Contains(seen, "We are open ") || !slices.Contains(seen, "We are open Monday to Saturday. ") {
		t.Errorf("the reply did not stream in pieces; it showed %q", seen)
	}
	if href := eval[string](b, shadow(".log > .assistant:last-child a")+".getAttribute('href')"); href != "tel:5035550142" {
		t.Errorf("phone link href = %q, want tel:5035550142", href)
	}
	if reqs := fake.Requests(); len(reqs) != 1 || lastQuestion(reqs[0]) != "When are you open?" {
		t.Errorf("model got %d requests", len(reqs))
	}

	id := conversationID(b)
	want := []string{"visitor: When are you open?", "assistant: " + full}
	if got := messages(t, srv.App, id); !slices.Equal(got, want) {
		t.Errorf("stored messages = %q, want %q", got, want)
	}

	b.reload()
	b.wait(fmt.Sprintf(`%s.length === 3`, "document.querySelector('frontdesk-chat').shadowRoot.querySelectorAll('.log > .m')"), "greeting and history after reload")
	got := eval[[]string](b, `[...document.querySelector('frontdesk-chat').shadowRoot.querySelectorAll('.log > .m')].slice(1).map((m) => m.className + ' ' + m.lastChild.textContent)`)
	if !slices.Equal(got, []string{"m visitor When are you open?", "m assistant " + full}) {
		t.Errorf("history after reload = %q", got)
	}
	if conversationID(b) != id {
		t.Errorf("reload started a new conversation")
	}
}

func TestContactFormStoresLead(t *testing.T) {
	srv := startApp(t, model(t, "Happy to help."))
	b := newTab(t)
	b.open(srv.URL + "/")
	b.click(shadow(".l"))
	b.click(button("Leave your details"))
	b.wait(hasFocus(shadow("#i-name")), "focus in the name field")

	// Checked in the browser first: nothing reaches the server.
	b.click(button("Send details"))
	b.wait(shadow("#ie-name")+".textContent !== ''", "the missing-name error")
	b.typeText("Ann Lee")
	b.click(shadow("#i-email"))
	b.typeText("ann@example")
	b.click(button("Send details"))
	b.wait(shadow("#ie-email")+".textContent === 'Please enter a valid email address.'", "the bad-email error")
	if n, _ := srv.App.CountRecords(models.LeadsCollection); n != 0 {
		t.Fatalf("%d leads stored from an invalid form", n)
	}

	b.typeText(".com")
	b.click(shadow("#i-phone"))
	b.typeText("(503) 555-0199")
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('frontdesk-chat').shadowRoot.querySelector('#i-service').value = 'Teeth whitening'`))
	b.click(shadow("#i-sms_consent"))
	b.click(button("Send details"))
	b.wait(shadow(".ok")+".getClientRects().length > 0", "the thank-you message")

	lead, err := srv.App.FindFirstRecordByData(models.LeadsCollection, "email", "ann@example.com")
	if err != nil {
		t.Fatalf("lead not stored: %v", err)
	}
	if lead.GetString("name") != "Ann Lee" || lead.GetString("phone") == "" || lead.GetString("service") != "Teeth whitening" || !lead.GetBool("sms_consent") {
		t.Errorf("lead = name %q phone %q service %q consent %v", lead.GetString("name"), lead.GetString("phone"), lead.GetString("service"), lead.GetBool("sms_consent"))
	}
	if lead.GetString("conversation") != conversationID(b) {
		t.Errorf("lead belongs to conversation %q, the widget's is %q", lead.GetString("conversation"), conversationID(b))
	}
}

func TestXSSPayloadsStayText(t *testing.T) {
	payload := `<img src=x onerror="window.__xss=1"><script>window.__xss=1</script><svg onload="window.__xss=1"></svg>`
	fake := model(t, "Here you go: ", payload, " [click](javascript:window.__xss=1) javascript:window.__xss=1 https://example.com/ok")
	srv := startApp(t, fake)
	b := newTab(t)
	b.open(srv.URL + "/")
	b.click(shadow(".l"))
	reply := b.ask("What are your hours?", 2)
	if !strings.HasPrefix(reply, "Here you go: ") {
		t.Fatalf("reply = %q", reply)
	}
	b.ask(`<img src=x onerror="window.__xss=1"><iframe src="javascript:parent.__xss=1"></iframe>`, 3)

	check := func(when string) {
		t.Helper()
		if v := eval[string](b, `String(window.__xss)`); v != "undefined" {
			t.Errorf("%s: window.__xss = %s: a payload ran", when, v)
		}
		if n := eval[int](b, `document.querySelector('frontdesk-chat').shadowRoot.querySelectorAll('.log img, .log script, .log svg, .log iframe').length`); n != 0 {
			t.Errorf("%s: %d elements made from message text", when, n)
		}
		hrefs := eval[[]string](b, `[...document.querySelector('frontdesk-chat').shadowRoot.querySelectorAll('.log a')].map((a) => a.protocol)`)
		for _, h := range hrefs {
			if h != "https:" && h != "http:" && h != "tel:" && h != "mailto:" {
				t.Errorf("%s: link with protocol %q", when, h)
			}
		}
		if !slices.Contains(hrefs, "https:") {
			t.Errorf("%s: the https link in the reply is not clickable", when)
		}
		if !eval[bool](b, `[...document.querySelector('frontdesk-chat').shadowRoot.querySelectorAll('.log > .visitor')].pop().textContent.includes('<img src=x onerror=')`) {
			t.Errorf("%s: the visitor's text is not shown as typed", when)
		}
	}
	check("live")
	b.reload()
	b.wait(`document.querySelector('frontdesk-chat').shadowRoot.querySelectorAll('.log > .m').length === 5`, "history after reload")
	check("history")
}

// hostileCSS is what a careless or hostile host page might ship.
const hostileCSS = `<style>
* { color: transparent !important; font-size: 0 !important; line-height: 0 !important;
    position: static !important; z-index: -1 !important; margin: 37px !important; padding: 0 !important;
    border: 0 !important; width: auto !important; height: auto !important; visibility: hidden !important;
    box-sizing: content-box !important; font-family: "Comic Sans MS", cursive !important; }
div, button, textarea, input, form, svg { display: none !important; }
frontdesk-chat { all: unset !important; }
frontdesk-chat, body > * { display: none !important; transform: scale(0) !important; }
:root { --c: red; --f: red; }
</style>`

func TestWidgetSurvivesHostileHostCSS(t *testing.T) {
	host := newHostSite(t)
	srv := startApp(t, model(t, "Still ", "working."), host.URL)
	url := host.page("/hostile", srv.URL, hostileCSS, `<div><button>Host button</button></div>`, "")
	b := newTab(t)
	b.open(url)
	b.click(shadow(".l"))
	input := shadow("textarea")
	b.wait(hasFocus(input), "focus in the message box")
	size := eval[[]float64](b, fmt.Sprintf(`(() => { const e = %s, r = e.getBoundingClientRect(), s = getComputedStyle(e);
		return [r.width, r.height, parseFloat(s.fontSize), s.color === 'rgba(0, 0, 0, 0)' ? 0 : 1, s.visibility === 'visible' ? 1 : 0]; })()`, input))
	if size[0] < 150 || size[1] < 30 || size[2] < 12 || size[3] == 0 || size[4] == 0 {
		t.Fatalf("message box under hostile CSS: width %v height %v font-size %v visible colour %v visible %v", size[0], size[1], size[2], size[3], size[4])
	}
	if reply := b.ask("Are you there?", 2); reply != "Still working." {
		t.Errorf("reply = %q", reply)
	}
}

func TestCrossOriginEmbedding(t *testing.T) {
	allowed, refused := newHostSite(t), newHostSite(t)
	srv := startApp(t, model(t, "Hola, ", "¿en qué le ayudamos?"), allowed.URL)

	b := newTab(t)
	b.open(refused.page("/", srv.URL, "", "<h1>Not a customer</h1>", ""))
	b.click(shadow(".l"))
	b.wait(shadow(".note")+".getClientRects().length > 0 && "+shadow(".note")+".textContent !== ''", "an error on a website that is not allowed")
	if !eval[bool](b, shadow("textarea")+".disabled") {
		t.Errorf("message box usable on a website that is not allowed")
	}
	if n, _ := srv.App.CountRecords(models.ConversationsCollection); n != 0 {
		t.Errorf("%d conversations created from a website that is not allowed", n)
	}

	b.open(allowed.page("/", srv.URL, "", "<h1>Clínica</h1>", `data-locale="es"`))
	b.click(shadow(".l"))
	if ph := eval[string](b, shadow("textarea")+".placeholder"); ph != "Escriba su mensaje…" {
		t.Errorf("placeholder with data-locale=es = %q", ph)
	}
	if reply := b.ask("¿Atienden los sábados?", 2); reply != "Hola, ¿en qué le ayudamos?" {
		t.Errorf("reply = %q", reply)
	}
	conv, err := srv.App.FindRecordById(models.ConversationsCollection, conversationID(b))
	if err != nil {
		t.Fatalf("conversation: %v", err)
	}
	if got := conv.GetString("page_url"); got != allowed.URL+"/" {
		t.Errorf("page_url = %q, want %q", got, allowed.URL+"/")
	}
	if got := conv.GetString("locale"); got != "es" {
		t.Errorf("locale = %q, want es", got)
	}
}

func TestKeyboardOnly(t *testing.T) {
	srv := startApp(t, model(t, "Yes, we welcome new patients."))
	b := newTab(t)
	b.open(srv.URL + "/")
	launcher := shadow(".l")
	tabTo := func(target, what string, mods ...chromedp.Modifier) {
		t.Helper()
		for range 60 {
			if eval[bool](b, hasFocus(target)) {
				return
			}
			b.press(kb.Tab, mods...)
		}
		t.Fatalf("Tab never reached %s\n%s", what, b.state())
	}
	tabTo(launcher, "the launcher")
	if style := eval[string](b, "getComputedStyle("+launcher+").outlineStyle"); style == "none" {
		t.Errorf("focused launcher has no visible outline")
	}
	b.enter()
	b.wait(hasFocus(shadow("textarea")), "focus in the message box after Enter")
	if eval[string](b, launcher+".getAttribute('aria-expanded')") != "true" {
		t.Errorf("launcher aria-expanded is not true when open")
	}
	b.typeText("Do you take new patients?")
	b.enter()
	b.wait(shadow(".log > .assistant:last-child")+".lastChild.textContent === 'Yes, we welcome new patients.'", "the reply")

	b.press(kb.Escape)
	b.wait(shadow(".p")+".hidden && "+hasFocus(launcher), "Escape to close and focus the launcher")
	if eval[string](b, launcher+".getAttribute('aria-expanded')") != "false" {
		t.Errorf("launcher aria-expanded is not false when closed")
	}

	b.enter()
	b.wait(hasFocus(shadow("textarea")), "focus in the message box again")
	tabTo(button("Leave your details"), "the contact button", chromedp.ModifierShift)
	b.enter()
	b.wait(hasFocus(shadow("#i-name")), "focus in the name field")
	b.typeText("Kim Doe")
	b.press(kb.Tab)
	b.typeText("kim@example.com")
	b.enter()
	b.wait(shadow(".ok")+".getClientRects().length > 0 && "+focused+"?.textContent === 'Back to chat'", "the thank-you message with focus on Back")
	b.enter()
	b.wait(hasFocus(shadow("textarea")), "focus back in the message box")
	if _, err := srv.App.FindFirstRecordByData(models.LeadsCollection, "email", "kim@example.com"); err != nil {
		t.Errorf("lead from the keyboard-only form not stored: %v", err)
	}
}

func TestPhoneViewportFillsScreen(t *testing.T) {
	srv := startApp(t, model(t, "Sure."))
	b := newTab(t)
	b.do(chromedp.EmulateViewport(375, 667, chromedp.EmulateMobile, chromedp.EmulateTouch))
	b.open(srv.URL + "/")
	b.click(shadow(".l"))
	rect := eval[[]float64](b, `(() => { const r = `+shadow(".p")+`.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`)
	if !slices.Equal(rect, []float64{0, 0, 375, 667}) {
		t.Errorf("panel on a 375x667 screen = %v, want [0 0 375 667]", rect)
	}
	if reply := b.ask("Hi", 2); reply != "Sure." {
		t.Errorf("reply = %q", reply)
	}
	b.click(shadow(".x"))
	b.wait(shadow(".p")+".hidden && "+shadow(".l")+".getClientRects().length > 0", "the launcher back after closing")
}

func TestFailedSendIsKeptAndRetried(t *testing.T) {
	srv := startApp(t, model(t, "Got it."))
	b := newTab(t)
	b.open(srv.URL + "/")
	b.click(shadow(".l"))

	b.block("*://*:*/api/widget/*/conversations/*/messages")
	b.typeText("Can I come in today?")
	b.enter()
	b.wait(button("Retry")+" !== undefined", "the Retry button")
	if eval[string](b, shadow(".note")+".textContent") != "Connection problem. Please try again." {
		t.Errorf("note = %q", eval[string](b, shadow(".note")+".textContent"))
	}
	b.typeText("half-typed")

	// Nothing typed is lost across a reload: the failed message and the draft come back.
	b.reload()
	b.click(shadow(".l"))
	b.wait(button("Retry")+" !== undefined", "the Retry button after reload")
	if v := eval[string](b, shadow("textarea")+".value"); v != "half-typed" {
		t.Errorf("draft after reload = %q", v)
	}
	b.block("")
	b.click(button("Retry"))
	// The reply shows while it streams; it is stored before the stream's done, which clears aria-busy.
	b.wait(shadow(".log > .assistant:last-child")+"?.lastChild.textContent === 'Got it.' && "+shadow(".log")+".getAttribute('aria-busy') === null", "the reply after Retry")
	if eval[bool](b, button("Retry")+" !== undefined") {
		t.Errorf("Retry still shown after the message was sent")
	}
	if got := messages(t, srv.App, conversationID(b)); !slices.Equal(got, []string{"visitor: Can I come in today?", "assistant: Got it."}) {
		t.Errorf("stored messages = %q", got)
	}
	if v := eval[string](b, `JSON.stringify(JSON.parse(localStorage.getItem('frontdesk:demo')).failed)`); v != "[]" {
		t.Errorf("failed messages still stored: %s", v)
	}
}

func TestModelDownFallsBackToOfflineAnswer(t *testing.T) {
	down := tests.NewFakeOllama(t, func(api.ChatRequest) ollamatest.Reply {
		return ollamatest.Reply{Status: 500}
	})
	srv := startApp(t, down)
	b := newTab(t)
	b.open(srv.URL + "/")
	b.click(shadow(".l"))
	b.ask("Which insurance do you accept?", 2)
	if note := eval[string](b, shadow(".note")+".textContent"); note != "Our assistant is unavailable right now. Leave your details and we will get back to you." {
		t.Errorf("note = %q", note)
	}
	if eval[bool](b, button("Retry")+" !== undefined") {
		t.Errorf("the visitor's message is marked failed although it was stored")
	}
	got := messages(t, srv.App, conversationID(b))
	if len(got) != 2 || got[0] != "visitor: Which insurance do you accept?" || !strings.HasPrefix(got[1], "assistant: ") {
		t.Errorf("stored messages = %q, want the question and an offline answer", got)
	}
}
