package models

import "github.com/pocketbase/pocketbase/core"

// Actor names who did something in the audit trail: "staff:ID" or "_superusers:ID" for
// a signed-in record, "guest" for a visitor or anyone else without one.
func Actor(auth *core.Record) string {
	if auth == nil {
		return "guest"
	}
	return auth.Collection().Name + ":" + auth.Id
}
