// Package practice is what holds for every practice (tenant): its settings are valid,
// its records point only at its own, the demo practice exists on a fresh install, and
// its record is served from memory to every visitor request that names it.
package practice

import (
	"github.com/pocketbase/pocketbase/core"
)

// Bind binds the practice rules; noDemo skips creating the demo practice. The Cache it
// returns serves practices by slug.
func Bind(app core.App, noDemo bool) *Cache {
	bindValidation(app)
	bindTenantRelations(app)
	bindDemo(app, noDemo)
	return bindCache(app)
}
