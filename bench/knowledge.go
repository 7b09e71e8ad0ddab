package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"frontdesk/internal/knowledge"
	"frontdesk/internal/knowledge/knowledgetest"
)

// knowledgeResult is the in-process knowledge search figure.
type knowledgeResult struct {
	Chunks       int     `json:"chunks"`
	Searches     int     `json:"searches"`
	BuildSeconds float64 `json:"build_seconds"`
	P50ms        float64 `json:"p50_ms"`
	P95ms        float64 `json:"p95_ms"`
}

// benchKnowledge builds an index of synthetic chunks for one business in a temporary
// directory and times searches over it, the way the chat engine searches per message.
func benchKnowledge(ctx context.Context, chunks, searches int) (knowledgeResult, error) {
	res := knowledgeResult{Chunks: chunks, Searches: searches}
	dir, err := os.MkdirTemp("", "frontdesk-bench-index-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	ix, err := knowledge.Open(dir)
	if err != nil {
		return res, err
	}
	defer ix.Close()

	c := knowledgetest.New(1)
	const perSource = 1000 // one document per thousand chunks: few segments to merge
	start := time.Now()
	for s := 0; s*perSource < chunks; s++ {
		batch := make([]knowledge.Chunk, 0, perSource)
		for i := 0; i < perSource && s*perSource+i < chunks; i++ {
			batch = append(batch, c.Chunk())
		}
		if err := ix.ReplaceSource(ctx, "bench", fmt.Sprintf("doc%d", s), batch); err != nil {
			return res, fmt.Errorf("ingest: %w", err)
		}
	}
	res.BuildSeconds = time.Since(start).Seconds()

	q := knowledgetest.New(2)
	took := make([]time.Duration, 0, searches)
	for i := range searches {
		question := q.Question(i)
		t0 := time.Now()
		if _, err := ix.Search(ctx, "bench", question, 5); err != nil {
			return res, fmt.Errorf("search: %w", err)
		}
		took = append(took, time.Since(t0))
	}
	l := percentiles(took)
	res.P50ms, res.P95ms = l.P50, l.P95
	return res, nil
}
