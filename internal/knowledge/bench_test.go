package knowledge

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// benchDirs are the benchmark indexes, removed when the test binary ends.
var (
	benchMu      sync.Mutex
	benchIndexes = map[int]*Index{}
	benchDirs    []string
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, ix := range benchIndexes {
		_ = ix.Close()
	}
	for _, d := range benchDirs {
		_ = os.RemoveAll(d)
	}
	os.Exit(code)
}

// corpus generates deterministic chunk text: words drawn with a Zipf distribution
// (s≈1, as in English) from a vocabulary headed by English function words, then
// front-desk words, then made-up ones, so term statistics look like real prose: a few
// very common words the analyzer drops, a long tail of rare ones.
type corpus struct {
	vocab []string
	rng   *rand.Rand
	zipf  *rand.Zipf
}

var functionWords = strings.Fields(`the and to of a in is you for we our your are be
	with on it this that or at as can if will by from an please not have all any`)

var seedWords = strings.Fields(`appointment physiotherapy clinic patient pain back neck knee shoulder
	injury treatment exercise session fee price insurance claim health fund referral doctor
	parking hours open monday friday saturday booking cancel notice payment card cash receipt
	pilates class massage needling rehabilitation surgery recovery sport ankle hip wrist
	children teenager parent consent privacy record telehealth video home visit wheelchair
	access ramp toilet hoist interpreter language train bus station street address`)

func newCorpus(seed uint64) *corpus {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	vocab := append(append([]string(nil), functionWords...), seedWords...)
	syll := []string{"ka", "lo", "mi", "ter", "an", "vo", "ris", "tu", "pe", "lin", "dor", "sa", "qui", "mel", "ost"}
	for len(vocab) < 5000 {
		var w strings.Builder
		for n := 2 + rng.IntN(3); n > 0; n-- {
			w.WriteString(syll[rng.IntN(len(syll))])
		}
		vocab = append(vocab, w.String())
	}
	return &corpus{vocab: vocab, rng: rng, zipf: rand.NewZipf(rng, 1.05, 1, uint64(len(vocab)-1))}
}

func (c *corpus) words(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = c.vocab[c.zipf.Uint64()]
	}
	return strings.Join(ws, " ")
}

func (c *corpus) chunk() Chunk {
	var sentences []string
	for n := 4 + c.rng.IntN(6); n > 0; n-- {
		sentences = append(sentences, c.words(8+c.rng.IntN(10))+".")
	}
	return Chunk{SourceTitle: c.words(3), Heading: c.words(2), Text: strings.Join(sentences, " ")}
}

// benchIndex returns an index holding n synthetic chunks of business "bench", built
// once per process and size.
func benchIndex(b *testing.B, n int) *Index {
	benchMu.Lock()
	defer benchMu.Unlock()
	if ix, ok := benchIndexes[n]; ok {
		return ix
	}
	dir, err := os.MkdirTemp("", "knowledge-bench-")
	if err != nil {
		b.Fatal(err)
	}
	benchDirs = append(benchDirs, dir)
	ix, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	c := newCorpus(uint64(n))
	const perSource = 1000 // big sources: fewer segments to merge, a faster build
	start := time.Now()
	for s := 0; s*perSource < n; s++ {
		chunks := make([]Chunk, 0, perSource)
		for i := 0; i < perSource && s*perSource+i < n; i++ {
			chunks = append(chunks, c.chunk())
		}
		if err := ix.ReplaceSource(context.Background(), "bench", fmt.Sprintf("doc%d", s), chunks); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("built %d chunks in %s", n, time.Since(start).Round(time.Millisecond))
	benchIndexes[n] = ix
	return ix
}

func benchmarkSearch(b *testing.B, n int) {
	ix := benchIndex(b, n)
	c := newCorpus(7)
	queries := make([]string, 200)
	for i := range queries {
		q := c.words(4 + c.rng.IntN(5))
		if i%4 == 0 { // every fourth query has a typo in a word
			q = strings.Replace(q, "a", "e", 1)
		}
		queries[i] = "do you have " + q + "?"
	}
	ctx := context.Background()
	durations := make([]time.Duration, 0, b.N)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := ix.Search(ctx, "bench", queries[i%len(queries)], 5); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(t0))
	}
	b.StopTimer()
	// CPU time says what a search costs when the machine is shared, as these two cores are.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	pct := func(p float64) float64 {
		return float64(durations[int(p*float64(len(durations)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkSearch1k(b *testing.B)  { benchmarkSearch(b, 1_000) }
func BenchmarkSearch10k(b *testing.B) { benchmarkSearch(b, 10_000) }
func BenchmarkSearch50k(b *testing.B) { benchmarkSearch(b, 50_000) }

// BenchmarkIngest measures ReplaceSource on documents of 50 chunks into a growing index.
func BenchmarkIngest(b *testing.B) {
	ix, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	c := newCorpus(3)
	const perSource = 50
	sources := make([][]Chunk, 20)
	for i := range sources {
		for j := 0; j < perSource; j++ {
			sources[i] = append(sources[i], c.chunk())
		}
	}
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := ix.ReplaceSource(ctx, "bench", fmt.Sprintf("doc%d", i), sources[i%len(sources)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*perSource)/time.Since(start).Seconds(), "chunks/s")
}
