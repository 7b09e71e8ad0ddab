// Package migrations creates Frontdesk's collections, fields, indexes and API rules,
// one step per file, registered with PocketBase's migration runner in init.
package migrations

import "github.com/pocketbase/pocketbase/core"

// The API rules every tenant-owned collection is built from. A staff member reaches only
// records whose business is their own; viewers read, admins also change, owners also delete.
const (
	ruleStaff   = `@request.auth.collectionName = "staff" && business = @request.auth.business`
	ruleEditor  = ruleStaff + ` && (@request.auth.role = "owner" || @request.auth.role = "admin")`
	ruleOwner   = ruleStaff + ` && @request.auth.role = "owner"`
	ruleKeepBiz = ` && (@request.body.business:isset = false || @request.body.business = @request.auth.business)`
)

func ptr(s string) *string { return &s }

// businessRelation is the required `business` field every tenant-owned record carries.
func businessRelation(app core.App) (*core.RelationField, error) {
	businesses, err := app.FindCollectionByNameOrId("businesses")
	if err != nil {
		return nil, err
	}
	return &core.RelationField{
		Name:          "business",
		CollectionId:  businesses.Id,
		Required:      true,
		MaxSelect:     1,
		CascadeDelete: true,
	}, nil
}

// timestamps adds PocketBase's usual created/updated autodate fields.
func timestamps(c *core.Collection) {
	c.Fields.Add(
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
}

func dropCollection(app core.App, name string) error {
	c, err := app.FindCollectionByNameOrId(name)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
