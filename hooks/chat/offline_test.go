package chat_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/ollama/ollama/api"

	"frontdesk/internal/llm/ollamatest"
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

// Without a model, a visitor who asks to book is offered the widget's booking form (the
// reply's "book" action, kept with the message for the history) where the practice
// takes bookings, and the usual answer where it doesn't.
func TestOfflineOffersTheBookingForm(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	ask := func(text string) (tests.Event, map[string]any) {
		t.Helper()
		id, tok := v.Start()
		_, events := v.Send(id, tok, text)
		var done tests.Event
		for _, e := range events {
			if e.Name == "done" {
				done = e
			}
		}
		if done.Name == "" {
			t.Fatalf("%q: no done event in %v", text, tests.Names(events))
		}
		rec := v.Do("GET", "/api/widget/demo/conversations/"+id, "", map[string]string{tests.TokenHeader: tok})
		msgs := tests.Decode(t, rec)["messages"].([]any)
		return done, msgs[len(msgs)-1].(map[string]any)
	}
	// The demo practice does not take bookings online.
	done, last := ask("Can I book a cleaning next week?")
	if done.Data["actions"] != nil || last["actions"] != nil || strings.Contains(done.Data["text"].(string), "Book a visit") {
		t.Errorf("booking offered while booking is off: %v / %v", done.Data, last)
	}

	b, err := v.App.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
	if err != nil {
		t.Fatal(err)
	}
	b.Set("booking_enabled", true)
	b.Set("services", []map[string]any{{"name": "Cleaning", "duration_min": 60}})
	if err := v.App.Save(b); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"Can I book a cleaning next week?", "Quiero pedir cita"} {
		done, last := ask(q)
		actions, _ := done.Data["actions"].([]any)
		if len(actions) != 1 || actions[0] != models.ActionBook {
			t.Errorf("%q: done %v; want the book action", q, done.Data)
		}
		if hist, _ := last["actions"].([]any); len(hist) != 1 || hist[0] != models.ActionBook {
			t.Errorf("%q: the history's reply %v has no book action", q, last)
		}
	}
	if done, _ := ask("where are you located?"); done.Data["actions"] != nil {
		t.Errorf("a question that isn't about booking got the booking form: %v", done.Data)
	}
}

// With a model too, a health mention doesn't swallow the practical question beside it:
// the knowledge answers it after the acknowledgement, and the model sees neither.
func TestHealthMentionStillAnsweredWithAModel(t *testing.T) {
	fake := tests.NewFakeOllama(t, func(api.ChatRequest) ollamatest.Reply { return ollamatest.Words("Sure.") })
	v := tests.NewVisitor(t, tests.Options{OllamaURL: fake.URL})
	id, tok := v.Start()
	_, events := v.Send(id, tok, "my tooth is killing me, do you take MetLife?")
	text := tests.Text(events)
	if !strings.Contains(text, "MetLife") || !strings.Contains(text, "(503) 555-0142") {
		t.Fatalf("reply %q: want the acknowledgement with the phone and the insurance answer", text)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("the model was called %d times with health details", n)
	}
	msgs := v.Messages(id)
	if flags := msgs[len(msgs)-1]["flags"].(map[string]any); flags["health_ack"] != true {
		t.Fatalf("reply flags %v, want health_ack", flags)
	}
}

// A fresh install (no demo) answers profile questions, offline, for a practice created
// in the admin UI with its profile fields alone: no FAQs, no documents.
func TestFreshPracticeAnswersFromItsProfile(t *testing.T) {
	app := tests.NewApp(t, tests.Options{NoDemo: true})
	v := tests.VisitorFor(t, app)
	su := tests.AsSuperuser(t, app, v.H)
	rec := su("POST", "/api/collections/businesses/records", map[string]any{
		"slug": "harbor-physio", "name": "Harbor Physio", "timezone": "America/New_York",
		"hours": map[string]any{
			"mon": []map[string]string{{"open": "07:00", "close": "19:00"}},
			"wed": []map[string]string{{"open": "07:00", "close": "19:00"}},
			"fri": []map[string]string{{"open": "08:00", "close": "15:00"}},
		},
		"services":  []map[string]any{{"name": "Initial evaluation", "duration_min": 60, "price": "$140"}, {"name": "Dry needling", "duration_min": 30, "price": "$75"}},
		"insurance": []string{"Aetna", "Horizon Blue Cross Blue Shield", "Medicare"},
		"address":   "77 Water Street, Portland, ME 04101",
		"phone":     "(207) 555-0110",
		"languages": []string{"English", "French"},
	})
	if rec.Code != 200 {
		t.Fatalf("create the practice as the admin UI does: %d %s", rec.Code, rec.Body.String())
	}
	rec = v.Do("POST", "/api/widget/harbor-physio/conversations", `{"visitor_id":"v-1","locale":"en-US"}`, nil)
	if rec.Code != 201 {
		t.Fatalf("open a conversation: %d %s", rec.Code, rec.Body.String())
	}
	m := tests.Decode(t, rec)
	id, tok := m["id"].(string), m["token"].(string)
	for _, tc := range []struct{ q, want string }{
		{"what time do you close on friday?", "3:00"},
		{"are you open on tuesdays", "closed"},
		{"do you take medicare", "Medicare"},
		{"is cigna ok?", "Horizon Blue Cross Blue Shield"},
		{"how much is dry needling", "$75"},
		{"how much is the first visit?", "$140"},
		{"where are you located", "77 Water Street"},
		{"what's your phone number", "555-0110"},
		{"do you speak french", "French"},
	} {
		body := `{"text":` + strconv.Quote(tc.q) + `}`
		rec := v.Do("POST", "/api/widget/harbor-physio/conversations/"+id+"/messages", body, map[string]string{tests.TokenHeader: tok})
		events, err := tests.ReadEvents(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		if got := tests.Text(events); !strings.Contains(got, tc.want) {
			t.Errorf("%q answered %q, want %q in it", tc.q, got, tc.want)
		}
	}
}
