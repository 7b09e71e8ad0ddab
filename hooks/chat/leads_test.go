package chat_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/ollama/ollama/api"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/llm/ollamatest"
	"frontdesk/models"
	"frontdesk/tests"
)

// leadFields are the lead's fields a visitor of another conversation must not change.
func leadFields(r *core.Record) map[string]any {
	return map[string]any{
		"name": r.GetString("name"), "email": r.GetString("email"), "phone": r.GetString("phone"),
		"service": r.GetString("service"), "sms_consent": r.GetBool("sms_consent"), "sms_consent_text": r.GetString("sms_consent_text"),
		"conversation": r.GetString("conversation"), "status": r.GetString("status"),
		"possible_duplicate": r.GetBool("possible_duplicate"), "duplicate_of": r.GetString("duplicate_of"),
	}
}

// assertUnchanged fails when the lead's stored fields differ from before.
func assertUnchanged(t *testing.T, app core.App, id string, before map[string]any) {
	t.Helper()
	r, err := app.FindRecordById(models.LeadsCollection, id)
	if err != nil {
		t.Fatal(err)
	}
	after := leadFields(r)
	for k, want := range before {
		if after[k] != want {
			t.Errorf("lead %s: %s = %v, want %v (another conversation changed it)", id, k, after[k], want)
		}
	}
}

// assertDuplicateOf checks a conversation has exactly one lead, flagged and linked to original.
func assertDuplicateOf(t *testing.T, v *tests.Visitor, conversation, original string) *core.Record {
	t.Helper()
	leads := v.ConversationLeads(conversation)
	if len(leads) != 1 {
		t.Fatalf("conversation %s has %d leads, want its own one", conversation, len(leads))
	}
	l := leads[0]
	if l.Id == original || !l.GetBool("possible_duplicate") || l.GetString("duplicate_of") != original {
		t.Fatalf("lead %v: want a new lead flagged as a possible duplicate of %s", leadFields(l), original)
	}
	return l
}

func TestLeadWithAnotherConversationsContactNeverChangesIt(t *testing.T) {
	cases := []struct{ name, first, second string }{
		{
			"same email",
			`{"name":"Mallory","email":"ANA@example.com","phone":"+1 971 555 0123","sms_consent":true}`,
			`{"name":"Mallory","email":"ana@example.com","phone":"+1 971 555 0124"}`,
		},
		{
			"same phone",
			`{"name":"Mallory","phone":"(503) 555-0100","sms_consent":true}`,
			`{"name":"Mallory","email":"mallory@example.com","phone":"(503) 555-0100"}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := tests.NewVisitor(t, tests.Options{})
			convA, tokA := v.Start()
			convB, tokB := v.Start()
			a := v.PostLead(convA, tokA, `{"name":"Ana Ruiz","email":"ana@example.com","phone":"(503) 555-0100","service":"fillings"}`)
			rec, _ := v.App.FindRecordById(models.LeadsCollection, a)
			before := leadFields(rec)

			// B submits twice: the second call used to replace the email as well.
			b := v.PostLead(convB, tokB, tc.first)
			if b == a {
				t.Fatalf("conversation B's submission returned conversation A's lead")
			}
			if again := v.PostLead(convB, tokB, tc.second); again != b {
				t.Fatalf("B's second submission made lead %s, want its own %s updated", again, b)
			}
			assertUnchanged(t, v.App, a, before)
			assertDuplicateOf(t, v, convB, a)
			if n, _ := v.App.CountRecords(models.LeadsCollection); n != 2 {
				t.Fatalf("%d leads, want A's and B's", n)
			}
		})
	}
}

func TestLeadSameConversationUpdatesItsOwnLead(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	conv, tok := v.Start()
	first := v.PostLead(conv, tok, `{"name":"Ana","phone":"503 555 0100","sms_consent":true}`)
	// A corrected number: no email or phone in common with the first submission.
	second := v.PostLead(conv, tok, `{"name":"Ana Ruiz","phone":"503 555 0111"}`)
	if second != first {
		t.Fatalf("correction made lead %s, want %s updated", second, first)
	}
	if n, _ := v.App.CountRecords(models.LeadsCollection); n != 1 {
		t.Fatalf("%d leads, want 1", n)
	}
	l, _ := v.App.FindRecordById(models.LeadsCollection, first)
	if l.GetString("name") != "Ana Ruiz" || l.GetString("phone") != "+15035550111" || l.GetString("conversation") != conv {
		t.Fatalf("lead %v", leadFields(l))
	}
	// The consent was given for the old number.
	if l.GetBool("sms_consent") || l.GetString("sms_consent_text") != "" {
		t.Fatalf("consent for 503 555 0100 carried over to a new number: %v", leadFields(l))
	}
	// The same number spelled differently keeps a consent given with it.
	v.PostLead(conv, tok, `{"name":"Ana Ruiz","phone":"503 555 0111","sms_consent":true}`)
	v.PostLead(conv, tok, `{"name":"Ana Ruiz","phone":"(503) 555-0111"}`)
	if l, _ = v.App.FindRecordById(models.LeadsCollection, first); !l.GetBool("sms_consent") {
		t.Fatalf("consent lost on a respelled number: %v", leadFields(l))
	}
}

func TestLeadDuplicateFlagFollowsCorrection(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	convA, tokA := v.Start()
	convB, tokB := v.Start()
	a := v.PostLead(convA, tokA, `{"name":"Ana","phone":"503 555 0100"}`)
	b := v.PostLead(convB, tokB, `{"name":"Ben","phone":"503 555 0100"}`)
	assertDuplicateOf(t, v, convB, a)
	// B mistyped and corrects the number: nothing in common with A any more.
	v.PostLead(convB, tokB, `{"name":"Ben","phone":"503 555 0177"}`)
	l, _ := v.App.FindRecordById(models.LeadsCollection, b)
	if l.GetBool("possible_duplicate") || l.GetString("duplicate_of") != "" {
		t.Fatalf("corrected lead still flagged: %v", leadFields(l))
	}
}

func TestLeadConcurrentSubmissionsMakeOneLead(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	conv, tok := v.Start()
	var wg sync.WaitGroup
	for _, phone := range []string{"503 555 0101", "503 555 0102", "503 555 0103", "503 555 0104", "503 555 0105", "503 555 0106"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, _ := json.Marshal(map[string]string{"name": "Ana", "phone": phone})
			v.Do("POST", "/api/widget/demo/conversations/"+conv+"/lead", string(body), map[string]string{"X-Conversation-Token": tok})
		}()
	}
	wg.Wait()
	if n := len(v.ConversationLeads(conv)); n != 1 {
		t.Fatalf("%d leads for one conversation, want 1", n)
	}
}

func TestSaveContactToolNeverChangesAnotherConversationsLead(t *testing.T) {
	var args api.ToolCallFunctionArguments
	if err := json.Unmarshal([]byte(`{"name":"Mallory","email":"ana@example.com","phone":"+1 971 555 0123","sms_consent":true}`), &args); err != nil {
		t.Fatal(err)
	}
	fake := tests.NewFakeOllama(t, func(req api.ChatRequest) ollamatest.Reply {
		if last := req.Messages[len(req.Messages)-1]; last.Role == "tool" {
			return ollamatest.Words("Saved.")
		}
		return ollamatest.Reply{ToolCalls: []api.ToolCall{{Function: api.ToolCallFunction{Name: "save_contact", Arguments: args}}}}
	})
	v := tests.NewVisitor(t, tests.Options{OllamaURL: fake.URL})
	convA, tokA := v.Start()
	convB, tokB := v.Start()
	a := v.PostLead(convA, tokA, `{"name":"Ana Ruiz","email":"ana@example.com","phone":"(503) 555-0100"}`)
	rec, _ := v.App.FindRecordById(models.LeadsCollection, a)
	before := leadFields(rec)

	v.Send(convB, tokB, "I'm Mallory, ana@example.com, +1 971 555 0123, text me")
	assertUnchanged(t, v.App, a, before)
	assertDuplicateOf(t, v, convB, a)
}

// One number typed two ways is one number: leads store E.164, and a second conversation
// with the same number in another spelling is flagged as the first lead's duplicate.
func TestLeadPhoneStoredE164AndMatchedAcrossSpellings(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	convA, tokA := v.Start()
	convB, tokB := v.Start()
	a := v.PostLead(convA, tokA, `{"name":"Ana","phone":"(503) 555-0142"}`)
	v.PostLead(convB, tokB, `{"name":"Ana","phone":"503-555-0142"}`)
	l, _ := v.App.FindRecordById(models.LeadsCollection, a)
	if l.GetString("phone") != "+15035550142" {
		t.Fatalf("stored phone %q, want E.164", l.GetString("phone"))
	}
	assertDuplicateOf(t, v, convB, a)
	conv, tok := v.Start()
	rec := v.Do("POST", "/api/widget/demo/conversations/"+conv+"/lead", `{"name":"Ana","phone":"555-01"}`, map[string]string{"X-Conversation-Token": tok})
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("invalid phone: %d %s", rec.Code, rec.Body.String())
	}
}
