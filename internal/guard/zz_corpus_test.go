package guard

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestZZCorpus(t *testing.T) {
	files, _ := filepath.Glob(os.Getenv("HOME") + "/.cache/go-build/fuzz/frontdesk/internal/guard/FuzzRedact/*")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		lines := strings.Split(string(b), "\n")
		var args []string
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, "string(") {
				s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(l, "string("), ")"))
				if err == nil {
					args = append(args, s)
				}
			}
		}
		if len(args) != 2 {
			continue
		}
		start := time.Now()
		r := NewRedactor()
		r.Redact(args[0])
		r.Redact(args[1])
		FindIdentifiers(args[1])
		if d := time.Since(start); d > 20*time.Millisecond {
			t.Logf("%v len=%d %q", d, len(args[1]), args[1][:min(80, len(args[1]))])
		}
	}
}
