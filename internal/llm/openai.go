package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

// openAIDefaultBaseURL is OpenAI's own API; any OpenAI-compatible server
// (vLLM, llama.cpp, LM Studio, Ollama's /v1, ...) can stand in for it.
const openAIDefaultBaseURL = "https://api.openai.com/v1"

// OpenAI talks to OpenAI or any OpenAI-compatible endpoint through the
// streamed Chat Completions API.
type OpenAI struct {
	// Model is used when a Request names none.
	Model string
	// EmbedModel is used when Embed is given no model.
	EmbedModel string

	client openai.Client
	// official is true for api.openai.com, which wants max_completion_tokens,
	// while compatible servers widely understand only max_tokens.
	official bool
}

// NewOpenAI returns a provider for the OpenAI-compatible API at baseURL. Blank
// apiKey and baseURL take OPENAI_API_KEY and OPENAI_BASE_URL (else
// https://api.openai.com/v1); a key is required only by OpenAI itself.
// httpClient nil means the SDK's default. The SDK's own retries are off:
// WithTimeouts decides them.
func NewOpenAI(apiKey, baseURL string, httpClient *http.Client) (*OpenAI, error) {
	apiKey = envOr(apiKey, "OPENAI_API_KEY")
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
	opts := []option.RequestOption{option.WithBaseURL(baseURL), option.WithMaxRetries(0)}
	if apiKey != "" {
		opts = append(opts, option.WithAPIKey(apiKey))
	}
	if httpClient != nil {
		opts = append(opts, option.WithHTTPClient(httpClient))
	}
	return &OpenAI{
		Model:      DefaultModel(NameOpenAI),
		EmbedModel: "text-embedding-3-small",
		client:     openai.NewClient(opts...),
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
	stream := o.client.Chat.Completions.NewStreaming(ctx, params)
	defer stream.Close()

	var calls []*ToolCall
	byIndex := map[int64]*ToolCall{}
	finished := false
	for stream.Next() {
		chunk := stream.Current()
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
			tc := byIndex[d.Index]
			// Some compatible servers send each call whole, all at index 0;
			// a new ID at a known index is then a new call.
			if tc == nil || (d.ID != "" && tc.ID != "" && d.ID != tc.ID) {
				tc = &ToolCall{}
				byIndex[d.Index] = tc
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
	if err := stream.Err(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("openai: %w", context.Cause(ctx))
		}
		return openAIErr(err)
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

func (o *OpenAI) params(req Request) (openai.ChatCompletionNewParams, error) {
	model := req.Model
	if model == "" {
		model = o.Model
	}
	p := openai.ChatCompletionNewParams{Model: model}
	if req.MaxTokens > 0 {
		if o.official {
			p.MaxCompletionTokens = openai.Int(int64(req.MaxTokens))
		} else {
			p.MaxTokens = openai.Int(int64(req.MaxTokens))
		}
	}
	if req.System != "" {
		p.Messages = append(p.Messages, openai.SystemMessage(req.System))
	}
	for _, m := range req.Messages {
		switch m.Role {
		case RoleUser:
			p.Messages = append(p.Messages, openai.UserMessage(m.Content))
		case RoleTool:
			p.Messages = append(p.Messages, openai.ToolMessage(m.Content, m.ToolCallID))
		case RoleAssistant:
			var am openai.ChatCompletionAssistantMessageParam
			if m.Content != "" || len(m.ToolCalls) == 0 {
				am.Content.OfString = openai.String(m.Content)
			}
			for _, tc := range m.ToolCalls {
				args := string(tc.Arguments)
				if args == "" {
					args = "{}"
				}
				am.ToolCalls = append(am.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{
					OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{
						ID: tc.ID,
						Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{
							Name:      tc.Name,
							Arguments: args,
						},
					},
				})
			}
			p.Messages = append(p.Messages, openai.ChatCompletionMessageParamUnion{OfAssistant: &am})
		default:
			return p, fmt.Errorf("openai: unknown message role %q", m.Role)
		}
	}
	for _, t := range req.Tools {
		fn := shared.FunctionDefinitionParam{Name: t.Name, Parameters: shared.FunctionParameters(t.Parameters)}
		if fn.Parameters == nil {
			fn.Parameters = shared.FunctionParameters{"type": "object", "properties": map[string]any{}}
		}
		if t.Description != "" {
			fn.Description = openai.String(t.Description)
		}
		p.Tools = append(p.Tools, openai.ChatCompletionFunctionTool(fn))
	}
	return p, nil
}

// Embed returns one vector per text from /embeddings.
func (o *OpenAI) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	if model == "" {
		model = o.EmbedModel
	}
	resp, err := o.client.Embeddings.New(ctx, openai.EmbeddingNewParams{
		Model: model,
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: texts},
		// Floats, asked for explicitly: not every compatible server speaks base64.
		EncodingFormat: openai.EmbeddingNewParamsEncodingFormatFloat,
	})
	if err != nil {
		return nil, openAIErr(err)
	}
	if len(resp.Data) != len(texts) {
		return nil, fmt.Errorf("openai: %d embeddings for %d texts", len(resp.Data), len(texts))
	}
	data := resp.Data
	sort.Slice(data, func(i, j int) bool { return data[i].Index < data[j].Index })
	out := make([][]float32, len(data))
	for i, d := range data {
		v := make([]float32, len(d.Embedding))
		for j, x := range d.Embedding {
			v[j] = float32(x)
		}
		out[i] = v
	}
	return out, nil
}

// openAIErr keeps the HTTP status of an error answer so retries can tell an
// overloaded server (5xx, 429) from a bad request.
func openAIErr(err error) error {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode >= 400 {
		return &statusError{provider: NameOpenAI, code: apiErr.StatusCode, err: err}
	}
	return fmt.Errorf("openai: %w", err)
}
