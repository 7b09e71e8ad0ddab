package sse

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"time"
)

// maxLine bounds one line of a stream; a longer one ends Next with bufio.ErrTooLong.
const maxLine = 1 << 20

// Event is one server-sent event as a reader dispatches it.
type Event struct {
	// ID is the stream's last event id when the event came: ids carry over to the
	// events after them, as in a browser, and are what a client resumes from.
	ID string
	// Name is the event's type: "message" when the event named none.
	Name string
	// Data is the event's data lines joined by "\n". It is valid until the next call to
	// Next, which reuses it.
	Data []byte
}

// Reader parses a text/event-stream body as the WHATWG HTML standard's EventSource does:
// lines end in LF, CRLF or CR; comments and unknown fields are ignored; an event is
// dispatched at a blank line when it has data; an event cut off by the end of the stream
// is dropped. Once its buffers have grown, it allocates only for an event name or id it
// has not seen, so it can time a stream's first event under load.
type Reader struct {
	sc      *bufio.Scanner
	crLast  bool // the last line ended in CR: an LF right after it ends no line
	started bool // past the stream's first line, where a byte order mark may be

	id    string
	name  string
	data  []byte
	names []string // event names seen, reused so a name allocates once
	retry time.Duration
}

// NewReader returns a Reader of the events in r.
func NewReader(r io.Reader) *Reader {
	rd := &Reader{sc: bufio.NewScanner(r)}
	rd.sc.Buffer(nil, maxLine)
	rd.sc.Split(rd.splitLine)
	return rd
}

// Next returns the next event, or io.EOF when the stream ends (an event cut off by the
// end is not returned), or the error reading it.
func (r *Reader) Next() (Event, error) {
	r.data = r.data[:0]
	for r.sc.Scan() {
		line := r.sc.Bytes()
		if !r.started {
			r.started = true
			line = bytes.TrimPrefix(line, []byte("\uFEFF"))
		}
		if len(line) > 0 {
			r.field(line)
			continue
		}
		if len(r.data) == 0 {
			r.name = "" // an event without data is not dispatched
			continue
		}
		ev := Event{ID: r.id, Name: r.name, Data: r.data[:len(r.data)-1]}
		if ev.Name == "" {
			ev.Name = "message"
		}
		r.name = ""
		return ev, nil
	}
	if err := r.sc.Err(); err != nil {
		return Event{}, err
	}
	return Event{}, io.EOF
}

// Retry is the reconnection time the stream last asked for in a retry field, or 0.
func (r *Reader) Retry() time.Duration {
	return r.retry
}

// field processes one line that is not blank.
func (r *Reader) field(line []byte) {
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) {
	case "": // a comment
	case "event":
		r.name = r.intern(value)
	case "data":
		r.data = append(r.data, value...)
		r.data = append(r.data, '\n')
	case "id":
		if bytes.IndexByte(value, 0) < 0 && string(value) != r.id {
			r.id = string(value)
		}
	case "retry":
		if ms, err := strconv.ParseUint(string(value), 10, 32); err == nil { // ASCII digits only
			r.retry = time.Duration(ms) * time.Millisecond
		}
	}
}

// intern returns b as a string, the same string each time a name recurs.
func (r *Reader) intern(b []byte) string {
	for _, s := range r.names {
		if string(b) == s {
			return s
		}
	}
	s := string(b)
	if len(r.names) < 16 { // a stream uses a few names; a stranger one just allocates
		r.names = append(r.names, s)
	}
	return s
}

// splitLine is the Scanner's split function: a line ends at LF, CRLF or a lone CR. It
// returns a line whenever one is buffered: the Scanner reads again (and a live stream
// waits) after any call that returns none.
func (r *Reader) splitLine(data []byte, atEOF bool) (advance int, token []byte, err error) {
	rest := data
	if r.crLast && len(data) > 0 && data[0] == '\n' {
		rest = data[1:] // the LF of a CRLF that came in a later read
	}
	skip := len(data) - len(rest)
	lf := bytes.IndexByte(rest, '\n')
	scope := rest
	if lf >= 0 {
		scope = rest[:lf]
	}
	if cr := bytes.IndexByte(scope, '\r'); cr >= 0 {
		// At the end of what is buffered, whether an LF follows is not known yet; the
		// line is over either way.
		r.crLast = cr+1 == len(rest)
		if !r.crLast && rest[cr+1] == '\n' {
			return skip + cr + 2, rest[:cr], nil
		}
		return skip + cr + 1, rest[:cr], nil
	}
	switch {
	case lf >= 0:
		r.crLast = false
		return skip + lf + 1, rest[:lf], nil
	case atEOF && len(data) > 0:
		r.crLast = false
		return len(data), nil, nil // a line cut off by the end can't complete an event
	case skip > 0:
		r.crLast = false
		return skip, nil, nil
	}
	return 0, nil, nil
}
