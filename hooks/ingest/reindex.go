package ingest

import (
	"context"
	"errors"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/jobs"
	"frontdesk/internal/knowledge"
	"frontdesk/models"
)

// reindexKey dedupes reindex jobs: a second `frontdesk reindex` before the server took
// the first is the same rebuild.
const reindexKey = "reindex"

// Reindex rebuilds the knowledge index from the database: `frontdesk reindex`. The
// index is held by one process at a time, so while a server runs, the rebuild is
// handed to it as a job, which its runner picks up at its next poll, and Reindex
// returns true at once. Otherwise it rebuilds here, waiting for every document.
func Reindex(app core.App, cfg Config) (handedOff bool, err error) {
	k := &Knowledge{app: app, cfg: cfg}
	_, err = k.openIndex()
	if errors.Is(err, knowledge.ErrInUse) {
		if _, err := jobs.Enqueue(app, KindReindex, reindexKey, nil); err != nil {
			return false, err
		}
		return true, nil
	}
	if err != nil {
		return false, err
	}
	defer k.close()
	return false, k.rebuild(context.Background(), true)
}

// handleReindex is the KindReindex job: the rebuild a `frontdesk reindex` handed over.
func (k *Knowledge) handleReindex(ctx context.Context, _ *jobs.Job) error {
	if k.index() == nil {
		return errIndexClosed
	}
	return k.rebuild(ctx, false)
}

// rebuild re-indexes every practice's FAQs and re-ingests every document: here, one
// after another, with wait (the command, which runs no jobs), else as jobs.
func (k *Knowledge) rebuild(ctx context.Context, wait bool) error {
	ix := k.index()
	if ix == nil {
		return errIndexClosed
	}
	businesses, err := k.app.FindAllRecords(models.BusinessesCollection)
	if err != nil {
		return err
	}
	for _, b := range businesses {
		if err := ix.DeleteBusiness(b.Id); err != nil {
			return err
		}
		faqs, err := k.app.FindAllRecords(models.FAQsCollection, dbx.HashExp{"business": b.Id})
		if err != nil {
			return err
		}
		for _, f := range faqs {
			k.indexFAQ(f)
		}
	}
	docs, err := k.app.FindAllRecords(models.DocumentsCollection)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if wait {
			err = k.ingest(ctx, d.Id)
		} else {
			err = enqueueDocument(k.app, d.Id)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Hold opens the index in this process for a command that searches it (`frontdesk
// eval`), rebuilding it first when it is new, and returns the function that closes it.
// It returns knowledge.ErrInUse while a server holds the index.
func (k *Knowledge) Hold(ctx context.Context) (release func(), err error) {
	rebuild, err := k.openIndex()
	if err != nil {
		return nil, err
	}
	if rebuild {
		if err := k.rebuild(ctx, true); err != nil {
			k.close()
			return nil, err
		}
	}
	return k.close, nil
}
