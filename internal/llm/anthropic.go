package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"
	"github.com/anthropics/anthropic-sdk-go/shared"
)

// anthropicDefaultBaseURL is where the SDK sends requests when no base URL is set.
const anthropicDefaultBaseURL = "https://api.anthropic.com/"

// anthropicMaxTokens caps a reply when the Request sets no limit; the Messages
// API requires one, and a front-desk answer is short.
const anthropicMaxTokens = 1024

// anthropicStreamStatus maps the error types the Messages API can send as an
// SSE error event to the HTTP status it documents for each.
var anthropicStreamStatus = map[shared.ErrorType]int{
	shared.ErrorTypeRateLimitError:  http.StatusTooManyRequests,
	shared.ErrorTypeAPIError:        http.StatusInternalServerError,
	shared.ErrorTypeTimeoutError:    http.StatusGatewayTimeout,
	shared.ErrorTypeOverloadedError: 529,
}

// Anthropic talks to Claude through the Messages API, streamed.
type Anthropic struct {
	// Model is used when a Request names none.
	Model string

	messages anthropic.MessageService
}

// NewAnthropic returns a provider for the Anthropic API. Blank apiKey and
// baseURL take ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL, but ANTHROPIC_API_KEY
// only for the environment's base URL: another baseURL needs its own key.
// httpClient nil means the SDK's default. The SDK's own retries are off:
// WithTimeouts decides them.
func NewAnthropic(apiKey, baseURL string, httpClient *http.Client) (*Anthropic, error) {
	apiKey = envKey(apiKey, baseURL, "ANTHROPIC_API_KEY", NameAnthropic)
	if apiKey == "" {
		if !envBase(baseURL, NameAnthropic) {
			return nil, errors.New("anthropic: set an API key for this base URL (ANTHROPIC_API_KEY is sent only to the environment's base URL)")
		}
		return nil, errors.New("anthropic: no API key (set one, or ANTHROPIC_API_KEY)")
	}
	// Only the Messages service, not anthropic.NewClient: the client holds every
	// service of the API (batches, files, skills, the beta surface), and each one it
	// holds is linked into the binary, 9.7 MB of it, which the server maps at start.
	// NewMessageService reads nothing from the environment (no profiles, no
	// federation settings), so the key given here is the one used; the production
	// URL is the default, as anthropic.NewClient with WithoutEnvironmentDefaults.
	opts := []option.RequestOption{
		option.WithEnvironmentProduction(),
		option.WithAPIKey(apiKey),
		option.WithMaxRetries(0),
	}
	if baseURL = envOr(baseURL, "ANTHROPIC_BASE_URL"); baseURL != "" {
		opts = append(opts, option.WithBaseURL(baseURL))
	}
	if httpClient != nil {
		opts = append(opts, option.WithHTTPClient(httpClient))
	}
	return &Anthropic{Model: DefaultModel(NameAnthropic), messages: anthropic.NewMessageService(opts...)}, nil
}

// Name is "anthropic".
func (a *Anthropic) Name() string { return NameAnthropic }

// Embed returns ErrNoEmbeddings: Anthropic has no embeddings API.
func (a *Anthropic) Embed(context.Context, string, []string) ([][]float32, error) {
	return nil, ErrNoEmbeddings
}

// Chat streams a reply from /v1/messages. Text deltas are emitted as they come;
// a tool call is emitted once its block closes and its JSON input is whole.
func (a *Anthropic) Chat(ctx context.Context, req Request, emit func(Event) error) error {
	params, err := a.params(req)
	if err != nil {
		return err
	}
	stream := a.messages.NewStreaming(ctx, params)
	defer stream.Close()

	type toolBlock struct {
		id, name string
		input    []byte
	}
	tools := map[int64]*toolBlock{}
	done := false
	for stream.Next() {
		ev := stream.Current()
		switch ev.Type {
		case "content_block_start":
			switch ev.ContentBlock.Type {
			case "tool_use":
				tools[ev.Index] = &toolBlock{id: ev.ContentBlock.ID, name: ev.ContentBlock.Name}
			case "text":
				if ev.ContentBlock.Text != "" {
					if err := emit(Event{Text: ev.ContentBlock.Text}); err != nil {
						return err
					}
				}
			}
		case "content_block_delta":
			switch ev.Delta.Type {
			case "text_delta":
				if ev.Delta.Text != "" {
					if err := emit(Event{Text: ev.Delta.Text}); err != nil {
						return err
					}
				}
			case "input_json_delta":
				if tb := tools[ev.Index]; tb != nil {
					tb.input = append(tb.input, ev.Delta.PartialJSON...)
				}
			}
		case "content_block_stop":
			tb := tools[ev.Index]
			if tb == nil {
				continue
			}
			delete(tools, ev.Index)
			args := json.RawMessage(tb.input)
			if len(args) == 0 {
				args = json.RawMessage("{}") // a tool without parameters streams no input
			}
			if !json.Valid(args) {
				return fmt.Errorf("anthropic: tool call %s: input is not valid JSON", tb.name)
			}
			if err := emit(Event{ToolCall: &ToolCall{ID: tb.id, Name: tb.name, Arguments: args}}); err != nil {
				return err
			}
		case "message_stop":
			done = true
		}
	}
	if err := stream.Err(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("anthropic: %w", context.Cause(ctx))
		}
		var apiErr *anthropic.Error
		if errors.As(err, &apiErr) {
			code := apiErr.StatusCode
			if code < 400 {
				// An error event inside a 200 stream: its type says what status
				// the API would have answered with had it failed up front.
				code = anthropicStreamStatus[apiErr.Type()]
			}
			if code >= 400 {
				return &statusError{provider: NameAnthropic, code: code, err: err}
			}
		}
		return fmt.Errorf("anthropic: %w", err)
	}
	if !done {
		return errTruncated(NameAnthropic)
	}
	return nil
}

// params maps a Request onto the Messages API: tool results travel as
// tool_result blocks in a user turn, assistant tool calls as tool_use blocks,
// and consecutive turns of one role are merged, since the API wants the
// results of one assistant turn's calls together in the next user turn.
func (a *Anthropic) params(req Request) (anthropic.MessageNewParams, error) {
	model := req.Model
	if model == "" {
		model = a.Model
	}
	maxTokens := int64(req.MaxTokens)
	if maxTokens <= 0 {
		maxTokens = anthropicMaxTokens
	}
	p := anthropic.MessageNewParams{Model: model, MaxTokens: maxTokens}
	if req.System != "" {
		p.System = []anthropic.TextBlockParam{{Text: req.System}}
	}
	add := func(role anthropic.MessageParamRole, blocks ...anthropic.ContentBlockParamUnion) {
		if len(blocks) == 0 {
			return
		}
		if n := len(p.Messages); n > 0 && p.Messages[n-1].Role == role {
			p.Messages[n-1].Content = append(p.Messages[n-1].Content, blocks...)
			return
		}
		p.Messages = append(p.Messages, anthropic.MessageParam{Role: role, Content: blocks})
	}
	for _, m := range req.Messages {
		switch m.Role {
		case RoleUser:
			if m.Content != "" {
				add(anthropic.MessageParamRoleUser, anthropic.NewTextBlock(m.Content))
			}
		case RoleTool:
			add(anthropic.MessageParamRoleUser, anthropic.NewToolResultBlock(m.ToolCallID, m.Content, false))
		case RoleAssistant:
			var blocks []anthropic.ContentBlockParamUnion
			if m.Content != "" {
				blocks = append(blocks, anthropic.NewTextBlock(m.Content))
			}
			for _, tc := range m.ToolCalls {
				input := tc.Arguments
				if len(input) == 0 {
					input = json.RawMessage("{}")
				}
				if !json.Valid(input) {
					return p, fmt.Errorf("anthropic: arguments of tool call %s are not valid JSON", tc.Name)
				}
				blocks = append(blocks, anthropic.NewToolUseBlock(tc.ID, input, tc.Name))
			}
			add(anthropic.MessageParamRoleAssistant, blocks...)
		default:
			return p, fmt.Errorf("anthropic: unknown message role %q", m.Role)
		}
	}
	// The API refuses a conversation that opens with an assistant turn, which
	// is how a widget conversation opens: with the practice's greeting. The
	// greeting is the practice's configured text, not anything the model must
	// remember, so it is left out.
	for len(p.Messages) > 0 && p.Messages[0].Role == anthropic.MessageParamRoleAssistant {
		p.Messages = p.Messages[1:]
	}
	for _, t := range req.Tools {
		tool := anthropic.ToolParam{Name: t.Name, InputSchema: anthropicSchema(t.Parameters)}
		if t.Description != "" {
			tool.Description = anthropic.String(t.Description)
		}
		p.Tools = append(p.Tools, anthropic.ToolUnionParam{OfTool: &tool})
	}
	return p, nil
}

// anthropicSchema splits a JSON Schema object into the SDK's typed fields and
// passes the rest (additionalProperties, $defs, ...) through unchanged.
func anthropicSchema(schema map[string]any) anthropic.ToolInputSchemaParam {
	var out anthropic.ToolInputSchemaParam
	for k, v := range schema {
		switch k {
		case "type":
			// always "object" for tool input; the SDK writes it
		case "properties":
			out.Properties = v
		case "required":
			switch r := v.(type) {
			case []string:
				out.Required = r
			case []any:
				for _, s := range r {
					if s, ok := s.(string); ok {
						out.Required = append(out.Required, s)
					}
				}
			}
		default:
			if out.ExtraFields == nil {
				out.ExtraFields = map[string]any{}
			}
			out.ExtraFields[k] = v
		}
	}
	if out.Properties == nil {
		out.Properties = map[string]any{}
	}
	return out
}
