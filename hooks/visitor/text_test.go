package visitor_test

import (
	"encoding/json"
	"testing"

	"frontdesk/models"
	"frontdesk/tests"
)

func TestVisitorMessageStoredWithoutControlCharacters(t *testing.T) {
	cases := []struct{ name, sent, stored string }{
		{"NUL", "hello\x00 there", "hello there"},
		{"CRLF and CR", "line one\r\nline two\rline three", "line one\nline two\nline three"},
		{"tab kept", "a\tb\nc", "a\tb\nc"},
		{"escape and C1", "\x1b[31mred\x1b[0m\u0085\u009b done\x7f", "[31mred[0m done"},
		{"plain", "Do you take Delta Dental?", "Do you take Delta Dental?"},
	}
	v := tests.NewVisitor(t, tests.Options{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id, token := v.Start()
			rec, events := v.Send(id, token, tc.sent)
			if rec.Code != 200 || len(events) == 0 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
			msgs := v.Messages(id)
			if len(msgs) == 0 || msgs[0]["role"] != "visitor" || msgs[0]["text"] != tc.stored {
				t.Fatalf("stored %q, want %q", msgs[0]["text"], tc.stored)
			}
			if events[0].Data["text"] != tc.stored {
				t.Fatalf("message event %q, want the stored text %q", events[0].Data["text"], tc.stored)
			}
		})
	}
	t.Run("only control characters", func(t *testing.T) {
		id, token := v.Start()
		body, _ := json.Marshal(map[string]string{"text": "\x00\x01\r\n\x1b"})
		tests.AssertError(t, v.Do("POST", "/api/widget/demo/conversations/"+id+"/messages", string(body), map[string]string{"X-Conversation-Token": token}), 400, "invalid_input")
		if n := len(v.Messages(id)); n != 0 {
			t.Fatalf("stored %d messages", n)
		}
	})
}

func TestLeadStoredWithoutControlCharacters(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	id, token := v.Start()
	body, _ := json.Marshal(map[string]any{"name": "Ana\x00 Ruiz\r\n", "email": "ana@example.com\x00", "phone": "503\x1b 555 0100", "service": "fillings\x7f"})
	l, err := v.App.FindRecordById(models.LeadsCollection, v.PostLead(id, token, string(body)))
	if err != nil {
		t.Fatal(err)
	}
	got := [4]string{l.GetString("name"), l.GetString("email"), l.GetString("phone"), l.GetString("service")}
	if want := [4]string{"Ana Ruiz", "ana@example.com", "+15035550100", "Fillings"}; got != want {
		t.Fatalf("stored %q, want %q", got, want)
	}
}
