package visitor_test

import (
	"strings"
	"testing"

	"frontdesk/models"
	"frontdesk/tests"
)

func TestCORS(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{Origins: []string{"https://brightsmile.example"}})
	rec := v.Do("GET", "/api/widget/demo/config", "", map[string]string{"Origin": "https://brightsmile.example"})
	if rec.Code != 200 || rec.Header().Get("Access-Control-Allow-Origin") != "https://brightsmile.example" {
		t.Fatalf("allowed origin: %d %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
	pre := v.Do("OPTIONS", "/api/widget/demo/conversations", "", map[string]string{"Origin": "https://brightsmile.example", "Access-Control-Request-Method": "POST"})
	if pre.Code != 204 || !strings.Contains(pre.Header().Get("Access-Control-Allow-Headers"), "X-Conversation-Token") {
		t.Fatalf("preflight: %d %v", pre.Code, pre.Header())
	}
	bad := v.Do("POST", "/api/widget/demo/conversations", `{}`, map[string]string{"Origin": "https://evil.example"})
	tests.AssertError(t, bad, 403, "origin_not_allowed")
	badPre := v.Do("OPTIONS", "/api/widget/demo/conversations", "", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
	if badPre.Code != 403 || badPre.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("refused preflight: %d %v", badPre.Code, badPre.Header())
	}
	if n, _ := v.App.CountRecords(models.ConversationsCollection); n != 0 {
		t.Fatalf("refused origin created %d conversations", n)
	}
	same := v.Do("POST", "/api/widget/demo/conversations", `{}`, map[string]string{"Origin": "http://example.com"})
	if same.Code != 201 {
		t.Fatalf("same origin (httptest host example.com): %d %s", same.Code, same.Body.String())
	}
}
