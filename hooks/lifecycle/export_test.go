package lifecycle_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tools/filesystem"
)

// openExport reads a 200 export answer as a ZIP: its files by name.
func openExport(t *testing.T, body []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("the export is not a ZIP: %v", err)
	}
	files := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", zf.Name, err)
		}
		files[zf.Name] = data
	}
	return files
}

// readCSV parses an export's CSV with Go's reader (RFC 4180) into maps by header.
func readCSV(t *testing.T, data []byte) []map[string]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	var out []map[string]string
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		out = append(out, m)
	}
	return out
}

func TestExportIsTheWholePracticeInOneZIP(t *testing.T) {
	f := newFixture(t)
	conv := f.conversation(f.demo, t0, "=HYPERLINK(\"http://evil.example\",\"click\")", "line one\nline \"two\", with a comma", "-2+3", "plain")
	if _, err := f.app.DB().NewQuery("UPDATE conversations SET token_hash = 'tokenhash-secret-value' WHERE id = {:id}").Bind(map[string]any{"id": conv.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	f.lead(f.demo, conv, t0, "@SUM(A1:A9)", "ana@example.com", "+15035550199")
	cred := f.create("credentials", map[string]any{"business": f.demo.Id, "kind": "twilio", "value": `{"api_key": "sk-plaintext-credential"}`})
	f.demo.Set("llm_api_key", "sk-plaintext-llm-key")
	if err := f.app.Save(f.demo); err != nil {
		t.Fatal(err)
	}
	file, _ := filesystem.NewFileFromBytes([]byte("our price list"), "prices.txt")
	doc := f.create("documents", map[string]any{"business": f.demo.Id, "title": "Prices", "file": file})
	f.conversation(f.other, t0, "another practice's visitor")
	f.lead(f.other, nil, t0, "Other Visitor", "other@example.com", "")
	storedCred, _ := f.app.FindRecordById("credentials", cred.Id)

	rec := f.do("GET", "/api/frontdesk/export", owner, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("export: %d %s", rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/zip" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="demo-export-2031-03-10.zip"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	raw := rec.Body.Bytes()
	for _, secret := range []string{"tokenhash-secret-value", "sk-plaintext-credential", "sk-plaintext-llm-key", storedCred.GetString("value"), "Other Visitor", "another practice"} {
		// The archive is compressed: look in what it holds.
		for name, data := range openExport(t, raw) {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s holds %q", name, secret)
			}
		}
	}
	files := openExport(t, raw)

	var manifest struct {
		Practice struct{ ID, Slug string }
		Records  map[string]int
	}
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if manifest.Practice.ID != f.demo.Id || manifest.Records["leads"] != 1 || manifest.Records["messages"] != 4 {
		t.Errorf("manifest %+v", manifest)
	}

	records := func(name string) []map[string]any {
		t.Helper()
		var out []map[string]any
		if err := json.Unmarshal(files["json/"+name+".json"], &out); err != nil {
			t.Fatalf("json/%s.json: %v", name, err)
		}
		return out
	}
	if b := records("businesses"); len(b) != 1 || b[0]["slug"] != "demo" || b[0]["llm_api_key"] != nil {
		t.Errorf("businesses.json %v", b)
	}
	convs := records("conversations")
	if len(convs) != 1 || convs[0]["id"] != conv.Id {
		t.Fatalf("conversations.json %v", convs)
	}
	if _, ok := convs[0]["token_hash"]; ok {
		t.Error("the conversation's token hash is exported")
	}
	if c := records("credentials"); len(c) != 1 || c[0]["kind"] != "twilio" || c[0]["value"] != nil {
		t.Errorf("credentials.json %v", c)
	}
	staff := records("staff")
	if len(staff) != 3 || staff[0]["email"] == nil || staff[0]["password"] != nil || staff[0]["tokenKey"] != nil {
		t.Errorf("staff.json %v", staff)
	}
	if len(records("faqs")) != 15 || len(records("messages")) != 4 || len(records("documents")) != 1 {
		t.Error("faqs, messages or documents missing")
	}
	if _, ok := files["json/audit_log.json"]; !ok {
		t.Error("the practice's audit entries are not exported")
	}

	msgs := readCSV(t, files["messages.csv"])
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m["text"])
		if m["conversation"] != conv.Id || m["role"] != "visitor" {
			t.Errorf("message row %v", m)
		}
	}
	slices.Sort(texts)
	want := []string{"'-2+3", "'=HYPERLINK(\"http://evil.example\",\"click\")", "line one\nline \"two\", with a comma", "plain"}
	if !slices.Equal(texts, want) {
		t.Errorf("message texts %q; want %q", texts, want)
	}
	leads := readCSV(t, files["leads.csv"])
	if len(leads) != 1 || leads[0]["name"] != "'@SUM(A1:A9)" || leads[0]["email"] != "ana@example.com" || leads[0]["phone"] != "'+15035550199" || leads[0]["sms_consent"] != "no" {
		t.Errorf("leads.csv %v", leads)
	}
	if c := readCSV(t, files["conversations.csv"]); len(c) != 1 || c[0]["id"] != conv.Id || c[0]["status"] != "open" {
		t.Errorf("conversations.csv %v", c)
	}
	if got := string(files["files/documents/"+doc.Id+"/"+doc.GetString("file")]); got != "our price list" {
		t.Errorf("the document's file: %q", got)
	}

	e := f.audit.actions("export")
	if len(e) != 1 || e[0].Business != f.demo.Id || !strings.HasPrefix(e[0].Target, "practice export (") {
		t.Errorf("audit entries %+v", e)
	}
}

// No export leaves without its audit entry.
func TestExportRefusedWhenItCannotBeAudited(t *testing.T) {
	f := newFixture(t)
	f.audit.fail = errors.New("disk full")
	rec := f.do("GET", "/api/frontdesk/export", owner, "")
	if code, _ := errorCode(t, rec); rec.Code != 500 || code != "internal" {
		t.Errorf("%d %s; want 500 internal", rec.Code, rec.Body.String())
	}
}
