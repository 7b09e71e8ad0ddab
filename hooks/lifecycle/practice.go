package lifecycle

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// deletePractice is DELETE /api/frontdesk/practice {confirm: SLUG}: the owner deletes
// the practice and everything of it, typing its slug to confirm. A superuser names the
// practice with ?business=ID and confirms the same way. Audit entries stay: their
// business is plain text, not a relation, so nothing cascades into them.
func (m *Manager) deletePractice(e *core.RequestEvent) error {
	b, err := ownedPractice(e)
	if err != nil {
		return err
	}
	var body struct {
		Confirm string `json:"confirm"`
	}
	if err := e.BindBody(&body); err != nil || body.Confirm != b.GetString("slug") {
		return invalidInput("Type the practice's slug in confirm to delete it and all its data.")
	}
	counts, err := m.DeletePractice(b)
	if err != nil {
		return err
	}
	entry := AuditEntry{Business: b.Id, Actor: models.Actor(e.Auth), Action: "practice_delete", Target: models.Truncate("businesses/"+b.Id+": "+countsText(counts), 200), IP: e.RealIP()}
	if err := m.opts.Auditor.Record(entry); err != nil {
		e.App.Logger().Error("audit write failed", "action", "practice_delete", "error", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"deleted": counts})
}

// DeletePractice deletes practice b with PocketBase's own delete, in one transaction:
// every record with a cascading relation to it goes too (staff, knowledge, visitor
// data, settings), with their files and their hooks (the knowledge index forgets
// them). It returns how many records of each collection went.
func (m *Manager) DeletePractice(b *core.Record) (map[string]int, error) {
	counts := map[string]int{}
	err := m.app.RunInTransaction(func(tx core.App) error {
		cols, err := practiceCollections(tx)
		if err != nil {
			return err
		}
		for _, c := range cols {
			if !isPracticeRelation(c, tx) {
				continue // audit_log: plain text, kept
			}
			var n int
			if err := tx.DB().Select("COUNT(*)").From(c.Name).Where(dbx.HashExp{"business": b.Id}).Row(&n); err != nil {
				return fmt.Errorf("count %s: %w", c.Name, err)
			}
			if n > 0 {
				counts[c.Name] = n
			}
		}
		return tx.Delete(b)
	})
	if err != nil {
		return nil, fmt.Errorf("delete practice: %w", err)
	}
	return counts, nil
}

// practiceCollections are the collections whose records carry a business field (a
// relation to businesses, or audit_log's plain text), by name.
func practiceCollections(app core.App) ([]*core.Collection, error) {
	all, err := app.FindAllCollections()
	if err != nil {
		return nil, err
	}
	var out []*core.Collection
	for _, c := range all {
		if c.IsView() || c.Name == models.BusinessesCollection || c.Fields.GetByName("business") == nil {
			continue
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *core.Collection) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// isPracticeRelation reports whether c's business field is a relation to businesses.
func isPracticeRelation(c *core.Collection, app core.App) bool {
	rel, ok := c.Fields.GetByName("business").(*core.RelationField)
	if !ok {
		return false
	}
	biz, err := app.FindCachedCollectionByNameOrId(models.BusinessesCollection)
	return err == nil && rel.CollectionId == biz.Id
}

// countsText is "3 conversations, 2 leads" in name order.
func countsText(counts map[string]int) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%d %s", counts[name], name))
	}
	if len(parts) == 0 {
		return "no records"
	}
	return strings.Join(parts, ", ")
}
