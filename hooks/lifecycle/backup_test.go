package lifecycle_test

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	pbtests "github.com/pocketbase/pocketbase/tests"

	"frontdesk/hooks"
	"frontdesk/hooks/audit"
	"frontdesk/hooks/lifecycle"
	"frontdesk/internal/secrets"
	"frontdesk/tests"
)

// keyFromFile makes the tests' apps take their key as an operator's would keep it:
// outside the data directory, named by FRONTDESK_SECRET_KEY_FILE. It returns the key.
func keyFromFile(t *testing.T) ([]byte, tests.Options) {
	key := make([]byte, secrets.KeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "frontdesk.key")
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(secrets.EnvKey, "")
	t.Setenv(secrets.EnvKeyFile, path)
	return key, tests.Options{Configure: func(c *hooks.Config) { c.SecretKey = nil }}
}

// backup creates a backup named name through PocketBase's API, as a superuser.
func (f *fixture) backup(name string) {
	f.t.Helper()
	if rec := f.do("POST", "/api/backups", superuser, `{"name": "`+name+`"}`); rec.Code != http.StatusNoContent {
		f.t.Fatalf("backup: %d %s", rec.Code, rec.Body.String())
	}
}

// zipNames lists the entries of the archive at path.
func zipNames(t *testing.T, path string) []string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	return names
}

func TestBackupsHoldNeitherTheKeyNorTheIndex(t *testing.T) {
	// The key is generated into the data directory, as on an install that set none.
	t.Setenv(secrets.EnvKey, "")
	t.Setenv(secrets.EnvKeyFile, "")
	f := newFixture(t, tests.Options{Configure: func(c *hooks.Config) { c.SecretKey = nil }})
	dir := f.app.DataDir()
	for _, name := range []string{secrets.KeyFileName, "knowledge"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Fatalf("%s is not in the data directory to leave out: %v", name, err)
		}
	}
	f.backup("nightly.zip")
	names := zipNames(t, filepath.Join(dir, "backups", "nightly.zip"))
	has := map[string]bool{}
	for _, n := range names {
		has[n] = true
		if n == secrets.KeyFileName || strings.HasSuffix(n, ".key") {
			t.Errorf("the backup holds the key file %s", n)
		}
		if strings.HasPrefix(n, "knowledge/") {
			t.Errorf("the backup holds the knowledge index: %s", n)
		}
	}
	if !has["data.db"] || !has[audit.HeadFile] {
		t.Errorf("the backup lacks the database or the audit head: %v", names)
	}
}

// drill is what the restore drill seeds and checks.
type drill struct {
	key    []byte
	leadID string
	audit  int // audit entries in the backup
}

// seedDrill gives the practice what a restore must bring back: an FAQ only the
// knowledge can answer, a stored credential, a lead, and audit entries in the chain.
func seedDrill(f *fixture, key []byte) drill {
	f.t.Helper()
	f.create("faqs", map[string]any{"business": f.demo.Id, "question": "Do you offer the moonstone polish?", "answer": "Yes: the moonstone polish costs $42 and takes twenty minutes."})
	f.create("credentials", map[string]any{"business": f.demo.Id, "kind": "twilio", "value": `{"api_key": "sk-drill"}`})
	c := f.conversation(f.demo, t0, "hello")
	l := f.lead(f.demo, c, t0, "Ana Perez", "ana@example.com", "+15035550199")
	auditedRead(f)
	auditedRead(f)
	n, broken, err := audit.Verify(f.app)
	if err != nil || broken != nil || n < 2 {
		f.t.Fatalf("audit before the backup: %d, %+v, %v", n, broken, err)
	}
	return drill{key: key, leadID: l.Id, audit: n}
}

// freshAppliance is a new install on an empty data directory with the same key, its
// superuser's token, and a channel told when PocketBase restarts it after a restore
// (the restart itself, an exec of the binary, is left out: the test's process would
// be replaced).
func freshAppliance(t *testing.T, o tests.Options) (*pbtests.TestApp, http.Handler, string, chan struct{}) {
	t.Helper()
	o.NoDemo = true
	app := tests.NewApp(t, o) // Register binds the lifecycle, as on a real install
	col, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		t.Fatal(err)
	}
	su := core.NewRecord(col)
	su.SetEmail("root@example.com")
	su.SetPassword("correct horse battery")
	if err := app.Save(su); err != nil {
		t.Fatal(err)
	}
	tok, err := su.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	restarted := make(chan struct{}, 1)
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		if e.IsRestart {
			restarted <- struct{}{}
			return nil
		}
		return e.Next()
	})
	return app, tests.Handler(t, app), tok, restarted
}

// restore restores the backup name through PocketBase's API and returns the app the
// restarted server would be: a new process on the restored data directory.
func restore(t *testing.T, app *pbtests.TestApp, h http.Handler, token, name string, restarted chan struct{}, o tests.Options) *pbtests.TestApp {
	t.Helper()
	req := httptest.NewRequest("POST", "/api/backups/"+name+"/restore", nil)
	req.Header.Set("Authorization", token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("restore: %d %s", rec.Code, rec.Body.String())
	}
	select {
	case <-restarted:
	case <-time.After(60 * time.Second):
		t.Fatal("the restore did not restart the app within 60s")
	}
	if _, err := os.Stat(filepath.Join(app.DataDir(), "knowledge")); !os.IsNotExist(err) {
		t.Error("the restored data directory holds a knowledge index (the old one, or one from the backup)")
	}
	// PocketBase removes the restore's scratch folders after the restart: copying the
	// data directory while it does so races with it.
	tmp := filepath.Join(app.DataDir(), core.LocalTempDirName)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if entries, err := os.ReadDir(tmp); err != nil || len(entries) == 0 {
			break
		}
	}
	o.NoDemo = true
	o.DataDir = app.DataDir()
	return tests.NewApp(t, o)
}

// upload puts a backup file into app's backups through PocketBase's API.
func upload(t *testing.T, h http.Handler, token, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", filepath.Base(path))
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", "/api/backups/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body.String())
	}
}

// checkRestored checks a restored appliance: the data, an answer from the knowledge
// (rebuilt at start) through the visitor API, the credential decrypting with the key,
// and the audit chain.
func checkRestored(t *testing.T, app *pbtests.TestApp, d drill) {
	t.Helper()
	if _, err := app.FindRecordById("leads", d.leadID); err != nil {
		t.Errorf("the lead is not restored: %v", err)
	}
	h := tests.Handler(t, app) // serves: the key is checked, the index rebuilt

	visitor := func(method, path, token, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("X-Conversation-Token", token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := visitor("POST", "/api/widget/demo/conversations", "", `{"visitor_id": "v-drill", "page_url": "https://brightsmile.example/", "locale": "en"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("start a conversation: %d %s", rec.Code, rec.Body.String())
	}
	var conv struct{ ID, Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &conv); err != nil {
		t.Fatal(err)
	}
	rec = visitor("POST", "/api/widget/demo/conversations/"+conv.ID+"/messages", conv.Token, `{"text": "How much is the moonstone polish?"}`)
	events, err := tests.ReadEvents(rec.Body)
	if err != nil || rec.Code != http.StatusOK {
		t.Fatalf("chat: %d %v", rec.Code, err)
	}
	answer := ""
	for _, e := range events {
		if e.Name == "done" {
			answer, _ = e.Data["text"].(string)
		}
	}
	if !strings.Contains(answer, "$42") {
		t.Errorf("the restored knowledge did not answer: %q", answer)
	}

	cred, err := app.FindFirstRecordByData("credentials", "kind", "twilio")
	if err != nil {
		t.Fatal(err)
	}
	box, err := secrets.New(d.key)
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := box.Decrypt(cred.GetString("value")); err != nil || plain != `{"api_key": "sk-drill"}` {
		t.Errorf("the restored credential: %q, %v", plain, err)
	}

	n, broken, err := audit.Verify(app)
	if err != nil || broken != nil || n < d.audit {
		t.Errorf("audit verify after the restore: %d entries, %+v, %v; want %d or more intact", n, broken, err, d.audit)
	}
}

// The restore drill: seed a practice, back it up through PocketBase's API, restore it
// on a fresh install that has only the key (from FRONTDESK_SECRET_KEY_FILE), and use it.
func TestRestoreDrill(t *testing.T) {
	key, o := keyFromFile(t)
	f := newFixture(t, o)
	d := seedDrill(f, key)
	f.backup("drill.zip")
	zipPath := filepath.Join(f.app.DataDir(), "backups", "drill.zip")

	t.Run("the backup verifies on its own", func(t *testing.T) {
		err := lifecycle.VerifyBackup(zipPath, func(app core.App) error {
			n, broken, err := audit.Verify(app)
			if err == nil && (broken != nil || n != d.audit) {
				err = fmt.Errorf("%d entries, break %+v; want %d intact", n, broken, d.audit)
			}
			return err
		})
		if err != nil {
			t.Error(err)
		}
	})

	app, h, tok, restarted := freshAppliance(t, o)
	upload(t, h, tok, zipPath)
	checkRestored(t, restore(t, app, h, tok, "drill.zip", restarted, o), d)
}

// Backups to an S3-compatible server (a fake one in the test, at its wire protocol):
// the scheduled and manual backups upload there, and a fresh install restores from it.
func TestS3BackupAndRestore(t *testing.T) {
	mem := s3mem.New()
	s3 := httptest.NewServer(gofakes3.New(mem).Server())
	t.Cleanup(s3.Close)
	const bucket = "frontdesk-backups"
	if err := mem.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	useS3 := func(app core.App) {
		t.Helper()
		s := app.Settings()
		s.Backups.S3 = core.S3Config{Enabled: true, Bucket: bucket, Region: "us-east-1", Endpoint: s3.URL, AccessKey: "test-access", Secret: "test-secret", ForcePathStyle: true}
		if err := app.Save(s); err != nil {
			t.Fatal(err)
		}
	}

	key, o := keyFromFile(t)
	f := newFixture(t, o)
	useS3(f.app)
	d := seedDrill(f, key)
	f.backup("s3drill.zip")
	if _, err := os.Stat(filepath.Join(f.app.DataDir(), "backups", "s3drill.zip")); !os.IsNotExist(err) {
		t.Error("the S3 backup was kept locally")
	}
	obj, err := mem.HeadObject(bucket, "s3drill.zip")
	if err != nil {
		t.Fatalf("the backup is not in the bucket: %v", err)
	}
	if obj.Size < 1000 {
		t.Errorf("the uploaded backup is %d bytes", obj.Size)
	}

	app, h, tok, restarted := freshAppliance(t, o)
	useS3(app)
	checkRestored(t, restore(t, app, h, tok, "s3drill.zip", restarted, o), d)
}

// VerifyBackup finds a changed audit entry inside a backup, and refuses what is not one.
func TestVerifyBackupFindsABrokenChain(t *testing.T) {
	f := newFixture(t)
	auditedRead(f)
	auditedRead(f)
	if _, err := f.app.DB().Update("audit_log", dbx.Params{"actor": "staff:someone-else"}, dbx.HashExp{"seq": 1}).Execute(); err != nil {
		t.Fatal(err)
	}
	f.backup("tampered.zip")
	var broken *audit.Break
	err := lifecycle.VerifyBackup(filepath.Join(f.app.DataDir(), "backups", "tampered.zip"), func(app core.App) error {
		var err error
		_, broken, err = audit.Verify(app)
		return err
	})
	if err != nil || broken == nil || broken.Seq != 1 {
		t.Errorf("tampered backup: break %+v, %v; want entry 1 reported", broken, err)
	}

	notBackup := filepath.Join(t.TempDir(), "notes.zip")
	out, _ := os.Create(notBackup)
	zw := zip.NewWriter(out)
	w, _ := zw.Create("notes.txt")
	w.Write([]byte("hello"))
	zw.Close()
	out.Close()
	if err := lifecycle.VerifyBackup(notBackup, func(core.App) error { return nil }); err == nil || !strings.Contains(err.Error(), "data.db") {
		t.Errorf("a ZIP without data.db: %v", err)
	}
	if err := lifecycle.VerifyBackup(filepath.Join(t.TempDir(), "missing.zip"), func(core.App) error { return nil }); err == nil {
		t.Error("a missing file verified")
	}
}
