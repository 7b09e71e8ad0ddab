package booking_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/booking"
	"frontdesk/internal/calendar/google"
	"frontdesk/internal/calendar/google/googletest"
	"frontdesk/models"
)

// staffToken signs in a staff member of the practice with role and returns their token.
func (h *harness) staffToken(role string) string {
	h.t.Helper()
	col, err := h.app.FindCollectionByNameOrId(models.StaffCollection)
	if err != nil {
		h.t.Fatal(err)
	}
	r := core.NewRecord(col)
	r.Set("business", h.biz.Id)
	r.Set("role", role)
	r.SetEmail(role + "@harbor.example")
	r.SetPassword("correct horse battery")
	if err := h.app.Save(r); err != nil {
		h.t.Fatal(err)
	}
	tok, err := r.NewAuthToken()
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}

func TestGoogleConnectSyncAndDisconnect(t *testing.T) {
	g := googletest.New(t)
	h := newHarness(t, setup{configure: func(o *booking.Options) {
		o.Google = google.Config{ClientID: googletest.ClientID, ClientSecret: googletest.ClientSecret, AuthURL: g.URL + "/auth", TokenURL: g.TokenURL(), APIBase: g.APIBase(), RevokeURL: g.RevokeURL()}
	}})
	owner, viewer := h.staffToken(models.RoleOwner), h.staffToken(models.RoleViewer)
	const connect = "/api/frontdesk/calendar/google/connect"
	if rec := h.do("POST", connect, "", nil); rec.Code != 401 {
		t.Errorf("connect signed out: %d", rec.Code)
	}
	if rec := h.do("POST", connect, "", map[string]string{"Authorization": viewer}); rec.Code != 403 {
		t.Errorf("connect as a viewer: %d", rec.Code)
	}
	rec := h.do("POST", connect, "", map[string]string{"Authorization": owner})
	if rec.Code != 200 {
		t.Fatalf("connect: %d %s", rec.Code, rec.Body.String())
	}
	u, err := url.Parse(decode(t, rec)["url"].(string))
	if err != nil || u.Query().Get("scope") != google.Scope || !strings.HasSuffix(u.Query().Get("redirect_uri"), "/api/frontdesk/calendar/google/callback") {
		t.Fatalf("consent URL %v", u)
	}
	state := u.Query().Get("state")

	cb := "/api/frontdesk/calendar/google/callback?code=" + googletest.Code + "&state="
	if rec := h.do("GET", cb+url.QueryEscape(state+"x"), "", nil); rec.Code != 400 {
		t.Errorf("callback with a forged state: %d", rec.Code)
	}
	if rec := h.do("GET", "/api/frontdesk/calendar/google/callback?code=wrong&state="+url.QueryEscape(state), "", nil); rec.Code != 400 {
		t.Errorf("callback with a wrong code: %d", rec.Code)
	}
	if rec := h.do("GET", cb+url.QueryEscape(state), "", nil); rec.Code != 302 {
		t.Fatalf("callback: %d %s", rec.Code, rec.Body.String())
	}
	cred, err := h.app.FindFirstRecordByData(models.CredentialsCollection, "kind", "google")
	if err != nil {
		t.Fatal(err)
	}
	plain, err := h.box.Decrypt(cred.GetString("value"))
	if err != nil {
		t.Fatalf("the token is not stored encrypted: %v", err)
	}
	var stored google.Credential
	if err := json.Unmarshal([]byte(plain), &stored); err != nil || stored.RefreshToken == "" || strings.Contains(cred.GetString("value"), stored.RefreshToken) {
		t.Fatalf("stored credential %q", plain)
	}

	// The practice's own event blocks slots; a booking gets its event.
	g.AddEvent("Staff meeting", at(1, 12, 0), at(1, 13, 0))
	body := h.do("GET", "/api/widget/clinic/slots?service=Cleaning&from=2030-03-05&days=1", "", nil).Body.String()
	if strings.Contains(body, `"start":"2030-03-05T12:00`) || !strings.Contains(body, `"start":"2030-03-05T13:00`) {
		t.Errorf("slots around the meeting: %s", body)
	}
	h.start()
	rec = h.book(at(1, 10, 0), "ana@example.com")
	if rec.Code != 201 {
		t.Fatalf("book: %d %s", rec.Code, rec.Body.String())
	}
	eventually(t, "the booking's Google event", func() bool {
		for _, e := range g.Events() {
			if e.Ours && e.Start.Equal(at(1, 10, 0)) && e.Summary == "Cleaning: Ana Diaz" {
				return true
			}
		}
		return false
	})

	if rec := h.do("POST", "/api/frontdesk/calendar/google/disconnect", "", map[string]string{"Authorization": viewer}); rec.Code != 403 {
		t.Errorf("disconnect as a viewer: %d", rec.Code)
	}
	if rec := h.do("POST", "/api/frontdesk/calendar/google/disconnect", "", map[string]string{"Authorization": owner}); rec.Code != 200 {
		t.Fatalf("disconnect: %d %s", rec.Code, rec.Body.String())
	}
	if _, err := h.app.FindFirstRecordByData(models.CredentialsCollection, "kind", "google"); err == nil {
		t.Error("the token is kept after disconnect")
	}
	if g.Live(stored.RefreshToken) || g.Revoked.Load() != 1 {
		t.Errorf("the token was not revoked at Google (revocations: %d)", g.Revoked.Load())
	}
	// Both are in the audit trail, with who did it and no token.
	entries, err := h.app.FindAllRecords(models.AuditCollection, dbx.NewExp("action LIKE 'calendar.%'"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.GetString("business") != h.biz.Id || !strings.HasPrefix(e.GetString("actor"), "staff:") || strings.Contains(e.GetString("target"), stored.RefreshToken) {
			t.Errorf("audit entry %v", e.PublicExport())
		}
		got = append(got, e.GetString("action")+" "+e.GetString("target"))
	}
	want := []string{"calendar.connect google", "calendar.disconnect google: token revoked"}
	if !slices.Equal(got, want) {
		t.Errorf("audit entries %q; want %q", got, want)
	}
}

// A disconnect while Google can't be reached still deletes the credential, and says so.
func TestGoogleDisconnectWhenGoogleIsDown(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	h := newHarness(t, setup{configure: func(o *booking.Options) {
		o.Google = google.Config{ClientID: googletest.ClientID, ClientSecret: googletest.ClientSecret, RevokeURL: down.URL}
	}})
	owner := h.staffToken(models.RoleOwner)
	col, err := h.app.FindCollectionByNameOrId(models.CredentialsCollection)
	if err != nil {
		t.Fatal(err)
	}
	cred := core.NewRecord(col)
	cred.Set("business", h.biz.Id)
	cred.Set("kind", "google")
	cred.Set("value", `{"access_token":"a","refresh_token":"r"}`)
	if err := h.app.Save(cred); err != nil {
		t.Fatal(err)
	}
	rec := h.do("POST", "/api/frontdesk/calendar/google/disconnect", "", map[string]string{"Authorization": owner})
	if rec.Code != 200 || decode(t, rec)["revoked"] != false {
		t.Fatalf("disconnect: %d %s", rec.Code, rec.Body.String())
	}
	if _, err := h.app.FindRecordById(models.CredentialsCollection, cred.Id); err == nil {
		t.Error("the credential is kept when Google is down")
	}
	e, err := h.app.FindFirstRecordByData(models.AuditCollection, "action", "calendar.disconnect")
	if err != nil || !strings.Contains(e.GetString("target"), "not revoked") {
		t.Errorf("audit entry: %v", err)
	}
}
