// Package evaluation is the owner's own check of the assistant: the practice's questions
// (eval_questions), each with a fact its right answer contains, are answered by the
// practice's real engine (its model, or the offline answer) and the run is stored with
// its score (eval_runs), so the owner sees what a change of FAQs, documents, synonyms or
// model fixed and what it broke. `frontdesk eval` and POST /api/frontdesk/eval run it.
package evaluation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"frontdesk/hooks/jobs"
	"frontdesk/models"
)

// KindRun is the job kind of a run handed to the server that holds the knowledge index:
// payload {"business": ID}, key "eval:ID".
const KindRun = "eval.run"

// maxQuestions bounds one run: each question may be a model call.
const maxQuestions = 500

// Asker answers a question as the practice's assistant answers a visitor, storing
// nothing (chat.Engine); it returns the reply, the provider that wrote it, and the
// model's error when the offline answer stood in.
type Asker interface {
	Ask(ctx context.Context, b *models.Business, question string) (text, provider string, err error)
}

// Result is one question's outcome in a run.
type Result struct {
	Question string `json:"question"`
	Expect   string `json:"expect"`
	Answer   string `json:"answer"`
	OK       bool   `json:"ok"`
	// Error is the model's failure, when the offline answer stood in for it.
	Error string `json:"error,omitempty"`
}

// Run is a stored run (an eval_runs record) as the route answers it.
type Run struct {
	ID       string    `json:"id"`
	Business string    `json:"business"`
	Started  time.Time `json:"started"`
	Score    float64   `json:"score"`
	Total    int       `json:"total"`
	Correct  int       `json:"correct"`
	Provider string    `json:"provider"`
	// Results are left out of the older runs of a list (GET /api/frontdesk/eval).
	Results []Result `json:"results,omitempty"`
	// Changes compares the run with the practice's previous one; nil for the first.
	Changes *Changes `json:"changes"`
}

// Changes are what a run answers differently from the previous one.
type Changes struct {
	Previous      string    `json:"previous"`
	PreviousAt    time.Time `json:"previous_started"`
	PreviousScore float64   `json:"previous_score"`
	// Fixed were wrong and are right now; Broken the other way; New were not asked then.
	Fixed  []string `json:"fixed"`
	Broken []string `json:"broken"`
	New    []string `json:"new"`
}

// Manager runs evaluations with the practice's engine.
type Manager struct {
	app   core.App
	asker Asker
}

// Bind returns the evaluation, with its job kind on runner: a `frontdesk eval` beside a
// running server hands its run to the server, which holds the knowledge index.
func Bind(app core.App, asker Asker, runner *jobs.Runner) *Manager {
	m := &Manager{app: app, asker: asker}
	runner.Handle(KindRun, func(ctx context.Context, j *jobs.Job) error {
		var p runJob
		if err := j.Decode(&p); err != nil {
			return jobs.Permanent(err)
		}
		_, err := m.Run(ctx, p.Business)
		if errors.Is(err, ErrNoQuestions) {
			return jobs.Permanent(err)
		}
		return err
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		m.bindRoutes(se)
		return se.Next()
	})
	return m
}

// runJob is a KindRun job's payload.
type runJob struct {
	Business string `json:"business"`
}

// ErrNoQuestions is returned for a practice with no evaluation questions.
var ErrNoQuestions = errors.New("the practice has no evaluation questions: add some in the admin UI (eval_questions), each with a fact its right answer contains")

// Run answers every question of practice business and stores the run.
func (m *Manager) Run(ctx context.Context, business string) (*Run, error) {
	rec, err := m.app.FindRecordById(models.BusinessesCollection, business)
	if err != nil {
		return nil, fmt.Errorf("practice %s: %w", business, err)
	}
	b := models.NewBusiness(rec)
	qs, err := m.app.FindRecordsByFilter(models.EvalQuestionsCollection, "business = {:b}", "created,id", maxQuestions, 0, dbx.Params{"b": business})
	if err != nil {
		return nil, err
	}
	if len(qs) == 0 {
		return nil, ErrNoQuestions
	}
	run := &Run{Business: business, Started: time.Now().UTC(), Total: len(qs), Results: make([]Result, 0, len(qs))}
	providers := map[string]bool{}
	for _, q := range qs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r := Result{Question: q.GetString("question"), Expect: q.GetString("expect")}
		text, provider, err := m.asker.Ask(ctx, b, r.Question)
		if err != nil {
			r.Error = err.Error()
		}
		if provider != "" {
			providers[provider] = true
		}
		r.Answer = text
		r.OK = Holds(text, r.Expect)
		if r.OK {
			run.Correct++
		}
		run.Results = append(run.Results, r)
	}
	run.Score = float64(run.Correct) / float64(run.Total)
	run.Provider = providerOf(providers)

	prev, err := m.latest(business, 1)
	if err != nil {
		return nil, err
	}
	if len(prev) > 0 {
		run.Changes = compare(prev[0], run)
	}
	col, err := m.app.FindCollectionByNameOrId(models.EvalRunsCollection)
	if err != nil {
		return nil, err
	}
	out := core.NewRecord(col)
	out.Set("business", business)
	out.Set("started", run.Started)
	out.Set("score", run.Score)
	out.Set("total", run.Total)
	out.Set("results", run.Results)
	out.Set("provider", run.Provider)
	if err := m.app.Save(out); err != nil {
		return nil, fmt.Errorf("store the run: %w", err)
	}
	run.ID = out.Id
	return run, nil
}

// providerOf names the providers that answered, "offline" last when it stood in for a
// model on some questions ("ollama+offline").
func providerOf(seen map[string]bool) string {
	var names []string
	for p := range seen {
		if p != "offline" {
			names = append(names, p)
		}
	}
	slices.Sort(names)
	if seen["offline"] {
		names = append(names, "offline")
	}
	return strings.Join(names, "+")
}

// latest are the practice's n latest stored runs, newest first.
func (m *Manager) latest(business string, n int) ([]*Run, error) {
	recs, err := m.app.FindRecordsByFilter(models.EvalRunsCollection, "business = {:b}", "-started,-created", n, 0, dbx.Params{"b": business})
	if err != nil {
		return nil, err
	}
	out := make([]*Run, 0, len(recs))
	for _, rec := range recs {
		r := &Run{ID: rec.Id, Business: business, Started: rec.GetDateTime("started").Time(), Score: rec.GetFloat("score"), Total: rec.GetInt("total"), Provider: rec.GetString("provider")}
		if err := rec.UnmarshalJSONField("results", &r.Results); err != nil {
			return nil, fmt.Errorf("run %s: %w", r.ID, err)
		}
		for _, res := range r.Results {
			if res.OK {
				r.Correct++
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// Runs are the practice's n latest stored runs, newest first, each with what changed
// since the run before it (nil for the practice's first).
func (m *Manager) Runs(business string, n int) ([]*Run, error) {
	runs, err := m.latest(business, n+1)
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(runs); i++ {
		runs[i].Changes = compare(runs[i+1], runs[i])
	}
	return runs[:min(n, len(runs))], nil
}

// HandOff has the server that holds the knowledge index run practice business's
// evaluation (a job on its runner, which polls every two seconds) and waits for the run
// until ctx ends: `frontdesk eval` beside a running server.
func (m *Manager) HandOff(ctx context.Context, business string) (*Run, error) {
	id, err := jobs.Enqueue(m.app, KindRun, "eval:"+business, runJob{Business: business}, jobs.MaxAttempts(1))
	if err != nil {
		return nil, err
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("the running server has not finished the evaluation: %w", ctx.Err())
		case <-tick.C:
		}
		j, err := m.app.FindRecordById(jobs.Collection, id)
		if err != nil {
			return nil, fmt.Errorf("the evaluation's job: %w", err)
		}
		switch j.GetString("status") {
		case jobs.StatusFailed:
			return nil, errors.New(j.GetString("last_error"))
		case jobs.StatusDone:
			runs, err := m.Runs(business, 1)
			if err != nil || len(runs) == 0 {
				return nil, fmt.Errorf("the server's run: %w", errors.Join(err, errors.New("not stored")))
			}
			return runs[0], nil
		}
	}
}

// compare lists what run answers differently from prev, question by question.
func compare(prev, run *Run) *Changes {
	c := &Changes{Previous: prev.ID, PreviousAt: prev.Started, PreviousScore: prev.Score, Fixed: []string{}, Broken: []string{}, New: []string{}}
	was := map[string]bool{}
	for _, r := range prev.Results {
		was[norm(r.Question)] = r.OK
	}
	for _, r := range run.Results {
		ok, asked := was[norm(r.Question)]
		switch {
		case !asked:
			c.New = append(c.New, r.Question)
		case r.OK && !ok:
			c.Fixed = append(c.Fixed, r.Question)
		case !r.OK && ok:
			c.Broken = append(c.Broken, r.Question)
		}
	}
	return c
}

// Holds reports whether answer contains the expected fact, ignoring case and runs of
// spaces.
func Holds(answer, expect string) bool {
	e := norm(expect)
	return e != "" && strings.Contains(norm(answer), e)
}

func norm(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// Report is a run as `frontdesk eval` prints it: the score, then what changed since the
// previous run, then the questions answered wrong.
func (r *Run) Report() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "score %.1f%%: %d of %d right (%s)\n", 100*r.Score, r.Correct, r.Total, r.Provider)
	if c := r.Changes; c != nil {
		fmt.Fprintf(&sb, "since the run of %s (%.1f%%): %d fixed, %d broken, %d new\n", c.PreviousAt.Format(time.RFC3339), 100*c.PreviousScore, len(c.Fixed), len(c.Broken), len(c.New))
		for _, q := range c.Fixed {
			fmt.Fprintf(&sb, "  fixed:  %s\n", q)
		}
		for _, q := range c.Broken {
			fmt.Fprintf(&sb, "  broken: %s\n", q)
		}
		for _, q := range c.New {
			fmt.Fprintf(&sb, "  new:    %s\n", q)
		}
	} else {
		sb.WriteString("first run for this practice\n")
	}
	for _, res := range r.Results {
		if !res.OK {
			fmt.Fprintf(&sb, "wrong: %q expected %q, got %q\n", res.Question, res.Expect, models.Truncate(strings.Join(strings.Fields(res.Answer), " "), 200))
		}
	}
	return sb.String()
}
