// Package llm is the one small interface Frontdesk uses to talk to a language model,
// with one file per provider: ollama, anthropic, openai (any OpenAI-compatible endpoint)
// and offline (no model: answers from the practice's own knowledge by search).
package llm

import (
	"context"
	"encoding/json"
	"errors"
)

// Roles of the messages in a Request.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleTool      = "tool"
)

// Message is one turn of the conversation sent to the model.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
	// ToolCalls are the calls an assistant turn made (RoleAssistant only).
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// ToolCallID and Name identify which call a RoleTool message answers.
	ToolCallID string `json:"tool_call_id,omitempty"`
	Name       string `json:"name,omitempty"`
}

// Tool is a function the model may call; Parameters is a JSON Schema object.
type Tool struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Parameters is the JSON Schema of the arguments. Providers may keep their own
	// form of it, so a schema must not be changed once it has been passed in a Request.
	Parameters map[string]any `json:"parameters"`
}

// ToolCall is one call the model asked for.
type ToolCall struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

// Passage is a piece of the practice's knowledge that matched the visitor's question.
// Providers that call a model get passages through the System prompt; the offline
// provider answers from them directly.
type Passage struct {
	Source   string  // where it came from: "FAQ", a document title, a URL
	Question string  // for an FAQ, its question
	Text     string  // the answer or passage text
	Score    float64 // relevance, 0..1 after normalisation by the caller
}

// Request is one chat call.
type Request struct {
	Model     string
	System    string
	Messages  []Message
	Tools     []Tool
	MaxTokens int
	// Passages and Fallback serve the offline provider: it answers from the best
	// passage when confident, and otherwise with Fallback, which the caller localizes
	// (empty: locale's English NotSure).
	Passages []Passage
	Fallback string
	// Offer is the offline provider's invitation to leave contact details, added
	// after a confident answer; the caller localizes it (empty: locale's English Offer).
	Offer string
}

// Event is one piece of a streamed reply: a chunk of text, or a complete tool call.
type Event struct {
	Text     string
	ToolCall *ToolCall
}

// Provider streams chat replies and embeds texts.
type Provider interface {
	// Name is the provider's identifier: "ollama", "anthropic", "openai" or "offline".
	Name() string
	// Chat streams the reply to emit in order and returns when it is complete.
	// An error returned by emit stops the stream and is returned.
	Chat(ctx context.Context, req Request, emit func(Event) error) error
	// Embed returns one vector per text; ErrNoEmbeddings if the provider has none.
	Embed(ctx context.Context, model string, texts []string) ([][]float32, error)
}

// ErrNoEmbeddings is returned by providers that cannot embed.
var ErrNoEmbeddings = errors.New("llm: provider has no embeddings")

// ErrFirstTokenTimeout is returned when no output arrived within the first-token timeout.
var ErrFirstTokenTimeout = errors.New("llm: no first token in time")
