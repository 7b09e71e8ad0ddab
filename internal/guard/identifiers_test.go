package guard

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFindIdentifiers(t *testing.T) {
	y := time.Now().Year()
	cases := []struct {
		text string
		want []string // "KIND:value", in order
	}{
		// e-mail
		{"my email is ana.garcia@gmail.com", []string{"EMAIL:ana.garcia@gmail.com"}},
		{"Write to JOHN_DOE+dentist@Example.CO.UK please.", []string{"EMAIL:JOHN_DOE+dentist@Example.CO.UK"}},
		{"correo: maría.lópez@correo.es", []string{"EMAIL:maría.lópez@correo.es"}},
		{"(bob@example.org)", []string{"EMAIL:bob@example.org"}},
		{"contact <x.y-z@sub.domain.io>, thanks", []string{"EMAIL:x.y-z@sub.domain.io"}},
		{"two: a@b.co and c.d@e.fr", []string{"EMAIL:a@b.co", "EMAIL:c.d@e.fr"}},
		{"it's ana@example.com.", []string{"EMAIL:ana@example.com"}},
		{"our site is www.smiledental.com", nil},
		{"I'm @ the office", nil},
		{"email me at ana@localhost", nil},
		{"email 5551234567@txt.att.net", []string{"EMAIL:5551234567@txt.att.net"}},

		// phone
		{"call +1 555-123-4567 today", []string{"PHONE:+1 555-123-4567"}},
		{"(555) 123-4567", []string{"PHONE:(555) 123-4567"}},
		{"it's 555.123.4567", []string{"PHONE:555.123.4567"}},
		{"London office +44 20 7946 0958", []string{"PHONE:+44 20 7946 0958"}},
		{"mi número +34 612 345 678", []string{"PHONE:+34 612 345 678"}},
		{"5551234567", []string{"PHONE:5551234567"}},
		{"1-800-555-0199", []string{"PHONE:1-800-555-0199"}},
		{"mi móvil es 612 34 56 78", []string{"PHONE:612 34 56 78"}},
		{"call me on 555-1234", []string{"PHONE:555-1234"}},
		{"06 12 34 56 78", []string{"PHONE:06 12 34 56 78"}},
		{"+49 30 12345678", []string{"PHONE:+49 30 12345678"}},
		{"ring 020 7946 0958 after lunch", []string{"PHONE:020 7946 0958"}},
		{"+1 (555) 123-4567 ext 22", []string{"PHONE:+1 (555) 123-4567"}},
		{"0034 612 345 678", []string{"PHONE:0034 612 345 678"}},
		{"tel: 91 123 45 67", []string{"PHONE:91 123 45 67"}},
		{"WhatsApp +34612345678", []string{"PHONE:+34612345678"}},
		{"My number is 612345678", []string{"PHONE:612345678"}},
		{"Call 555 123 4567 or 555 987 6543", []string{"PHONE:555 123 4567", "PHONE:555 987 6543"}},
		{"tel.+34 612 345 678", []string{"PHONE:+34 612 345 678"}},
		{"between 9 - 5. 555 123 4567", []string{"PHONE:555 123 4567"}},
		{"+44 (0)20 7946 0958", []string{"PHONE:+44 (0)20 7946 0958"}},
		{"NHS number 943 476 5919", []string{"PHONE:943 476 5919"}},

		// phone traps: times, prices, years, zip codes, plans, short numbers
		{"We're open 9:30-17:00 Monday to Friday", nil},
		{"Hours 9.30-17.00", nil},
		{"Call us between 9.30-17.00", nil},
		{"A cleaning is $120 and a crown $1,200", nil},
		{"It costs 1.200,50 €", nil},
		{"the fee is €1 500 000 000", nil},
		{"the price is 1 500 000 000 USD", nil},
		{"we've been here since 2019", nil},
		{"from 2019 to 2023", nil},
		{"2019-2023", nil},
		{"2019 2020 2021", nil},
		{"zip code 90210", nil},
		{"90210-1234", nil},
		{"Calle Mayor 12, 28013 Madrid", nil},
		{"Suite 1200 90210", nil},
		{"We have 3 kids aged 4, 7 and 9", nil},
		{"order #123456789012", nil},
		{"server 192.168.1.100", nil},
		{"version 1.2.3", nil},
		{"room 12, floor 3", nil},
		{"Delta Dental PPO plan 1500", nil},
		{"Aetna DMO group 12345", nil},
		{"Do I need my ID card?", nil},
		{"my insurance ID card is in my wallet", nil},
		{"I'm 34 years old", nil},
		{"50% off whitening, 2 for 1", nil},
		{"123456789", nil},
		{"ABC5551234567", nil},
		{"$5551234567", nil},

		// SSN
		{"SSN 123-45-6789", []string{"SSN:123-45-6789"}},
		{"my social security number is 123 45 6789", []string{"SSN:123 45 6789"}},
		{"social security: 123456789", []string{"SSN:123456789"}},
		{"número de seguro social 123-45-6789", []string{"SSN:123-45-6789"}},
		{"ITIN 912-70-1234", []string{"SSN:912-70-1234"}},
		{"000-12-3456", nil},
		{"123-00-4567", nil},

		// MRN
		{"MRN: A123456", []string{"MRN:A123456"}},
		{"MRN#778812", []string{"MRN:778812"}},
		{"my medical record number is 00451234", []string{"MRN:00451234"}},
		{"patient ID 98765", []string{"MRN:98765"}},
		{"Patient #: P-44821", []string{"MRN:P-44821"}},
		{"member ID XGH123456789", []string{"MRN:XGH123456789"}},
		{"policy number is BC-77812-A", []string{"MRN:BC-77812-A"}},
		{"número de historia clínica: 558812", []string{"MRN:558812"}},
		{"historia clínica 12345", []string{"MRN:12345"}},
		{"record number is X-99812", []string{"MRN:X-99812"}},
		{"for the record 2024 was great", nil},
		{"patient 12345", nil},
		{"bring your patient ID card", nil},
		{"MRN unknown", nil},
		{"patient ID 555-123-4567", []string{"MRN:555-123-4567"}},

		// DOB
		{"DOB: 03/15/1985", []string{"DOB:03/15/1985"}},
		{"date of birth 15/03/1985", []string{"DOB:15/03/1985"}},
		{"I was born on March 3, 1985", []string{"DOB:March 3, 1985"}},
		{"born 3 March 1985", []string{"DOB:3 March 1985"}},
		{"fecha de nacimiento: 15 de marzo de 1985", []string{"DOB:15 de marzo de 1985"}},
		{"nací el 5/11/92", []string{"DOB:5/11/92"}},
		{"1985-03-15", []string{"DOB:1985-03-15"}},
		{"My birthday is July 4", []string{"DOB:July 4"}},
		{"birthday 12.05.1990", []string{"DOB:12.05.1990"}},
		{"1 de enero de 1970", []string{"DOB:1 de enero de 1970"}},
		{"Jan. 5th, 1979", []string{"DOB:Jan. 5th, 1979"}},
		{"the 3rd of March, 1985 is my date of birth", []string{"DOB:3rd of March, 1985"}},
		{fmt.Sprintf("Can I come on 03/15/%d?", y), nil},
		{fmt.Sprintf("Appointment on %d-03-14 at 10:00", y), nil},
		{fmt.Sprintf("last visit 2/3/%d", y-1), nil},
		{fmt.Sprintf("I had a crown on 2/3/%d", y-3), []string{fmt.Sprintf("DOB:2/3/%d", y-3)}},
		{"next Tuesday at 3pm", nil},
		{"I last came in May 2019", nil},
		{"see you on the 3rd", nil},
		{"DOB 02/30/1985", nil},
		{"born in 1985", nil},
		{"12/05/85", nil},
		{"on March 3 at 10am", nil},

		// card
		{"card 4111 1111 1111 1111", []string{"CARD:4111 1111 1111 1111"}},
		{"4111-1111-1111-1111", []string{"CARD:4111-1111-1111-1111"}},
		{"4111111111111111", []string{"CARD:4111111111111111"}},
		{"4111 1111 1111 1112", nil},
		{"Amex 3782 822463 10005", []string{"CARD:3782 822463 10005"}},
		{"5500 0000 0000 0004 exp 12/27", []string{"CARD:5500 0000 0000 0004"}},
		{"4111 1111 1111 1111 12/25", []string{"CARD:4111 1111 1111 1111"}},
		{"0000 0000 0000 0000", nil},

		// several at once
		{"Hi, I'm Ana (ana@example.com, +34 612 345 678), DOB 15/03/1985", []string{"EMAIL:ana@example.com", "PHONE:+34 612 345 678", "DOB:15/03/1985"}},
		{"SSN 123-45-6789 phone 555-123-4567", []string{"SSN:123-45-6789", "PHONE:555-123-4567"}},
		{"my MRN is 12345 and my phone is (555) 123-4567", []string{"MRN:12345", "PHONE:(555) 123-4567"}},
		{"Do you accept Delta Dental? How much is a checkup? Is parking available?", nil},
	}
	for _, c := range cases {
		var got []string
		for _, f := range FindIdentifiers(c.text) {
			if c.text[f.Start:f.End] != f.Value {
				t.Errorf("%q: finding %+v does not match its offsets", c.text, f)
			}
			got = append(got, string(f.Kind)+":"+f.Value)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("FindIdentifiers(%q) = %q, want %q", c.text, got, c.want)
		}
	}
	if len(cases) < 100 {
		t.Fatalf("only %d cases", len(cases))
	}
}

func TestFindIdentifiersOrderedAndDisjoint(t *testing.T) {
	text := strings.Repeat("ana@example.com +1 555-123-4567 DOB 1985-03-15 MRN: A12345 4111 1111 1111 1111 ", 5)
	fs := FindIdentifiers(text)
	if len(fs) != 25 {
		t.Fatalf("got %d findings, want 25", len(fs))
	}
	for i := 1; i < len(fs); i++ {
		if fs[i].Start < fs[i-1].End {
			t.Fatalf("findings %d and %d overlap or are out of order", i-1, i)
		}
	}
}
