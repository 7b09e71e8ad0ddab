package booking_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"frontdesk/models"
	"frontdesk/tests"
)

// browser is a headless Chromium tab with a fresh profile.
type browser struct {
	t   *testing.T
	ctx context.Context
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := os.Getenv("FRONTDESK_CHROMIUM")
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path != "" {
			break
		}
		path, _ = exec.LookPath(name)
	}
	if path == "" {
		// make test installs chromium; a missing browser is a failure, never a silent skip.
		t.Fatal("no Chromium installed: run make test or set FRONTDESK_CHROMIUM")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx}
}

func (b *browser) run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

func (b *browser) eval(js string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("eval %s: %v", js, err)
	}
	return v
}

// wait polls a JavaScript condition (one that throws counts as false).
func (b *browser) wait(cond, what string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 25*time.Second)
	defer cancel()
	cond = "(() => { try { return !!(" + cond + ") } catch (e) { return false } })()"
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		b.t.Fatalf("waiting for %s: %v", what, err)
	}
}

func in(sel string) string {
	return fmt.Sprintf("document.querySelector('frontdesk-chat').shadowRoot.querySelector(%q)", sel)
}

func buttonText(text string) string {
	return fmt.Sprintf("[...document.querySelector('frontdesk-chat').shadowRoot.querySelectorAll('button')].find((b) => b.textContent === %q && b.getClientRects().length > 0)", text)
}

// widgetPage serves a practice page with the widget (pb_public's widget.js and
// booking.html) from the harness, and opens it in a browser.
func widgetPage(t *testing.T) (*harness, *browser, string) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"widget.js", "booking.html"} {
		data, err := os.ReadFile(filepath.Join(tests.RepoRoot(), "pb_public", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	page := `<!doctype html><html lang="en"><body><h1>Harbor Physio</h1><script src="/widget.js" data-business="clinic" data-locale="en" defer></script></body></html>`
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, setup{publicDir: dir})
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close)
	h.app.Settings().Meta.AppURL = srv.URL
	b := newBrowser(t)
	b.run(chromedp.Navigate(srv.URL + "/"))
	return h, b, srv.URL
}

// A visitor who asks the assistant (no model) to book gets a "Book a visit" button under
// the reply, which opens the booking form.
func TestWidgetOfflineReplyOffersTheBookingForm(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	_, b, _ := widgetPage(t)
	b.wait(in(".l")+" != null", "the launcher")
	b.run(chromedp.Evaluate[chromedp.Void](in(".l") + ".click()"))
	b.run(chromedp.Evaluate[chromedp.Void](in("textarea") + ".focus()"))
	b.run(chromedp.KeyEvent("Can I book a cleaning on Tuesday?\r"))
	b.wait(in(".offer button")+" != null", "the reply's Book a visit button")
	if text := b.eval(in(".offer button") + ".textContent"); text != "Book a visit" {
		t.Errorf("offer button %q", text)
	}
	b.run(chromedp.Evaluate[chromedp.Void](in(".offer button") + ".click()"))
	b.wait(in("#b-time")+".options.length > 0", "the booking form's times")
}

// A visitor books in the widget with no model at all, sees the confirmation with the
// manage link, and cancels from the manage page.
func TestWidgetBookingAndManagePage(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	h, b, srvURL := widgetPage(t)
	b.wait(in(".l")+" != null", "the launcher")
	b.run(chromedp.Evaluate[chromedp.Void](in(".l") + ".click()"))
	b.wait(buttonText("Book a visit")+" != null", "the Book a visit button")
	b.run(chromedp.Evaluate[chromedp.Void](buttonText("Book a visit") + ".click()"))
	b.wait(in("#b-time")+".options.length > 0", "the time picker to fill")
	// Focus lands on the first picker, for keyboard users.
	b.wait("document.querySelector('frontdesk-chat').shadowRoot.activeElement === "+in("#b-service"), "focus on the service picker")
	day := b.eval(in("#b-day") + ".selectedOptions[0].textContent")
	firstTime := b.eval(in("#b-time") + ".selectedOptions[0].textContent")
	// The clock is at 07:00 on Monday 4 March 2030 in New York; the browser runs in UTC.
	if day != "Monday, March 4" || firstTime != "09:00 AM (your time 02:00 PM)" {
		t.Errorf("first day %q, first time %q", day, firstTime)
	}
	if note := b.eval(in("#b-status") + ".textContent"); note != "Times are in the practice's time zone (America/New_York)." {
		t.Errorf("status %q", note)
	}
	// Pick 10:00 and type the details with the keyboard.
	b.run(chromedp.Evaluate[chromedp.Void](in("#b-time") + ".selectedIndex = 4"))
	b.run(chromedp.Evaluate[chromedp.Void](in("#b-name") + ".focus()"))
	b.run(chromedp.KeyEvent("Ana Diaz"))
	b.run(chromedp.Evaluate[chromedp.Void](in("#b-email") + ".focus()"))
	b.run(chromedp.KeyEvent("ana@example.com"))
	b.run(chromedp.Evaluate[chromedp.Void](buttonText("Confirm booking") + ".click()"))
	b.wait(in(".note")+".hidden === false || "+in("form.f:not([hidden]) .ok")+"?.textContent === 'Your visit is booked.' && "+in("form.f:not([hidden]) .ok")+".getClientRects().length > 0", "the confirmation")
	if msg := b.eval(in(".note") + ".hidden ? '' : " + in(".note") + ".textContent"); msg != "" {
		t.Fatalf("booking failed: %s", msg)
	}
	link := b.eval(in("form.f:not([hidden]) a") + ".href")
	if h.confirmed() != 1 {
		t.Fatalf("%d bookings stored", h.confirmed())
	}
	r, err := h.app.FindFirstRecordByData(models.BookingsCollection, "status", models.BookingConfirmed)
	if err != nil || !r.GetDateTime("start").Time().Equal(at(0, 10, 0)) {
		t.Fatalf("stored booking %v, %v", r, err)
	}

	// The manage page: see it, then cancel it.
	b.run(chromedp.Navigate(link))
	b.wait("document.getElementById('state').textContent === 'Confirmed'", "the manage page")
	if when := b.eval("document.getElementById('when').textContent"); when != "Monday, March 4, 2030 at 10:00 AM (America/New_York; your time 3:00 PM)" {
		t.Errorf("when = %q", when)
	}
	b.run(chromedp.Evaluate[chromedp.Void]("window.confirm = () => true; document.getElementById('cancel').click()"))
	b.wait("document.getElementById('state').textContent === 'Cancelled'", "the cancellation")
	if h.confirmed() != 0 {
		t.Error("the booking is still confirmed")
	}
	b.run(chromedp.Navigate(srvURL + "/booking/" + r.Id + "?token=wrong&practice=clinic"))
	b.wait("document.getElementById('status').textContent.startsWith('This link is not valid')", "the bad-token message")
}
