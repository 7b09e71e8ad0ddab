package tests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	pbtests "github.com/pocketbase/pocketbase/tests"

	"frontdesk/models"
)

// TokenHeader carries a conversation's secret token in visitor API requests.
const TokenHeader = "X-Conversation-Token"

// Visitor drives the visitor API through the app's real router, as the widget of the
// demo practice does.
type Visitor struct {
	T   testing.TB
	App *pbtests.TestApp
	H   http.Handler
}

// NewVisitor starts a test app (NewApp) and serves its router.
func NewVisitor(t testing.TB, o Options) *Visitor {
	app := NewApp(t, o)
	return VisitorFor(t, app)
}

// VisitorFor serves app's router to a visitor.
func VisitorFor(t testing.TB, app *pbtests.TestApp) *Visitor {
	return &Visitor{T: t, App: app, H: Handler(t, app)}
}

// Do sends a JSON request with headers and returns the recorded response.
func (v *Visitor) Do(method, path, body string, headers map[string]string) *httptest.ResponseRecorder {
	v.T.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, val := range headers {
		req.Header.Set(k, val)
	}
	rec := httptest.NewRecorder()
	v.H.ServeHTTP(rec, req)
	return rec
}

// Start opens a conversation with the demo practice and returns its id and token.
func (v *Visitor) Start() (string, string) {
	v.T.Helper()
	rec := v.Do("POST", "/api/widget/demo/conversations", `{"visitor_id":"v-123","page_url":"https://brightsmile.example/","locale":"en-US"}`, nil)
	if rec.Code != http.StatusCreated {
		v.T.Fatalf("create conversation: %d %s", rec.Code, rec.Body.String())
	}
	m := Decode(v.T, rec)
	return m["id"].(string), m["token"].(string)
}

// Send posts the visitor's text and returns the response and, when it streamed, its events.
func (v *Visitor) Send(id, token, text string) (*httptest.ResponseRecorder, []Event) {
	v.T.Helper()
	body, _ := json.Marshal(map[string]string{"text": text})
	rec := v.Do("POST", "/api/widget/demo/conversations/"+id+"/messages", string(body), map[string]string{TokenHeader: token})
	if rec.Code != http.StatusOK {
		return rec, nil
	}
	events, err := ReadEvents(rec.Body)
	if err != nil {
		v.T.Fatalf("events: %v", err)
	}
	return rec, events
}

// Messages are the conversation's stored messages in order: role, text, flags
// (decoded as a map, as stored) and id.
func (v *Visitor) Messages(id string) []map[string]any {
	v.T.Helper()
	recs := []*core.Record{}
	err := v.App.RecordQuery(models.MessagesCollection).AndWhere(dbx.HashExp{"conversation": id}).OrderBy("created", "rowid").All(&recs)
	if err != nil {
		v.T.Fatal(err)
	}
	out := []map[string]any{}
	for _, r := range recs {
		flags := map[string]any{}
		_ = r.UnmarshalJSONField("flags", &flags)
		out = append(out, map[string]any{"role": r.GetString("role"), "text": r.GetString("text"), "flags": flags, "id": r.Id})
	}
	return out
}

// PostLead submits the contact form of a conversation and returns the lead's id.
func (v *Visitor) PostLead(id, token, body string) string {
	v.T.Helper()
	rec := v.Do("POST", "/api/widget/demo/conversations/"+id+"/lead", body, map[string]string{TokenHeader: token})
	if rec.Code != http.StatusCreated {
		v.T.Fatalf("lead: %d %s", rec.Code, rec.Body.String())
	}
	return Decode(v.T, rec)["id"].(string)
}

// ConversationLeads are the leads linked to a conversation.
func (v *Visitor) ConversationLeads(id string) []*core.Record {
	v.T.Helper()
	recs, err := v.App.FindAllRecords(models.LeadsCollection, dbx.HashExp{"conversation": id})
	if err != nil {
		v.T.Fatal(err)
	}
	return recs
}

// Decode reads a JSON object response body.
func Decode(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, rec.Body.String())
	}
	return m
}

// AssertError fails unless rec is the visitor API's {code, message} error with status
// and code, and returns the body.
func AssertError(t testing.TB, rec *httptest.ResponseRecorder, status int, code string) map[string]any {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body.String())
	}
	m := Decode(t, rec)
	if m["code"] != code || m["message"] == "" || m["message"] == nil {
		t.Fatalf("error body %v, want code %q and a message", m, code)
	}
	return m
}

// StoreMessages stores n messages of role in a conversation the way a turn cut short by
// a crash leaves them: the message is there, the conversation's counter never moved.
func StoreMessages(t testing.TB, app core.App, conversation, role string, n int) {
	t.Helper()
	c, err := app.FindRecordById(models.ConversationsCollection, conversation)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		m := NewRecord(t, app, models.MessagesCollection, map[string]any{"business": c.GetString("business"), "conversation": conversation, "role": role, "text": fmt.Sprintf("%s message %d", role, i)})
		if err := app.SaveNoValidate(m); err != nil {
			t.Fatal(err)
		}
	}
}
