package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"frontdesk/internal/guard"
)

// TestSmoke runs the whole benchmark in -smoke mode against a freshly built server and
// checks that every turn got the model's reply and every figure was measured.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	// -smoke pauses 250 ms between a reply and the next message, as a visitor would: with
	// no pause a message can meet the conversation still locked after done (429).
	out := filepath.Join(t.TempDir(), "result.json")
	o, err := parseFlags([]string{"-smoke", "-no-md", "-out", out})
	if err != nil {
		t.Fatal(err)
	}
	// The build is most of the time on a fresh clone (a cold cache for this build's
	// flags, beside the other packages' -race builds): the run gets what is left of the
	// test's own deadline, not a fixed share of it.
	deadline := time.Now().Add(10 * time.Minute)
	if d, ok := t.Deadline(); ok {
		deadline = d.Add(-30 * time.Second)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	var log strings.Builder
	res, err := run(ctx, o, &log)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}

	want := o.Visitors * o.Messages
	for name, p := range map[string]phaseResult{"frontdesk": res.Frontdesk, "direct": res.Direct} {
		if p.Errors != 0 {
			t.Errorf("%s: %d errors: %v", name, p.Errors, p.ErrorKinds)
		}
		if p.Turns != want {
			t.Errorf("%s: %d turns, want %d", name, p.Turns, want)
		}
		if p.TTFTms.P50 <= 0 || p.TTFTms.P99 < p.TTFTms.P50 || p.TurnsPerSecond <= 0 || p.PeakStreams < 1 {
			t.Errorf("%s: implausible figures %+v", name, p)
		}
		// The fake model waits 20ms before its first token, whoever calls it.
		if p.TTFTms.P50 < 20 {
			t.Errorf("%s: TTFT p50 %.1f ms is below the model's own 20 ms", name, p.TTFTms.P50)
		}
	}
	s := res.Server
	if s.RSSIdleMB <= 0 || s.RSSPeakMB < s.RSSIdleMB || s.RSSSampleMB <= 0 || s.CPUSeconds <= 0 || s.CPUPerTurn <= 0 {
		t.Errorf("implausible server figures %+v", s)
	}
	if k := res.Knowledge; k.Chunks != o.Chunks || k.Searches != o.Searches || k.P50ms <= 0 || k.P95ms < k.P50ms {
		t.Errorf("implausible knowledge figures %+v", k)
	}
	if sl := res.Slots; sl.Queries != o.SlotQueries || sl.Errors != 0 || sl.Slots < 1 || sl.Ms.P50 <= 0 || sl.Ms.P99 < sl.Ms.P50 {
		t.Errorf("implausible slots figures %+v", sl)
	}
	// Both are 0 when other work saturates the cores for the whole (short) phase, as
	// when the smoke run shares them with the rest of the test suite.
	if m := res.Machine; m.IdlePct < 0 || m.StealPct < 0 || m.IdlePct+m.StealPct > 100 {
		t.Errorf("machine idle %.1f%% and steal %.1f%% during the run", m.IdlePct, m.StealPct)
	}
	if len(res.Budgets) != 5 {
		t.Errorf("budgets = %+v", res.Budgets)
	}

	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(data, &back); err != nil || back.Frontdesk.Turns != want {
		t.Errorf("result file: %v, %d turns", err, back.Frontdesk.Turns)
	}
	md := res.markdown()
	for _, s := range []string{"5 visitors × 2 messages", "added TTFT p99", "| errors | 0 |"} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
}

// TestQuestionsReachTheModel guards the benchmark's premise: the visitors' questions
// are answered by the model, not by Frontdesk's health or injection screening.
func TestQuestionsReachTheModel(t *testing.T) {
	for _, q := range questions {
		if guard.DetectHealth(q).Found || guard.DetectInjection(q).Found {
			t.Errorf("%q is screened, so it would never reach the model", q)
		}
	}
}

func TestPercentiles(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := percentiles(ds)
	if got != (latency{P50: 50, P95: 95, P99: 99}) {
		t.Errorf("percentiles(1..100 ms) = %+v", got)
	}
	if got := percentiles(nil); got != (latency{}) {
		t.Errorf("percentiles(nil) = %+v", got)
	}
}

func TestParseFlagsSmokeKeepsExplicitFlags(t *testing.T) {
	o, err := parseFlags([]string{"-smoke", "-visitors", "7", "-md", "x.md"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Visitors != 7 || o.Messages != 2 || o.TTFT != 20*time.Millisecond || o.MD != "x.md" {
		t.Errorf("options = %+v", o)
	}
	if !filepath.IsAbs(o.Out) || !strings.HasSuffix(o.Out, filepath.Join("bench", "out", "result.json")) {
		t.Errorf("default -out = %q, want bench/out/result.json under the module root", o.Out)
	}
	if _, err := parseFlags([]string{"-visitors", "0"}); err == nil {
		t.Error("-visitors 0 accepted")
	}
}
