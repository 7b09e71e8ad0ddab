package sse

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// readAll reads every event of stream, as "id|name|data".
func readAll(t *testing.T, r io.Reader) []string {
	t.Helper()
	rd := NewReader(r)
	var out []string
	for {
		ev, err := rd.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev.ID+"|"+ev.Name+"|"+string(ev.Data))
	}
}

// The cases follow the WHATWG HTML standard's "Interpreting an event stream".
func TestReaderFollowsTheSpec(t *testing.T) {
	cases := []struct {
		name, stream string
		want         []string
	}{
		{"named event", "event: delta\ndata: {\"text\":\"Hi\"}\n\n", []string{`|delta|{"text":"Hi"}`}},
		{"unnamed is message", "data: x\n\n", []string{"|message|x"}},
		{"data lines joined by LF", "data: one\ndata: two\ndata\n\n", []string{"|message|one\ntwo\n"}},
		{"one space dropped", "data:x\ndata:  y\n\n", []string{"|message|x\n y"}},
		{"comments ignored", ": ping\n\n:\ndata: x\n: more\n\n", []string{"|message|x"}},
		{"unknown fields ignored", "foo: bar\nDATA: no\ndata: x\n\n", []string{"|message|x"}},
		{"no data, no event", "event: status\n\nevent: a\nid: 3\n\ndata: x\n\n", []string{"3|message|x"}},
		{"empty data is an event", "data\n\ndata:\n\n", []string{"|message|", "|message|"}},
		{"CRLF", "event: a\r\ndata: x\r\n\r\n", []string{"|a|x"}},
		{"lone CR", "event: a\rdata: x\rdata: y\r\r", []string{"|a|x\ny"}},
		{"mixed endings", "data: a\r\ndata: b\rdata: c\n\r\n", []string{"|message|a\nb\nc"}},
		{"id carries over", "id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n", []string{"1|message|a", "1|message|b", "|message|c"}},
		{"id with NUL ignored", "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", []string{"1|message|a", "1|message|b"}},
		{"id without event still counts", "id: 5\n\ndata: a\n\n", []string{"5|message|a"}},
		{"name does not carry over", "event: a\ndata: 1\n\ndata: 2\n\n", []string{"|a|1", "|message|2"}},
		{"cut-off event dropped", "data: a\n\ndata: b\n", []string{"|message|a"}},
		{"cut-off line dropped", "data: a\n\ndata: b", []string{"|message|a"}},
		{"leading BOM dropped", "\uFEFFdata: a\n\n", []string{"|message|a"}},
		{"later BOM is part of the field", "data: a\n\n\uFEFFdata: b\n\n", []string{"|message|a"}},
		{"empty stream", "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(c.stream), iotest.OneByteReader(strings.NewReader(c.stream))} {
				if got := readAll(t, r); strings.Join(got, "\x1e") != strings.Join(c.want, "\x1e") {
					t.Fatalf("events %q, want %q", got, c.want)
				}
			}
		})
	}
}

func TestReaderRetry(t *testing.T) {
	rd := NewReader(strings.NewReader("retry: 1500\ndata: a\n\nretry: soon\nretry: -1\nretry: +2\nretry\ndata: b\n\n"))
	if _, err := rd.Next(); err != nil || rd.Retry() != 1500*time.Millisecond {
		t.Fatalf("retry %v %v", rd.Retry(), err)
	}
	if _, err := rd.Next(); err != nil || rd.Retry() != 1500*time.Millisecond {
		t.Fatalf("a retry that is not all digits changed it: %v %v", rd.Retry(), err)
	}
}

// An event is handed over as soon as its blank line arrives, not when more is read.
func TestReaderDispatchesWithoutWaitingForMore(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	rd := NewReader(pr)
	go func() { _, _ = pw.Write([]byte("event: delta\r\ndata: a\r\n\r")) }()
	done := make(chan Event)
	go func() {
		ev, _ := rd.Next()
		done <- ev
	}()
	select {
	case ev := <-done:
		if ev.Name != "delta" || string(ev.Data) != "a" {
			t.Fatalf("event %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the event waited for the LF after its CR")
	}
	go func() { _, _ = pw.Write([]byte("\ndata: b\r\n\r\n")) }()
	if ev, err := rd.Next(); err != nil || string(ev.Data) != "b" {
		t.Fatalf("next %+v %v", ev, err)
	}
}

func TestReaderReportsReadErrors(t *testing.T) {
	boom := errors.New("connection reset")
	rd := NewReader(io.MultiReader(strings.NewReader("data: a\n\ndata: b\n"), iotest.ErrReader(boom)))
	if _, err := rd.Next(); err != nil {
		t.Fatal(err)
	}
	if _, err := rd.Next(); !errors.Is(err, boom) {
		t.Fatalf("error %v", err)
	}
}

func TestReaderRefusesAnEndlessLine(t *testing.T) {
	rd := NewReader(io.MultiReader(strings.NewReader("data: "), bytes.NewReader(bytes.Repeat([]byte("x"), maxLine+1))))
	if _, err := rd.Next(); err == nil || err == io.EOF {
		t.Fatalf("error %v", err)
	}
}

// The load benchmark times a reply's first delta with this reader: reading a reply's
// events costs no allocation once a name has been seen.
func TestReaderAllocatesNothingPerEvent(t *testing.T) {
	ev := "event: delta\ndata: {\"text\":\"a chunk\"}\n\n"
	rd := NewReader(strings.NewReader("id: 9\n" + strings.Repeat(ev, 500)))
	if _, err := rd.Next(); err != nil {
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(100, func() {
		if e, err := rd.Next(); err != nil || e.Name != "delta" || e.ID != "9" {
			t.Fatalf("%+v %v", e, err)
		}
	})
	if n != 0 {
		t.Fatalf("%v allocations per event", n)
	}
}

func BenchmarkReader(b *testing.B) {
	stream := []byte(strings.Repeat("event: delta\ndata: {\"text\":\"a chunk of a reply\"}\n\n", 40) + "event: done\ndata: {}\n\n")
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		rd := NewReader(bytes.NewReader(stream))
		for {
			if _, err := rd.Next(); err != nil {
				break
			}
		}
	}
}
