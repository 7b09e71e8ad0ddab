package evaluation_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ollama/ollama/api"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"frontdesk/internal/llm/ollamatest"
	"frontdesk/models"
	"frontdesk/tests"
)

// evalQuestion is a question of testdata/eval (see its README).
type evalQuestion struct {
	Q        string          `json:"q"`
	Expect   json.RawMessage `json:"expect"`
	NoAnswer bool            `json:"no_answer"`
}

// facts are the question's expected facts, one of which a right answer holds.
func (q evalQuestion) facts() []string {
	var one string
	if json.Unmarshal(q.Expect, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(q.Expect, &many)
	return many
}

func norm(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

var clock = regexp.MustCompile(`^(\d{1,2}):(\d\d)$`)

// inPrompt reports whether prompt holds one of facts; a time of day ("5:00") is also
// found as the prompt writes hours, on the 24-hour clock ("17:00", "05:00").
func inPrompt(prompt string, facts []string) bool {
	p := norm(prompt)
	for _, f := range facts {
		forms := []string{norm(f)}
		if m := clock.FindStringSubmatch(f); m != nil {
			var h int
			fmt.Sscan(m[1], &h)
			forms = append(forms, fmt.Sprintf("%02d:%s", h, m[2]), fmt.Sprintf("%02d:%s", h+12, m[2]))
		}
		for _, form := range forms {
			if strings.Contains(p, form) {
				return true
			}
		}
	}
	return false
}

// loadPractice stores one practice of testdata/eval as an owner enters it: its profile on
// the practice, its FAQs, and its web page as an uploaded document, indexed.
func loadPractice(t *testing.T, app core.App, dir string) *core.Record {
	t.Helper()
	var p map[string]any
	readJSON(t, filepath.Join(dir, "profile.json"), &p)
	p["slug"] = filepath.Base(dir)
	p["booking_closures"] = p["closures"]
	delete(p, "closures")
	b := tests.NewRecord(t, app, models.BusinessesCollection, p)
	// Some services of the evaluation have no duration, which the admin UI requires.
	if err := app.SaveNoValidate(b); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	var faqs []struct{ Question, Answer string }
	readJSON(t, filepath.Join(dir, "faqs.json"), &faqs)
	for _, f := range faqs {
		if err := app.Save(tests.NewRecord(t, app, models.FAQsCollection, map[string]any{"business": b.Id, "question": f.Question, "answer": f.Answer})); err != nil {
			t.Fatal(err)
		}
	}
	page, err := filesystem.NewFileFromPath(filepath.Join(dir, "website.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := tests.NewRecord(t, app, models.DocumentsCollection, map[string]any{"business": b.Id, "title": "Our website"})
	doc.Set("file", page)
	if err := app.Save(doc); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		d, err := app.FindRecordById(models.DocumentsCollection, doc.Id)
		if err != nil {
			t.Fatal(err)
		}
		if s := d.GetString("status"); s == models.DocReady {
			break
		} else if s == models.DocFailed || time.Now().After(deadline) {
			t.Fatalf("%s: the page was not indexed: %s %s", dir, s, d.GetString("error"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return b
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// minInPrompt is the share of answerable questions whose answer must be in what the
// model is given.
const minInPrompt = 0.95

// With a model (Ollama, faked at its wire protocol), the owner's evaluation runs every
// question of testdata/eval through the practice's engine, and the model is given what
// answers it: for at least 95% of the questions that have an answer, the expected fact
// is in the system prompt (the practice's facts or the passages search found). A
// question with a health detail reaches no model; its answer comes from the knowledge
// and is counted by the reply. The run is stored with one result per question.
func TestModelIsGivenTheAnswer(t *testing.T) {
	var mu sync.Mutex
	prompts := map[string]string{} // question -> system prompt, for the practice being run
	fake := tests.NewFakeOllama(t, func(req api.ChatRequest) ollamatest.Reply {
		var system, user string
		for _, m := range req.Messages {
			switch m.Role {
			case "system":
				system = m.Content
			case "user":
				user = m.Content
			}
		}
		mu.Lock()
		prompts[user] = system
		mu.Unlock()
		return ollamatest.Words("Thanks for asking: the team will confirm.")
	})
	app := tests.NewApp(t, tests.Options{NoDemo: true, OllamaURL: fake.URL})
	h := tests.Handler(t, app)
	su := tests.AsSuperuser(t, app, h)
	dirs, _ := filepath.Glob(filepath.Join(tests.RepoRoot(), "testdata", "eval", "*"))
	var answerable, given, viaModel, health, healthRight int
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "profile.json")); err != nil {
			continue
		}
		name := filepath.Base(dir)
		b := loadPractice(t, app, dir)
		files, _ := filepath.Glob(filepath.Join(dir, "questions-*.json"))
		var qs []evalQuestion
		for _, f := range files {
			var more []evalQuestion
			readJSON(t, f, &more)
			for _, q := range more {
				if !q.NoAnswer && !slices.ContainsFunc(qs, func(o evalQuestion) bool { return o.Q == q.Q }) {
					qs = append(qs, q)
				}
			}
		}
		for _, q := range qs {
			if err := app.Save(tests.NewRecord(t, app, models.EvalQuestionsCollection, map[string]any{"business": b.Id, "question": q.Q, "expect": q.facts()[0]})); err != nil {
				t.Fatal(err)
			}
		}
		mu.Lock()
		clear(prompts)
		mu.Unlock()
		rec := su(http.MethodPost, "/api/frontdesk/eval?business="+b.Id, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: eval: %d %s", name, rec.Code, models.Truncate(rec.Body.String(), 300))
		}
		var run struct {
			Total, Correct int
			Provider       string
			Results        []struct {
				Question, Answer string
			}
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &run); err != nil {
			t.Fatal(err)
		}
		if run.Total != len(qs) || len(run.Results) != len(qs) || !strings.HasPrefix(run.Provider, "ollama") {
			t.Fatalf("%s: run of %d questions by %q, want %d by ollama", name, run.Total, run.Provider, len(qs))
		}
		answers := map[string]string{}
		for _, r := range run.Results {
			answers[r.Question] = r.Answer
		}
		var pg, pm, ph, phr int
		for _, q := range qs {
			answerable++
			mu.Lock()
			prompt, asked := prompts[q.Q]
			mu.Unlock()
			if !asked {
				// A health detail: the knowledge answered without the model.
				ph++
				if inPrompt(answers[q.Q], q.facts()) {
					phr++
				} else {
					t.Logf("%s: %q (health, no model): answered %q, want %q", name, q.Q, models.Truncate(answers[q.Q], 120), q.facts())
				}
				continue
			}
			pm++
			if inPrompt(prompt, q.facts()) {
				pg++
			} else {
				t.Logf("%s: %q: %q is not in the prompt", name, q.Q, q.facts())
			}
		}
		t.Logf("%-8s %3d answerable: the answer in the prompt for %d of %d sent to the model; %d of %d with a health detail answered without it", name, len(qs), pg, pm, phr, ph)
		given += pg + phr
		viaModel += pm
		health += ph
		healthRight += phr
	}
	share := float64(given) / float64(answerable)
	summary := fmt.Sprintf("with a model: the answer given for %d of %d answerable questions (%.1f%%): in the prompt for %d of %d sent to the model, in the reply for %d of %d with a health detail", given, answerable, 100*share, given-healthRight, viaModel, healthRight, health)
	t.Log(summary)
	if testing.Verbose() {
		fmt.Println(summary)
	}
	if answerable < 300 {
		t.Fatalf("only %d answerable questions in testdata/eval", answerable)
	}
	if share < minInPrompt {
		t.Errorf("%s; want at least %.0f%%", summary, 100*minInPrompt)
	}
}
