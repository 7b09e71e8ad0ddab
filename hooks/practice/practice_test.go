package practice_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"frontdesk/hooks/practice"
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
	if n, _ := app.CountRecords(models.BusinessesCollection); n != 0 {
		t.Fatalf("invalid practices stored: %d", n)
	}
	if rec := post("/api/collections/businesses/records", valid); rec.Code != 200 {
		t.Fatalf("valid practice: %d %s", rec.Code, rec.Body.String())
	}
	// Unknown staff role.
	b, _ := app.FindFirstRecordByData(models.BusinessesCollection, "slug", "good-clinic")
	staff := map[string]any{"business": b.Id, "role": "janitor", "email": "j@example.com", "password": "correct horse battery", "passwordConfirm": "correct horse battery"}
	if rec := post("/api/collections/staff/records", staff); rec.Code != 400 || !strings.Contains(rec.Body.String(), `"role"`) {
		t.Fatalf("unknown role: %d %s", rec.Code, rec.Body.String())
	}
}

func TestDemoPractice(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{})
	b, err := srv.App.FindFirstRecordByData(models.BusinessesCollection, "slug", practice.DemoSlug)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(models.NewBusiness(b).Services()); n < 6 {
		t.Fatalf("%d services", n)
	}
	faqs, _ := srv.App.CountRecords(models.FAQsCollection)
	if faqs < 12 {
		t.Fatalf("%d FAQs", faqs)
	}
}

func TestNoDemo(t *testing.T) {
	srv := tests.StartServer(t, tests.Options{NoDemo: true})
	if n, _ := srv.App.CountRecords(models.BusinessesCollection); n != 0 {
		t.Fatalf("%d practices with --no-demo", n)
	}
}
