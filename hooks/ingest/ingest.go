// Package ingest keeps every practice's knowledge searchable: FAQs are indexed as they
// are saved, documents (uploads and websites) by a job on the runner (hooks/jobs) that
// reports its progress in the document's status, queued -> indexing -> ready or failed.
// It answers the chat's searches, counts the questions it could not answer (knowledge
// gaps), and rebuilds the index on demand (`frontdesk reindex`).
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"frontdesk/hooks/jobs"
	"frontdesk/internal/answer"
	"frontdesk/internal/knowledge"
	"frontdesk/internal/llm"
	"frontdesk/internal/vocab"
	"frontdesk/models"
)

// Job kinds of the runner.
const (
	// KindDocument ingests one document: payload {"document": ID}, key "document:ID".
	KindDocument = "ingest.document"
	// KindReindex rebuilds the index in the server that holds it: enqueued by
	// `frontdesk reindex` while a server runs.
	KindReindex = "ingest.reindex"
)

// Config is what ingestion needs of hooks.Config.
type Config struct {
	// EmbedModel, when set, is the Ollama embedding model (at EmbedBaseURL, default
	// OLLAMA_HOST) whose vectors are fused with keyword search.
	EmbedModel, EmbedBaseURL string
	// HTTPClient calls the embedding model.
	HTTPClient *http.Client
	// AllowPrivateNetworks lets a website to crawl be on loopback, private and link-local
	// addresses (see internal/netguard).
	AllowPrivateNetworks bool
}

// Knowledge is the knowledge index of every practice, open while the app serves.
type Knowledge struct {
	app core.App
	cfg Config

	mu sync.RWMutex
	ix *knowledge.Index
}

// Bind indexes FAQs as they change, queues a document's ingestion on runner in the
// transaction that saves it, and opens the index when the app serves.
func Bind(app core.App, cfg Config, runner *jobs.Runner) *Knowledge {
	k := &Knowledge{app: app, cfg: cfg}
	app.OnRecordAfterCreateSuccess(models.FAQsCollection).BindFunc(func(e *core.RecordEvent) error {
		k.indexFAQ(e.Record)
		return e.Next()
	})
	app.OnRecordAfterUpdateSuccess(models.FAQsCollection).BindFunc(func(e *core.RecordEvent) error {
		k.indexFAQ(e.Record)
		return e.Next()
	})
	app.OnRecordAfterDeleteSuccess(models.FAQsCollection, models.DocumentsCollection).BindFunc(func(e *core.RecordEvent) error {
		if ix := k.index(); ix != nil {
			if err := ix.DeleteSource(e.Record.GetString("business"), e.Record.Id); err != nil {
				app.Logger().Error("knowledge: delete source", "id", e.Record.Id, "error", err)
			}
		}
		return e.Next()
	})
	// A practice's own synonyms apply to its searches as soon as they are saved.
	setSynonyms := func(e *core.RecordEvent) error {
		if ix := k.index(); ix != nil {
			k.setSynonyms(ix, e.Record)
		}
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(models.BusinessesCollection).BindFunc(setSynonyms)
	app.OnRecordAfterUpdateSuccess(models.BusinessesCollection).BindFunc(setSynonyms)
	app.OnRecordAfterDeleteSuccess(models.BusinessesCollection).BindFunc(func(e *core.RecordEvent) error {
		if ix := k.index(); ix != nil {
			ix.SetSynonyms(e.Record.Id, nil)
		}
		return e.Next()
	})
	bindDocuments(app)
	runner.Handle(KindDocument, k.handleDocument)
	runner.Handle(KindReindex, k.handleReindex)

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := k.open(); err != nil {
			// Chat still works without the index: it answers without passages.
			app.Logger().Error("knowledge index unavailable", "error", err)
		}
		return se.Next()
	})
	app.OnTerminate().BindFunc(func(te *core.TerminateEvent) error {
		// Closed last, once the job runner has stopped: a job may be writing to it.
		err := te.Next()
		k.close()
		return err
	})
	return k
}

// bindDocuments sends a new or changed document's file or URL to be ingested: its
// status is set to queued and its job enqueued in the transaction that saves it, so a
// document is never stored without its job, nor a job without its document.
func bindDocuments(app core.App) {
	queueIfChanged := func(e *core.RecordEvent) error {
		r := e.Record
		orig := r.Original()
		if r.IsNew() || len(r.GetUnsavedFiles("file")) > 0 || r.GetString("file") != orig.GetString("file") || r.GetString("url") != orig.GetString("url") || r.GetInt("max_pages") != orig.GetInt("max_pages") {
			r.Set("status", models.DocQueued)
			r.Set("error", "")
		}
		return e.Next()
	}
	app.OnRecordCreate(models.DocumentsCollection).BindFunc(queueIfChanged)
	app.OnRecordUpdate(models.DocumentsCollection).BindFunc(queueIfChanged)
	enqueue := func(e *core.RecordEvent) error {
		if e.Record.GetString("status") != models.DocQueued {
			return e.Next()
		}
		return e.App.RunInTransaction(func(txApp core.App) error {
			orig := e.App
			e.App = txApp // the record is written in this transaction too
			defer func() { e.App = orig }()
			if err := e.Next(); err != nil {
				return err
			}
			return enqueueDocument(txApp, e.Record.Id)
		})
	}
	app.OnRecordCreateExecute(models.DocumentsCollection).BindFunc(enqueue)
	app.OnRecordUpdateExecute(models.DocumentsCollection).BindFunc(enqueue)
	app.OnRecordValidate(models.DocumentsCollection).BindFunc(func(e *core.RecordEvent) error {
		uploads := e.Record.GetUnsavedFiles("file")
		if e.Record.GetString("file") == "" && len(uploads) == 0 && e.Record.GetString("url") == "" {
			return validation.Errors{"url": validation.NewError("missing_source", "Upload a file or give the URL of a page or sitemap.")}
		}
		for _, f := range uploads {
			if err := checkUpload(f); err != nil {
				return validation.Errors{"file": validation.NewError("unreadable_file", err.Error()+".")}
			}
		}
		return e.Next()
	})
}

// checkUpload refuses a file Frontdesk can't read, saying why (knowledge.CheckUpload).
func checkUpload(f *filesystem.File) error {
	r, err := f.Reader.Open()
	if err != nil {
		return fmt.Errorf("%q could not be read: %w", f.OriginalName, err)
	}
	defer r.Close()
	head := make([]byte, knowledge.UploadHead)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%q could not be read: %w", f.OriginalName, err)
	}
	return knowledge.CheckUpload(f.OriginalName, head[:n])
}

// enqueueDocument queues document id's ingestion. A second save while it is queued is
// the same job; a save while it runs makes it run once more.
func enqueueDocument(app core.App, id string) error {
	_, err := jobs.Enqueue(app, KindDocument, "document:"+id, documentJob{Document: id})
	return err
}

// documentJob is the payload of a KindDocument job.
type documentJob struct {
	Document string `json:"document"`
}

func (k *Knowledge) index() *knowledge.Index {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.ix
}

// open opens the index for the server and, when it is new or was corrupt, rebuilds it
// from the database, documents as jobs. Documents a previous run left unfinished still
// have their jobs in the table.
func (k *Knowledge) open() error {
	rebuild, err := k.openIndex()
	if err != nil || !rebuild {
		return err
	}
	return k.rebuild(context.Background(), false)
}

// openIndex opens the index in the data directory, unless it is open, and reports
// whether it must be rebuilt (it is new, or was corrupt and started afresh).
func (k *Knowledge) openIndex() (bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ix != nil {
		return false, nil
	}
	dir := filepath.Join(k.app.DataDir(), "knowledge")
	_, statErr := os.Stat(dir)
	fresh := os.IsNotExist(statErr)
	ix, err := knowledge.Open(dir)
	if err != nil {
		return false, err
	}
	if k.cfg.EmbedModel != "" {
		ix.SetEmbedder(&embedder{cfg: k.cfg})
	}
	businesses, err := k.app.FindAllRecords(models.BusinessesCollection)
	if err != nil {
		_ = ix.Close()
		return false, err
	}
	for _, b := range businesses {
		k.setSynonyms(ix, b)
	}
	k.ix = ix
	return fresh || ix.Rebuilt(), nil
}

// setSynonyms gives ix the practice's own synonym groups (its synonyms field, which
// validation keeps parseable).
func (k *Knowledge) setSynonyms(ix *knowledge.Index, b *core.Record) {
	groups, err := vocab.ParseGroups(b.GetString("synonyms"))
	if err != nil {
		k.app.Logger().Warn("knowledge: practice synonyms", "business", b.Id, "error", err)
		return
	}
	ix.SetSynonyms(b.Id, groups)
}

func (k *Knowledge) close() {
	k.mu.Lock()
	ix := k.ix
	k.ix = nil
	k.mu.Unlock()
	if ix != nil {
		_ = ix.Close()
	}
}

// indexFAQ indexes one FAQ, or does nothing while the index is closed (a reindex picks
// it up).
func (k *Knowledge) indexFAQ(r *core.Record) {
	ix := k.index()
	if ix == nil {
		return
	}
	chunk := knowledge.FAQChunk(r.Id, r.GetString("question"), r.GetString("answer"))
	if err := ix.ReplaceSource(context.Background(), r.GetString("business"), r.Id, []knowledge.Chunk{chunk}); err != nil && !errors.Is(err, knowledge.ErrEmbedding) {
		k.app.Logger().Error("knowledge: index FAQ", "id", r.Id, "error", err)
	}
}

// Search gives the chat the passages that match a visitor's question.
func (k *Knowledge) Search(ctx context.Context, business, query string, n int) ([]llm.Passage, error) {
	ix := k.index()
	if ix == nil {
		return nil, nil
	}
	hits, err := ix.Search(ctx, business, query, n)
	if err != nil {
		return nil, err
	}
	out := make([]llm.Passage, 0, len(hits))
	for _, h := range hits {
		src := "FAQ"
		if h.SourceKind == knowledge.KindDocument {
			src = h.SourceTitle
			if h.Heading != "" {
				src += " > " + h.Heading
			}
			if h.URL != "" {
				src += " (" + h.URL + ")"
			}
		}
		out = append(out, llm.Passage{Source: src, Question: h.Question, Text: h.Text, Score: h.Score})
	}
	return out, nil
}

// embedder adapts the configured Ollama embedding model to the knowledge index.
type embedder struct {
	cfg Config

	once sync.Once
	p    llm.Provider
	err  error
}

// Embed returns a vector per text.
func (e *embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	e.once.Do(func() {
		e.p, e.err = llm.New(llm.Config{Provider: llm.NameOllama, BaseURL: e.cfg.EmbedBaseURL}, e.cfg.HTTPClient)
	})
	if e.err != nil {
		return nil, e.err
	}
	return e.p.Embed(ctx, e.cfg.EmbedModel, texts)
}

// Answer answers a visitor's message without a model: the practice's profile facts
// (hours, insurance, prices, address ...), then its FAQs and documents, with health
// details set apart (internal/answer). With no index open it answers from the profile.
func (k *Knowledge) Answer(ctx context.Context, r answer.Request) (answer.Reply, error) {
	eng := answer.Engine{Search: noHits{}}
	if ix := k.index(); ix != nil {
		eng.Search = ix
	}
	return eng.Reply(ctx, r)
}

// noHits is search while the index is closed: nothing found, so nothing wrong said.
type noHits struct{}

func (noHits) Search(context.Context, string, string, int) ([]knowledge.Hit, error) {
	return nil, nil
}
