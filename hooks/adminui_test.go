package hooks_test

import (
	"testing"

	"frontdesk/tests"
)

// The admin UI lists what an operator manages: PocketBase's unused starter `users`
// collection is gone and the appliance's bookkeeping sits in the System group.
func TestAdminSidebarHoldsOnlyWhatOperatorsManage(t *testing.T) {
	app := tests.NewApp(t, tests.Options{NoDemo: true})
	if _, err := app.FindCollectionByNameOrId("users"); err == nil {
		t.Error("the unused users collection is still there")
	}
	for _, name := range []string{"app_state", "outbox", "credentials"} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatal(err)
		}
		if !c.System {
			t.Errorf("%s is not a system collection", name)
		}
	}
	for _, name := range []string{"businesses", "staff", "faqs", "leads"} {
		if c, _ := app.FindCollectionByNameOrId(name); c == nil || c.System {
			t.Errorf("%s should be an ordinary collection", name)
		}
	}
}
