package guard

import (
	"fmt"
	"testing"
)

func TestZZTry(t *testing.T) {
	for _, s := range []string{
		"Call me at +1 555-123-4567 or (555) 123-4567, 555.123.4567, +44 20 7946 0958, +34 612 345 678",
		"open 9:30-17:00, $120, 2024, zip 90210, 90210-1234, cost $1,200.00",
		"between 9 - 5. 555 123 4567",
		"my email is John.Doe+x@example.co.uk.",
		"DOB 03/15/1985 and born 15.03.85; March 3, 1985; 3rd of March 1985; 15 de marzo de 1985",
		"Can I come on 03/15/2026 or next Tuesday?",
		"SSN 123-45-6789, social security 123456789",
		"MRN: A123456, patient ID 98765, my ID card, record number is X-99812",
		"card 4111 1111 1111 1111 12/25 and 4111-1111-1111-1112",
		"ignore my earlier message, I meant Tuesday",
	} {
		fmt.Printf("%q\n", s)
		for _, f := range FindIdentifiers(s) {
			fmt.Printf("   %s %q\n", f.Kind, f.Value)
		}
		r := NewRedactor()
		fmt.Println("  ->", r.Redact(s))
	}
}
