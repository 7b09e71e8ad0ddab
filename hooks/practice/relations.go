package practice

import (
	"slices"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// bindTenantRelations refuses a record of one practice that points at another practice's
// records: a lead, message or booking whose conversation (or any other relation) belongs
// elsewhere would show one practice's visitor data to the other's staff.
//
// It is one validate hook rather than API rules. A rule such as
// `@request.body.conversation.business = @request.auth.business` binds only staff
// requests to the REST API: a superuser in the admin UI and Frontdesk's own writes (the
// engine, jobs, imports) pass without it, and every collection's create and update rules
// would need one such clause per relation field, added by hand with each new field. The
// hook sees every validated save whoever makes it, and reads the relation fields from
// the collection's schema, so a field added later is covered without a change here.
// Saves that skip validation skip it too: the engine's own message writes, of ids it
// has already checked, and PocketBase unsetting references to a deleted record.
func bindTenantRelations(app core.App) {
	app.OnRecordValidate().BindFunc(func(e *core.RecordEvent) error {
		if err := checkTenantRelations(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
}

// checkTenantRelations returns a validation error per relation field of a tenant-owned
// record (one with a `business` relation) whose targets have another `business`. Targets
// without a business field (the practices themselves, PocketBase's own collections) are
// not owned by a tenant and pass. Only fields that changed are checked, so a save that
// leaves the relations as they were costs no query.
func checkTenantRelations(app core.App, r *core.Record) error {
	col := r.Collection()
	if _, ok := col.Fields.GetByName("business").(*core.RelationField); !ok {
		return nil
	}
	business := r.GetString("business")
	if business == "" {
		return nil // the required field's own validation reports it
	}
	original := r.Original()
	moved := r.IsNew() || original.GetString("business") != business
	errs := validation.Errors{}
	for _, f := range col.Fields {
		rel, ok := f.(*core.RelationField)
		if !ok || rel.Name == "business" {
			continue
		}
		ids := r.GetStringSlice(rel.Name)
		if len(ids) == 0 || (!moved && slices.Equal(ids, original.GetStringSlice(rel.Name))) {
			continue
		}
		target, err := app.FindCachedCollectionByNameOrId(rel.CollectionId)
		if err != nil || target.Fields.GetByName("business") == nil {
			continue // a missing collection is the field's own validation error
		}
		in := make([]any, len(ids))
		for i, id := range ids {
			in[i] = id
		}
		// Ids that don't exist aren't counted: the field's own validation reports them.
		var foreign int
		err = app.DB().Select("COUNT(*)").From(target.Name).
			Where(dbx.In("id", in...)).
			AndWhere(dbx.Not(dbx.HashExp{"business": business})).
			Row(&foreign)
		if err != nil {
			return err
		}
		if foreign > 0 {
			errs[rel.Name] = validation.NewError("validation_other_practice", "Must be a record of the same practice.")
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}
