package migrations

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// internalCollections are the appliance's own bookkeeping: marked as system collections
// they sit in the admin UI's collapsed "System" group, out of the operator's way, and
// can't be renamed or deleted by mistake. PocketBase refuses to change a collection's
// system state through its model API (it guards its own collections that way), so the
// flag is set on the stored row, once, here.
var internalCollections = []string{"app_state", "outbox", "credentials"}

func init() {
	m.Register(func(app core.App) error {
		// PocketBase's starter `users` collection: Frontdesk's people are `staff`, and
		// an unused auth collection is one more login endpoint. Kept if anyone uses it.
		if users, err := app.FindCollectionByNameOrId("users"); err == nil {
			n, err := app.CountRecords(users.Name)
			if err != nil {
				return err
			}
			if n == 0 {
				if err := app.Delete(users); err != nil {
					return err
				}
			}
		}
		return setSystem(app, true)
	}, func(app core.App) error {
		return setSystem(app, false)
	})
}

func setSystem(app core.App, system bool) error {
	_, err := app.DB().Update("_collections", dbx.Params{"system": system}, dbx.In("name", toAny(internalCollections)...)).Execute()
	if err != nil {
		return err
	}
	return app.ReloadCachedCollections()
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
