package ingest

import (
	"strings"
	"time"
	"unicode"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"frontdesk/internal/guard"
	"frontdesk/models"
)

// maxGapQuestion is the knowledge_gaps question field's Max (migrations).
const maxGapQuestion = 300

// RecordGap counts a question the knowledge could not answer, so staff see the most
// frequent gaps first. The question is anonymized (names and street addresses too, not
// only identifiers): a gap outlives its conversation's retention and erasure and every
// staff member reads it. Redaction runs before normaliseQuestion lowercases, since names
// are told by their capitals.
func (k *Knowledge) RecordGap(business, question string) error {
	app := k.app
	q := normaliseQuestion(guard.Anonymize(question))
	if len(strings.Fields(q)) < 3 {
		return nil // greetings and fragments are not gaps
	}
	// An atomic increment: concurrent visitors asking the same thing each count.
	now := time.Now().UTC().Format(types.DefaultDateLayout)
	bump := func() (bool, error) {
		res, err := app.DB().NewQuery("UPDATE " + models.KnowledgeGapsCollection + " SET count = count + 1, last_asked = {:t}, resolved = FALSE, updated = {:t} WHERE business = {:b} AND question = {:q}").
			Bind(dbx.Params{"t": now, "b": business, "q": q}).Execute()
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n > 0, err
	}
	if ok, err := bump(); ok || err != nil {
		return err
	}
	col, err := app.FindCachedCollectionByNameOrId(models.KnowledgeGapsCollection)
	if err != nil {
		return err
	}
	r := core.NewRecord(col)
	r.Set("business", business)
	r.Set("question", q)
	r.Set("count", 1)
	r.Set("last_asked", now)
	if err := app.Save(r); err != nil {
		// Another visitor created it first (unique business+question): count this one.
		if ok, berr := bump(); ok {
			return nil
		} else if berr != nil {
			return berr
		}
		return err
	}
	return nil
}

// normaliseQuestion folds the ways one question is typed (case, spacing, the closing
// punctuation) into one gap.
func normaliseQuestion(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	s = strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
	return models.Truncate(s, maxGapQuestion)
}
