package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/pocketbase/dbx"

	"frontdesk/models"
	"frontdesk/tests"
)

// The owner's own evaluation in the console, on the demo practice with no model (the
// offline answers): the owner adds two questions, runs the evaluation and sees the score
// and each answer, one wrong; adds an FAQ that answers it, runs again and sees the
// question fixed since the last run, and both runs listed. The page fits a phone. A
// viewer sees the results but can neither run nor edit; the owner edits and deletes
// questions.
func TestConsoleEvaluation(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	const nitrous, insurance = "Do you offer nitrous oxide?", "Which insurance do you accept?"
	c := openConsole(t, srv, addStaff(t, srv.App, models.RoleOwner, "Owen"))
	c.click(`[...document.querySelectorAll('#nav a')].find((a) => a.textContent === 'Evaluation')`)
	c.wait(`document.querySelector('main h1')?.textContent === 'Evaluation' && !document.querySelector('main').hasAttribute('aria-busy')`, "the evaluation page")
	runButton := `[...document.querySelectorAll('main button')].find((b) => b.textContent === 'Run the evaluation')`
	if !eval[bool](c.tab, runButton+`.disabled`) {
		t.Error("the run button is enabled with no questions")
	}

	addQuestion := func(q, expect string) {
		t.Helper()
		c.click(`document.querySelector('main form input[name=question]')`)
		c.typeText(q)
		c.click(`document.querySelector('main form input[name=expect]')`)
		c.typeText(expect)
		c.click(`document.querySelector('main form button[type=submit]')`)
		c.wait(fmt.Sprintf(`[...document.querySelectorAll('main li[data-id] strong')].some((s) => s.textContent === %q)`, q), "the question "+q+" listed")
	}
	addQuestion(nitrous, "laughing gas is available")
	addQuestion(insurance, "Delta Dental")

	// The page shows that it is busy while the run lasts.
	c.do(chromedp.Evaluate[chromedp.Void](`new MutationObserver(() => {
		if (document.querySelector('main [role=status] progress') && ` + runButton + `.disabled) window.__busy = true;
	}).observe(document.querySelector('main'), {subtree: true, childList: true})`))
	c.click(runButton)
	c.wait(`document.querySelector('#eval-score')?.textContent === '1 of 2 right (50%)'`, "the first run's score")
	if !eval[bool](c.tab, `window.__busy === true`) {
		t.Error("the page showed no busy state while the evaluation ran")
	}
	if !eval[bool](c.tab, `document.activeElement === `+runButton) {
		t.Errorf("the focus is on %s after the run, not on the run button", eval[string](c.tab, `document.activeElement?.outerHTML.slice(0, 80)`))
	}
	result := func(q string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('.results li')].find((li) => li.querySelector('strong').textContent === %q)`, q)
	}
	if got := eval[[]string](c.tab, `[`+result(nitrous)+`.dataset.ok, `+result(insurance)+`.dataset.ok]`); got[0] != "false" || got[1] != "true" {
		t.Errorf("results ok = %v, want nitrous oxide wrong and insurance right\n%s", got, c.text())
	}
	if !eval[bool](c.tab, result(insurance)+`.querySelector('.answer').textContent.includes('Delta Dental')`) {
		t.Errorf("the insurance answer is not shown\n%s", c.text())
	}
	if !eval[bool](c.tab, `document.querySelector('.changes').textContent.includes('first run')`) {
		t.Errorf("the first run is not shown as the first\n%s", c.text())
	}

	// The owner answers the wrong question in the knowledge, and runs again.
	c.do(chromedp.Navigate(c.url + "#/knowledge"))
	c.wait(`document.querySelector('main h1')?.textContent === 'Knowledge' && !document.querySelector('main').hasAttribute('aria-busy')`, "the knowledge page")
	c.click(`document.querySelector('main form input[name=question]')`)
	c.typeText(nitrous)
	c.click(`document.querySelector('main form textarea[name=answer]')`)
	c.typeText("Yes, laughing gas is available for anxious patients.")
	c.click(`document.querySelector('main form button[type=submit]')`)
	c.wait(fmt.Sprintf(`[...document.querySelectorAll('main li h3')].some((e) => e.textContent === %q)`, nitrous), "the new FAQ listed")

	c.do(chromedp.Navigate(c.url + "#/evaluation"))
	c.wait(`document.querySelector('#eval-score') && !document.querySelector('main').hasAttribute('aria-busy')`, "the evaluation page with its run")
	c.click(runButton)
	c.wait(`document.querySelector('#eval-score')?.textContent === '2 of 2 right (100%)'`, "the second run's score")
	if got := eval[[]string](c.tab, `[...document.querySelectorAll('.changes li')].map((li) => li.className + ': ' + li.textContent)`); len(got) != 1 || got[0] != "fixed: Fixed "+nitrous {
		t.Errorf("changes since the last run = %q, want the nitrous oxide question fixed\n%s", got, c.text())
	}
	if !eval[bool](c.tab, result(nitrous)+`.querySelector('.badge.fixed') !== null`) {
		t.Errorf("the fixed question's answer is not marked fixed\n%s", c.text())
	}
	runs := eval[[]string](c.tab, `[...document.querySelectorAll('section[aria-labelledby=runs-h] li')].map((li) => li.innerText)`)
	if len(runs) != 2 {
		t.Errorf("runs listed: %q, want 2", runs)
	}
	if n, err := srv.App.CountRecords(models.EvalRunsCollection, dbx.HashExp{"total": 2}); err != nil || n != 2 {
		t.Errorf("%d runs stored (%v), want 2", n, err)
	}

	c.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	if w := eval[[]float64](c.tab, `[document.scrollingElement.scrollWidth, innerWidth]`); w[0] > w[1] {
		t.Errorf("the evaluation page scrolls sideways at 390px: scrollWidth %v > %v", w[0], w[1])
	}

	v := openConsole(t, srv, addStaff(t, srv.App, models.RoleViewer, "Vera"))
	v.do(chromedp.Navigate(v.url + "#/evaluation"))
	v.wait(`document.querySelector('#eval-score')?.textContent === '2 of 2 right (100%)' && document.querySelectorAll('main li[data-id]').length === 2`, "the results and questions for a viewer")
	if n := eval[int](v.tab, `document.querySelectorAll('main button, main form, main input').length`); n != 0 {
		t.Errorf("a viewer sees %d buttons or form controls on the evaluation page\n%s", n, v.text())
	}
	v.do(chromedp.Evaluate[chromedp.Void](`(() => { const l = document.querySelector('#lang'); l.value = 'es'; l.dispatchEvent(new Event('change')); })()`))
	v.wait(`document.querySelector('main h1')?.textContent === 'Evaluación' && document.querySelector('#eval-score')?.textContent === '2 de 2 correctas (100\u00a0%)'`, "the evaluation page in Spanish")

	// The owner edits a question's expected fact, which the latest run's answers no
	// longer score, and deletes the other question.
	c.do(chromedp.EmulateViewport(1280, 900))
	item := func(q string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('main li[data-id]')].find((li) => li.querySelector('strong')?.textContent === %q)`, q)
	}
	c.click(item(insurance) + `.querySelector('button:not(.danger)')`)
	c.wait(`document.querySelector('main li[data-id] form input[name=expect]')`, "the question's edit form")
	c.do(chromedp.Evaluate[chromedp.Void](`(() => { const e = document.querySelector('main li[data-id] form input[name=expect]'); e.focus(); e.select(); })()`))
	c.typeText("Cigna Dental")
	c.click(`document.querySelector('main li[data-id] form button[type=submit]')`)
	c.wait(item(insurance)+`?.textContent.includes('Cigna Dental') && document.querySelector('main .note')`, "the edited question, and the note that the questions changed since the run")
	c.do(chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`))
	c.click(item(nitrous) + `.querySelector('button.danger')`)
	c.wait(`document.querySelectorAll('main li[data-id]').length === 1`, "the deleted question gone")
	qs, err := srv.App.FindAllRecords(models.EvalQuestionsCollection)
	if err != nil || len(qs) != 1 || qs[0].GetString("question") != insurance || qs[0].GetString("expect") != "Cigna Dental" {
		t.Errorf("questions stored after the edit and the delete: %v (%v)", qs, err)
	}
}
