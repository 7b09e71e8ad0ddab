package chat

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/internal/llm"
	"frontdesk/internal/netguard"
	"frontdesk/internal/secrets"
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

// provider returns the practice's model: its own settings over the defaults. A base
// URL the practice chose is not the operator's: it gets no key of the operator's, and
// is called through netguard, which refuses the appliance's own networks unless the
// operator allows them. Naming the operator's own base URL changes nothing.
func (eng *Engine) provider(b *models.Business) (llm.Provider, string, error) {
	cfg := eng.cfg.LLM
	if p := b.GetString("llm_provider"); p != "" && p != cfg.Provider {
		cfg = llm.Config{Provider: p}
	}
	if cfg.Provider == "" {
		cfg.Provider = llm.NameOffline
	}
	if m := b.GetString("llm_model"); m != "" {
		cfg.Model = m
	}
	operatorURL := cfg.BaseURL
	if operatorURL == "" {
		operatorURL = llm.EnvBaseURL(cfg.Provider)
	}
	practiceURL := false
	if u := b.GetString("llm_base_url"); u != "" && !llm.SameBaseURL(u, operatorURL) {
		cfg.BaseURL, cfg.APIKey, practiceURL = u, "", true
	}
	if k := b.GetString("llm_api_key"); k != "" {
		key, err := eng.secrets.Decrypt(k)
		if err != nil {
			return nil, "", fmt.Errorf("practice API key: %w", err)
		}
		cfg.APIKey = key
	}
	if cfg.Model == "" {
		cfg.Model = llm.DefaultModel(cfg.Provider)
	}
	key := strings.Join([]string{cfg.Provider, cfg.Model, cfg.BaseURL, secrets.Digest([]byte(cfg.APIKey))[:16], strconv.FormatBool(practiceURL)}, "|")
	eng.mu.Lock()
	defer eng.mu.Unlock()
	if p, ok := eng.providers[key]; ok {
		return p, cfg.Model, nil
	}
	client := eng.cfg.HTTPClient
	if practiceURL {
		client = eng.guardedClient()
	}
	p, err := llm.New(cfg, client)
	if err != nil {
		return nil, "", err
	}
	p = llm.WithTimeouts(p, eng.cfg.FirstTokenTimeout, eng.cfg.ReplyTimeout)
	eng.providers[key] = p
	return p, cfg.Model, nil
}

// guardedClient is the model client for base URLs a practice chose: the configured
// client's connection pool settings behind netguard. Called with eng.mu held.
func (eng *Engine) guardedClient() *http.Client {
	if eng.guarded == nil {
		// A transport of another kind can't be guarded: netguard's default stands in.
		base, _ := eng.cfg.HTTPClient.Transport.(*http.Transport)
		eng.guarded = netguard.Client(eng.cfg.AllowPrivateNetworks, base)
		eng.guarded.Timeout = eng.cfg.HTTPClient.Timeout
	}
	return eng.guarded
}
