package sse

import (
	"encoding/json"
	"testing"
)

var quoteCases = []string{
	"",
	"plain text",
	`"quoted" and \back\slashed`,
	"<script>alert('&')</script>",
	"line\nbreak\r\ttab\b\f",
	"\x00\x01\x1f\x7f",
	"é, 日本語, emoji 🦷",
	"\u2028\u2029",
	"bad \xff utf-8 \xe2\x82",
}

func TestAppendQuoteIsJSONMarshal(t *testing.T) {
	for _, s := range quoteCases {
		want, _ := json.Marshal(s)
		if got := appendQuote(nil, s); string(got) != string(want) {
			t.Errorf("appendQuote(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendQuote(f *testing.F) {
	for _, s := range quoteCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendQuote([]byte("prefix"), s); string(got) != "prefix"+string(want) {
			t.Fatalf("appendQuote(%q) = %s, want %s", s, got[6:], want)
		}
	})
}
