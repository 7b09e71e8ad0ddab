package ingest_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ollama/ollama/api"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"frontdesk/hooks"
	"frontdesk/hooks/ingest"
	"frontdesk/hooks/jobs"
	"frontdesk/hooks/practice"
	"frontdesk/internal/llm/ollamatest"
	"frontdesk/models"
	"frontdesk/tests"
)

func TestOfflineAnswersFromTheRightFAQ(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	id, token := v.Start()
	cases := map[string]string{
		"r u open on saturdays":                   "9:00 am–1:00 pm",
		"is there parking near your office?":      "garage under the building",
		"do you take delta dental":                "Delta Dental",
		"how much is a cleaning if im uninsured?": "$185",
	}
	for q, want := range cases {
		_, events := v.Send(id, token, q)
		if done := events[len(events)-1]; done.Name != "done" || !strings.Contains(done.Data["text"].(string), want) {
			t.Errorf("%q: answer %q, want it to contain %q", q, tests.Text(events), want)
		}
	}
}

func TestKnowledgeGapsAreCountedForStaff(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	id, token := v.Start()
	for i := 0; i < 2; i++ {
		_, events := v.Send(id, token, "Do you offer hyperbaric oxygen for pets? Mail me at pat@example.com")
		if !strings.Contains(tests.Text(events), "not sure") {
			t.Fatalf("unconfident answer: %q", tests.Text(events))
		}
	}
	v.Send(id, token, "Do you do zirconia veneers for horses?")
	gaps, err := v.App.FindRecordsByFilter(models.KnowledgeGapsCollection, "", "-count", 0, 0)
	if err != nil || len(gaps) != 2 {
		t.Fatalf("gaps %d %v", len(gaps), err)
	}
	top := gaps[0]
	if top.GetInt("count") != 2 || strings.Contains(top.GetString("question"), "pat@example.com") || !strings.Contains(top.GetString("question"), "hyperbaric") {
		t.Fatalf("top gap %v", top.PublicExport())
	}
	// A question the FAQ answers is no gap.
	v.Send(id, token, "what are your opening hours?")
	if n, _ := v.App.CountRecords(models.KnowledgeGapsCollection); n != 2 {
		t.Fatalf("%d gaps after an answered question", n)
	}
}

func TestKnowledgeGapsHoldNoNameOrAddress(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	id, token := v.Start()
	v.Send(id, token, "Hi, my name is Jane Doe and I live at 42 Elm Street, do you do root canals on Saturdays?")
	gaps, err := v.App.FindAllRecords(models.KnowledgeGapsCollection)
	if err != nil || len(gaps) != 1 {
		t.Fatalf("gaps %d %v", len(gaps), err)
	}
	q := gaps[0].GetString("question")
	for _, leak := range []string{"jane", "doe", "42 elm"} {
		if strings.Contains(strings.ToLower(q), leak) {
			t.Errorf("gap %q holds %q", q, leak)
		}
	}
	// What was asked must survive, or the gap is useless to staff.
	if !strings.Contains(q, "root canals on saturdays") {
		t.Errorf("gap %q lost the question", q)
	}
}

func waitStatus(t *testing.T, app core.App, id string, want string) *core.Record {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		r, err := app.FindRecordById(models.DocumentsCollection, id)
		if err != nil {
			t.Fatal(err)
		}
		if s := r.GetString("status"); s == "ready" || s == "failed" {
			if s != want {
				t.Fatalf("status %s (%s), want %s", s, r.GetString("error"), want)
			}
			return r
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("document %s stuck", id)
	return nil
}

func addDocument(t *testing.T, app core.App, data map[string]any, file *filesystem.File) *core.Record {
	t.Helper()
	col, _ := app.FindCollectionByNameOrId(models.DocumentsCollection)
	r := core.NewRecord(col)
	b, _ := app.FindFirstRecordByData(models.BusinessesCollection, "slug", practice.DemoSlug)
	r.Set("business", b.Id)
	r.Load(data)
	if file != nil {
		r.Set("file", file)
	}
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDocumentIngestion(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	md := "# Implants\n\nWe place titanium dental implants. A single implant with its crown costs from $3,200 and takes two visits three months apart.\n\n# Sleep apnea\n\nWe make custom oral appliances for snoring.\n"
	f, _ := filesystem.NewFileFromBytes([]byte(md), "implants.md")
	doc := addDocument(t, v.App, map[string]any{"title": "Implants guide"}, f)
	ready := waitStatus(t, v.App, doc.Id, "ready")
	if ready.GetInt("chunks") < 2 {
		t.Fatalf("chunks %d", ready.GetInt("chunks"))
	}
	id, token := v.Start()
	_, events := v.Send(id, token, "how much does a tooth implant cost?")
	if !strings.Contains(tests.Text(events), "$3,200") {
		t.Fatalf("answer %q", tests.Text(events))
	}
	// Deleting the document removes its passages.
	if err := v.App.Delete(ready); err != nil {
		t.Fatal(err)
	}
	_, events = v.Send(id, token, "how much does a tooth implant cost?")
	if strings.Contains(tests.Text(events), "$3,200") {
		t.Fatal("deleted document still answers")
	}

	empty, _ := filesystem.NewFileFromBytes([]byte("   \n"), "empty.txt")
	bad := addDocument(t, v.App, map[string]any{"title": "Empty"}, empty)
	if r := waitStatus(t, v.App, bad.Id, "failed"); !strings.Contains(r.GetString("error"), "no text") {
		t.Fatalf("reason %q", r.GetString("error"))
	}
	pdf, _ := filesystem.NewFileFromBytes([]byte("%PDF-1.4 this is not really a pdf"), "broken.pdf")
	broken := addDocument(t, v.App, map[string]any{"title": "Broken"}, pdf)
	if r := waitStatus(t, v.App, broken.Id, "failed"); r.GetString("error") == "" {
		t.Fatal("no reason for a corrupt PDF")
	}
}

func TestWebsiteIngestion(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private\n")
		case "/":
			fmt.Fprint(w, `<html><head><title>Home</title></head><body><h1>Welcome</h1><p>See <a href="/kids">kids</a> and <a href="/private">x</a> and <a href="https://elsewhere.example/">y</a>.</p></body></html>`)
		case "/kids":
			fmt.Fprint(w, `<html><head><title>Kids</title></head><body><h1>Kids club</h1><p>Children under twelve get a free electric toothbrush at their second visit.</p></body></html>`)
		case "/private":
			fmt.Fprint(w, `<html><body><p>Secret staff rota: Bob works Mondays.</p></body></html>`)
		case "/away":
			http.Redirect(w, r, "https://elsewhere.example/", http.StatusFound)
		}
	}))
	defer site.Close()
	v := tests.NewVisitor(t, tests.Options{AllowPrivateNetworks: true}) // the fake site is on loopback
	doc := addDocument(t, v.App, map[string]any{"title": "Website", "url": site.URL + "/"}, nil)
	waitStatus(t, v.App, doc.Id, "ready")
	id, token := v.Start()
	_, events := v.Send(id, token, "do kids get a free toothbrush?")
	if !strings.Contains(tests.Text(events), "electric toothbrush") {
		t.Fatalf("answer %q", tests.Text(events))
	}
	_, events = v.Send(id, token, "which day does bob work on the staff rota?")
	if strings.Contains(tests.Text(events), "Mondays") {
		t.Fatal("robots.txt disallowed page was indexed")
	}
	away := addDocument(t, v.App, map[string]any{"title": "Away", "url": site.URL + "/away"}, nil)
	if r := waitStatus(t, v.App, away.Id, "failed"); !strings.Contains(r.GetString("error"), "elsewhere.example") && !strings.Contains(strings.ToLower(r.GetString("error")), "redirect") {
		t.Fatalf("reason %q", r.GetString("error"))
	}
}

func TestReindexRebuildsFromTheDatabase(t *testing.T) {
	app := tests.NewApp(t, tests.Options{})
	cfg := tests.Options{}.Config()
	if handed, err := hooks.Reindex(app, cfg); err != nil || handed {
		t.Fatalf("reindex: handed to a server %v, error %v", handed, err)
	}
	v := tests.VisitorFor(t, app)
	id, token := v.Start()
	_, events := v.Send(id, token, "do you see children?")
	if !strings.Contains(tests.Text(events), "first tooth") {
		t.Fatalf("answer after reindex %q", tests.Text(events))
	}
}

func TestKnowledgeGapCountsConcurrentVisitors(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	s := v.App.Settings()
	s.RateLimits.Enabled = false // ten visitors behind one test IP
	if err := v.App.Save(s); err != nil {
		t.Fatal(err)
	}
	const visitors = 10
	convs := make([][2]string, visitors)
	for i := range convs {
		convs[i][0], convs[i][1] = v.Start()
	}
	var wg sync.WaitGroup
	for _, c := range convs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.Send(c[0], c[1], "Do you sell hyperbaric oxygen chambers for ferrets?")
		}()
	}
	wg.Wait()
	gaps, _ := v.App.FindAllRecords(models.KnowledgeGapsCollection)
	if len(gaps) != 1 || gaps[0].GetInt("count") != visitors {
		t.Fatalf("gaps %d, count %v; want one gap counted %d times", len(gaps), gaps, visitors)
	}
}

func TestEmbeddingsAreStoredAndUsed(t *testing.T) {
	fake := tests.NewFakeOllama(t, func(api.ChatRequest) ollamatest.Reply { return ollamatest.Words("unused") })
	v := tests.NewVisitor(t, tests.Options{Configure: func(c *hooks.Config) {
		c.EmbedModel, c.EmbedBaseURL = "nomic-embed-text", fake.URL
	}})
	f, _ := filesystem.NewFileFromBytes([]byte("# Night guards\n\nWe make custom night guards for teeth grinding; they cost $450 and take two weeks.\n"), "guards.md")
	doc := addDocument(t, v.App, map[string]any{"title": "Night guards"}, f)
	waitStatus(t, v.App, doc.Id, "ready")
	embedded := strings.Join(fake.Embedded(), "\n")
	if !strings.Contains(embedded, "custom night guards") || !strings.Contains(embedded, "opening hours") {
		t.Fatalf("document and FAQs were not embedded: %.300s", embedded)
	}
	id, token := v.Start()
	_, events := v.Send(id, token, "how much is a night guard for grinding?")
	if !strings.Contains(tests.Text(events), "$450") {
		t.Fatalf("answer %q", tests.Text(events))
	}
	if !strings.Contains(strings.Join(fake.Embedded(), "\n"), "how much is a night guard for grinding?") {
		t.Fatal("the question was not embedded for the vector ranking")
	}
	if len(fake.Requests()) != 0 {
		t.Fatal("the offline default called the chat model")
	}
}

// internalSite stands for a service on the appliance's own network: it counts every
// request, on 127.0.0.1 and, where the host has IPv6, on [::1].
type internalSite struct {
	hits       atomic.Int32
	v4, v6     *httptest.Server
	port4, url string
}

func newInternalSite(t *testing.T) *internalSite {
	t.Helper()
	s := &internalSite{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		fmt.Fprint(w, `<html><head><title>Router admin</title></head><body><p>The internal admin password is hunter2 for everyone.</p></body></html>`)
	})
	s.v4 = httptest.NewServer(h)
	t.Cleanup(s.v4.Close)
	s.url = s.v4.URL
	_, s.port4, _ = net.SplitHostPort(s.v4.Listener.Addr().String())
	if ln, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		s.v6 = &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
		s.v6.Start()
		t.Cleanup(s.v6.Close)
	}
	return s
}

// urls are the ways a staff member could name the site.
func (s *internalSite) urls() []string {
	out := []string{
		"http://127.0.0.1:" + s.port4 + "/",
		"http://localhost:" + s.port4 + "/",
		"http://[::ffff:127.0.0.1]:" + s.port4 + "/",
	}
	if s.v6 != nil {
		_, port6, _ := net.SplitHostPort(s.v6.Listener.Addr().String())
		out = append(out, "http://[::1]:"+port6+"/", "http://localhost:"+port6+"/")
	}
	return out
}

func TestWebsiteOnAPrivateAddressIsNeverFetched(t *testing.T) {
	site := newInternalSite(t)
	v := tests.NewVisitor(t, tests.Options{})
	app := v.App
	api := tests.AsStaff(t, app, v.H, "admin")
	b, _ := app.FindFirstRecordByData(models.BusinessesCollection, "slug", practice.DemoSlug)
	for _, u := range site.urls() {
		rec := api("POST", "/api/collections/documents/records", map[string]any{"business": b.Id, "title": "Intranet", "url": u})
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: create %d %s", u, rec.Code, rec.Body.String())
		}
		var doc struct{ ID string }
		_ = json.Unmarshal(rec.Body.Bytes(), &doc)
		failed := waitStatus(t, app, doc.ID, "failed")
		if reason := failed.GetString("error"); !strings.Contains(reason, "address not allowed") {
			t.Errorf("%s: reason %q, want it to say the address is not allowed", u, reason)
		}
	}
	if n := site.hits.Load(); n != 0 {
		t.Fatalf("the internal site was reached %d times", n)
	}
	id, token := v.Start()
	if _, events := v.Send(id, token, "what is the internal admin password?"); strings.Contains(tests.Text(events), "hunter2") {
		t.Fatal("the internal site's text was served to a visitor")
	}
}

// A closed port and a refused address read the same to staff: the document's error is
// no port scanner.
func TestWebsiteConnectionFailuresReadTheSame(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := closed.Addr().String()
	_ = closed.Close()
	site := newInternalSite(t)
	app := tests.NewApp(t, tests.Options{})
	tests.Handler(t, app) // serves: the ingestion worker runs
	var reasons []string
	for _, u := range []string{"http://" + addr + "/", site.url + "/"} {
		doc := addDocument(t, app, map[string]any{"title": "Scan", "url": u}, nil)
		reason := waitStatus(t, app, doc.Id, "failed").GetString("error")
		reasons = append(reasons, strings.ReplaceAll(reason, u, "URL"))
	}
	if reasons[0] != reasons[1] {
		t.Fatalf("a closed port and an open one read differently: %q vs %q", reasons[0], reasons[1])
	}
	if strings.Contains(reasons[0], "refused") {
		t.Fatalf("reason %q tells the port's state", reasons[0])
	}
}

func TestWebsiteOnLoopbackIsFetchedWhenPrivateNetworksAreAllowed(t *testing.T) {
	site := newInternalSite(t)
	app := tests.NewApp(t, tests.Options{AllowPrivateNetworks: true})
	api := tests.AsStaff(t, app, tests.Handler(t, app), "admin")
	b, _ := app.FindFirstRecordByData(models.BusinessesCollection, "slug", practice.DemoSlug)
	rec := api("POST", "/api/collections/documents/records", map[string]any{"business": b.Id, "title": "Intranet", "url": site.url + "/"})
	if rec.Code != http.StatusOK {
		t.Fatalf("create %d %s", rec.Code, rec.Body.String())
	}
	var doc struct{ ID string }
	_ = json.Unmarshal(rec.Body.Bytes(), &doc)
	waitStatus(t, app, doc.ID, "ready")
	if site.hits.Load() == 0 {
		t.Fatal("the loopback site was not fetched")
	}
}

// A document's ingestion is a job row, queued in the transaction that saved it: a
// server that stops before running it runs it after its restart.
func TestQueuedDocumentIsIngestedAfterARestart(t *testing.T) {
	key := make([]byte, 32)
	sameKey := func(c *hooks.Config) { c.SecretKey = key }
	app := tests.NewApp(t, tests.Options{Configure: sameKey}) // not serving: no runner
	f, _ := filesystem.NewFileFromBytes([]byte("# Retainers\n\nClear retainers cost $290 a pair and are ready in a week.\n"), "retainers.md")
	doc := addDocument(t, app, map[string]any{"title": "Retainers"}, f)
	job, err := app.FindFirstRecordByData(jobs.Collection, "key", "document:"+doc.Id)
	if err != nil || job.GetString("kind") != ingest.KindDocument || job.GetString("status") != jobs.StatusQueued {
		t.Fatalf("job of the document: %v %v", job, err)
	}
	tests.Stop(app)
	again := tests.NewApp(t, tests.Options{NoDemo: true, DataDir: app.DataDir(), Configure: sameKey})
	v := tests.VisitorFor(t, again) // serves: the runner starts
	waitStatus(t, again, doc.Id, models.DocReady)
	id, token := v.Start()
	if _, events := v.Send(id, token, "how much are clear retainers?"); !strings.Contains(tests.Text(events), "$290") {
		t.Fatalf("answer %q", tests.Text(events))
	}
}

// While a server holds the index, a reindex is handed to it as a job.
func TestReindexIsHandedToTheServerHoldingTheIndex(t *testing.T) {
	v := tests.NewVisitor(t, tests.Options{})
	handed, err := hooks.Reindex(v.App, tests.Options{}.Config())
	if err != nil || !handed {
		t.Fatalf("reindex: handed to the server %v, error %v", handed, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		job, err := v.App.FindFirstRecordByData(jobs.Collection, "kind", ingest.KindReindex)
		if err == nil && job.GetString("status") == jobs.StatusDone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reindex job not done in 20s: %v %v", job, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	id, token := v.Start()
	if _, events := v.Send(id, token, "do you see children?"); !strings.Contains(tests.Text(events), "first tooth") {
		t.Fatalf("answer after reindex %q", tests.Text(events))
	}
}
