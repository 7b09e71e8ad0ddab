package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/models"
)

// bindLLMKey keeps a practice's stored model API key going only to the endpoint it was
// stored for. Practice admins may change the model's provider and base URL, but not
// see or set the key (a hidden field an operator fills in): without this, an admin
// could point the base URL at their own server and be sent the key. So a save that
// changes llm_provider or llm_base_url without also setting llm_api_key clears it.
func bindLLMKey(app core.App) {
	app.OnRecordUpdate(models.BusinessesCollection).BindFunc(func(e *core.RecordEvent) error {
		r, old := e.Record, e.Record.Original()
		moved := r.GetString("llm_provider") != old.GetString("llm_provider") || r.GetString("llm_base_url") != old.GetString("llm_base_url")
		if moved && r.GetString("llm_api_key") == old.GetString("llm_api_key") {
			r.Set("llm_api_key", "")
		}
		return e.Next()
	})
}
