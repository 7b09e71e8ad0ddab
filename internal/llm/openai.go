package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"

	openai "github.com/sashabaranov/go-openai"
)

// openAIDefaultBaseURL is OpenAI's own API; any OpenAI-compatible server
// (vLLM, llama.cpp, LM Studio, Ollama's /v1, ...) can stand in for it.
const openAIDefaultBaseURL = "https://api.openai.com/v1"

// OpenAI talks to OpenAI or any OpenAI-compatible endpoint through the
// streamed Chat Completions API. It uses the small community client
// github.com/sashabaranov/go-openai: the official SDK's generated types for
// the whole OpenAI API cost the binary about 19 MB.
type OpenAI struct {
	// Model is used when a Request names none.
	Model string
	// EmbedModel is used when Embed is given no model.
	EmbedModel string

	client *openai.Client
	// official is true for api.openai.com, which wants max_completion_tokens,
	// while compatible servers widely understand only max_tokens.
	official bool
}

// NewOpenAI returns a provider for the OpenAI-compatible API at baseURL. Blank
// apiKey and baseURL take OPENAI_API_KEY and OPENAI_BASE_URL (else
// https://api.openai.com/v1), but OPENAI_API_KEY only for the environment's base
// URL: another baseURL without a key of its own is called without one. A key is
// required only by OpenAI itself. httpClient nil means http.DefaultClient. The
// client never retries on its own: WithTimeouts decides retries.
func NewOpenAI(apiKey, baseURL string, httpClient *http.Client) (*OpenAI, error) {
	apiKey = envKey(apiKey, baseURL, "OPENAI_API_KEY", NameOpenAI)
	baseURL = envOr(baseURL, "OPENAI_BASE_URL")
	if baseURL == "" {
		baseURL = openAIDefaultBaseURL
	}
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("openai: bad base URL %q", baseURL)
	}
	official := u.Hostname() == "api.openai.com"
	if official && apiKey == "" {
		return nil, errors.New("openai: no API key (set one, or OPENAI_API_KEY)")
	}
	// A blank key sends no Authorization header, which keyless local servers expect.
	cfg := openai.DefaultConfig(apiKey)
	cfg.BaseURL = baseURL
	cfg.HTTPClient = http.DefaultClient
	if httpClient != nil {
		cfg.HTTPClient = httpClient
	}
	return &OpenAI{
		Model:      DefaultModel(NameOpenAI),
		EmbedModel: "text-embedding-3-small",
		client:     openai.NewClientWithConfig(cfg),
		official:   official,
	}, nil
}

// Name is "openai".
func (o *OpenAI) Name() string { return NameOpenAI }

// Chat streams a reply from /chat/completions. Text deltas are emitted as they
// come; tool calls arrive in pieces keyed by index and are emitted whole when
// the model finishes.
func (o *OpenAI) Chat(ctx context.Context, req Request, emit func(Event) error) error {
	params, err := o.params(req)
	if err != nil {
		return err
	}
	stream, err := o.client.CreateChatCompletionStream(ctx, params)
	if err != nil {
		return openAIErr(ctx, err)
	}
	defer stream.Close()

	var calls []*ToolCall
	byIndex := map[int]*ToolCall{}
	finished := false
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break // [DONE], or the connection closed cleanly: finished tells which
		}
		if err != nil {
			return openAIErr(ctx, err)
		}
		if len(chunk.Choices) == 0 {
			continue // a usage-only chunk
		}
		choice := chunk.Choices[0]
		if choice.Delta.Content != "" {
			if err := emit(Event{Text: choice.Delta.Content}); err != nil {
				return err
			}
		}
		for _, d := range choice.Delta.ToolCalls {
			index := 0
			if d.Index != nil {
				index = *d.Index
			}
			tc := byIndex[index]
			// Some compatible servers send each call whole, all at index 0;
			// a new ID at a known index is then a new call.
			if tc == nil || (d.ID != "" && tc.ID != "" && d.ID != tc.ID) {
				tc = &ToolCall{}
				byIndex[index] = tc
				calls = append(calls, tc)
			}
			if d.ID != "" {
				tc.ID = d.ID
			}
			tc.Name += d.Function.Name
			tc.Arguments = append(tc.Arguments, d.Function.Arguments...)
		}
		if choice.FinishReason != "" {
			finished = true
		}
	}
	if !finished {
		return errTruncated(NameOpenAI)
	}
	for _, tc := range calls {
		if len(tc.Arguments) == 0 {
			tc.Arguments = json.RawMessage("{}")
		}
		if !json.Valid(tc.Arguments) {
			return fmt.Errorf("openai: tool call %s: arguments are not valid JSON", tc.Name)
		}
		if tc.ID == "" {
			tc.ID = newCallID()
		}
		if err := emit(Event{ToolCall: tc}); err != nil {
			return err
		}
	}
	return nil
}

func (o *OpenAI) params(req Request) (openai.ChatCompletionRequest, error) {
	model := req.Model
	if model == "" {
		model = o.Model
	}
	p := openai.ChatCompletionRequest{Model: model, Stream: true}
	if req.MaxTokens > 0 {
		if o.official || !acceptsMaxTokens(model) {
			p.MaxCompletionTokens = req.MaxTokens
		} else {
			//lint:ignore SA1019 compatible servers widely understand only max_tokens
			p.MaxTokens = req.MaxTokens
		}
	}
	if req.System != "" {
		p.Messages = append(p.Messages, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleSystem, Content: req.System})
	}
	for _, m := range req.Messages {
		switch m.Role {
		case RoleUser:
			p.Messages = append(p.Messages, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: m.Content})
		case RoleTool:
			p.Messages = append(p.Messages, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleTool, Content: m.Content, ToolCallID: m.ToolCallID})
		case RoleAssistant:
			am := openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: m.Content}
			for _, tc := range m.ToolCalls {
				args := string(tc.Arguments)
				if args == "" {
					args = "{}"
				}
				am.ToolCalls = append(am.ToolCalls, openai.ToolCall{
					ID:       tc.ID,
					Type:     openai.ToolTypeFunction,
					Function: openai.FunctionCall{Name: tc.Name, Arguments: args},
				})
			}
			p.Messages = append(p.Messages, am)
		default:
			return p, fmt.Errorf("openai: unknown message role %q", m.Role)
		}
	}
	for _, t := range req.Tools {
		params := t.Parameters
		if params == nil {
			params = map[string]any{"type": "object", "properties": map[string]any{}}
		}
		p.Tools = append(p.Tools, openai.Tool{
			Type:     openai.ToolTypeFunction,
			Function: &openai.FunctionDefinition{Name: t.Name, Description: t.Description, Parameters: params},
		})
	}
	return p, nil
}

// acceptsMaxTokens reports whether the client lets model be sent max_tokens:
// it refuses it for OpenAI's reasoning models (o1, o3, gpt-5, ...) before
// sending, as OpenAI would, so a compatible server relaying one of them gets
// max_completion_tokens instead.
func acceptsMaxTokens(model string) bool {
	//lint:ignore SA1019 probing the client's own rule for the deprecated field
	probe := openai.ChatCompletionRequest{Model: model, MaxTokens: 1}
	return !errors.Is(openai.NewReasoningValidator().Validate(probe), openai.ErrReasoningModelMaxTokensDeprecated)
}

// Embed returns one vector per text from /embeddings.
func (o *OpenAI) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	if model == "" {
		model = o.EmbedModel
	}
	resp, err := o.client.CreateEmbeddings(ctx, openai.EmbeddingRequest{
		Model: openai.EmbeddingModel(model),
		Input: texts,
		// Floats, asked for explicitly: not every compatible server speaks base64.
		EncodingFormat: openai.EmbeddingEncodingFormatFloat,
	})
	if err != nil {
		return nil, openAIErr(ctx, err)
	}
	if len(resp.Data) != len(texts) {
		return nil, fmt.Errorf("openai: %d embeddings for %d texts", len(resp.Data), len(texts))
	}
	data := resp.Data
	sort.Slice(data, func(i, j int) bool { return data[i].Index < data[j].Index })
	out := make([][]float32, len(data))
	for i, d := range data {
		out[i] = d.Embedding
	}
	return out, nil
}

// openAIErr keeps the HTTP status of an error answer so retries can tell an
// overloaded server (5xx, 429) from a bad request. The client reports a JSON
// error body as *openai.APIError and any other error answer as
// *openai.RequestError; an error event inside a stream has no status and
// stays a plain error, as does a failed connection (which retryable
// recognizes by its syscall error).
func openAIErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("openai: %w", context.Cause(ctx))
	}
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) && apiErr.HTTPStatusCode >= 400 {
		return &statusError{provider: NameOpenAI, code: apiErr.HTTPStatusCode, err: err}
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) && reqErr.HTTPStatusCode >= 400 {
		return &statusError{provider: NameOpenAI, code: reqErr.HTTPStatusCode, err: err}
	}
	return fmt.Errorf("openai: %w", err)
}
