package practice_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"frontdesk/models"
	"frontdesk/tests"

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
	f := tests.NewPractices(t)
	cols, err := f.App.FindAllCollections()
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
			target, err := f.App.FindCollectionByNameOrId(rel.CollectionId)
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
				}{{f.B, otherPractice}, {f.A, ""}} {
					r := core.NewRecord(col)
					r.Set("business", f.A.Id)
					r.Set(rel.Name, f.TargetOf(t, target, tc.biz).Id)
					// Other fields may be missing; only this field's error matters.
					if got := relationError(f.App.Validate(r), rel.Name); got != tc.want {
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

// TestCrossPracticeRelationRefusedThroughAPI: neither a practice's admin nor a superuser
// can link a lead to another practice's conversation or lead, and nothing is stored.
func TestCrossPracticeRelationRefusedThroughAPI(t *testing.T) {
	f := tests.NewPractices(t)
	su := tests.SuperuserToken(t, f.App)
	convA := f.Create(t, models.ConversationsCollection, map[string]any{"business": f.A.Id, "status": "open"})
	convB := f.Create(t, models.ConversationsCollection, map[string]any{"business": f.B.Id, "status": "open"})
	leadA := f.Record(t, models.LeadsCollection)
	leadB := f.Create(t, models.LeadsCollection, map[string]any{"business": f.B.Id, "name": "Bo", "email": "bo@example.com", "status": "new"})
	base := "/api/collections/leads/records"
	cases := []struct {
		name, method, url, token string
		body                     map[string]any
		field                    string // the refused field; "" when allowed
	}{
		{"admin creates with own conversation", "POST", base, f.Tokens[tests.Admin], map[string]any{"business": f.A.Id, "name": "Ana", "conversation": convA.Id}, ""},
		{"admin creates with other's conversation", "POST", base, f.Tokens[tests.Admin], map[string]any{"business": f.A.Id, "name": "Ana", "conversation": convB.Id}, "conversation"},
		{"owner moves lead to other's conversation", "PATCH", base + "/" + leadA.Id, f.Tokens[tests.Owner], map[string]any{"conversation": convB.Id}, "conversation"},
		{"owner links other's lead as original", "PATCH", base + "/" + leadA.Id, f.Tokens[tests.Owner], map[string]any{"duplicate_of": leadB.Id}, "duplicate_of"},
		{"superuser creates with other's conversation", "POST", base, su, map[string]any{"business": f.A.Id, "name": "Ana", "conversation": convB.Id}, "conversation"},
		{"superuser moves lead to other practice", "PATCH", base + "/" + leadA.Id, su, map[string]any{"business": f.B.Id, "conversation": convA.Id}, "conversation"},
		{"superuser moves lead with its conversation", "PATCH", base + "/" + leadA.Id, su, map[string]any{"business": f.B.Id, "conversation": convB.Id}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := f.App.CountRecords(models.LeadsCollection)
			var was map[string]any
			if tc.method == "PATCH" {
				r, _ := f.App.FindRecordById(models.LeadsCollection, leadA.Id)
				was = r.PublicExport()
			}
			body, _ := json.Marshal(tc.body)
			req := httptest.NewRequest(tc.method, tc.url, strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", tc.token)
			rec := httptest.NewRecorder()
			f.H.ServeHTTP(rec, req)
			if tc.field == "" {
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d, want 200: %s", rec.Code, models.Truncate(rec.Body.String(), 300))
				}
				return
			}
			var res struct {
				Data map[string]struct{ Code string } `json:"data"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &res)
			if rec.Code != http.StatusBadRequest || res.Data[tc.field].Code != otherPractice {
				t.Fatalf("status %d, want 400 with %s refused: %s", rec.Code, tc.field, models.Truncate(rec.Body.String(), 300))
			}
			if after, _ := f.App.CountRecords(models.LeadsCollection); after != before {
				t.Fatalf("refused request stored %d leads", after-before)
			}
			if was != nil {
				r, _ := f.App.FindRecordById(models.LeadsCollection, leadA.Id)
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
	f := tests.NewPractices(t)
	convB := f.Create(t, models.ConversationsCollection, map[string]any{"business": f.B.Id, "status": "open"})
	col, err := f.App.FindCollectionByNameOrId(models.MessagesCollection)
	if err != nil {
		t.Fatal(err)
	}
	m := core.NewRecord(col)
	m.Load(map[string]any{"business": f.A.Id, "conversation": convB.Id, "role": "staff", "text": "hello"})
	if err := f.App.Save(m); relationError(err, "conversation") != otherPractice {
		t.Fatalf("message of practice A in practice B's conversation: %v", err)
	}
}
