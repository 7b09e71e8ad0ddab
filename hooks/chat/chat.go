// Package chat is one visitor turn: the visitor's message is stored, the practice's
// knowledge searched, its model asked (with the system prompt, the conversation so far
// and the tools capabilities registered), the reply streamed to the visitor and stored,
// whatever fails on the way. It also keeps the conversation's messages and leads, and
// chooses each practice's model.
package chat

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/security"

	"frontdesk/internal/answer"
	"frontdesk/internal/llm"
	"frontdesk/models"
)

// Config is the chat's share of hooks.Config.
type Config struct {
	// LLM is the default model for practices that set none.
	LLM llm.Config
	// HTTPClient calls the models; a practice's own base URL goes through netguard.
	HTTPClient *http.Client
	// AllowPrivateNetworks lets a practice's model base URL be on loopback, private and
	// link-local addresses.
	AllowPrivateNetworks bool
	// FirstTokenTimeout and ReplyTimeout bound a model reply.
	FirstTokenTimeout, ReplyTimeout time.Duration
}

// Knowledge is what a turn needs of the practice's knowledge (hooks/ingest).
type Knowledge interface {
	// Search finds the passages that match a question, best first.
	Search(ctx context.Context, business, query string, k int) ([]llm.Passage, error)
	// RecordGap counts a question the knowledge could not answer.
	RecordGap(business, question string) error
	// Answer answers a message without a model: profile facts, then FAQs and documents.
	Answer(ctx context.Context, r answer.Request) (answer.Reply, error)
}

// Secrets opens the credentials a practice stored encrypted (hooks/vault).
type Secrets interface {
	Decrypt(stored string) (string, error)
}

// Engine answers visitors: it stores what they say, asks the practice's model with the
// matching knowledge, streams the reply and stores it, whatever fails on the way.
type Engine struct {
	app     core.App
	cfg     Config
	know    Knowledge
	secrets Secrets
	ckpt    *checkpointer
	// canary is a marker only the system prompt holds: a reply that repeats it is
	// caught before it is sent.
	canary string
	// tools are the registered tools, by name; added before the app serves.
	tools map[string]Tool
	order []string

	prompts sync.Map // business id -> cachedPrompt

	// turns are the replies in flight; shutdown ends their model calls (stopping) and
	// waits for them to store what they have, before the database closes.
	turns    inflight
	stopping context.Context
	stop     context.CancelFunc

	mu        sync.Mutex
	providers map[string]llm.Provider
	// guarded is the model client for base URLs a practice chose; built on first
	// use, under mu.
	guarded *http.Client
}

// Bind returns the chat engine with its own tools (save_contact, request_human)
// registered, and binds the hook that keeps a practice's model key with its endpoint.
func Bind(app core.App, cfg Config, know Knowledge, secrets Secrets) *Engine {
	eng := &Engine{
		app:       app,
		cfg:       cfg,
		know:      know,
		secrets:   secrets,
		ckpt:      &checkpointer{app: app},
		canary:    "fd-" + security.RandomString(12),
		tools:     map[string]Tool{},
		providers: map[string]llm.Provider{},
	}
	eng.stopping, eng.stop = context.WithCancel(context.Background())
	// First of the terminate hooks: before the knowledge index and the database close.
	app.OnTerminate().Bind(&hook.Handler[*core.TerminateEvent]{Priority: -1, Func: func(te *core.TerminateEvent) error {
		eng.drain(turnsDrainTimeout)
		return te.Next()
	}})
	bindLLMKey(app)
	forget := func(e *core.RecordEvent) error {
		eng.prompts.Clear()
		return e.Next()
	}
	app.OnRecordAfterUpdateSuccess(models.BusinessesCollection).BindFunc(forget)
	app.OnRecordAfterDeleteSuccess(models.BusinessesCollection).BindFunc(forget)
	eng.AddTool(saveContactTool(eng))
	eng.AddTool(requestHumanTool(eng))
	return eng
}

// turnsDrainTimeout bounds how long shutdown waits for the replies in flight to be stored
// once their model calls are ended.
const turnsDrainTimeout = 10 * time.Second

// drain ends the model calls of the replies in flight and waits, up to timeout, for the
// turns to store what they have: PocketBase's own graceful shutdown waits one second for
// requests, less than a reply may take, and the database closes after it.
func (eng *Engine) drain(timeout time.Duration) {
	eng.stop()
	if !eng.turns.wait(timeout) {
		eng.app.Logger().Warn("chat: replies still in flight at shutdown")
	}
}

// inflight counts the turns in flight; unlike a WaitGroup, a turn may begin while
// shutdown waits (a request still arriving).
type inflight struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n falls to zero
}

func (f *inflight) add() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 {
		f.idle = make(chan struct{})
	}
	f.n++
}

func (f *inflight) done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n--; f.n == 0 {
		close(f.idle)
	}
}

// wait reports whether no turn is in flight, waiting up to timeout for it.
func (f *inflight) wait(timeout time.Duration) bool {
	f.mu.Lock()
	n, idle := f.n, f.idle
	f.mu.Unlock()
	if n == 0 {
		return true
	}
	select {
	case <-idle:
		return true
	case <-time.After(timeout):
		return false
	}
}
