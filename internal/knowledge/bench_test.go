package knowledge_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"frontdesk/internal/knowledge"
	"frontdesk/internal/knowledge/knowledgetest"
)

// benchDirs are the benchmark indexes, removed when the test binary ends.
var (
	benchMu      sync.Mutex
	benchIndexes = map[int]*knowledge.Index{}
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

// benchIndex returns an index holding n synthetic chunks of business "bench", built
// once per process and size.
func benchIndex(b *testing.B, n int) *knowledge.Index {
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
	ix, err := knowledge.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	c := knowledgetest.New(uint64(n))
	const perSource = 1000 // big sources: fewer segments to merge, a faster build
	start := time.Now()
	for s := 0; s*perSource < n; s++ {
		chunks := make([]knowledge.Chunk, 0, perSource)
		for i := 0; i < perSource && s*perSource+i < n; i++ {
			chunks = append(chunks, c.Chunk())
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
	c := knowledgetest.New(7)
	queries := make([]string, 200)
	for i := range queries {
		queries[i] = c.Question(i)
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
	ix, err := knowledge.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	c := knowledgetest.New(3)
	const perSource = 50
	sources := make([][]knowledge.Chunk, 20)
	for i := range sources {
		for j := 0; j < perSource; j++ {
			sources[i] = append(sources[i], c.Chunk())
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
