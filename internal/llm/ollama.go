package llm

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"unsafe"

	"github.com/ollama/ollama/api"
)

// Ollama talks to a local or LAN Ollama server with Ollama's own Go types and client.
// Chat reads the NDJSON stream itself: api.Client's stream reserves an 8 MB buffer per
// call, which at hundreds of concurrent visitors is gigabytes of memory for lines that
// are a few hundred bytes.
type Ollama struct {
	// Model is used when a Request names none.
	Model string
	// EmbedModel is used when Embed is given no model.
	EmbedModel string

	base   *url.URL
	http   *http.Client
	client *api.Client

	toolsMu sync.Mutex
	tools   map[toolKey]api.Tool // converted tools, see tool
}

// toolKey names one Tool value: its Parameters by identity, which Tool's contract
// (unchanged once used) makes enough.
type toolKey struct {
	name, description string
	params            unsafe.Pointer
}

// maxCachedTools bounds the converted tools kept; callers pass the same few.
const maxCachedTools = 64

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
		base:       base,
		http:       httpClient,
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
	err = o.chat(ctx, creq, func(r *ollamaChunk) error {
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
		// A body read cut by the caller shows as a read error; the context says why.
		return fmt.Errorf("ollama: %w", context.Cause(ctx))
	case err != nil:
		return ollamaErr(err)
	case !done:
		return errTruncated(NameOllama)
	}
	return nil
}

// maxOllamaLine bounds one NDJSON line; a reply chunk is a few hundred bytes.
const maxOllamaLine = 1 << 20

// ollamaChunk is the part of a streamed api.ChatResponse that Chat reads (the same JSON
// names): decoding only these fields keeps the per-token cost low.
type ollamaChunk struct {
	Message struct {
		Content   string         `json:"content"`
		ToolCalls []api.ToolCall `json:"tool_calls"`
	} `json:"message"`
	Done  bool   `json:"done"`
	Error string `json:"error"`
}

// chat posts to /api/chat and calls fn with each streamed response, as api.Client.Chat
// does (same request, same error types), reading lines with a buffer that grows only
// as a line needs.
func (o *Ollama) chat(ctx context.Context, creq *api.ChatRequest, fn func(*ollamaChunk) error) error {
	body, err := json.Marshal(creq)
	if err != nil {
		return err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, o.base.JoinPath("/api/chat").String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/x-ndjson")
	res, err := o.http.Do(hreq)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= http.StatusBadRequest {
		var e struct {
			Error string `json:"error"`
		}
		raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		if json.Unmarshal(raw, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(raw))
		}
		if res.StatusCode == http.StatusUnauthorized {
			return api.AuthorizationError{StatusCode: res.StatusCode, Status: res.Status}
		}
		return api.StatusError{StatusCode: res.StatusCode, Status: res.Status, ErrorMessage: e.Error}
	}
	rd := bufio.NewReaderSize(res.Body, 4<<10)
	for {
		line, err := readLine(rd, maxOllamaLine)
		if len(bytes.TrimSpace(line)) > 0 {
			var r ollamaChunk
			if jerr := json.Unmarshal(line, &r); jerr != nil {
				return fmt.Errorf("bad stream line: %w", jerr)
			}
			if r.Error != "" {
				return errors.New(r.Error)
			}
			if ferr := fn(&r); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// readLine returns the next line without its newline, up to max bytes.
func readLine(rd *bufio.Reader, max int) ([]byte, error) {
	line, err := rd.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return line, err
	}
	long := append([]byte(nil), line...)
	for err == bufio.ErrBufferFull {
		if len(long) > max {
			return nil, fmt.Errorf("stream line longer than %d bytes", max)
		}
		line, err = rd.ReadSlice('\n')
		long = append(long, line...)
	}
	return long, err
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
		tool, err := o.tool(t)
		if err != nil {
			return nil, err
		}
		creq.Tools = append(creq.Tools, tool)
	}
	return creq, nil
}

// tool is t in Ollama's types. The conversion goes through JSON and cost more than the
// rest of a request, for the same few tools every turn, so each is converted once.
func (o *Ollama) tool(t Tool) (api.Tool, error) {
	key := toolKey{t.Name, t.Description, reflect.ValueOf(t.Parameters).UnsafePointer()}
	o.toolsMu.Lock()
	defer o.toolsMu.Unlock()
	if tool, ok := o.tools[key]; ok {
		return tool, nil
	}
	fn := api.ToolFunction{Name: t.Name, Description: t.Description}
	if err := convertSchema(t.Parameters, &fn.Parameters); err != nil {
		return api.Tool{}, fmt.Errorf("ollama: parameters of tool %s: %w", t.Name, err)
	}
	tool := api.Tool{Type: "function", Function: fn}
	if o.tools == nil || len(o.tools) >= maxCachedTools {
		o.tools = make(map[toolKey]api.Tool)
	}
	o.tools[key] = tool
	return tool, nil
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
