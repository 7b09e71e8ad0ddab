package console

import (
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/apierr"
	"frontdesk/models"
)

// answerGap turns a knowledge gap into an FAQ in one step: the FAQ is created (its
// question the gap's unless the body gives one) and the gap marked resolved, in one
// transaction, so neither happens without the other. A gap asked again later opens
// again (ingest.RecordGap).
func answerGap(e *core.RequestEvent, a Auditor) error {
	b, err := practiceOf(e)
	if err != nil {
		return err
	}
	var in struct {
		Answer   string `json:"answer"`
		Question string `json:"question"`
	}
	if err := e.BindBody(&in); err != nil {
		return apierr.Invalid("The body is JSON {answer, question}.", nil)
	}
	in.Answer, in.Question = strings.TrimSpace(in.Answer), strings.TrimSpace(in.Question)
	if in.Answer == "" {
		return apierr.Invalid("Write the answer.", map[string]string{"answer": "required"})
	}
	gap, err := e.App.FindRecordById(models.KnowledgeGapsCollection, e.Request.PathValue("id"))
	if err != nil || gap.GetString("business") != b.Id {
		return errNotFound
	}
	if in.Question == "" {
		in.Question = gap.GetString("question")
	}
	faqs, err := e.App.FindCachedCollectionByNameOrId(models.FAQsCollection)
	if err != nil {
		return err
	}
	faq := core.NewRecord(faqs)
	faq.Set("business", b.Id)
	faq.Set("question", in.Question)
	faq.Set("answer", in.Answer)
	err = e.App.RunInTransaction(func(tx core.App) error {
		if err := tx.Save(faq); err != nil {
			return err
		}
		gap.Set("resolved", true)
		return tx.Save(gap)
	})
	if err != nil {
		return invalidRecord(err)
	}
	if err := a.Request(e, "gap.answer", "knowledge_gaps/"+gap.Id+" -> faqs/"+faq.Id, b.Id); err != nil {
		return err
	}
	return e.JSON(http.StatusCreated, map[string]any{"faq": map[string]any{
		"id": faq.Id, "question": faq.GetString("question"), "answer": faq.GetString("answer"), "created": faq.GetDateTime("created"),
	}})
}
