// Command bench is Frontdesk's load benchmark. It builds and starts the server on a
// temporary data directory with a fake Ollama, drives concurrent visitors through the
// visitor API, calls the same fake directly at the same concurrency for a baseline, and
// reports the time to first token Frontdesk adds, throughput, errors, memory and CPU,
// plus knowledge search latency measured in-process. See BENCHMARKS.md.
//
//	go run ./bench -visitors 200 -messages 3
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// options are the benchmark's settings, one per flag.
type options struct {
	Visitors int
	Messages int
	TTFT     time.Duration // the fake model's time to first token
	Pace     time.Duration // the fake model's time per further token
	Tokens   int           // tokens per reply
	Ramp     time.Duration // visitor starts are spread over this long
	Think    time.Duration // a visitor's pause between a reply and its next message
	Duration time.Duration // cap on each load phase
	Chunks   int           // knowledge chunks to index
	Searches int           // knowledge searches to time
	// SlotBookings, SlotQueries and SlotConcurrency shape the slots-query phase.
	SlotBookings, SlotQueries, SlotConcurrency int
	MaxRSSMB                                   int    // stop the load if the server's memory passes this
	Bin                                        string // a built frontdesk binary; empty builds one
	Out                                        string // JSON result file
	MD                                         string // markdown file the run's table is appended to
	NoMD                                       bool
	Strict                                     bool
}

// smokeFlags are the settings of -smoke: a small, fast run for tests.
func smokeFlags() map[string]string {
	return map[string]string{
		"visitors": "5", "messages": "2", "ttft": "20ms", "pace": "2ms", "tokens": "8",
		"ramp": "50ms", "think": "0s", "duration": "2m", "chunks": "300", "searches": "50",
		"slot-bookings": "100", "slot-queries": "100", "slot-concurrency": "4",
	}
}

// parseFlags reads the command line. Relative default paths are taken from the module
// root, so the run lands in the same files from any directory of the repo.
func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.IntVar(&o.Visitors, "visitors", 200, "concurrent visitors")
	fs.IntVar(&o.Messages, "messages", 3, "messages each visitor sends, one after another")
	fs.DurationVar(&o.TTFT, "ttft", 300*time.Millisecond, "fake model: time to first token")
	fs.DurationVar(&o.Pace, "pace", 20*time.Millisecond, "fake model: time per further token")
	fs.IntVar(&o.Tokens, "tokens", 40, "fake model: tokens per reply")
	fs.DurationVar(&o.Ramp, "ramp", time.Second, "spread visitor starts over this long")
	fs.DurationVar(&o.Think, "think", 0, "a visitor's pause between a reply's done and its next message")
	fs.DurationVar(&o.Duration, "duration", 10*time.Minute, "cap on each load phase")
	fs.IntVar(&o.Chunks, "chunks", 10_000, "knowledge search: synthetic chunks to index")
	fs.IntVar(&o.Searches, "searches", 1_000, "knowledge search: searches to time")
	fs.IntVar(&o.SlotBookings, "slot-bookings", 500, "slots query: bookings the demo practice holds over the 14 days asked")
	fs.IntVar(&o.SlotQueries, "slot-queries", 1_000, "slots query: queries to time")
	fs.IntVar(&o.SlotConcurrency, "slot-concurrency", 8, "slots query: visitors asking at once (each at most 240 a minute, the per-IP limit)")
	fs.IntVar(&o.MaxRSSMB, "max-rss", 4096, "stop the load when the server's RSS passes this many MB (0: never); the machine is shared")
	fs.StringVar(&o.Bin, "bin", "", "use this frontdesk binary instead of building one")
	fs.StringVar(&o.Out, "out", "bench/out/result.json", "write the figures as JSON here")
	fs.StringVar(&o.MD, "md", "BENCHMARKS.md", "append the run's table to this markdown file")
	fs.BoolVar(&o.NoMD, "no-md", false, "don't append to the markdown file")
	fs.BoolVar(&o.Strict, "strict", false, "exit 1 when a budget is missed")
	smoke := fs.Bool("smoke", false, "a small, fast run (5 visitors × 2 messages); flags given explicitly still win")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *smoke {
		for name, v := range smokeFlags() {
			if !set[name] {
				if err := fs.Set(name, v); err != nil {
					return o, err
				}
			}
		}
	}
	if o.Visitors < 1 || o.Messages < 1 || o.Tokens < 1 || o.Chunks < 1 || o.Searches < 1 || o.SlotQueries < 1 || o.SlotConcurrency < 1 || o.SlotBookings < 0 {
		return o, errors.New("-visitors, -messages, -tokens, -chunks, -searches, -slot-queries and -slot-concurrency must be at least 1")
	}
	if o.Visitors > 250*256 {
		return o, errors.New("-visitors: at most 64000 (one loopback address each)")
	}
	for name, p := range map[string]*string{"out": &o.Out, "md": &o.MD} {
		if !set[name] && !filepath.IsAbs(*p) {
			root, err := moduleRoot(context.Background())
			if err != nil {
				return o, err
			}
			*p = filepath.Join(root, *p)
		}
	}
	return o, nil
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := run(ctx, o, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Print(res.markdown())
	fmt.Println()
	for _, b := range res.Budgets {
		fmt.Printf("%-5s %s = %s (budget %s)\n", b.Status, b.Name, b.Value, b.Limit)
	}
	if o.Strict && res.failed() {
		os.Exit(1)
	}
}

// run is the whole benchmark: start everything, measure, write the figures. Progress
// goes to logw.
func run(ctx context.Context, o options, logw io.Writer) (*Result, error) {
	logf := func(format string, args ...any) { fmt.Fprintf(logw, "bench: "+format+"\n", args...) }
	res := &Result{
		Started: time.Now(),
		Commit:  commit(ctx),
		Options: resultOptions{Visitors: o.Visitors, Messages: o.Messages, TTFTms: ms(o.TTFT), PaceMs: ms(o.Pace), Tokens: o.Tokens, RampMs: ms(o.Ramp), ThinkMs: ms(o.Think)},
		Machine: machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), LoadBefore: loadAverage()},
	}
	limit, err := raiseFileLimit()
	if err != nil {
		return nil, fmt.Errorf("raise open-file limit: %w", err)
	}
	res.Machine.FileLimit = limit
	if need := uint64(3*o.Visitors + 100); limit < need {
		logf("warning: open-file limit %d is below the %d this run may need", limit, need)
	}

	tmp, err := os.MkdirTemp("", "frontdesk-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	bin := o.Bin
	if bin == "" {
		logf("building frontdesk")
		if bin, err = buildFrontdesk(ctx, tmp); err != nil {
			return nil, err
		}
	}

	// The server's code pages come from disk, as on a practice's machine after a
	// reboot: a binary fresh from the linker sits in the page cache in the linker's own
	// small pages, which the kernel maps in wider runs (3 MB more idle RSS).
	if err := dropFromPageCache(bin); err != nil {
		return nil, err
	}
	model := startFakeModel(o.TTFT, o.Pace, o.Tokens)
	defer model.Close()
	logf("starting frontdesk (fake model at %s)", model.URL)
	srv, err := startServer(ctx, bin, tmp+"/data", model.URL)
	if err != nil {
		return nil, err
	}
	defer srv.stop()

	// Idle memory: started, demo practice seeded, no visitor yet.
	time.Sleep(time.Second)
	idle, err := readStatus(srv.PID)
	if err != nil {
		return nil, fmt.Errorf("server status: %w", err)
	}
	res.Server.RSSIdleMB = float64(idle.RSSKB) / 1024
	res.Server.RSSIdleAnonMB = float64(idle.AnonKB) / 1024
	res.Server.RSSIdleFileMB = float64(idle.FileKB) / 1024

	// One warm-up turn fills Frontdesk's caches and hands the fake model the request
	// that the direct phase replays, so both paths carry the same request.
	warm, kind := openFrontdesk(ctx, srv.URL, 3, 0, model.reply())
	if kind == "" {
		_, kind = warm.turn(ctx, 0)
		warm.close()
	}
	if kind != "" {
		return nil, fmt.Errorf("warm-up turn failed: %s\n%s", kind, srv.log.tail(2000))
	}
	chatReq := model.FirstBody()
	if chatReq == nil {
		return nil, errNoRequest
	}

	expected := o.Visitors * o.Messages
	logf("direct: %d visitors × %d messages to the fake model", o.Visitors, o.Messages)
	phaseCtx, cancel := context.WithTimeout(ctx, o.Duration)
	stats, elapsed, capped := drive(phaseCtx, o.Visitors, o.Messages, o.Ramp, o.Think, func(ctx context.Context, i int) (session, string) {
		return openDirect(model.URL, 2, i, chatReq)
	})
	cancel()
	res.Direct = newPhase(stats, expected, elapsed, capped)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	logf("frontdesk: %d visitors × %d messages through the visitor API", o.Visitors, o.Messages)
	cpu0, err := cpuTime(srv.PID)
	if err != nil {
		return nil, fmt.Errorf("server CPU: %w", err)
	}
	self0 := selfCPU()
	ticks0 := machineTicks()
	calls0, conns0 := model.Calls.Load(), model.Conns.Load()
	phaseCtx, cancel = context.WithTimeout(ctx, o.Duration)
	model.TimeFirstTokens()
	samp := startSampler(srv.PID, 100*time.Millisecond, int64(o.MaxRSSMB)*1024, cancel)
	stats, elapsed, capped = drive(phaseCtx, o.Visitors, o.Messages, o.Ramp, o.Think, func(ctx context.Context, i int) (session, string) {
		return openFrontdesk(ctx, srv.URL, 1, i, model.reply())
	})
	cancel()
	peak, tooBig := samp.Stop()
	res.ModelTTFT = percentiles(model.FirstTokenTimes())
	cpu1, err := cpuTime(srv.PID)
	if err != nil {
		return nil, fmt.Errorf("server CPU: %w", err)
	}
	res.Machine.BenchCPUSeconds = (selfCPU() - self0).Seconds()
	res.Machine.IdlePct, res.Machine.StealPct = share(ticks0, machineTicks())
	res.Server.ModelCalls = model.Calls.Load() - calls0
	res.Server.ModelConns = model.Conns.Load() - conns0
	res.Frontdesk = newPhase(stats, expected, elapsed, capped)
	if tooBig {
		res.Frontdesk.Aborted = fmt.Sprintf("server RSS passed -max-rss %d MB", o.MaxRSSMB)
		logf("stopped the load: %s", res.Frontdesk.Aborted)
	}
	res.Server.RSSPeakMB = float64(peak.HWMKB) / 1024
	res.Server.RSSSampleMB = float64(peak.RSSKB) / 1024
	res.Server.ThreadsPeak = peak.Threads
	res.Server.CPUSeconds = (cpu1 - cpu0).Seconds()
	if res.Frontdesk.Turns > 0 {
		res.Server.CPUPerTurn = res.Server.CPUSeconds * 1000 / float64(res.Frontdesk.Turns)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	logf("slots: %d bookings over %d days, %d queries from %d visitors at once", o.SlotBookings, slotsDays, o.SlotQueries, o.SlotConcurrency)
	if res.Slots, err = benchSlots(ctx, srv.URL, o.SlotBookings, o.SlotQueries, o.SlotConcurrency); err != nil {
		return nil, fmt.Errorf("slots: %w\n%s", err, srv.log.tail(2000))
	}
	if err := srv.stop(); err != nil {
		logf("%v", err)
	}
	model.Close()
	res.Machine.LoadAfter = loadAverage()

	logf("knowledge search: indexing %d chunks, timing %d searches", o.Chunks, o.Searches)
	if res.Knowledge, err = benchKnowledge(ctx, o.Chunks, o.Searches); err != nil {
		return nil, fmt.Errorf("knowledge search: %w", err)
	}

	res.compare()
	res.judge()
	if o.Out != "" {
		if err := res.writeJSON(o.Out); err != nil {
			return nil, fmt.Errorf("write result: %w", err)
		}
	}
	if !o.NoMD && o.MD != "" {
		if err := res.appendMarkdown(o.MD); err != nil {
			return nil, fmt.Errorf("append %s: %w", o.MD, err)
		}
	}
	return res, nil
}

// commit names the checked-out code the run measured, when git can tell.
func commit(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "git", "describe", "--always", "--dirty").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
