package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pocketbase/dbx"

	"frontdesk/models"
	"frontdesk/tests"
)

// bookingItem is a JavaScript expression for the bookings page's item of booking id.
func bookingItem(id string) string {
	return fmt.Sprintf("document.querySelector('.days li.item[data-id=%q]')", id)
}

// noSideScroll fails the test when the page scrolls sideways.
func (c *console) noSideScroll(when string) {
	c.t.Helper()
	if w := eval[[]float64](c.tab, `[document.scrollingElement.scrollWidth, innerWidth]`); w[0] > w[1] {
		wide := eval[string](c.tab, `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1).slice(0, 5).map((e) => e.tagName + '.' + e.className).join(', ')`)
		c.t.Errorf("%s: the page scrolls sideways at %vpx: scrollWidth %v (too wide: %s)", when, w[1], w[0], wide)
	}
}

// setValue sets a form control's value as a person choosing it would, with its events.
func (c *console) setValue(el, value string) {
	c.t.Helper()
	c.wait(el, "element "+el)
	c.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const e = %s; e.value = %q; e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); })()`, el, value)))
}

// On a phone (390×844), an admin books a visit in the console from the free times of a
// day, is told clearly when a time is taken, moves the visit and cancels it; the
// visitor gets an email each time. A viewer sees the bookings without a button. No
// step scrolls sideways.
func TestConsoleBookings(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	biz, err := srv.App.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
	if err != nil {
		t.Fatal(err)
	}
	biz.Set("booking_enabled", true)
	if err := srv.App.Save(biz); err != nil {
		t.Fatal(err)
	}
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	// A Monday, Tuesday or Thursday (08:00–17:00) a few days ahead.
	day := time.Now().In(la).AddDate(0, 0, 3)
	for day.Weekday() != time.Monday && day.Weekday() != time.Tuesday && day.Weekday() != time.Thursday {
		day = day.AddDate(0, 0, 1)
	}
	date := day.Format("2006-01-02")

	c := openConsole(t, srv, addStaff(t, srv.App, models.RoleAdmin, "Olive"))
	c.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	c.do(chromedp.Navigate(c.url + "#/bookings"))
	c.wait(`document.querySelector('main h1')?.textContent === 'Bookings' && !document.querySelector('main').hasAttribute('aria-busy') && document.querySelector('.days .empty')`, "the empty bookings page")
	c.noSideScroll("the bookings page")

	// The new booking: the first service, a free time of the chosen day, the visitor.
	form := `document.querySelector('main form.card')`
	c.setValue(form+`.querySelector('input[name=day]')`, date)
	c.wait(form+`.querySelector('select[name=slot]').options.length > 1`, "the day's free times")
	slot := eval[string](c.tab, form+`.querySelector('select[name=slot]').options[1].value`)
	start, err := time.Parse(time.RFC3339, slot)
	if err != nil || start.In(la).Format("2006-01-02") != date {
		t.Fatalf("first free time %q (%v), want one on %s", slot, err, date)
	}
	c.setValue(form+`.querySelector('select[name=slot]')`, slot)
	c.click(form + `.querySelector('input[name=name]')`)
	c.typeText("Ana Diaz")
	c.click(form + `.querySelector('input[name=email]')`)
	c.typeText("ana@example.com")
	c.noSideScroll("the filled booking form")
	c.click(form + `.querySelector('button[type=submit]')`)
	c.wait(`[...document.querySelectorAll('.days li.item')].some((li) => li.textContent.includes('Ana Diaz'))`, "the new booking in the list")

	bk, err := srv.App.FindFirstRecordByFilter(models.BookingsCollection, "business = {:b}", dbx.Params{"b": biz.Id})
	if err != nil {
		t.Fatal(err)
	}
	if got := bk.GetDateTime("start").Time(); !got.Equal(start) || bk.GetDateTime("end").Time().Sub(got) != time.Hour ||
		bk.GetString("service") != "Check-up and cleaning" || bk.GetString("source") != models.SourceStaff || bk.GetString("status") != models.BookingConfirmed {
		t.Fatalf("stored booking %v", bk.FieldsData())
	}
	lead, err := srv.App.FindRecordById(models.LeadsCollection, bk.GetString("lead"))
	if err != nil || lead.GetString("name") != "Ana Diaz" || lead.GetString("email") != "ana@example.com" {
		t.Fatalf("the booking's lead: %v (%v)", lead, err)
	}
	item := bookingItem(bk.Id)
	localTime := func(t time.Time) string { return t.In(la).Format("3:04 PM") }
	if got := eval[string](c.tab, item+`.querySelector('strong').textContent.replace(/\s/g, ' ')`); !strings.HasPrefix(got, localTime(start)+"–") {
		t.Errorf("the booking shows %q, want it from %s, the practice's time", got, localTime(start))
	}
	waitMail(t, srv, "Your visit at Bright Smile Dental is booked")

	// The same time again, typed as another time: the clear message, nothing stored.
	c.setValue(form+`.querySelector('input[name=time]')`, start.In(la).Format("15:04"))
	c.click(form + `.querySelector('input[name=name]')`)
	c.typeText("Bo Lee")
	c.click(form + `.querySelector('input[name=phone]')`)
	c.typeText("(503) 555-0199")
	c.click(form + `.querySelector('button[type=submit]')`)
	c.wait(form+`.querySelector('[role=alert]:not([hidden])')?.textContent === 'That time is fully booked. Choose another time.'`, "the taken time's message")
	if n, _ := srv.App.CountRecords(models.BookingsCollection); n != 1 {
		t.Errorf("%d bookings after the refused one, want 1", n)
	}

	// Moved to 15:00 the same day: its end follows.
	c.click(item + `.querySelector('button')`)
	move := item + `.querySelector('form.move')`
	c.wait(move+`.querySelector('input[name=day]').value === '`+date+`'`, "the move form on the booking's day")
	c.noSideScroll("the move form")
	c.setValue(move+`.querySelector('input[name=time]')`, "15:00")
	c.click(move + `.querySelector('button[type=submit]')`)
	moved := time.Date(day.Year(), day.Month(), day.Day(), 15, 0, 0, 0, la)
	c.wait(bookingItem(bk.Id)+`?.querySelector('strong').textContent.replace(/\s/g, ' ').startsWith('`+localTime(moved)+`–')`, "the booking at its new time")
	bk, _ = srv.App.FindRecordById(models.BookingsCollection, bk.Id)
	if !bk.GetDateTime("start").Time().Equal(moved) || !bk.GetDateTime("end").Time().Equal(moved.Add(time.Hour)) {
		t.Errorf("moved to %v–%v, want %v for an hour", bk.GetDateTime("start"), bk.GetDateTime("end"), moved)
	}
	waitMail(t, srv, "Your visit at Bright Smile Dental has moved")

	// Cancelled: gone from the upcoming list, there under cancelled.
	c.do(chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`))
	c.click(`[...` + bookingItem(bk.Id) + `.querySelectorAll('button')].find((b) => b.textContent === 'Cancel booking')`)
	c.wait(`!`+bookingItem(bk.Id)+` && document.querySelector('.days .empty')?.textContent === 'No upcoming bookings.'`, "the cancelled booking gone")
	if bk, _ = srv.App.FindRecordById(models.BookingsCollection, bk.Id); bk.GetString("status") != models.BookingCancelled {
		t.Errorf("status %q after cancelling", bk.GetString("status"))
	}
	waitMail(t, srv, "Your visit at Bright Smile Dental is cancelled")
	c.setValue(`document.querySelector('main select[name=show]')`, "cancelled")
	c.wait(bookingItem(bk.Id)+`?.querySelector('.badge').textContent === 'Cancelled'`, "the booking under cancelled")
	if n := eval[int](c.tab, bookingItem(bk.Id)+`.querySelectorAll('button').length`); n != 0 {
		t.Errorf("a cancelled booking offers %d buttons", n)
	}

	// A viewer sees a booking, with no way to change anything.
	other := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, la)
	r := tests.NewRecord(t, srv.App, models.BookingsCollection, map[string]any{"business": biz.Id, "service": "Fillings", "start": other, "end": other.Add(45 * time.Minute), "status": models.BookingConfirmed, "source": models.SourceChat, "lead": lead.Id})
	if err := srv.App.Save(r); err != nil {
		t.Fatal(err)
	}
	v := openConsole(t, srv, addStaff(t, srv.App, models.RoleViewer, "Vera"))
	v.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	v.do(chromedp.Navigate(v.url + "#/bookings"))
	v.wait(bookingItem(r.Id)+`?.textContent.includes('Ana Diaz')`, "the booking in the viewer's list")
	if n := eval[int](v.tab, `[...document.querySelectorAll('main button, main form, main input')].filter((e) => e.getClientRects().length > 0).length`); n != 0 {
		t.Errorf("a viewer sees %d buttons, forms or inputs on the bookings page\n%s", n, v.text())
	}
	v.noSideScroll("the viewer's bookings page")
}

// waitMail waits for an email with subject to the visitor.
func waitMail(t *testing.T, srv *tests.Server, subject string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		for _, m := range srv.App.TestMailer.Messages() {
			if m.Subject == subject && len(m.To) == 1 && m.To[0].Address == "ana@example.com" {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no email %q to the visitor", subject)
}
