package hooks_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks"
	"frontdesk/internal/secrets"
	"frontdesk/models"
	"frontdesk/tests"
)

func TestBusinessValidation(t *testing.T) {
	app := tests.NewApp(t, tests.Options{NoDemo: true})
	h := tests.Handler(t, app)
	tok := tests.SuperuserToken(t, app)
	post := func(path string, body any) *httptest.ResponseRecorder {
		raw, _ := json.Marshal(body)
		req := httptest.NewRequest("POST", path, bytes.NewReader(raw))
		req.Header.Set("Authorization", tok)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	valid := map[string]any{"slug": "good-clinic", "name": "Good Clinic", "timezone": "Europe/Madrid",
		"hours": map[string]any{"mon": []map[string]string{{"open": "09:00", "close": "17:00"}}}}
	cases := []struct {
		name  string
		patch map[string]any
		field string
	}{
		{"bad slug", map[string]any{"slug": "Bad Slug!"}, "slug"},
		{"invalid time zone", map[string]any{"timezone": "Mars/Olympus"}, "timezone"},
		{"hours out of range", map[string]any{"hours": map[string]any{"mon": []map[string]string{{"open": "09:00", "close": "25:00"}}}}, "hours"},
		{"hours reversed", map[string]any{"hours": map[string]any{"tue": []map[string]string{{"open": "17:00", "close": "09:00"}}}}, "hours"},
		{"unknown weekday", map[string]any{"hours": map[string]any{"funday": []map[string]string{}}}, "hours"},
		{"service without duration", map[string]any{"services": []map[string]any{{"name": "Cleaning"}}}, "services"},
		{"origin with path", map[string]any{"allowed_origins": []string{"https://clinic.example/page"}}, "allowed_origins"},
		{"brand colour", map[string]any{"brand_color": "teal"}, "brand_color"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{}
			for k, v := range valid {
				body[k] = v
			}
			for k, v := range tc.patch {
				body[k] = v
			}
			rec := post("/api/collections/businesses/records", body)
			if rec.Code != 400 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
			var e struct {
				Data map[string]struct{ Message string } `json:"data"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &e)
			if e.Data[tc.field].Message == "" {
				t.Fatalf("error doesn't name %s: %s", tc.field, rec.Body.String())
			}
		})
	}
	if n, _ := app.CountRecords("businesses"); n != 0 {
		t.Fatalf("invalid practices stored: %d", n)
	}
	if rec := post("/api/collections/businesses/records", valid); rec.Code != 200 {
		t.Fatalf("valid practice: %d %s", rec.Code, rec.Body.String())
	}
	// Unknown staff role.
	b, _ := app.FindFirstRecordByData("businesses", "slug", "good-clinic")
	staff := map[string]any{"business": b.Id, "role": "janitor", "email": "j@example.com", "password": "correct horse battery", "passwordConfirm": "correct horse battery"}
	if rec := post("/api/collections/staff/records", staff); rec.Code != 400 || !strings.Contains(rec.Body.String(), `"role"`) {
		t.Fatalf("unknown role: %d %s", rec.Code, rec.Body.String())
	}
}

func TestCredentialsAreEncrypted(t *testing.T) {
	app := tests.NewApp(t, tests.Options{})
	b, _ := app.FindFirstRecordByData("businesses", "slug", "demo")
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
	b2, _ := app.FindRecordById("businesses", b.Id)
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

func TestDemoPracticeAndStaticAssets(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	b, err := srv.App.FindFirstRecordByData("businesses", "slug", "demo")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(models.NewBusiness(b).Services()); n < 6 {
		t.Fatalf("%d services", n)
	}
	faqs, _ := srv.App.CountRecords("faqs")
	if faqs < 12 {
		t.Fatalf("%d FAQs", faqs)
	}
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), `data-business="demo"`) || !strings.Contains(string(page), `src="/widget.js"`) {
		t.Fatalf("demo page: %d %.200s", res.StatusCode, page)
	}
	res, err = http.Get(srv.URL + "/widget.js")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || etag == "" || !strings.Contains(res.Header.Get("Cache-Control"), "max-age") {
		t.Fatalf("widget.js: %d %v", res.StatusCode, res.Header)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/widget.js", nil)
	req.Header.Set("If-None-Match", etag)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation: %d", res.StatusCode)
	}
	res, _ = http.Get(srv.URL + "/widget.js?v=" + strings.Trim(etag, `"`))
	res.Body.Close()
	if !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("versioned widget not long-cached: %v", res.Header.Get("Cache-Control"))
	}
}

func TestNoDemo(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{NoDemo: true})
	if n, _ := srv.App.CountRecords("businesses"); n != 0 {
		t.Fatalf("%d practices with --no-demo", n)
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
