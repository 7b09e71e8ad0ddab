package tests

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"
)

// Event is one server-sent event of the message route.
type Event struct {
	Name string
	Data map[string]any
}

// ReadEvents parses a text/event-stream body into its events.
func ReadEvents(r io.Reader) ([]Event, error) {
	var out []Event
	err := EachEvent(r, func(e Event) bool { out = append(out, e); return true })
	return out, err
}

// EachEvent parses a text/event-stream body, calling on with each event as it arrives
// until on returns false or the body ends.
func EachEvent(r io.Reader, on func(Event) bool) error {
	var cur Event
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.Name != "" && !on(cur) {
				return nil
			}
			cur = Event{}
		case strings.HasPrefix(line, "event: "):
			cur.Name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &cur.Data); err != nil {
				return err
			}
		}
	}
	return sc.Err()
}

// Names lists the events' names, consecutive deltas folded into one "delta".
func Names(events []Event) []string {
	var out []string
	for _, e := range events {
		if e.Name == "delta" && len(out) > 0 && out[len(out)-1] == "delta" {
			continue
		}
		out = append(out, e.Name)
	}
	return out
}

// Text joins the deltas' text.
func Text(events []Event) string {
	var sb strings.Builder
	for _, e := range events {
		if e.Name == "delta" {
			s, _ := e.Data["text"].(string)
			sb.WriteString(s)
		}
	}
	return sb.String()
}
