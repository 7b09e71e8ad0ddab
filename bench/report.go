package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Budgets on the reference machine (2 cores). The added-TTFT budgets are set for 200
// concurrent visitors and judged on runs of at most that many.
const (
	budgetAddedP50ms  = 5
	budgetAddedP99ms  = 25
	budgetTTFTVisitor = 200
	budgetPeakRSSMB   = 150
	budgetIdleRSSMB   = 50
)

// Result is everything one run measured; it is written as JSON and summarised in
// BENCHMARKS.md.
type Result struct {
	Started   time.Time     `json:"started"`
	Commit    string        `json:"commit,omitempty"`
	Options   resultOptions `json:"options"`
	Machine   machine       `json:"machine"`
	Frontdesk phaseResult   `json:"frontdesk"`
	Direct    phaseResult   `json:"direct"`
	AddedTTFT latency       `json:"added_ttft_ms"` // Frontdesk minus direct, per percentile
	Ratio     latency       `json:"ttft_ratio"`    // Frontdesk over direct, per percentile
	// ModelTTFT is the model's own TTFT (request arrival to first line) during the
	// Frontdesk phase, and OwnTTFT Frontdesk's TTFT minus it: Frontdesk's share under the
	// same machine load, where AddedTTFT also counts the model slowing on a busier machine.
	ModelTTFT latency         `json:"model_ttft_in_frontdesk_phase_ms"`
	OwnTTFT   latency         `json:"frontdesk_share_of_ttft_ms"`
	Server    serverResult    `json:"server"`
	Knowledge knowledgeResult `json:"knowledge_search"`
	Slots     slotsResult     `json:"slots_query"`
	Budgets   []budget        `json:"budgets"`
}

type resultOptions struct {
	Visitors int     `json:"visitors"`
	Messages int     `json:"messages"`
	TTFTms   float64 `json:"model_ttft_ms"`
	PaceMs   float64 `json:"model_pace_ms"`
	Tokens   int     `json:"tokens"`
	RampMs   float64 `json:"ramp_ms"`
	ThinkMs  float64 `json:"think_ms"`
}

type machine struct {
	CPUs       int     `json:"cpus"`
	GoVersion  string  `json:"go"`
	LoadBefore float64 `json:"loadavg_before"`
	LoadAfter  float64 `json:"loadavg_after"`
	// BenchCPUSeconds is what the visitors and fake model (this process) used during the
	// Frontdesk phase, on the same cores as the server.
	BenchCPUSeconds float64 `json:"bench_cpu_seconds"`
	// IdlePct and StealPct are the machine's CPU time during the Frontdesk phase that
	// was idle, and that the hypervisor gave to other machines: a run with much steal
	// measured a busier machine than its load average says.
	IdlePct   float64 `json:"idle_pct"`
	StealPct  float64 `json:"steal_pct"`
	FileLimit uint64  `json:"nofile_limit"`
}

// latency is a set of percentiles in milliseconds (or ratios).
type latency struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
}

type phaseResult struct {
	Turns          int            `json:"turns"`
	Expected       int            `json:"expected_turns"`
	Errors         int            `json:"errors"`
	ErrorKinds     map[string]int `json:"error_kinds"`
	Seconds        float64        `json:"seconds"`
	TurnsPerSecond float64        `json:"turns_per_second"`
	PeakStreams    int            `json:"peak_concurrent_turns"`
	Capped         bool           `json:"capped"`            // stopped before all turns were sent
	Aborted        string         `json:"aborted,omitempty"` // why, when not the -duration cap
	TTFTms         latency        `json:"ttft_ms"`
}

type serverResult struct {
	RSSIdleMB float64 `json:"rss_idle_mb"`
	// The idle figure split: private memory, and pages of the binary itself, which a
	// big binary touches at start whatever it then does.
	RSSIdleAnonMB float64 `json:"rss_idle_anon_mb"`
	RSSIdleFileMB float64 `json:"rss_idle_file_mb"`
	RSSPeakMB     float64 `json:"rss_peak_mb"`    // VmHWM at the end of the load phase
	RSSSampleMB   float64 `json:"rss_sampled_mb"` // highest VmRSS seen every 100 ms
	ThreadsPeak   int64   `json:"threads_peak"`
	CPUSeconds    float64 `json:"cpu_seconds"`
	CPUPerTurn    float64 `json:"cpu_ms_per_turn"`
	// ModelCalls and ModelConns are the chat requests and new TCP connections the fake
	// model saw from Frontdesk during the load.
	ModelCalls int64 `json:"model_calls"`
	ModelConns int64 `json:"model_connections"`
}

type budget struct {
	Name   string `json:"name"`
	Limit  string `json:"limit"`
	Value  string `json:"value"`
	Status string `json:"status"` // PASS, FAIL, or n/a when the run's shape doesn't apply
}

// newPhase turns raw phase stats into reported figures.
func newPhase(s *phaseStats, expected int, elapsed time.Duration, capped bool) phaseResult {
	p := phaseResult{
		Turns:       s.turns,
		Expected:    expected,
		ErrorKinds:  s.errors,
		Seconds:     elapsed.Seconds(),
		PeakStreams: int(s.peak.Load()),
		Capped:      capped,
		TTFTms:      percentiles(s.ttft),
	}
	for _, n := range s.errors {
		p.Errors += n
	}
	if elapsed > 0 {
		p.TurnsPerSecond = float64(s.turns) / elapsed.Seconds()
	}
	return p
}

// percentiles returns the nearest-rank p50, p95 and p99 of ds in milliseconds.
func percentiles(ds []time.Duration) latency {
	if len(ds) == 0 {
		return latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) float64 {
		i := int(p*float64(len(s))+0.999999) - 1
		return ms(s[min(max(i, 0), len(s)-1)])
	}
	return latency{P50: at(0.50), P95: at(0.95), P99: at(0.99)}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// compare fills in the added TTFT and ratio of Frontdesk over direct.
func (r *Result) compare() {
	f, d := r.Frontdesk.TTFTms, r.Direct.TTFTms
	r.AddedTTFT = latency{P50: f.P50 - d.P50, P95: f.P95 - d.P95, P99: f.P99 - d.P99}
	m := r.ModelTTFT
	r.OwnTTFT = latency{P50: f.P50 - m.P50, P95: f.P95 - m.P95, P99: f.P99 - m.P99}
	ratio := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	r.Ratio = latency{P50: ratio(f.P50, d.P50), P95: ratio(f.P95, d.P95), P99: ratio(f.P99, d.P99)}
}

// judge checks the budgets.
func (r *Result) judge() {
	check := func(name, limit string, value float64, unit string, ok, applies bool) {
		st := "n/a"
		switch {
		case !applies:
		case ok:
			st = "PASS"
		default:
			st = "FAIL"
		}
		r.Budgets = append(r.Budgets, budget{Name: name, Limit: limit, Value: strings.TrimSpace(fmt.Sprintf("%g %s", math.Round(value*10)/10, unit)), Status: st})
	}
	small := r.Options.Visitors <= budgetTTFTVisitor
	check("added TTFT p50", fmt.Sprintf("≤ %d ms at %d visitors", budgetAddedP50ms, budgetTTFTVisitor), r.AddedTTFT.P50, "ms", r.AddedTTFT.P50 <= budgetAddedP50ms, small)
	check("added TTFT p99", fmt.Sprintf("≤ %d ms at %d visitors", budgetAddedP99ms, budgetTTFTVisitor), r.AddedTTFT.P99, "ms", r.AddedTTFT.P99 <= budgetAddedP99ms, small)
	// A capped run didn't finish its turns, so it can't vouch for zero errors.
	check("errors", "0", float64(r.Frontdesk.Errors), "", r.Frontdesk.Errors == 0 && !r.Frontdesk.Capped, true)
	check("peak RSS", fmt.Sprintf("≤ %d MB", budgetPeakRSSMB), r.Server.RSSPeakMB, "MB", r.Server.RSSPeakMB <= budgetPeakRSSMB, true)
	check("idle RSS", fmt.Sprintf("≤ %d MB", budgetIdleRSSMB), r.Server.RSSIdleMB, "MB", r.Server.RSSIdleMB <= budgetIdleRSSMB, true)
}

// failed reports whether any budget was missed.
func (r *Result) failed() bool {
	return slices.ContainsFunc(r.Budgets, func(b budget) bool { return b.Status == "FAIL" })
}

// writeJSON writes the result to path, creating its directory.
func (r *Result) writeJSON(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// markdown renders the run as a dated section with one table.
func (r *Result) markdown() string {
	var b strings.Builder
	o := r.Options
	fmt.Fprintf(&b, "\n### %s: %d visitors × %d messages\n\n", r.Started.UTC().Format("2006-01-02 15:04 UTC"), o.Visitors, o.Messages)
	fmt.Fprintf(&b, "Fake model: %.0f ms to first token, %.0f ms per token, %d tokens; starts spread over %.0f ms, %.0f ms between a reply and the next message. ",
		o.TTFTms, o.PaceMs, o.Tokens, o.RampMs, o.ThinkMs)
	fmt.Fprintf(&b, "Machine: %d CPUs, load average %.2f before and %.2f after, during the Frontdesk phase %.0f%% idle and %.1f%% stolen by the hypervisor; %s",
		r.Machine.CPUs, r.Machine.LoadBefore, r.Machine.LoadAfter, r.Machine.IdlePct, r.Machine.StealPct, r.Machine.GoVersion)
	if r.Commit != "" {
		fmt.Fprintf(&b, "; commit %s", r.Commit)
	}
	b.WriteString(".\n\n| figure | value | budget | |\n|---|---|---|---|\n")
	row := func(name, value, limit, status string) {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", name, value, limit, status)
	}
	budgets := map[string]budget{}
	for _, bu := range r.Budgets {
		budgets[bu.Name] = bu
	}
	judged := func(name, figure, value string) {
		bu := budgets[name]
		row(figure, value, bu.Limit, bu.Status)
	}
	f, d := r.Frontdesk, r.Direct
	row("TTFT through Frontdesk p50 / p95 / p99", trio(f.TTFTms, "ms"), "", "")
	row("TTFT from the model directly p50 / p95 / p99", trio(d.TTFTms, "ms"), "", "")
	judged("added TTFT p50", "added TTFT p50", fmt.Sprintf("%.1f ms (×%.3f)", r.AddedTTFT.P50, r.Ratio.P50))
	row("added TTFT p95", fmt.Sprintf("%.1f ms (×%.3f)", r.AddedTTFT.P95, r.Ratio.P95), "", "")
	judged("added TTFT p99", "added TTFT p99", fmt.Sprintf("%.1f ms (×%.3f)", r.AddedTTFT.P99, r.Ratio.P99))
	row("model's own TTFT during the Frontdesk phase p50 / p95 / p99", trio(r.ModelTTFT, "ms"), "", "")
	row("Frontdesk's share of TTFT (through Frontdesk − model's own, same phase) p50 / p95 / p99", trio(r.OwnTTFT, "ms"), "", "")
	row("turns", fmt.Sprintf("%d of %d in %.1f s: %.1f/s (direct %.1f/s)", f.Turns, f.Expected, f.Seconds, f.TurnsPerSecond, d.TurnsPerSecond), "", "")
	row("peak concurrent turns", fmt.Sprintf("%d (direct %d)", f.PeakStreams, d.PeakStreams), "", "")
	judged("errors", "errors", errorSummary(f, d))
	judged("idle RSS", "server RSS idle", fmt.Sprintf("%.1f MB (anonymous %.1f, binary and other files %.1f)", r.Server.RSSIdleMB, r.Server.RSSIdleAnonMB, r.Server.RSSIdleFileMB))
	judged("peak RSS", "server RSS peak (VmHWM)", fmt.Sprintf("%.1f MB (sampled VmRSS max %.1f MB, %d threads)", r.Server.RSSPeakMB, r.Server.RSSSampleMB, r.Server.ThreadsPeak))
	row("model calls / new connections from Frontdesk", fmt.Sprintf("%d / %d", r.Server.ModelCalls, r.Server.ModelConns), "", "")
	row("server CPU per turn", fmt.Sprintf("%.2f ms (%.1f s in all; benchmark process %.1f s)", r.Server.CPUPerTurn, r.Server.CPUSeconds, r.Machine.BenchCPUSeconds), "", "")
	k := r.Knowledge
	row(fmt.Sprintf("knowledge search p50 / p95 (%d chunks, %d searches)", k.Chunks, k.Searches), fmt.Sprintf("%.2f / %.2f ms", k.P50ms, k.P95ms), "", "")
	sl := r.Slots
	row(fmt.Sprintf("slots query over HTTP p50 / p95 / p99 (%d days, %d bookings, %d queries, %d at once)", sl.Days, sl.Bookings, sl.Queries, sl.Concurrency),
		fmt.Sprintf("%s; %.0f/s, %d slots each, %d errors", trio(sl.Ms, "ms"), sl.PerSecond, sl.Slots, sl.Errors), "", "")
	return b.String()
}

func trio(l latency, unit string) string {
	return fmt.Sprintf("%.1f / %.1f / %.1f %s", l.P50, l.P95, l.P99, unit)
}

// errorSummary counts errors by kind, Frontdesk's first.
func errorSummary(f, d phaseResult) string {
	stopped := ""
	switch {
	case f.Aborted != "":
		stopped = "; load stopped: " + f.Aborted
	case f.Capped:
		stopped = "; load stopped by -duration"
	}
	if f.Errors+d.Errors == 0 {
		return "0" + stopped
	}
	var parts []string
	for _, p := range []phaseResult{f, d} {
		for _, k := range slices.Sorted(maps.Keys(p.ErrorKinds)) {
			parts = append(parts, fmt.Sprintf("%s: %d", k, p.ErrorKinds[k]))
		}
	}
	return fmt.Sprintf("%d (%s)%s", f.Errors+d.Errors, strings.Join(parts, ", "), stopped)
}

// appendMarkdown adds the run's section to the end of the file at path, so sections
// others wrote stay as they are.
func (r *Result) appendMarkdown(path string) error {
	fh, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(fh, r.markdown()); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}
