package llm

import (
	"context"
	"strings"

	"frontdesk/internal/locale"
)

// OfflineConfidence is the lowest passage Score the offline provider answers
// from; below it, a passage is more likely a near miss than the answer, and the
// visitor gets the fallback with an offer of a callback instead.
const OfflineConfidence = 0.5

// offlineWordsPerEvent sets the size of the word groups the reply is streamed
// in, so the visitor's widget renders it the way it renders a model.
const offlineWordsPerEvent = 4

// Offline answers without a model, from the passages the caller found by
// search; it never calls tools. It keeps a fresh install and a model outage
// useful: a known answer is given, and otherwise the visitor is asked for
// contact details so no lead is lost.
type Offline struct{}

// NewOffline returns the offline provider.
func NewOffline() *Offline { return &Offline{} }

// Name is "offline".
func (*Offline) Name() string { return NameOffline }

// Embed returns ErrNoEmbeddings.
func (*Offline) Embed(context.Context, string, []string) ([][]float32, error) {
	return nil, ErrNoEmbeddings
}

// Chat replies with the best passage's text and an offer to follow up when
// that passage scores at least OfflineConfidence, else with req.Fallback.
func (*Offline) Chat(ctx context.Context, req Request, emit func(Event) error) error {
	reply := offlineReply(req)
	for _, chunk := range WordGroups(reply, offlineWordsPerEvent) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(Event{Text: chunk}); err != nil {
			return err
		}
	}
	return nil
}

func offlineReply(req Request) string {
	var best *Passage
	for i := range req.Passages {
		if p := &req.Passages[i]; strings.TrimSpace(p.Text) != "" && (best == nil || p.Score > best.Score) {
			best = p
		}
	}
	if best == nil || best.Score < OfflineConfidence {
		if req.Fallback != "" {
			return req.Fallback
		}
		return locale.For(locale.English).NotSure
	}
	offer := req.Offer
	if offer == "" {
		offer = locale.For(locale.English).Offer
	}
	return strings.TrimSpace(best.Text) + "\n\n" + offer
}

// WordGroups cuts s after every n-th run of spaces, keeping every byte, so the
// pieces join back into s exactly: a reply written in full (offline, or a fixed text)
// streams in pieces, as a model's does.
func WordGroups(s string, n int) []string {
	var out []string
	words, start, inSpace := 0, 0, false
	for i, r := range s {
		space := r == ' ' || r == '\n' || r == '\t'
		if inSpace && !space {
			// a word starts at i: the previous one ended with the space run before it
			words++
			if words == n {
				out = append(out, s[start:i])
				start, words = i, 0
			}
		}
		inSpace = space
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
