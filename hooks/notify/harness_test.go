package notify_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	pbtests "github.com/pocketbase/pocketbase/tests"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"frontdesk/hooks"
	"frontdesk/hooks/jobs"
	hnotify "frontdesk/hooks/notify"
	"frontdesk/hooks/practice"
	"frontdesk/internal/secrets"
	"frontdesk/models"
	"frontdesk/tests"
)

// webhookSecret is the Standard Webhooks spec's test secret.
const webhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// env is a Frontdesk app with the alerts bound (as hooks.Register will bind them), a
// real SMTP server receiving PocketBase's mail, Twilio and Telnyx faked at their wire
// protocols, and a webhook receiver that verifies with the Standard Webhooks reference
// library.
type env struct {
	t      testing.TB
	app    *pbtests.TestApp
	h      http.Handler
	m      *hnotify.Manager
	runner *jobs.Runner
	box    *secrets.Box
	mail   *tests.MailServer
	twilio *smsFake
	telnyx *smsFake
	hook   *receiver
	biz    *core.Record // the demo practice, Bright Smile Dental
}

type envOptions struct {
	jobs     jobs.Options // the runner's; fast retries unless set
	noRunner bool         // leave the runner stopped
	// denyPrivate refuses webhooks to private addresses, as production does by default.
	denyPrivate bool
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	box, err := secrets.New(key)
	if err != nil {
		t.Fatal(err)
	}
	// Register's own alerts are left out: these are bound below, with fake providers.
	app := tests.NewApp(t, tests.Options{Configure: func(c *hooks.Config) { c.SecretKey = key; c.Skip.Alerts = true }})
	// PocketBase's test app swaps the mailer for an in-memory one: the mail here goes
	// through PocketBase's SMTP client to a real server instead.
	app.OnMailerSend().UnbindAll()
	e := &env{t: t, app: app, box: box, mail: tests.StartMailServer(t), hook: newReceiver(t)}
	e.twilio = newSMSFake(t, "twilio")
	e.telnyx = newSMSFake(t, "telnyx")
	s := app.Settings()
	s.Meta.AppURL = "https://fd.example"
	s.Meta.SenderAddress = "alerts@fd.example"
	s.Meta.SenderName = "Frontdesk"
	s.SMTP.Enabled = true
	s.SMTP.Host, s.SMTP.Port = e.mail.Host, e.mail.Port
	s.RateLimits.Enabled = false
	if e.biz, err = app.FindFirstRecordByData(models.BusinessesCollection, "slug", practice.DemoSlug); err != nil {
		t.Fatal(err)
	}

	jo := o.jobs
	if jo.PollInterval == 0 {
		jo.PollInterval = 20 * time.Millisecond
	}
	if jo.RetryBase == 0 {
		jo.RetryBase, jo.RetryMax = 40*time.Millisecond, 150*time.Millisecond
	}
	if jo.Concurrency == 0 {
		jo.Concurrency = 4
	}
	// The wiring hooks.Register does: the runner's OnFailed is the Manager's.
	var m *hnotify.Manager
	jo.OnFailed = func(tx core.App, j *jobs.Job, err error) error { return m.JobFailed(tx, j, err) }
	e.runner = jobs.New(app, jo)
	m = hnotify.Bind(app, hnotify.Options{
		Runner:               e.runner,
		Decrypt:              box.Decrypt,
		AllowPrivateNetworks: !o.denyPrivate,
		TwilioBaseURL:        e.twilio.srv.URL,
		TelnyxBaseURL:        e.telnyx.srv.URL,
		SendTimeout:          5 * time.Second,
	})
	e.m = m
	e.h = tests.Handler(t, app)
	if !o.noRunner {
		e.runner.Start()
		t.Cleanup(e.runner.Stop)
	}
	return e
}

// staff adds a staff member of the demo practice with fields (notify_email, ...).
func (e *env) staff(email, role string, fields map[string]any) *core.Record {
	e.t.Helper()
	col, err := e.app.FindCollectionByNameOrId(models.StaffCollection)
	if err != nil {
		e.t.Fatal(err)
	}
	r := core.NewRecord(col)
	r.Set("business", e.biz.Id)
	r.Set("role", role)
	r.Set("name", "Staff "+role)
	r.SetEmail(email)
	r.SetPassword("correct horse battery staple")
	for k, v := range fields {
		r.Set(k, v)
	}
	if err := e.app.Save(r); err != nil {
		e.t.Fatalf("save staff: %v", err)
	}
	return r
}

// credential stores the demo practice's SMS account, encrypted as the hooks store it.
func (e *env) credential(kind string, value map[string]string) {
	e.t.Helper()
	col, _ := e.app.FindCollectionByNameOrId(models.CredentialsCollection)
	r := core.NewRecord(col)
	b, _ := json.Marshal(value)
	r.Set("business", e.biz.Id)
	r.Set("kind", kind)
	r.Set("value", string(b))
	if err := e.app.Save(r); err != nil {
		e.t.Fatalf("save credential: %v", err)
	}
	if stored := r.GetString("value"); strings.Contains(stored, "{") {
		e.t.Fatal("the credential was stored unencrypted")
	}
}

func (e *env) twilioAccount() {
	e.credential(models.CredentialTwilio, map[string]string{"account_sid": "AC1", "auth_token": "twilio-token", "from": "+15035550100"})
}

// webhook adds an active webhook of the demo practice to the receiver, its secret
// encrypted as the hooks will store it.
func (e *env) webhook(fields map[string]any) *core.Record {
	e.t.Helper()
	col, _ := e.app.FindCollectionByNameOrId(models.WebhooksCollection)
	r := core.NewRecord(col)
	enc, err := e.box.Encrypt(webhookSecret)
	if err != nil {
		e.t.Fatal(err)
	}
	r.Set("business", e.biz.Id)
	r.Set("url", e.hook.srv.URL+"/hook")
	r.Set("active", true)
	r.Set("secret", enc)
	for k, v := range fields {
		r.Set(k, v)
	}
	if err := e.app.Save(r); err != nil {
		e.t.Fatalf("save webhook: %v", err)
	}
	return r
}

// do runs a request through the app's router.
func (e *env) do(method, path, body string, headers map[string]string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// visitor is one conversation of the widget API.
type visitor struct {
	e         *env
	id, token string
}

func (e *env) visitor() *visitor {
	e.t.Helper()
	rec := e.do("POST", "/api/widget/demo/conversations", `{"visitor_id":"v1","locale":"en"}`, nil)
	if rec.Code != 201 {
		e.t.Fatalf("new conversation: %d %s", rec.Code, rec.Body)
	}
	var out struct{ ID, Token string }
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return &visitor{e: e, id: out.ID, token: out.Token}
}

func (v *visitor) post(path string, body any) *httptest.ResponseRecorder {
	v.e.t.Helper()
	b, _ := json.Marshal(body)
	return v.e.do("POST", "/api/widget/demo/conversations/"+v.id+path, string(b), map[string]string{"X-Conversation-Token": v.token})
}

// lead leaves contact details in the conversation, as the widget's form does.
func (v *visitor) lead(body map[string]any) string {
	v.e.t.Helper()
	rec := v.post("/lead", body)
	if rec.Code != 201 {
		v.e.t.Fatalf("lead: %d %s", rec.Code, rec.Body)
	}
	var out struct{ ID string }
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return out.ID
}

// outbox lists the outbox entries, oldest first.
func (e *env) outbox() []*core.Record {
	e.t.Helper()
	rs, err := e.app.FindRecordsByFilter(models.OutboxCollection, "", "created", 0, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return rs
}

// waitSettled waits until every outbox entry is sent, failed or skipped.
func (e *env) waitSettled(timeout time.Duration) []*core.Record {
	e.t.Helper()
	var rs []*core.Record
	waitFor(e.t, timeout, "the outbox to settle", func() bool {
		rs = e.outbox()
		for _, r := range rs {
			if s := r.GetString("status"); s == models.OutboxPending || s == models.OutboxSending {
				return false
			}
		}
		return true
	})
	return rs
}

func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// smsFake is Twilio's or Telnyx's messaging API at its wire protocol, keeping what it
// was asked to send and answering with the status script gives next (then success).
type smsFake struct {
	t        testing.TB
	provider string
	srv      *httptest.Server

	mu     sync.Mutex
	sent   []sms
	script []int
}

// sms is one text the fake was asked to send, with the request's raw body.
type sms struct {
	to, text string
	raw      []byte
	at       time.Time
}

func newSMSFake(t testing.TB, provider string) *smsFake {
	f := &smsFake{t: t, provider: provider}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *smsFake) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var m sms
	switch f.provider {
	case "twilio":
		user, pass, _ := r.BasicAuth()
		if r.URL.Path != "/2010-04-01/Accounts/AC1/Messages.json" || user != "AC1" || pass != "twilio-token" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"code": 20003, "message": "Authenticate", "status": 401}`)
			return
		}
		form, _ := url.ParseQuery(string(raw))
		m = sms{to: form.Get("To"), text: form.Get("Body")}
	case "telnyx":
		if r.URL.Path != "/v2/messages" || r.Header.Get("Authorization") != "Bearer telnyx-key" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"errors": [{"code": "10009", "title": "Authentication failed"}]}`)
			return
		}
		var body struct{ To, Text string }
		_ = json.Unmarshal(raw, &body)
		m = sms{to: body.To, text: body.Text}
	}
	m.raw, m.at = raw, time.Now()
	f.mu.Lock()
	status := 0
	if len(f.script) > 0 {
		status, f.script = f.script[0], f.script[1:]
	}
	if status == 0 {
		f.sent = append(f.sent, m)
	}
	n := len(f.sent)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if status != 0 {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"code": 20500, "message": "Internal Server Error"}`)
		return
	}
	if f.provider == "twilio" {
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"sid": "SM`+itoa(n)+`", "status": "queued"}`)
		return
	}
	_, _ = io.WriteString(w, `{"data": {"id": "msg-`+itoa(n)+`", "record_type": "message"}}`)
}

func (f *smsFake) messages() []sms {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sms(nil), f.sent...)
}

// receiver is a webhook endpoint verifying each delivery with the Standard Webhooks
// reference library, answering with the status its script gives next (then 200).
type receiver struct {
	t   testing.TB
	srv *httptest.Server

	mu     sync.Mutex
	got    []hookDelivery
	script []int
}

type hookDelivery struct {
	header http.Header
	body   []byte
	err    error // the reference verification's
	at     time.Time
}

func newReceiver(t testing.TB) *receiver {
	rc := &receiver{t: t}
	wh, err := standardwebhooks.NewWebhook(webhookSecret)
	if err != nil {
		t.Fatal(err)
	}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		d := hookDelivery{header: r.Header.Clone(), body: body, err: wh.Verify(body, r.Header), at: time.Now()}
		rc.mu.Lock()
		rc.got = append(rc.got, d)
		status := http.StatusOK
		if len(rc.script) > 0 {
			status, rc.script = rc.script[0], rc.script[1:]
		}
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) deliveries() []hookDelivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hookDelivery(nil), rc.got...)
}

func (rc *receiver) setScript(s ...int) {
	rc.mu.Lock()
	rc.script = s
	rc.mu.Unlock()
}

func itoa(n int) string { return strconv.Itoa(n) }

// telnyxKeys is a Telnyx account's signing key pair (Telnyx keeps the private half).
func telnyxKeys(t testing.TB) (string, ed25519.PrivateKey) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(pub), priv
}
