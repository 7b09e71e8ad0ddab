package tests

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// API sends a JSON request to the app's API as one user.
type API func(method, path string, body any) *httptest.ResponseRecorder

// NewRecord is a new, unsaved record of collection holding data.
func NewRecord(t testing.TB, app core.App, collection string, data map[string]any) *core.Record {
	t.Helper()
	col, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(col)
	r.Load(data)
	return r
}

// SuperuserToken returns an auth token of the app's superuser su@example.com, made on
// first use.
func SuperuserToken(t testing.TB, app core.App) string {
	t.Helper()
	su, err := app.FindAuthRecordByEmail(core.CollectionNameSuperusers, "su@example.com")
	if err != nil {
		su = NewRecord(t, app, core.CollectionNameSuperusers, nil)
		su.SetEmail("su@example.com")
		su.SetPassword("superuser password 1")
		if err := app.Save(su); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := su.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// AsSuperuser sends requests to h (from Handler) as the app's superuser.
func AsSuperuser(t testing.TB, app core.App, h http.Handler) API {
	t.Helper()
	return APIAs(t, h, SuperuserToken(t, app))
}

// AsStaff adds a staff member with role to the demo practice and sends requests to h
// (from Handler) as them.
func AsStaff(t testing.TB, app core.App, h http.Handler, role string) API {
	t.Helper()
	b, err := app.FindFirstRecordByData(models.BusinessesCollection, "slug", "demo")
	if err != nil {
		t.Fatal(err)
	}
	s := NewRecord(t, app, models.StaffCollection, map[string]any{"business": b.Id, "role": role, "name": role, "email": role + "-" + core.GenerateDefaultRandomId() + "@example.com", "verified": true})
	s.SetPassword("correct horse battery")
	if err := app.Save(s); err != nil {
		t.Fatal(err)
	}
	tok, err := s.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	return APIAs(t, h, tok)
}

// APIAs sends requests to h with the auth token tok.
func APIAs(t testing.TB, h http.Handler, tok string) API {
	return func(method, path string, body any) *httptest.ResponseRecorder {
		t.Helper()
		var raw []byte
		if body != nil {
			raw, _ = json.Marshal(body)
		}
		req := httptest.NewRequest(method, path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		if tok != "" {
			req.Header.Set("Authorization", tok)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
}
