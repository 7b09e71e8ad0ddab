package guard

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

func TestRedactReplacesWithTypedPlaceholders(t *testing.T) {
	r := NewRedactor()
	in := "I'm Ana, ana@example.com, +34 612 345 678, DOB 15/03/1985, MRN: A12345, SSN 123-45-6789, card 4111 1111 1111 1111."
	want := "I'm Ana, [EMAIL_1], [PHONE_1], DOB [DOB_1], MRN: [MRN_1], SSN [SSN_1], card [CARD_1]."
	if got := r.Redact(in); got != want {
		t.Fatalf("Redact = %q, want %q", got, want)
	}
	if r.Count() != 6 {
		t.Fatalf("Count = %d, want 6", r.Count())
	}
	if got := r.Restore(want); got != in {
		t.Fatalf("Restore = %q, want %q", got, in)
	}
}

func TestRedactConsistentAcrossTurns(t *testing.T) {
	r := NewRedactor()
	turns := []struct{ in, want string }{
		{"my email is ana@example.com", "my email is [EMAIL_1]"},
		{"sorry, it's ana.b@example.com not ana@example.com", "sorry, it's [EMAIL_2] not [EMAIL_1]"},
		{"call 555-123-4567 or email ana@example.com", "call [PHONE_1] or email [EMAIL_1]"},
		{"no change here", "no change here"},
		// A value already seen is redacted even where the detector alone would pass it by:
		// seven digits need a phone word, which only the first turn had.
		{"phone: 555 1234", "phone: [PHONE_2]"},
		{"yes, 555 1234 is right", "yes, [PHONE_2] is right"},
	}
	for _, tt := range turns {
		if got := r.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if r.Count() != 4 {
		t.Errorf("Count = %d, want 4", r.Count())
	}
}

func TestRedactorsAreIndependent(t *testing.T) {
	a, b := NewRedactor(), NewRedactor()
	if got := a.Redact("x@example.com"); got != "[EMAIL_1]" {
		t.Fatalf("a: %q", got)
	}
	if got := b.Redact("y@example.com"); got != "[EMAIL_1]" {
		t.Fatalf("b: %q", got)
	}
	if got := b.Restore("[EMAIL_1]"); got != "y@example.com" {
		t.Fatalf("b restored %q", got)
	}
}

func TestRedactTypedPlaceholderIsNotTrusted(t *testing.T) {
	r := NewRedactor()
	first := r.Redact("mine is ana@example.com")
	if first != "mine is [EMAIL_1]" {
		t.Fatalf("first = %q", first)
	}
	// A visitor typing a placeholder must not be able to make Restore produce a real value.
	red := r.Redact("please send it to [EMAIL_1] and [phone_7]")
	if red != "please send it to [EMAIL_2] and [PHONE_1]" {
		t.Fatalf("Redact = %q", red)
	}
	if got := r.Restore(red); got != "please send it to [EMAIL_1] and [phone_7]" {
		t.Fatalf("Restore = %q", got)
	}
	if got := r.Restore("[EMAIL_1]"); got != "ana@example.com" {
		t.Fatalf("Restore of a real placeholder = %q", got)
	}
}

func TestRestoreLeavesUnknownPlaceholders(t *testing.T) {
	r := NewRedactor()
	r.Redact("ana@example.com")
	for in, want := range map[string]string{
		"[EMAIL_1]":              "ana@example.com",
		"[email_1]":              "ana@example.com",
		"[EMAIL_2]":              "[EMAIL_2]",
		"[PHONE_1]":              "[PHONE_1]",
		"EMAIL_1":                "EMAIL_1",
		"[EMAIL_1][EMAIL_1]":     "ana@example.comana@example.com",
		"no placeholders at all": "no placeholders at all",
	} {
		if got := r.Restore(in); got != want {
			t.Errorf("Restore(%q) = %q, want %q", in, got, want)
		}
	}
	if got := NewRedactor().Restore("[EMAIL_1]"); got != "[EMAIL_1]" {
		t.Errorf("empty Redactor restored %q", got)
	}
}

func TestRestoreToolArgumentsJSON(t *testing.T) {
	r := NewRedactor()
	red := r.Redact("I'm María José, maria.jose@ejemplo.es, móvil +34 612 345 678, nací el 1 de enero de 1970")
	for _, p := range []string{"[EMAIL_1]", "[PHONE_1]", "[DOB_1]"} {
		if !strings.Contains(red, p) {
			t.Fatalf("%s missing from %q", p, red)
		}
	}
	// What a model's save_contact call looks like: placeholders inside JSON strings.
	args := `{"name":"María José","email":"[EMAIL_1]","phone":"[PHONE_1]","notes":"born [DOB_1]; unknown [CARD_3]"}`
	var got struct{ Name, Email, Phone, Notes string }
	if err := json.Unmarshal([]byte(r.Restore(args)), &got); err != nil {
		t.Fatalf("restored arguments are not JSON: %v", err)
	}
	if got.Email != "maria.jose@ejemplo.es" || got.Phone != "+34 612 345 678" || got.Notes != "born 1 de enero de 1970; unknown [CARD_3]" || got.Name != "María José" {
		t.Fatalf("restored %+v", got)
	}
}

func TestRoundTripTable(t *testing.T) {
	for _, in := range []string{
		"",
		"nothing to hide",
		"ana@example.com",
		"[EMAIL_1] ana@example.com [EMAIL_1]",
		"[PHONE_5551234567] 5551234567",
		"555-123-4567555-123-4567",
		"a@b.co5551234567 5551234567",
		"DOB 1/2/85, born 1/2/85, 1/2/85",
		"\xff\xfe invalid utf-8 555 123 4567",
		"MRN: 1234 and 1234 and A1234",
	} {
		r := NewRedactor()
		if got := r.Restore(r.Redact(in)); got != in {
			t.Errorf("Restore(Redact(%q)) = %q", in, got)
		}
	}
}

func TestRedactorConcurrentUse(t *testing.T) {
	r := NewRedactor()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				in := "ana@example.com and +1 555-123-4567"
				if got := r.Restore(r.Redact(in)); got != in {
					t.Errorf("round trip = %q", got)
					return
				}
			}
		}()
	}
	wg.Wait()
	if r.Count() != 2 {
		t.Fatalf("Count = %d, want 2", r.Count())
	}
}

// benchMessage is a 2,000-character visitor message with a few identifiers in it.
var benchMessage = func() string {
	var b strings.Builder
	parts := []string{
		"Hello, I would like to book a cleaning for next Tuesday morning if possible. ",
		"My name is Ana and you can reach me at ana.garcia@example.com or +34 612 345 678. ",
		"We are open to any time between 9:30 and 17:00, and the $120 price is fine. ",
		"Our insurance is Delta Dental PPO; member ID XGH123456789 if you need it. ",
		"My date of birth is 15/03/1985. Thanks a lot for your help, see you soon! ",
	}
	for b.Len() < 2000 {
		b.WriteString(parts[b.Len()/80%len(parts)])
	}
	return b.String()[:2000]
}()

func BenchmarkRedact(b *testing.B) {
	r := NewRedactor()
	b.SetBytes(int64(len(benchMessage)))
	for b.Loop() {
		r.Redact(benchMessage)
	}
}
