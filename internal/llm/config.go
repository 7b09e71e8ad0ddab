package llm

import (
	"fmt"
	"net/http"
	"os"
	"strings"
)

// Provider names accepted by New and reported by Provider.Name.
const (
	NameOllama    = "ollama"
	NameAnthropic = "anthropic"
	NameOpenAI    = "openai"
	NameOffline   = "offline"
)

// Config chooses a provider and how to reach it. Blank fields take the
// defaults of each provider's own ecosystem (OLLAMA_HOST, ANTHROPIC_API_KEY, ...).
type Config struct {
	Provider string // "ollama", "anthropic", "openai" or "offline"; empty means FRONTDESK_LLM
	Model    string // used when a Request names no model; empty means DefaultModel
	BaseURL  string
	APIKey   string
}

// New builds the provider cfg names. httpClient may be nil for each SDK's default.
func New(cfg Config, httpClient *http.Client) (Provider, error) {
	name := strings.ToLower(strings.TrimSpace(cfg.Provider))
	if name == "" {
		name = strings.ToLower(strings.TrimSpace(os.Getenv("FRONTDESK_LLM")))
	}
	if name == "" {
		name = NameOffline
	}
	model := cfg.Model
	if model == "" {
		model = DefaultModel(name)
	}
	switch name {
	case NameOllama:
		p, err := NewOllama(cfg.BaseURL, httpClient)
		if err != nil {
			return nil, err
		}
		p.Model = model
		return p, nil
	case NameAnthropic:
		p, err := NewAnthropic(cfg.APIKey, cfg.BaseURL, httpClient)
		if err != nil {
			return nil, err
		}
		p.Model = model
		return p, nil
	case NameOpenAI:
		p, err := NewOpenAI(cfg.APIKey, cfg.BaseURL, httpClient)
		if err != nil {
			return nil, err
		}
		p.Model = model
		return p, nil
	case NameOffline:
		return NewOffline(), nil
	}
	return nil, fmt.Errorf("llm: unknown provider %q (want ollama, anthropic, openai or offline)", name)
}

// DefaultModel is FRONTDESK_MODEL if set, else a model that suits a front desk
// on the given provider; "" for offline, which has no model.
func DefaultModel(provider string) string {
	if m := strings.TrimSpace(os.Getenv("FRONTDESK_MODEL")); m != "" && provider != NameOffline {
		return m
	}
	switch provider {
	case NameOllama:
		return "llama3.2"
	case NameAnthropic:
		return "claude-sonnet-4-5"
	case NameOpenAI:
		return "gpt-4o-mini"
	}
	return ""
}

// Hosted reports whether the named provider sends text off the box, so the
// caller must redact identifiers first. An "openai" provider may point at a
// local OpenAI-compatible server, but it is treated as hosted to err on the
// side of redacting.
func Hosted(name string) bool {
	return name == NameAnthropic || name == NameOpenAI
}

// envOr returns v, or the environment variable key when v is blank.
func envOr(v, key string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return strings.TrimSpace(os.Getenv(key))
}
