package llm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/ollama/ollama/api"
)

// Ollama talks to a local or LAN Ollama server through Ollama's own Go client.
type Ollama struct {
	// Model is used when a Request names none.
	Model string
	// EmbedModel is used when Embed is given no model.
	EmbedModel string

	client *api.Client
}

// NewOllama returns a provider for the Ollama server at baseURL; empty means
// OLLAMA_HOST, else http://127.0.0.1:11434. httpClient nil means http.DefaultClient.
func NewOllama(baseURL string, httpClient *http.Client) (*Ollama, error) {
	base, err := ollamaURL(envOr(baseURL, "OLLAMA_HOST"))
	if err != nil {
		return nil, err
	}
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Ollama{
		Model:      DefaultModel(NameOllama),
		EmbedModel: "nomic-embed-text",
		client:     api.NewClient(base, httpClient),
	}, nil
}

// ollamaURL reads a base URL the way OLLAMA_HOST is written: without a scheme
// it is http and the port defaults to 11434 ("gpu-box", "10.0.0.5:11434");
// with one, the URL is taken as written.
func ollamaURL(s string) (*url.URL, error) {
	if s == "" {
		s = "127.0.0.1"
	}
	bare := !strings.Contains(s, "://")
	if bare {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("ollama: bad base URL %q", s)
	}
	if bare && u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "11434")
	}
	return u, nil
}

// Name is "ollama".
func (o *Ollama) Name() string { return NameOllama }

// Chat streams a reply from /api/chat.
func (o *Ollama) Chat(ctx context.Context, req Request, emit func(Event) error) error {
	creq, err := o.chatRequest(req)
	if err != nil {
		return err
	}
	var (
		done    bool
		emitErr error
	)
	err = o.client.Chat(ctx, creq, func(r api.ChatResponse) error {
		if r.Message.Content != "" {
			if emitErr = emit(Event{Text: r.Message.Content}); emitErr != nil {
				return emitErr
			}
		}
		for _, tc := range r.Message.ToolCalls {
			id := tc.ID
			if id == "" {
				id = newCallID()
			}
			args, err := json.Marshal(tc.Function.Arguments)
			if err != nil {
				return fmt.Errorf("ollama: tool call arguments: %w", err)
			}
			call := &ToolCall{ID: id, Name: tc.Function.Name, Arguments: args}
			if emitErr = emit(Event{ToolCall: call}); emitErr != nil {
				return emitErr
			}
		}
		done = done || r.Done
		return nil
	})
	switch {
	case emitErr != nil:
		return emitErr
	case ctx.Err() != nil:
		// Ollama's client stops quietly when the body read fails, so the
		// context is the only sign that the caller gave up.
		return fmt.Errorf("ollama: %w", context.Cause(ctx))
	case err != nil:
		return ollamaErr(err)
	case !done:
		return errTruncated(NameOllama)
	}
	return nil
}

func (o *Ollama) chatRequest(req Request) (*api.ChatRequest, error) {
	model := req.Model
	if model == "" {
		model = o.Model
	}
	stream := true
	creq := &api.ChatRequest{Model: model, Stream: &stream}
	if req.MaxTokens > 0 {
		creq.Options = map[string]any{"num_predict": req.MaxTokens}
	}
	if req.System != "" {
		creq.Messages = append(creq.Messages, api.Message{Role: "system", Content: req.System})
	}
	for _, m := range req.Messages {
		msg := api.Message{Role: m.Role, Content: m.Content}
		switch m.Role {
		case RoleTool:
			msg.ToolName = m.Name
			msg.ToolCallID = m.ToolCallID
		case RoleAssistant:
			for i, tc := range m.ToolCalls {
				args := api.NewToolCallFunctionArguments()
				if len(tc.Arguments) > 0 {
					if err := json.Unmarshal(tc.Arguments, &args); err != nil {
						return nil, fmt.Errorf("ollama: arguments of tool call %s: %w", tc.Name, err)
					}
				}
				msg.ToolCalls = append(msg.ToolCalls, api.ToolCall{
					ID:       tc.ID,
					Function: api.ToolCallFunction{Index: i, Name: tc.Name, Arguments: args},
				})
			}
		}
		creq.Messages = append(creq.Messages, msg)
	}
	for _, t := range req.Tools {
		fn := api.ToolFunction{Name: t.Name, Description: t.Description}
		if err := convertSchema(t.Parameters, &fn.Parameters); err != nil {
			return nil, fmt.Errorf("ollama: parameters of tool %s: %w", t.Name, err)
		}
		creq.Tools = append(creq.Tools, api.Tool{Type: "function", Function: fn})
	}
	return creq, nil
}

// Embed returns one vector per text from /api/embed.
func (o *Ollama) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	if model == "" {
		model = o.EmbedModel
	}
	resp, err := o.client.Embed(ctx, &api.EmbedRequest{Model: model, Input: texts})
	if err != nil {
		return nil, ollamaErr(err)
	}
	if len(resp.Embeddings) != len(texts) {
		return nil, fmt.Errorf("ollama: %d embeddings for %d texts", len(resp.Embeddings), len(texts))
	}
	return resp.Embeddings, nil
}

// ollamaErr keeps the HTTP status of Ollama's answer, so an overloaded server
// ("server busy", 503) is retried and a missing model (404) is not.
func ollamaErr(err error) error {
	var se api.StatusError
	if errors.As(err, &se) {
		return &statusError{provider: NameOllama, code: se.StatusCode, err: err}
	}
	var ae api.AuthorizationError
	if errors.As(err, &ae) {
		return &statusError{provider: NameOllama, code: ae.StatusCode, err: err}
	}
	return fmt.Errorf("ollama: %w", err)
}

// convertSchema moves a JSON Schema between the generic map of Tool and a
// provider's typed struct, through JSON, which both sides already speak.
func convertSchema(schema map[string]any, dst any) error {
	if schema == nil {
		schema = map[string]any{"type": "object", "properties": map[string]any{}}
	}
	b, err := json.Marshal(schema)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

// newCallID names a tool call for servers that send none, so the tool result
// can still be matched to its call on the next turn.
func newCallID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "call_" + hex.EncodeToString(b[:])
}
