package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/jobs"
	"frontdesk/internal/knowledge"
	"frontdesk/models"
)

// documentTimeout bounds one document's ingestion (a crawl of many pages included).
const documentTimeout = 10 * time.Minute

// maxDocumentError is the documents' error field's Max (migrations).
const maxDocumentError = 1000

// errIndexClosed means the index is not open (yet): the job is retried later.
var errIndexClosed = errors.New("knowledge index is not open")

// handleDocument is the KindDocument job. A document that can't be read is a failed
// document, not a failed job: the reason is in its status, and only a closed index is
// worth retrying. Running it twice replaces the document's chunks twice.
func (k *Knowledge) handleDocument(ctx context.Context, j *jobs.Job) error {
	var p documentJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	return k.ingest(ctx, p.Document)
}

// ingest reads one document (file or website), indexes its chunks and records the outcome
// in the document's status: ready with a chunk count, or failed with the reason.
func (k *Knowledge) ingest(ctx context.Context, id string) error {
	doc, err := k.app.FindRecordById(models.DocumentsCollection, id)
	if err != nil {
		return nil // deleted meanwhile
	}
	ix := k.index()
	if ix == nil {
		return errIndexClosed
	}
	setStatus := func(status, reason string, chunks int) {
		doc.Set("status", status)
		doc.Set("error", models.Truncate(reason, maxDocumentError))
		doc.Set("chunks", chunks)
		if err := k.app.SaveNoValidate(doc); err != nil {
			k.app.Logger().Error("knowledge: document status", "document", id, "error", err)
		}
	}
	setStatus(models.DocIndexing, "", 0)
	ctx, cancel := context.WithTimeout(ctx, documentTimeout)
	defer cancel()
	chunks, note, err := k.extract(ctx, doc)
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
		setStatus(models.DocFailed, err.Error(), 0)
		return nil
	}
	setStatus(models.DocReady, note, len(chunks))
	return nil
}

// extract reads a document's text, from its uploaded file or by crawling its URL, and
// cuts it into chunks; note says what went partly wrong (pages that failed).
func (k *Knowledge) extract(ctx context.Context, doc *core.Record) ([]knowledge.Chunk, string, error) {
	title := doc.GetString("title")
	if name := doc.GetString("file"); name != "" {
		fsys, err := k.app.NewFilesystem()
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
	pages, err := knowledge.Crawl(ctx, doc.GetString("url"), knowledge.CrawlOptions{MaxPages: doc.GetInt("max_pages"), AllowPrivateNetworks: k.cfg.AllowPrivateNetworks})
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
