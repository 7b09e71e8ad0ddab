package hooks_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// otherPractice is the validation code of a relation to another practice's record.
const otherPractice = "validation_other_practice"

// relationError is the validation error code a save reports for field, or "".
func relationError(err error, field string) string {
	var errs validation.Errors
	if !errors.As(err, &errs) {
		return ""
	}
	var ve validation.Error
	if errors.As(errs[field], &ve) {
		return ve.Code()
	}
	return ""
}

// TestRelationsStayWithinPractice reads every relation field of every tenant-owned
// collection from the schema, so a relation added later is covered too: pointing it at
// a record of another practice is refused, at one of the same practice accepted.
func TestRelationsStayWithinPractice(t *testing.T) {
	f := newTenancyFixture(t)
	cols, err := f.app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	var covered []string
	for _, col := range cols {
		if _, ok := col.Fields.GetByName("business").(*core.RelationField); !ok {
			continue
		}
		for _, field := range col.Fields {
			rel, ok := field.(*core.RelationField)
			if !ok || rel.Name == "business" {
				continue
			}
			target, err := f.app.FindCollectionByNameOrId(rel.CollectionId)
			if err != nil {
				t.Fatal(err)
			}
			if target.Fields.GetByName("business") == nil {
				continue
			}
			name := col.Name + "." + rel.Name
			covered = append(covered, name)
			t.Run(name, func(t *testing.T) {
				for _, tc := range []struct {
					biz  *core.Record
					want string
				}{{f.bizB, otherPractice}, {f.bizA, ""}} {
					r := core.NewRecord(col)
					r.Set("business", f.bizA.Id)
					r.Set(rel.Name, f.targetOf(t, target, tc.biz).Id)
					// Other fields may be missing; only this field's error matters.
					if got := relationError(f.app.Validate(r), rel.Name); got != tc.want {
						t.Fatalf("practice A's record pointing at practice %s's: error %q, want %q", tc.biz.GetString("slug"), got, tc.want)
					}
				}
			})
		}
	}
	for _, want := range []string{"leads.conversation", "leads.duplicate_of", "messages.conversation"} {
		if !slices.Contains(covered, want) {
			t.Errorf("%s not covered (covered %v)", want, covered)
		}
	}
}

// targetOf stores a bare record of target for the practice biz, without validation.
func (f *tenancyFixture) targetOf(t *testing.T, target *core.Collection, biz *core.Record) *core.Record {
	t.Helper()
	f.counter++
	data := map[string]any{"business": biz.Id}
	if target.IsAuth() {
		data["email"] = fmt.Sprintf("target%d@example.com", f.counter)
		data["password"] = "correct horse battery"
	}
	return f.create(t, target.Name, data)
}

// TestCrossPracticeRelationRefusedThroughAPI: neither a practice's admin nor a superuser
// can link a lead to another practice's conversation or lead, and nothing is stored.
func TestCrossPracticeRelationRefusedThroughAPI(t *testing.T) {
	f := newTenancyFixture(t)
	su := f.superuserToken(t)
	convA := f.create(t, "conversations", map[string]any{"business": f.bizA.Id, "status": "open"})
	convB := f.create(t, "conversations", map[string]any{"business": f.bizB.Id, "status": "open"})
	leadA := f.record(t, "leads")
	leadB := f.create(t, "leads", map[string]any{"business": f.bizB.Id, "name": "Bo", "email": "bo@example.com", "status": "new"})
	base := "/api/collections/leads/records"
	cases := []struct {
		name, method, url, token string
		body                     map[string]any
		field                    string // the refused field; "" when allowed
	}{
		{"admin creates with own conversation", "POST", base, f.tokens[admin], map[string]any{"business": f.bizA.Id, "name": "Ana", "conversation": convA.Id}, ""},
		{"admin creates with other's conversation", "POST", base, f.tokens[admin], map[string]any{"business": f.bizA.Id, "name": "Ana", "conversation": convB.Id}, "conversation"},
		{"admin moves lead to other's conversation", "PATCH", base + "/" + leadA.Id, f.tokens[admin], map[string]any{"conversation": convB.Id}, "conversation"},
		{"admin links other's lead as original", "PATCH", base + "/" + leadA.Id, f.tokens[admin], map[string]any{"duplicate_of": leadB.Id}, "duplicate_of"},
		{"superuser creates with other's conversation", "POST", base, su, map[string]any{"business": f.bizA.Id, "name": "Ana", "conversation": convB.Id}, "conversation"},
		{"superuser moves lead to other practice", "PATCH", base + "/" + leadA.Id, su, map[string]any{"business": f.bizB.Id, "conversation": convA.Id}, "conversation"},
		{"superuser moves lead with its conversation", "PATCH", base + "/" + leadA.Id, su, map[string]any{"business": f.bizB.Id, "conversation": convB.Id}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := f.app.CountRecords("leads")
			var was map[string]any
			if tc.method == "PATCH" {
				r, _ := f.app.FindRecordById("leads", leadA.Id)
				was = r.PublicExport()
			}
			body, _ := json.Marshal(tc.body)
			req := httptest.NewRequest(tc.method, tc.url, strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", tc.token)
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			if tc.field == "" {
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d, want 200: %s", rec.Code, truncate(rec.Body.String()))
				}
				return
			}
			var res struct {
				Data map[string]struct{ Code string } `json:"data"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &res)
			if rec.Code != http.StatusBadRequest || res.Data[tc.field].Code != otherPractice {
				t.Fatalf("status %d, want 400 with %s refused: %s", rec.Code, tc.field, truncate(rec.Body.String()))
			}
			if after, _ := f.app.CountRecords("leads"); after != before {
				t.Fatalf("refused request stored %d leads", after-before)
			}
			if was != nil {
				r, _ := f.app.FindRecordById("leads", leadA.Id)
				for k, v := range was {
					if fmt.Sprint(r.PublicExport()[k]) != fmt.Sprint(v) {
						t.Fatalf("refused update changed %s", k)
					}
				}
			}
		})
	}
}

// TestCrossPracticeRelationRefusedInternally: Frontdesk's own validated saves are held to
// the same rule as API requests.
func TestCrossPracticeRelationRefusedInternally(t *testing.T) {
	f := newTenancyFixture(t)
	convB := f.create(t, "conversations", map[string]any{"business": f.bizB.Id, "status": "open"})
	col, err := f.app.FindCollectionByNameOrId("messages")
	if err != nil {
		t.Fatal(err)
	}
	m := core.NewRecord(col)
	m.Load(map[string]any{"business": f.bizA.Id, "conversation": convB.Id, "role": "staff", "text": "hello"})
	if err := f.app.Save(m); relationError(err, "conversation") != otherPractice {
		t.Fatalf("message of practice A in practice B's conversation: %v", err)
	}
}

// superuserToken creates a superuser and returns its auth token.
func (f *tenancyFixture) superuserToken(t *testing.T) string {
	t.Helper()
	col, err := f.app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		t.Fatal(err)
	}
	su := core.NewRecord(col)
	su.SetEmail("operator@example.com")
	su.SetPassword("correct horse battery")
	if err := f.app.Save(su); err != nil {
		t.Fatal(err)
	}
	tok, err := su.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
