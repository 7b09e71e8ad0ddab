package console_test

import (
	"net/http"
	"strings"
	"testing"

	"frontdesk/models"
	"frontdesk/tests"
)

// Answering a gap makes the FAQ and closes the gap together; a refused answer changes
// neither.
func TestAnswerGapMakesAnFAQ(t *testing.T) {
	f := tests.NewPractices(t)
	gap := f.Create(t, models.KnowledgeGapsCollection, map[string]any{"business": f.A.Id, "question": "do you see cats", "count": 4})
	otherGap := f.Create(t, models.KnowledgeGapsCollection, map[string]any{"business": f.B.Id, "question": "parking near you", "count": 2})
	faqs := func() int {
		n, err := f.App.CountRecords(models.FAQsCollection)
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	before := faqs()
	path := "/api/frontdesk/gaps/" + gap.Id + "/answer"
	for _, c := range []struct {
		actor, path, body string
		status            int
		code              string
	}{
		{tests.Viewer, path, `{"answer": "No."}`, 403, "forbidden"},
		{tests.Anonymous, path, `{"answer": "No."}`, 401, "unauthorized"},
		{tests.OtherOwner, path, `{"answer": "No."}`, 404, "not_found"},
		{tests.Owner, "/api/frontdesk/gaps/" + otherGap.Id + "/answer", `{"answer": "No."}`, 404, "not_found"},
		{tests.Owner, path, `{"answer": "  "}`, 400, "invalid_input"},
		{tests.Owner, path, `{"answer": "` + strings.Repeat("x", 6000) + `"}`, 400, "invalid_input"},
		{tests.Owner, path, `not json`, 400, "invalid_input"},
	} {
		rec := f.Do("POST", c.path, c.body, c.actor)
		if rec.Code != c.status || code(t, rec.Body.Bytes()) != c.code {
			t.Errorf("%s %s: %d %s, want %d %s", c.actor, c.body[:min(len(c.body), 30)], rec.Code, rec.Body.String(), c.status, c.code)
		}
	}
	if faqs() != before {
		t.Fatal("a refused answer made an FAQ")
	}
	if g, _ := f.App.FindRecordById(models.KnowledgeGapsCollection, gap.Id); g.GetBool("resolved") {
		t.Fatal("a refused answer closed the gap")
	}

	rec := f.Do("POST", path, `{"answer": "We treat dogs and cats."}`, tests.Admin)
	var out struct {
		FAQ struct{ ID, Question, Answer string }
	}
	decode(t, rec.Body.Bytes(), &out)
	if rec.Code != http.StatusCreated || out.FAQ.Question != "do you see cats" || out.FAQ.Answer != "We treat dogs and cats." {
		t.Fatalf("answer: %d %s", rec.Code, rec.Body.String())
	}
	faq, err := f.App.FindRecordById(models.FAQsCollection, out.FAQ.ID)
	if err != nil || faq.GetString("business") != f.A.Id {
		t.Fatalf("faq %v %v", faq, err)
	}
	if g, _ := f.App.FindRecordById(models.KnowledgeGapsCollection, gap.Id); !g.GetBool("resolved") {
		t.Fatal("the answered gap is still open")
	}
	rec = f.Do("POST", "/api/frontdesk/gaps/"+otherGap.Id+"/answer", `{"answer": "Street parking.", "question": "Is there parking?"}`, tests.OtherOwner)
	decode(t, rec.Body.Bytes(), &out)
	if rec.Code != http.StatusCreated || out.FAQ.Question != "Is there parking?" {
		t.Fatalf("answer with a question: %d %s", rec.Code, rec.Body.String())
	}
	if got := auditEntries(t, f, "gap.answer"); len(got) != 2 || !strings.HasPrefix(got[0], f.A.Id+" knowledge_gaps/"+gap.Id+" -> faqs/") {
		t.Fatalf("audit %v", got)
	}
}
