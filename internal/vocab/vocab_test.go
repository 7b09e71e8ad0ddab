package vocab_test

import (
	"slices"
	"strings"
	"testing"

	"frontdesk/internal/locale"
	"frontdesk/internal/vocab"
)

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		text string
		want locale.Lang
	}{
		{"what time do you close on thursday", locale.English},
		{"Bupa?", locale.English},
		{"do you take Delta Dental", locale.English},
		{"is the doctor in today", locale.English},
		{"no parking?", locale.English},
		{"¿A qué hora cierran los viernes?", locale.Spanish},
		{"hablan español", locale.Spanish},
		{"cuanto cuesta una limpieza", locale.Spanish},
		{"¿Tienen estacionamiento?", locale.Spanish},
		{"Vocês aceitam pacientes novos?", vocab.Portuguese},
		{"quanto custa o clareamento?", vocab.Portuguese},
		{"onde fica a clínica", vocab.Portuguese},
		{"", locale.English},
	} {
		if got := vocab.Detect(tc.text); got != tc.want {
			t.Errorf("Detect(%q) = %s, want %s", tc.text, got, tc.want)
		}
	}
}

func TestToEnglish(t *testing.T) {
	for _, tc := range []struct {
		lang       locale.Lang
		text, want string
	}{
		{locale.Spanish, "¿A qué hora cierran los viernes?", "what time close friday"},
		{locale.Spanish, "¿Aceptan Delta Dental?", "accept Delta Dental"},
		{locale.Spanish, "¿Tienen estacionamiento?", "have parking"},
		{locale.Spanish, "no tengo seguro", "no tengo insurance"},
		{locale.Spanish, "¿Atienden gatos los sábados?", "see cat saturday"},
		{vocab.Portuguese, "quanto custa a castração?", "how much spay neuter"},
		{vocab.Portuguese, "vocês atendem no fim de semana?", "see weekend"},
		{locale.English, "leave me as I am", "leave me as I am"},
		{locale.Spanish, "cuanto cuesta un ajuste", "how much adjustment"},
	} {
		if got := vocab.ToEnglish(tc.lang, tc.text); got != tc.want {
			t.Errorf("ToEnglish(%s, %q) = %q, want %q", tc.lang, tc.text, got, tc.want)
		}
	}
}

func TestTokens(t *testing.T) {
	got := vocab.Words("My kid's walk-in: $125, ¿sábado?")
	want := "my kid's walk in 125 sabado"
	if strings.Join(got, " ") != want {
		t.Errorf("Words = %q, want %q", strings.Join(got, " "), want)
	}
	for _, tk := range vocab.Tokens("  Café con leche ") {
		if s := "  Café con leche "[tk.Start:tk.End]; s != tk.Text {
			t.Errorf("token %q has offsets of %q", tk.Text, s)
		}
	}
}

func TestNear(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"aetna", "atena", true},    // swap
		{"parkng", "parking", true}, // deletion
		{"trupanian", "trupanion", true},
		{"medicare", "medicaid", false},
		{"monday", "sunday", false},
		{"cat", "cat", true},
	} {
		if got := vocab.Near(tc.a, tc.b); got != tc.want {
			t.Errorf("Near(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestParseGroups(t *testing.T) {
	gs, err := vocab.ParseGroups("# ours\nzoom, video call,  telehealth \n\n[legal]\nlawyer, attorney, Lawyer\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 2 || strings.Join(gs[0], "|") != "zoom|video call|telehealth" || len(gs[1]) != 2 {
		t.Errorf("ParseGroups = %q", gs)
	}
	if _, err := vocab.ParseGroups("zoom, telehealth\nlonely\n"); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a one-word line: err = %v, want one naming line 2", err)
	}
}

// The shipped groups parse, and a caller can't change them for the next one.
func TestShipped(t *testing.T) {
	gs := vocab.Shipped()
	if len(gs) < 50 {
		t.Fatalf("only %d shipped groups", len(gs))
	}
	gs[0][0] = "changed"
	if vocab.Shipped()[0][0] == "changed" {
		t.Error("Shipped hands out its own slices")
	}
}

// A "broad > narrow" line is a relation when shipped, and one group when an owner types it.
func TestRelations(t *testing.T) {
	rs := vocab.ShippedRelations()
	found := false
	for _, r := range rs {
		if slices.Contains(r.Broad, "pet") && slices.Contains(r.Narrow, "cat") {
			found = true
		}
		if slices.Contains(r.Narrow, "cat") && slices.Contains(r.Narrow, "dog") {
			t.Errorf("cats and dogs in one relation: %q", r)
		}
	}
	if !found {
		t.Error("no pet > cat relation shipped")
	}
	gs, err := vocab.ParseGroups("vehicle > car, truck")
	if err != nil || len(gs) != 1 || len(gs[0]) != 3 {
		t.Errorf("owner's relation line: %q, %v", gs, err)
	}
}

// A word passed through untranslated is reported, unless its capital names something;
// the capital of a sentence's first word names nothing.
func TestTranslateUnknown(t *testing.T) {
	for _, tc := range []struct {
		text string
		want string
	}{
		{"¿Tratan ciática?", "tratan|ciatica"},
		{"hola. Tratan ciática", "tratan|ciatica"},
		{"¿aceptan Zorro Salud?", ""},
	} {
		_, unknown := vocab.Translate(locale.Spanish, tc.text)
		if got := strings.Join(unknown, "|"); got != tc.want {
			t.Errorf("Translate(%q) unknown = %q, want %q", tc.text, got, tc.want)
		}
	}
}
