package hooks_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"frontdesk/hooks"
	"frontdesk/internal/secrets"
	"frontdesk/tests"
)

// Staff set stored credentials through the record API: the fields are hidden, which
// PocketBase would otherwise drop from a non-superuser's body while answering 200.
func TestStaffCanSetWriteOnlyCredentials(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	f := tests.NewPractices(t, tests.Options{Configure: func(c *hooks.Config) { c.SecretKey = key }})
	send := func(method, path, role string, body map[string]any) *httptest.ResponseRecorder {
		raw, _ := json.Marshal(body)
		req := httptest.NewRequest(method, path, bytes.NewReader(raw))
		req.Header.Set("Authorization", f.Tokens[role])
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		f.H.ServeHTTP(rec, req)
		return rec
	}
	box, err := secrets.New(key)
	if err != nil {
		t.Fatal(err)
	}
	stored := func(collection, field, id string) string {
		t.Helper()
		var raw string
		if err := f.App.DB().NewQuery("SELECT " + field + " FROM " + collection + " WHERE id = {:id}").Bind(map[string]any{"id": id}).Row(&raw); err != nil {
			t.Fatal(err)
		}
		if raw == "" {
			return ""
		}
		plain, err := box.Decrypt(raw)
		if err != nil {
			t.Fatalf("%s.%s is not encrypted with the app's key: %v", collection, field, err)
		}
		return plain
	}

	rec := send("PATCH", "/api/collections/businesses/records/"+f.A.Id, tests.Owner, map[string]any{"llm_api_key": "sk-tests.Owner-key-1"})
	if rec.Code != 200 || strings.Contains(rec.Body.String(), "sk-tests.Owner-key-1") || strings.Contains(rec.Body.String(), "llm_api_key") {
		t.Fatalf("owner sets the key: %d %s", rec.Code, rec.Body.String())
	}
	if got := stored("businesses", "llm_api_key", f.A.Id); got != "sk-tests.Owner-key-1" {
		t.Fatalf("stored key = %q, want the tests.Owner's", got)
	}
	// A tests.Viewer can't, and changes nothing.
	if rec := send("PATCH", "/api/collections/businesses/records/"+f.A.Id, tests.Viewer, map[string]any{"llm_api_key": "sk-viewer"}); rec.Code != 404 {
		t.Fatalf("viewer: %d %s", rec.Code, rec.Body.String())
	}
	// Another practice's tests.Owner can't reach it either.
	if rec := send("PATCH", "/api/collections/businesses/records/"+f.A.Id, tests.OtherOwner, map[string]any{"llm_api_key": "sk-other"}); rec.Code != 404 {
		t.Fatalf("other practice: %d %s", rec.Code, rec.Body.String())
	}
	if got := stored("businesses", "llm_api_key", f.A.Id); got != "sk-tests.Owner-key-1" {
		t.Fatalf("key changed by a refused request: %q", got)
	}
	// Not a string: a clear error, nothing changed.
	if rec := send("PATCH", "/api/collections/businesses/records/"+f.A.Id, tests.Admin, map[string]any{"llm_api_key": 42}); rec.Code != 400 || !strings.Contains(rec.Body.String(), "llm_api_key") {
		t.Fatalf("non-string key: %d %s", rec.Code, rec.Body.String())
	}
	// An empty string removes it.
	if rec := send("PATCH", "/api/collections/businesses/records/"+f.A.Id, tests.Admin, map[string]any{"llm_api_key": ""}); rec.Code != 200 {
		t.Fatalf("clear: %d %s", rec.Code, rec.Body.String())
	}
	if got := stored("businesses", "llm_api_key", f.A.Id); got != "" {
		t.Fatalf("key not cleared: %q", got)
	}

	// Credentials: the value is stored (encrypted) and never returned.
	rec = send("POST", "/api/collections/credentials/records", tests.Admin, map[string]any{"business": f.A.Id, "kind": "twilio", "value": `{"account_sid":"AC1","auth_token":"tok-secret","from":"+15035550100"}`})
	if rec.Code != 200 || strings.Contains(rec.Body.String(), "tok-secret") {
		t.Fatalf("create credential: %d %s", rec.Code, rec.Body.String())
	}
	var created struct{ ID string }
	_ = json.Unmarshal(rec.Body.Bytes(), &created)
	if got := stored("credentials", "value", created.ID); !strings.Contains(got, "tok-secret") {
		t.Fatalf("credential value = %q", got)
	}
	if rec := send("GET", "/api/collections/credentials/records/"+created.ID, tests.Owner, nil); rec.Code != 200 || strings.Contains(rec.Body.String(), "tok-secret") || strings.Contains(rec.Body.String(), `"value"`) {
		t.Fatalf("credential read back: %d %s", rec.Code, rec.Body.String())
	}
	rec = send("PATCH", "/api/collections/credentials/records/"+created.ID, tests.Owner, map[string]any{"value": "not json"})
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "JSON object") {
		t.Fatalf("non-JSON credential: %d %s", rec.Code, rec.Body.String())
	}
	if got := stored("credentials", "value", created.ID); !strings.Contains(got, "tok-secret") {
		t.Fatalf("refused update changed the credential: %q", got)
	}
}
