package practice

import (
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// cacheTTL bounds how stale a cached practice can be if it was changed outside the app
// (its own saves invalidate the cache at once).
const cacheTTL = time.Minute

// Cache serves practices by slug from memory: every visitor request needs its practice,
// and a practice changes only when someone edits its settings. A cached record is
// shared read-only, and a changed practice is a new pointer, so a reader may cache what
// it derives from one (the chat's prompt) by pointer.
type Cache struct {
	app    core.App
	bySlug sync.Map // slug -> cached
}

type cached struct {
	b       *models.Business
	expires time.Time
}

func bindCache(app core.App) *Cache {
	c := &Cache{app: app}
	forget := func(e *core.RecordEvent) error {
		c.bySlug.Clear()
		return e.Next()
	}
	app.OnRecordAfterUpdateSuccess(models.BusinessesCollection).BindFunc(forget)
	app.OnRecordAfterDeleteSuccess(models.BusinessesCollection).BindFunc(forget)
	return c
}

// BySlug returns the practice named slug.
func (c *Cache) BySlug(slug string) (*models.Business, error) {
	if v, ok := c.bySlug.Load(slug); ok && time.Now().Before(v.(cached).expires) {
		return v.(cached).b, nil
	}
	r, err := c.app.FindFirstRecordByData(models.BusinessesCollection, "slug", slug)
	if err != nil {
		return nil, err
	}
	b := models.NewBusiness(r)
	c.bySlug.Store(slug, cached{b: b, expires: time.Now().Add(cacheTTL)})
	return b, nil
}
