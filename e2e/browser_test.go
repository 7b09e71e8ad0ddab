package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// waitTimeout bounds each wait for the page to reach a state; it is a deadline for a
// failure message, not a speed goal.
const waitTimeout = 20 * time.Second

// chromium finds the browser: $FRONTDESK_CHROMIUM, else Debian's chromium, else one on PATH.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("FRONTDESK_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	// make test installs chromium; a missing browser is a failure, never a silent skip.
	t.Fatal("no Chromium installed: run make test (it installs Debian's chromium) or set FRONTDESK_CHROMIUM")
	return ""
}

// tab is one headless browser with a fresh profile and its page.
type tab struct {
	t   *testing.T
	ctx context.Context

	mu     sync.Mutex
	errors []string // uncaught exceptions and console errors of the page
}

func newTab(t *testing.T) *tab {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first run starts the browser; it lives as long as ctx, so no timeout here.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b := &tab{t: t, ctx: ctx}
	_ = chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError {
				return
			}
			for _, a := range ev.Args {
				msg += " " + string(a.Value) + a.Description
			}
		default:
			return
		}
		b.mu.Lock()
		b.errors = append(b.errors, msg)
		b.mu.Unlock()
	})
	return b
}

func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v\n%s", err, b.state())
	}
}

// open loads url and waits until the widget has built itself.
func (b *tab) open(url string) {
	b.t.Helper()
	b.do(chromedp.Navigate(url))
	b.wait(shadow(".l")+" != null", "the widget's launcher")
}

func (b *tab) reload() {
	b.t.Helper()
	b.do(chromedp.Reload())
	b.wait(shadow(".l")+" != null", "the widget's launcher after reload")
}

// eval runs a JavaScript expression in the page and decodes its value.
func eval[T any](b *tab, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("eval %s: %v", js, err)
	}
	return v
}

// wait polls a JavaScript condition until it is true.
func (b *tab) wait(cond, what string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout+5*time.Second)
	defer cancel()
	// A condition that throws (an element not there yet) counts as false, not as a failure.
	cond = "(() => { try { return !!(" + cond + ") } catch (e) { return false } })()"
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(waitTimeout)))
	if err != nil {
		b.t.Fatalf("waiting for %s: %v\n%s", what, err, b.state())
	}
}

// state describes what the widget shows, for failure messages.
func (b *tab) state() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	b.mu.Lock()
	errs := strings.Join(b.errors, "\n")
	b.mu.Unlock()
	if errs != "" {
		errs = "\npage errors:\n" + errs
	}
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const r = document.querySelector('frontdesk-chat')?.shadowRoot;
		if (!r) return 'page ' + location.href + ':\n' + (document.querySelector('main')?.innerText || document.body?.innerText || '').slice(0, 2000);
		const q = (s) => r.querySelector(s);
		return 'panel hidden: ' + q('.p')?.hidden + '\nnote: ' + (q('.note')?.hidden ? '' : q('.note')?.textContent) +
			'\nmessages:\n' + [...r.querySelectorAll('.log > .m')].map((m) => '  [' + m.className + '] ' + m.textContent).join('\n') +
			'\nfocused: ' + (r.activeElement ? r.activeElement.outerHTML.slice(0, 120) : document.activeElement?.tagName);
	})()`))
	if err != nil {
		return "(no page state: " + err.Error() + ")" + errs
	}
	return s + errs
}

// shadow is a JavaScript expression for the first element matching sel inside the widget.
func shadow(sel string) string {
	return fmt.Sprintf("document.querySelector('frontdesk-chat')?.shadowRoot?.querySelector(%q)", sel)
}

// button is a JavaScript expression for the widget's visible button with this text.
func button(text string) string {
	return fmt.Sprintf("[...document.querySelector('frontdesk-chat').shadowRoot.querySelectorAll('button')].find((b) => b.textContent === %q && b.getClientRects().length > 0)", text)
}

// click presses the mouse at the middle of the element, after checking that the element is
// what the browser would hit there: visible and not covered by anything.
func (b *tab) click(el string) {
	b.t.Helper()
	b.wait(fmt.Sprintf(`(() => { const e = %s; return e && e.getBoundingClientRect().width > 0; })()`, el), "element "+el)
	pos := eval[[]float64](b, fmt.Sprintf(`(() => {
		const e = %s, r = e.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
		const hit = e.getRootNode().elementFromPoint(x, y);
		return hit && (hit === e || e.contains(hit)) ? [x, y] : [];
	})()`, el))
	if len(pos) != 2 {
		b.t.Fatalf("%s is covered or not rendered\n%s", el, b.state())
	}
	b.do(chromedp.MouseClickXY(pos[0], pos[1]))
}

// typeText types into whatever has the focus, as a keyboard would.
func (b *tab) typeText(s string) {
	b.t.Helper()
	b.do(chromedp.KeyEvent(s))
}

func (b *tab) press(key string, mods ...chromedp.Modifier) {
	b.t.Helper()
	b.do(chromedp.KeyEvent(key, chromedp.KeyModifiers(mods...)))
}

// enter presses Enter the way a keyboard does: one keyDown carrying the text, so a
// handler that cancels the keydown also stops the newline (kb.Enter sends a separate
// char event that a cancelled keydown can't stop).
func (b *tab) enter() {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		p := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "Enter", Code: "Enter",
			WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13, Text: "\r", UnmodifiedText: "\r"}
		if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, p); err != nil {
			return err
		}
		p.Type, p.Text, p.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
		_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, p)
		return err
	}))
}

// focused is a JavaScript expression for the element focused inside the widget.
const focused = "document.querySelector('frontdesk-chat')?.shadowRoot?.activeElement"

// hasFocus is a JavaScript condition: the element exists and has the focus.
func hasFocus(el string) string {
	return fmt.Sprintf("((e) => !!e && e === %s)(%s)", focused, el)
}

// ask sends a message from the open panel the way a visitor does and waits for the n-th
// assistant reply (counting the greeting) to be complete.
func (b *tab) ask(text string, n int) string {
	b.t.Helper()
	b.click(shadow("textarea"))
	b.typeText(text)
	b.enter()
	b.wait(fmt.Sprintf(`document.querySelector('frontdesk-chat').shadowRoot.querySelectorAll('.log > .assistant').length >= %d && %s.getAttribute('aria-busy') === null`, n, shadow(".log")), "reply "+fmt.Sprint(n))
	return eval[string](b, fmt.Sprintf(`document.querySelector('frontdesk-chat').shadowRoot.querySelectorAll('.log > .assistant')[%d].lastChild.textContent`, n-1))
}

// block makes the browser fail requests whose URL matches the URLPattern (nothing if empty).
func (b *tab) block(pattern string) {
	b.t.Helper()
	var patterns []*network.BlockPattern
	if pattern != "" {
		patterns = append(patterns, &network.BlockPattern{URLPattern: pattern, Block: true})
	}
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: patterns})
		return err
	}))
}

// hostSite is a second website (another origin) whose pages embed the widget.
type hostSite struct {
	*httptest.Server
	mu    sync.Mutex
	pages map[string]string
}

func newHostSite(t *testing.T) *hostSite {
	h := &hostSite{pages: map[string]string{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		page, ok := h.pages[r.URL.Path]
		h.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	t.Cleanup(h.Close)
	return h
}

// page serves an HTML page at path that embeds the widget from appURL.
func (h *hostSite) page(path, appURL, head, body, attrs string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pages[path] = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Host page</title>` + head + `</head>
<body>` + body + `<script src="` + strings.TrimRight(appURL, "/") + `/widget.js" data-business="demo" ` + attrs + ` defer></script></body></html>`
	return h.URL + path
}
