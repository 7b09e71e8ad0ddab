package hooks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"frontdesk/internal/guard"
	"frontdesk/internal/knowledge"
	"frontdesk/internal/llm"
	"frontdesk/models"
)

// documentTimeout bounds one document's ingestion (a crawl of many pages included).
const documentTimeout = 10 * time.Minute

// knowledgeBase keeps the practices' FAQs and documents searchable: FAQs are indexed as
// they are saved, documents by a background worker that reports its progress in the
// record's status.
type knowledgeBase struct {
	app core.App
	cfg *Config

	mu   sync.RWMutex
	ix   *knowledge.Index
	jobs chan string
	stop context.CancelFunc
	done chan struct{}
}

func bindKnowledge(app core.App, cfg *Config) *knowledgeBase {
	kb := &knowledgeBase{app: app, cfg: cfg}

	app.OnRecordAfterCreateSuccess("faqs").BindFunc(func(e *core.RecordEvent) error {
		kb.indexFAQ(e.Record)
		return e.Next()
	})
	app.OnRecordAfterUpdateSuccess("faqs").BindFunc(func(e *core.RecordEvent) error {
		kb.indexFAQ(e.Record)
		return e.Next()
	})
	app.OnRecordAfterDeleteSuccess("faqs", "documents").BindFunc(func(e *core.RecordEvent) error {
		if ix := kb.index(); ix != nil {
			if err := ix.DeleteSource(e.Record.GetString("business"), e.Record.Id); err != nil {
				app.Logger().Error("knowledge: delete source", "id", e.Record.Id, "error", err)
			}
		}
		return e.Next()
	})
	// A new or changed file or URL goes back in the queue.
	queueIfChanged := func(e *core.RecordEvent) error {
		r := e.Record
		orig := r.Original()
		if r.IsNew() || len(r.GetUnsavedFiles("file")) > 0 || r.GetString("file") != orig.GetString("file") || r.GetString("url") != orig.GetString("url") || r.GetInt("max_pages") != orig.GetInt("max_pages") {
			r.Set("status", "queued")
			r.Set("error", "")
		}
		return e.Next()
	}
	app.OnRecordCreate("documents").BindFunc(queueIfChanged)
	app.OnRecordUpdate("documents").BindFunc(queueIfChanged)
	enqueue := func(e *core.RecordEvent) error {
		if e.Record.GetString("status") == "queued" {
			kb.enqueue(e.Record.Id)
		}
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess("documents").BindFunc(enqueue)
	app.OnRecordAfterUpdateSuccess("documents").BindFunc(enqueue)
	app.OnRecordValidate("documents").BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("file") == "" && len(e.Record.GetUnsavedFiles("file")) == 0 && e.Record.GetString("url") == "" {
			return validation.Errors{"url": validation.NewError("missing_source", "Upload a file or give the URL of a page or sitemap.")}
		}
		return e.Next()
	})

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := kb.open(); err != nil {
			// Chat still works without the index: it answers without passages.
			app.Logger().Error("knowledge index unavailable", "error", err)
		}
		return se.Next()
	})
	app.OnTerminate().BindFunc(func(te *core.TerminateEvent) error {
		kb.close()
		return te.Next()
	})
	return kb
}

func (kb *knowledgeBase) index() *knowledge.Index {
	kb.mu.RLock()
	defer kb.mu.RUnlock()
	return kb.ix
}

// open opens the index, starts the worker, and rebuilds from the database when the index
// is new or was corrupt, and requeues documents a previous run left unfinished.
func (kb *knowledgeBase) open() error {
	kb.mu.Lock()
	if kb.ix != nil {
		kb.mu.Unlock()
		return nil
	}
	dir := filepath.Join(kb.app.DataDir(), "knowledge")
	_, statErr := os.Stat(dir)
	fresh := os.IsNotExist(statErr)
	ix, err := knowledge.Open(dir)
	if err != nil {
		kb.mu.Unlock()
		return err
	}
	if kb.cfg.EmbedModel != "" {
		ix.SetEmbedder(&embedder{cfg: kb.cfg})
	}
	kb.ix = ix
	kb.jobs = make(chan string, 1024)
	ctx, cancel := context.WithCancel(context.Background())
	kb.stop, kb.done = cancel, make(chan struct{})
	kb.mu.Unlock()
	go kb.work(ctx)

	if fresh || ix.Rebuilt() {
		return kb.Reindex(ctx, false)
	}
	pending, err := kb.app.FindAllRecords("documents", dbx.In("status", "queued", "indexing"))
	if err != nil {
		return err
	}
	for _, d := range pending {
		kb.enqueue(d.Id)
	}
	return nil
}

func (kb *knowledgeBase) close() {
	kb.mu.Lock()
	ix, stop, done := kb.ix, kb.stop, kb.done
	kb.ix = nil
	kb.mu.Unlock()
	if ix == nil {
		return
	}
	stop()
	<-done
	_ = ix.Close()
}

func (kb *knowledgeBase) enqueue(id string) {
	kb.mu.RLock()
	defer kb.mu.RUnlock()
	if kb.jobs == nil {
		return // not serving: the next start requeues it
	}
	select {
	case kb.jobs <- id:
	default:
		kb.app.Logger().Warn("knowledge: queue full; the document is indexed on next start", "document", id)
	}
}

func (kb *knowledgeBase) work(ctx context.Context) {
	defer close(kb.done)
	for {
		select {
		case <-ctx.Done():
			return
		case id := <-kb.jobs:
			kb.ingest(ctx, id)
		}
	}
}

// Reindex rebuilds every practice's knowledge from the database. With wait, documents are
// ingested before it returns (the reindex command); otherwise they are queued.
func (kb *knowledgeBase) Reindex(ctx context.Context, wait bool) error {
	ix := kb.index()
	if ix == nil {
		return errors.New("knowledge index is not open")
	}
	businesses, err := kb.app.FindAllRecords(models.BusinessesCollection)
	if err != nil {
		return err
	}
	for _, b := range businesses {
		if err := ix.DeleteBusiness(b.Id); err != nil {
			return err
		}
		faqs, err := kb.app.FindAllRecords("faqs", dbx.HashExp{"business": b.Id})
		if err != nil {
			return err
		}
		for _, f := range faqs {
			kb.indexFAQ(f)
		}
	}
	docs, err := kb.app.FindAllRecords("documents")
	if err != nil {
		return err
	}
	for _, d := range docs {
		if wait {
			kb.ingest(ctx, d.Id)
		} else {
			kb.enqueue(d.Id)
		}
	}
	return nil
}

func (kb *knowledgeBase) indexFAQ(r *core.Record) {
	ix := kb.index()
	if ix == nil {
		return
	}
	chunk := knowledge.FAQChunk(r.Id, r.GetString("question"), r.GetString("answer"))
	if err := ix.ReplaceSource(context.Background(), r.GetString("business"), r.Id, []knowledge.Chunk{chunk}); err != nil && !errors.Is(err, knowledge.ErrEmbedding) {
		kb.app.Logger().Error("knowledge: index FAQ", "id", r.Id, "error", err)
	}
}

// ingest reads one document (file or website), indexes its chunks and records the outcome
// in the document's status: ready with a chunk count, or failed with the reason.
func (kb *knowledgeBase) ingest(ctx context.Context, id string) {
	doc, err := kb.app.FindRecordById("documents", id)
	if err != nil {
		return // deleted meanwhile
	}
	ix := kb.index()
	if ix == nil {
		return
	}
	setStatus := func(status, reason string, chunks int) {
		doc.Set("status", status)
		doc.Set("error", models.Truncate(reason, 1000))
		doc.Set("chunks", chunks)
		if err := kb.app.SaveNoValidate(doc); err != nil {
			kb.app.Logger().Error("knowledge: document status", "document", id, "error", err)
		}
	}
	setStatus("indexing", "", 0)
	ctx, cancel := context.WithTimeout(ctx, documentTimeout)
	defer cancel()
	chunks, note, err := kb.extract(ctx, doc)
	if err == nil && len(chunks) == 0 {
		err = knowledge.ErrEmpty
	}
	if err == nil {
		err = ix.ReplaceSource(ctx, doc.GetString("business"), doc.Id, chunks)
		if errors.Is(err, knowledge.ErrEmbedding) {
			note, err = strings.TrimSpace(note+" Embeddings failed; keyword search only."), nil
		}
	}
	if err != nil {
		_ = ix.DeleteSource(doc.GetString("business"), doc.Id)
		setStatus("failed", err.Error(), 0)
		return
	}
	setStatus("ready", note, len(chunks))
}

func (kb *knowledgeBase) extract(ctx context.Context, doc *core.Record) ([]knowledge.Chunk, string, error) {
	title := doc.GetString("title")
	if name := doc.GetString("file"); name != "" {
		fsys, err := kb.app.NewFilesystem()
		if err != nil {
			return nil, "", err
		}
		defer fsys.Close()
		rd, err := fsys.GetReader(doc.BaseFilesPath() + "/" + name)
		if err != nil {
			return nil, "", fmt.Errorf("read upload: %w", err)
		}
		data, err := knowledge.ReadLimited(rd)
		_ = rd.Close()
		if err != nil {
			return nil, "", err
		}
		docTitle, text, err := knowledge.Extract("", name, data)
		if err != nil {
			return nil, "", err
		}
		if title == "" {
			title = docTitle
		}
		chunks := knowledge.ChunkText(title, text, 0)
		for i := range chunks {
			chunks[i].SourceTitle = title
		}
		return chunks, "", nil
	}
	pages, err := knowledge.Crawl(ctx, doc.GetString("url"), knowledge.CrawlOptions{MaxPages: doc.GetInt("max_pages"), AllowPrivateNetworks: kb.cfg.AllowPrivateNetworks})
	if err != nil {
		return nil, "", err
	}
	var chunks []knowledge.Chunk
	var failed []string
	for _, p := range pages {
		if p.Err != nil {
			failed = append(failed, p.URL+": "+p.Err.Error())
			continue
		}
		pageTitle := p.Title
		if pageTitle == "" {
			pageTitle = title
		}
		for _, c := range knowledge.ChunkText(pageTitle, p.Text, 0) {
			c.SourceTitle, c.URL = pageTitle, p.URL
			chunks = append(chunks, c)
		}
	}
	note := ""
	if len(failed) > 0 {
		note = fmt.Sprintf("%d of %d pages failed, first: %s", len(failed), len(pages), failed[0])
	}
	return chunks, note, nil
}

// Search gives the chat engine the passages that match a visitor's question.
func (kb *knowledgeBase) Search(ctx context.Context, business, query string, k int) ([]llm.Passage, error) {
	ix := kb.index()
	if ix == nil {
		return nil, nil
	}
	hits, err := ix.Search(ctx, business, query, k)
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

// recordGap counts a question the knowledge could not answer, so staff see the most
// frequent gaps first. The question is anonymized (names and street addresses too, not
// only identifiers): a gap outlives its conversation's retention and erasure and every
// staff member reads it. Redaction runs before normaliseQuestion lowercases, since names
// are told by their capitals.
func recordGap(app core.App, business, question string) error {
	q := normaliseQuestion(guard.Anonymize(question))
	if len(strings.Fields(q)) < 3 {
		return nil // greetings and fragments are not gaps
	}
	// An atomic increment: concurrent visitors asking the same thing each count.
	now := time.Now().UTC().Format(types.DefaultDateLayout)
	bump := func() (bool, error) {
		res, err := app.DB().NewQuery("UPDATE knowledge_gaps SET count = count + 1, last_asked = {:t}, resolved = FALSE, updated = {:t} WHERE business = {:b} AND question = {:q}").
			Bind(dbx.Params{"t": now, "b": business, "q": q}).Execute()
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n > 0, err
	}
	if ok, err := bump(); ok || err != nil {
		return err
	}
	col, err := app.FindCachedCollectionByNameOrId("knowledge_gaps")
	if err != nil {
		return err
	}
	r := core.NewRecord(col)
	r.Set("business", business)
	r.Set("question", q)
	r.Set("count", 1)
	r.Set("last_asked", now)
	if err := app.Save(r); err != nil {
		// Another visitor created it first (unique business+question): count this one.
		if ok, berr := bump(); ok {
			return nil
		} else if berr != nil {
			return berr
		}
		return err
	}
	return nil
}

func normaliseQuestion(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	s = strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
	return models.Truncate(s, 300)
}

// embedder adapts the configured Ollama embedding model to the knowledge index.
type embedder struct {
	cfg *Config

	once sync.Once
	p    llm.Provider
	err  error
}

func (e *embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	e.once.Do(func() {
		e.p, e.err = llm.New(llm.Config{Provider: llm.NameOllama, BaseURL: e.cfg.EmbedBaseURL}, e.cfg.HTTPClient)
	})
	if e.err != nil {
		return nil, e.err
	}
	return e.p.Embed(ctx, e.cfg.EmbedModel, texts)
}

// Reindex rebuilds the knowledge index from the database and waits for every document:
// the `frontdesk reindex` command.
func Reindex(app core.App, cfg *Config) error {
	kb := &knowledgeBase{app: app, cfg: cfg}
	if err := kb.open(); err != nil {
		return err
	}
	defer kb.close()
	return kb.Reindex(context.Background(), true)
}
