package guard

import (
	"strings"
	"testing"
	"time"
)

func TestZZSlow(t *testing.T) {
	for name, s := range map[string]string{
		"spaced digits": strings.Repeat("1 ", 5000),
		"digits":        strings.Repeat("1", 10000),
		"dashed":        strings.Repeat("12-", 3000),
		"emails":        strings.Repeat("a@b.co ", 2000),
		"emailsglued":   strings.Repeat("a@b.coa", 2000),
		"phones":        strings.Repeat("555 123 4567 ", 1000),
		"dates":         strings.Repeat("born 1/2/1985 ", 1000),
		"mrn":           strings.Repeat("MRN 1234 ", 1000),
		"letters":       strings.Repeat("a ", 5000),
		"placeholders":  strings.Repeat("[EMAIL_1]", 2000),
	} {
		start := time.Now()
		r := NewRedactor()
		r.Redact(s)
		DetectInjection(s)
		DetectHealth(s)
		LeaksSystemPrompt(s, s)
		t.Logf("%s: %v", name, time.Since(start))
	}
}
