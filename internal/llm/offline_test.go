package llm

import (
	"context"
	"errors"
	"strings"
	"testing"

	"frontdesk/internal/locale"
)

func TestOfflineAnswersConfidentPassage(t *testing.T) {
	rec := &recorder{}
	err := NewOffline().Chat(context.Background(), Request{
		Messages: []Message{{Role: RoleUser, Content: "Do you take Delta Dental?"}},
		Tools:    sampleTools,
		Passages: []Passage{
			{Source: "FAQ", Question: "What are your hours?", Text: "Mon-Fri 8-5.", Score: 0.4},
			{Source: "FAQ", Question: "Which insurance do you accept?", Text: "We accept Delta Dental, Aetna and Cigna.", Score: 0.9},
		},
		Fallback: "Je ne suis pas sûr.",
	}, rec.emit)
	if err != nil {
		t.Fatal(err)
	}
	got := rec.text()
	if !strings.HasPrefix(got, "We accept Delta Dental, Aetna and Cigna.") {
		t.Errorf("reply %q does not start with the best passage", got)
	}
	if !strings.Contains(got, "leave your name") {
		t.Errorf("reply %q offers no follow-up", got)
	}
	if len(rec.deltas()) < 3 {
		t.Errorf("reply came in %d events, want it streamed in word groups", len(rec.deltas()))
	}
	if len(rec.calls) != 0 {
		t.Error("offline called a tool")
	}
}

func TestOfflineLocalizedOffer(t *testing.T) {
	rec := &recorder{}
	err := NewOffline().Chat(context.Background(), Request{
		Passages: []Passage{{Text: "Nous acceptons la plupart des assurances.", Score: OfflineConfidence}},
		Offer:    "Laissez vos coordonnées et l'équipe vous rappellera.",
	}, rec.emit)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Nous acceptons la plupart des assurances.\n\nLaissez vos coordonnées et l'équipe vous rappellera."; rec.text() != want {
		t.Errorf("reply = %q, want %q", rec.text(), want)
	}
}

func TestOfflineFallsBack(t *testing.T) {
	low := []Passage{{Source: "FAQ", Text: "Parking is behind the building.", Score: OfflineConfidence - 0.01}}
	for _, tc := range []struct {
		name     string
		passages []Passage
		fallback string
		want     string
	}{
		{"low score", low, "Je ne suis pas sûr — laissez vos coordonnées.", "Je ne suis pas sûr — laissez vos coordonnées."},
		{"no passages", nil, "Je ne suis pas sûr — laissez vos coordonnées.", "Je ne suis pas sûr — laissez vos coordonnées."},
		{"no passages, no fallback", nil, "", locale.For(locale.English).NotSure},
		{"empty text", []Passage{{Text: "  ", Score: 1}}, "", locale.For(locale.English).NotSure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			if err := NewOffline().Chat(context.Background(), Request{Passages: tc.passages, Fallback: tc.fallback}, rec.emit); err != nil {
				t.Fatal(err)
			}
			if rec.text() != tc.want {
				t.Errorf("reply = %q, want %q", rec.text(), tc.want)
			}
		})
	}
}

func TestOfflineStopsOnEmitError(t *testing.T) {
	stop := errors.New("visitor gone")
	n := 0
	err := NewOffline().Chat(context.Background(), Request{}, func(Event) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("err = %v after %d events, want the emit error after 1", err, n)
	}
}

func TestOfflineHasNoEmbeddings(t *testing.T) {
	if _, err := NewOffline().Embed(context.Background(), "", []string{"x"}); !errors.Is(err, ErrNoEmbeddings) {
		t.Errorf("err = %v, want ErrNoEmbeddings", err)
	}
}

func TestWordGroupsKeepEveryByte(t *testing.T) {
	for _, s := range []string{
		"",
		"one",
		"one two three four five six seven eight nine",
		"  leading spaces and\ttabs\nand new\n\nlines  ",
		"Ünïcödé wörds — with dashes — and more words here",
	} {
		groups := WordGroups(s, 4)
		if strings.Join(groups, "") != s {
			t.Errorf("WordGroups(%q) = %q, does not join back", s, groups)
		}
		for _, g := range groups {
			if len(strings.Fields(g)) > 4 {
				t.Errorf("group %q has more than 4 words", g)
			}
		}
	}
}
