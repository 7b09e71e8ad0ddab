package llm

import (
	"fmt"
	"net/http"
	"net/url"
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
// defaults of each provider's own ecosystem (OLLAMA_HOST, ANTHROPIC_API_KEY, ...),
// except that an API key from the environment is only ever sent to the
// environment's base URL: with another BaseURL, a blank APIKey stays blank.
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

// EnvBaseURL is where the named provider sends requests when given no base URL:
// its environment variable (OLLAMA_HOST, ANTHROPIC_BASE_URL, OPENAI_BASE_URL),
// else its public API or, for Ollama, the local server; "" for offline.
func EnvBaseURL(provider string) string {
	switch provider {
	case NameOllama:
		if u, err := ollamaURL(envOr("", "OLLAMA_HOST")); err == nil {
			return u.String()
		}
		return envOr("", "OLLAMA_HOST")
	case NameAnthropic:
		if u := envOr("", "ANTHROPIC_BASE_URL"); u != "" {
			return u
		}
		return anthropicDefaultBaseURL
	case NameOpenAI:
		if u := envOr("", "OPENAI_BASE_URL"); u != "" {
			return u
		}
		return openAIDefaultBaseURL
	}
	return ""
}

// SameBaseURL reports whether a and b name the same endpoint: the same scheme,
// user info, host, port and path, up to letter case in the scheme and host, a
// default port and a trailing slash. Unparsable or host-less URLs match nothing.
func SameBaseURL(a, b string) bool {
	ua, erra := url.Parse(strings.TrimSpace(a))
	ub, errb := url.Parse(strings.TrimSpace(b))
	if erra != nil || errb != nil || ua.Host == "" || ub.Host == "" {
		return false
	}
	endpoint := func(u *url.URL) string {
		scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
		switch {
		case port == "" && scheme == "http":
			port = "80"
		case port == "" && scheme == "https":
			port = "443"
		}
		return scheme + "://" + u.User.String() + "@" + host + ":" + port + strings.TrimSuffix(u.EscapedPath(), "/")
	}
	return endpoint(ua) == endpoint(ub)
}

// envBase reports whether baseURL is the environment's own for provider: blank,
// or the same endpoint as EnvBaseURL.
func envBase(baseURL, provider string) bool {
	return strings.TrimSpace(baseURL) == "" || SameBaseURL(baseURL, EnvBaseURL(provider))
}

// envKey is apiKey, or when it is blank the key in the environment variable
// keyVar, but only for the environment's own base URL: an operator's key must
// never reach a base URL someone else chose, such as a practice's own.
func envKey(apiKey, baseURL, keyVar, provider string) string {
	if apiKey = strings.TrimSpace(apiKey); apiKey != "" || !envBase(baseURL, provider) {
		return apiKey
	}
	return envOr("", keyVar)
}

// envOr returns v, or the environment variable key when v is blank.
func envOr(v, key string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return strings.TrimSpace(os.Getenv(key))
}
