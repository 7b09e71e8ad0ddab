package tests

import (
	"encoding/json"
	"errors"
	"io"
	"strings"

	"frontdesk/internal/sse"
)

// Event is one server-sent event of a visitor stream, its data decoded.
type Event struct {
	ID   string
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
	rd := sse.NewReader(r)
	for {
		ev, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		e := Event{ID: ev.ID, Name: ev.Name}
		if err := json.Unmarshal(ev.Data, &e.Data); err != nil {
			return err
		}
		if !on(e) {
			return nil
		}
	}
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
