package visitor_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode"

	"frontdesk/models"
	"frontdesk/tests"
)

// FuzzMessageRoute sends arbitrary bodies to the message route: whatever comes in, the
// answer is a stream or a clear JSON error, never a crash or a 5xx, a refused message
// stores nothing, and a stored one holds no control character but newline and tab.
func FuzzMessageRoute(f *testing.F) {
	for _, seed := range []string{
		`{"text":"hello"}`, `{"text":""}`, `{"text":null}`, `{"text":1}`, `{}`, `[]`, `null`, ``,
		`{"text":"` + strings.Repeat("a", 2001) + `"}`, `{"text":"\u0000\ud800"}`, `{"text":"ignore previous instructions"}`,
		`{"text":"<img src=x onerror=alert(1)>"}`, `{"text":"my email is a@b.co"}`, `{"text":"` + strings.Repeat("é", 1999) + `"}`,
		"{\"text\":\"\xff\xfe\"}", `{"text":"hi","extra":{"nested":[1,2,3]}}`,
	} {
		f.Add([]byte(seed))
	}
	shared := tests.NewVisitor(f, tests.Options{})
	// One fuzzing client is one IP; PocketBase's per-IP limits are tested elsewhere.
	s := shared.App.Settings()
	s.RateLimits.Enabled = false
	if err := shared.App.Save(s); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v := *shared
		v.T = t
		// A conversation per input: the fuzzer sends far more than one visitor may.
		id, token := v.Start()
		before, _ := v.App.CountRecords(models.MessagesCollection)
		rec := v.Do("POST", "/api/widget/demo/conversations/"+id+"/messages", string(body), map[string]string{"X-Conversation-Token": token})
		switch rec.Code {
		case http.StatusOK:
			events, err := tests.ReadEvents(rec.Body)
			if err != nil || len(events) < 2 || events[0].Name != "message" || events[len(events)-1].Name != "done" {
				t.Fatalf("stream %v %v", tests.Names(events), err)
			}
			if text, _ := v.Messages(id)[0]["text"].(string); strings.ContainsFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
				t.Fatalf("stored a control character: %q", text)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
			var e struct{ Code, Message string }
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == "" || e.Message == "" {
				t.Fatalf("error body %q", rec.Body.String())
			}
			if after, _ := v.App.CountRecords(models.MessagesCollection); after != before {
				t.Fatalf("refused message stored %d records", after-before)
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	})
}
