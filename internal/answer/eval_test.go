package answer

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"frontdesk/internal/knowledge"
	"frontdesk/internal/profile"
)

// evalDir holds one folder per practice; see its README for the format. EVAL_DIR names
// another folder of the same shape (practices of one's own, say) to run instead.
var evalDir = cmp.Or(os.Getenv("EVAL_DIR"), "../../testdata/eval")

// evalQuestion is one visitor question of the evaluation.
type evalQuestion struct {
	Q        string  `json:"q"`
	Expect   expects `json:"expect"`
	NoAnswer bool    `json:"no_answer"`
	Now      string  `json:"now"`
}

// expects is a fact a right answer contains, or a list of facts of which one will do.
type expects []string

func (e *expects) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*e = expects{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*e = many
	return nil
}

// in reports whether answer holds one of the facts, ignoring case and runs of spaces.
func (e expects) in(answer string) bool {
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	a := norm(answer)
	return slices.ContainsFunc(e, func(f string) bool { return strings.Contains(a, norm(f)) })
}

// practice is one practice of the evaluation, indexed.
type practice struct {
	name    string
	profile *profile.Profile
	loc     *time.Location
}

// loadPractices indexes every practice's FAQs and page into ix, each as its own business
// (so every search is also a check that no practice sees another's knowledge).
func loadPractices(t testing.TB, ix *knowledge.Index) []practice {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(evalDir, "*", "profile.json"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no practices in %s: %v", evalDir, err)
	}
	ctx := context.Background()
	var out []practice
	for _, pf := range dirs {
		dir := filepath.Dir(pf)
		name := filepath.Base(dir)
		var p profile.Profile
		readJSON(t, pf, &p)
		loc, err := time.LoadLocation(p.Timezone)
		if err != nil {
			t.Fatalf("%s: %v", pf, err)
		}
		p.Location = loc
		var faqs []struct{ ID, Question, Answer string }
		readJSON(t, filepath.Join(dir, "faqs.json"), &faqs)
		for _, f := range faqs {
			if err := ix.ReplaceSource(ctx, name, f.ID, []knowledge.Chunk{knowledge.FAQChunk(f.ID, f.Question, f.Answer)}); err != nil {
				t.Fatal(err)
			}
		}
		page := filepath.Join(dir, "website.md")
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		title, text, err := knowledge.Extract(mime.TypeByExtension(".md"), page, data)
		if err != nil {
			t.Fatal(err)
		}
		if err := ix.ReplaceSource(ctx, name, "website", knowledge.ChunkText(title, text, 0)); err != nil {
			t.Fatal(err)
		}
		out = append(out, practice{name: name, profile: &p, loc: loc})
	}
	return out
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// tally counts one practice's (or all) outcomes.
type tally struct {
	n, correct, wrong, abstained, answerable, missed int
}

func (a *tally) add(b tally) {
	a.n += b.n
	a.correct += b.correct
	a.wrong += b.wrong
	a.abstained += b.abstained
	a.answerable += b.answerable
	a.missed += b.missed
}

func (a tally) rate(n int) float64 {
	if a.n == 0 {
		return 0
	}
	return float64(n) / float64(a.n)
}

func (a tally) String() string {
	return fmt.Sprintf("%3d questions: correct %5.1f%%, wrong %4.1f%%, abstained %5.1f%% (%d of %d answerable missed)",
		a.n, 100*a.rate(a.correct), 100*a.rate(a.wrong), 100*a.rate(a.abstained), a.missed, a.answerable)
}

// defaultNow is the moment of a question without its own: a Thursday mid-morning.
func defaultNow(loc *time.Location) time.Time { return time.Date(2026, 3, 12, 10, 0, 0, 0, loc) }

// runSplit answers one split's questions for a practice. A question is right when the
// reply answers and holds the expected fact, or, when the knowledge has no answer
// (no_answer), when it abstains; wrong when it answers without the expected fact, or
// answers at all when there is none; abstained when it gives no fact (the health reply
// alone included).
func runSplit(t *testing.T, e *Engine, p practice, split string, show bool) (tally, bool) {
	t.Helper()
	var qs []evalQuestion
	path := filepath.Join(evalDir, p.name, "questions-"+split+".json")
	if _, err := os.Stat(path); err != nil {
		return tally{}, false
	}
	readJSON(t, path, &qs)
	var tl tally
	for _, q := range qs {
		now := defaultNow(p.loc)
		if q.Now != "" {
			var err error
			if now, err = time.Parse(time.RFC3339, q.Now); err != nil {
				t.Fatalf("%s: %q: now: %v", path, q.Q, err)
			}
		}
		r, err := e.Reply(context.Background(), Request{Business: p.name, Message: q.Q, Now: now, Profile: p.profile})
		if err != nil {
			t.Fatalf("%s: %q: %v", p.name, q.Q, err)
		}
		tl.n++
		if !q.NoAnswer {
			tl.answerable++
		}
		ok := false
		switch {
		case q.NoAnswer:
			ok = !r.Answered
		case r.Answered:
			ok = q.Expect.in(r.Answer)
		}
		switch {
		case ok:
			tl.correct++
		case r.Answered:
			tl.wrong++
		}
		if !r.Answered {
			tl.abstained++
			if !q.NoAnswer {
				tl.missed++
			}
		}
		if !ok && show {
			want := "no answer"
			if !q.NoAnswer {
				want = strings.Join(q.Expect, " | ")
			}
			got := "(abstained)"
			if r.Answered {
				got = strings.ReplaceAll(r.Answer, "\n", " ")
			}
			top := ""
			if h := bestHit(r.Hits); h != nil {
				top = fmt.Sprintf(" [best %s %.2f q%.2f]", h.ID, h.Score, h.QuestionMatch)
			}
			t.Logf("%s/%s %q: want %q, got %s %v%s", p.name, split, q.Q, want, got, r.Sources, top)
		}
	}
	return tl, true
}

// The evaluation's bar: over every practice and both splits, at least 90% right and at
// most 5% wrong, and every practice on its own the same (issue 14). The practices added
// to measure the engine on kinds it had never seen (optometry, chiro, podiatry,
// dermatology, pediatrics, speech) are held to it too; their first runs, before any change made
// for them, are in BENCHMARKS.md ("Answers without a model").
const (
	minCorrect         = 0.90
	maxWrong           = 0.05
	practiceMinCorrect = 0.90
	practiceMaxWrong   = 0.05
)

// ungated are practices whose right-answer rate is reported but not yet held to the
// floor, with why: a practice of a new kind, added to measure the engine on it before
// the engine is changed for it. Their wrong-answer rate is held to practiceMaxWrong all
// the same (a wrong answer costs more trust than an abstention), and they count in the
// overall bar. None now.
var ungated = map[string]string{}

// TestOfflineEval answers every practice's questions in testdata/eval offline (profile,
// then search, then abstain) and reports, per practice and split, how many are answered
// right, answered wrong, or abstained. It fails when the whole answers fewer than 90%
// right or more than 5% wrong, or a practice falls below its floor. Wrong answers are listed for the dev split;
// EVAL_SHOW=heldout lists the held-out ones too (look only when reporting), and
// EVAL_SPLITS=dev runs the dev split alone.
func TestOfflineEval(t *testing.T) {
	ix, err := knowledge.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	practices := loadPractices(t, ix)
	if len(practices) < 4 {
		t.Fatalf("%d practices, want at least 4", len(practices))
	}
	e := &Engine{Search: ix}
	if th := os.Getenv("EVAL_THRESHOLD"); th != "" { // to look at what another threshold answers
		if _, err := fmt.Sscan(th, &e.Threshold); err != nil {
			t.Fatalf("EVAL_THRESHOLD: %v", err)
		}
	}
	show := map[string]bool{"dev": true, "heldout": os.Getenv("EVAL_SHOW") == "heldout"}
	splits := []string{"dev", "heldout"}
	if s := os.Getenv("EVAL_SPLITS"); s != "" {
		splits = strings.Split(s, ",") // EVAL_SPLITS=dev while building: the held-out half stays unseen
	}

	var report []string
	var overall tally
	perSplit := map[string]*tally{}
	for _, s := range splits {
		perSplit[s] = &tally{}
	}
	for _, p := range practices {
		var all tally
		for _, split := range splits {
			tl, ok := runSplit(t, e, p, split, show[split])
			if !ok {
				continue
			}
			report = append(report, fmt.Sprintf("%-8s %-8s %s", p.name, split, tl))
			all.add(tl)
			perSplit[split].add(tl)
		}
		if all.n == 0 {
			continue
		}
		report = append(report, fmt.Sprintf("%-8s %-8s %s", p.name, "all", all))
		overall.add(all)
		if why, ok := ungated[p.name]; ok {
			t.Logf("%s: right-answer rate reported, not gated: %s", p.name, why)
			if all.rate(all.wrong) > practiceMaxWrong {
				t.Errorf("%s: %s; want at most %.0f%% wrong", p.name, all, 100*practiceMaxWrong)
			}
		} else if all.rate(all.correct) < practiceMinCorrect || all.rate(all.wrong) > practiceMaxWrong {
			t.Errorf("%s: %s; want at least %.0f%% correct and at most %.0f%% wrong", p.name, all, 100*practiceMinCorrect, 100*practiceMaxWrong)
		}
	}
	for _, s := range splits {
		report = append(report, fmt.Sprintf("%-8s %-8s %s", "overall", s, *perSplit[s]))
	}
	report = append(report, fmt.Sprintf("%-8s %-8s %s", "overall", "all", overall))
	for _, line := range report {
		t.Log(line)
		if testing.Verbose() {
			fmt.Println(line)
		}
	}
	if overall.rate(overall.correct) < minCorrect || overall.rate(overall.wrong) > maxWrong {
		t.Errorf("overall: %s; want at least %.0f%% correct and at most %.0f%% wrong", overall, 100*minCorrect, 100*maxWrong)
	}
}

// TestCalibrateThreshold prints the evaluation's outcomes at a range of search thresholds
// for one split (EVAL_CALIBRATE=dev), which is how DefaultThreshold was chosen: the
// threshold is picked on the dev split and checked on the held-out one.
func TestCalibrateThreshold(t *testing.T) {
	split := os.Getenv("EVAL_CALIBRATE")
	if split == "" {
		t.Skip("set EVAL_CALIBRATE=dev (or heldout) to print outcomes by threshold")
	}
	ix, err := knowledge.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	practices := loadPractices(t, ix)
	for step := 0; step <= 20; step++ {
		th := 0.30 + 0.025*float64(step) - 1e-9 // a hair under, so a Score of exactly th counts as the engine counts it
		var all tally
		for _, p := range practices {
			tl, _ := runSplit(t, &Engine{Search: ix, Threshold: th}, p, split, false)
			all.add(tl)
		}
		fmt.Printf("threshold %.3f: %s\n", th+1e-9, all)
	}
}
