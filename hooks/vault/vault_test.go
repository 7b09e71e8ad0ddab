package vault_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks"
	"frontdesk/hooks/practice"
	"frontdesk/internal/secrets"
	"frontdesk/models"
	"frontdesk/tests"
)

func TestCredentialsAreEncrypted(t *testing.T) {
	app := tests.NewApp(t, tests.Options{})
	b, _ := app.FindFirstRecordByData(models.BusinessesCollection, "slug", practice.DemoSlug)
	b.Set("llm_api_key", "sk-ant-secret-123")
	if err := app.Save(b); err != nil {
		t.Fatal(err)
	}
	var raw string
	if err := app.DB().NewQuery("SELECT llm_api_key FROM businesses WHERE id = {:id}").Bind(map[string]any{"id": b.Id}).Row(&raw); err != nil {
		t.Fatal(err)
	}
	if raw == "" || strings.Contains(raw, "sk-ant-secret-123") {
		t.Fatalf("stored in the clear: %q", raw)
	}
	// Saving again doesn't double-encrypt.
	b2, _ := app.FindRecordById(models.BusinessesCollection, b.Id)
	b2.Set("greeting", "Hello")
	if err := app.Save(b2); err != nil {
		t.Fatal(err)
	}
	var raw2 string
	_ = app.DB().NewQuery("SELECT llm_api_key FROM businesses WHERE id = {:id}").Bind(map[string]any{"id": b.Id}).Row(&raw2)
	if raw2 != raw {
		t.Fatal("re-encrypted on an unrelated save")
	}
}

func TestWrongSecretKeyFailsStart(t *testing.T) {
	dir := t.TempDir()
	key1 := bytes.Repeat([]byte{1}, 32)
	key2 := bytes.Repeat([]byte{2}, 32)
	start := func(key []byte) error {
		o := tests.Options{Configure: func(c *hooks.Config) { c.SecretKey = key }}
		return tests.ServeOnce(t, dir, o)
	}
	if err := start(key1); err != nil {
		t.Fatalf("first start: %v", err)
	}
	if err := start(key1); err != nil {
		t.Fatalf("same key: %v", err)
	}
	err := start(key2)
	if err == nil || !strings.Contains(err.Error(), secrets.EnvKey) {
		t.Fatalf("wrong key: %v", err)
	}
}

// A backup never holds the key that decrypts its credentials, and a restore keeps the
// key the appliance has.
func TestBackupsLeaveTheKeyOut(t *testing.T) {
	app := tests.NewApp(t, tests.Options{NoDemo: true})
	keyPath := filepath.Join(app.DataDir(), secrets.KeyFileName)
	if err := os.WriteFile(keyPath, []byte("the appliance's key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := app.CreateBackup(context.Background(), "b.zip"); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(filepath.Join(app.DataDir(), core.LocalBackupsDirName, "b.zip"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
	}
	_ = zr.Close()
	if slices.Contains(names, secrets.KeyFileName) || !slices.Contains(names, "data.db") {
		t.Fatalf("backup holds %v", names)
	}
}

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
	// A viewer can't, and changes nothing.
	if rec := send("PATCH", "/api/collections/businesses/records/"+f.A.Id, tests.Viewer, map[string]any{"llm_api_key": "sk-viewer"}); rec.Code != 404 {
		t.Fatalf("viewer: %d %s", rec.Code, rec.Body.String())
	}
	// Another practice's owner can't reach it either.
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
