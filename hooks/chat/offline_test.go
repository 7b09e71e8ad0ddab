package chat_test

import (
	"strings"
	"testing"

	"frontdesk/models"
	"frontdesk/tests"
)

// A practice entered in the admin UI with no FAQs at all answers questions about its
// own profile without a model, and a health mention still gets its practical question
// answered.
func TestProfileAnswersWithoutFAQsOrModel(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	for _, col := range []string{models.FAQsCollection, models.DocumentsCollection} {
		recs, _ := v.App.FindAllRecords(col)
		for _, r := range recs {
			if err := v.App.Delete(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	b, err := v.App.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
	if err != nil {
		t.Fatal(err)
	}
	b.Set("hours", map[string]any{"mon": []map[string]string{{"open": "08:00", "close": "17:00"}}, "thu": []map[string]string{{"open": "08:00", "close": "17:30"}}})
	b.Set("insurance", []string{"Aetna", "Blue Cross Blue Shield", "Delta Dental"})
	b.Set("services", []map[string]any{{"name": "Cleaning", "duration_min": 60, "price": "$120"}, {"name": "Exam", "duration_min": 30}})
	b.Set("address", "12 Harbour Road, Portland, OR")
	if err := v.App.Save(b); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ q, want string }{
		{"when do you close on thursday?", "5:30"},
		{"is Aetna ok?", "Aetna"},
		{"do you take cigna", "Delta Dental"},
		{"how much is a cleaning", "$120"},
		{"where are you located?", "12 Harbour Road"},
		{"my back is killing me, do you take blue cross?", "Blue Cross Blue Shield"},
	}
	for _, tc := range cases {
		id, tok := v.Start()
		_, events := v.Send(id, tok, tc.q)
		if got := tests.Text(events); !strings.Contains(got, tc.want) {
			t.Errorf("%q answered %q, want %q in it", tc.q, got, tc.want)
		}
	}
	// A purely clinical question gets the health reply alone.
	id, tok := v.Start()
	_, events := v.Send(id, tok, "what should I take for a toothache?")
	if got := tests.Text(events); strings.Contains(got, "Aetna") || strings.Contains(got, "$") {
		t.Errorf("clinical question answered with facts: %q", got)
	}
}
