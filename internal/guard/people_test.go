package guard

import (
	"slices"
	"strings"
	"testing"
)

func TestFindPeople(t *testing.T) {
	cases := []struct {
		text string
		want []string // "KIND:value", in order
	}{
		// names introduced as such, English
		{"my name is Jane Doe", []string{"NAME:Jane Doe"}},
		{"My name's John, do you take Aetna?", []string{"NAME:John"}},
		{"my name is jane doe and i need a cleaning", []string{"NAME:jane doe"}},
		{"MY NAME IS JANE DOE", []string{"NAME:JANE DOE"}},
		{"my name is Will", []string{"NAME:Will"}},
		{"my name is: Jane Q. Doe", []string{"NAME:Jane Q. Doe"}},
		{"Name: Jane Doe\nEmail: jd@example.com", []string{"NAME:Jane Doe"}},
		{"my son's name is Tom and he is 6", []string{"NAME:Tom"}},
		{"I'm Jane", []string{"NAME:Jane"}},
		{"Hi, I’m Jane, do you take Aetna?", []string{"NAME:Jane"}},
		{"I am John Smith", []string{"NAME:John Smith"}},
		{"Im Jane-Marie O'Brien", []string{"NAME:Jane-Marie O'Brien"}},
		{"Hello, this is John Smith, I'd like to book", []string{"NAME:John Smith"}},
		{"Hi this is Mary, can I move my visit?", []string{"NAME:Mary"}},
		{"please call me Liz", []string{"NAME:Liz"}},
		{"I'm Jane's mother", []string{"NAME:Jane's"}},
		{"Hi I'm Jane Do you open Sundays?", []string{"NAME:Jane"}},
		// titles
		{"Can I see Dr. Smith on Saturday?", []string{"NAME:Smith"}},
		{"Mrs. Jane Doe", []string{"NAME:Jane Doe"}},
		{"Mr Patel referred me", []string{"NAME:Patel"}},
		{"I'm Dr. Jane Doe", []string{"NAME:Jane Doe"}},
		// sign-offs
		{"Do you do implants? Thanks, Jane", []string{"NAME:Jane"}},
		{"Do you do implants?\nThank you,\nJane Doe", []string{"NAME:Jane Doe"}},
		{"Do you do implants? Cheers Jane!", []string{"NAME:Jane"}},
		// Spanish
		{"me llamo María García", []string{"NAME:María García"}},
		{"me llamo maría garcía y quiero una cita", []string{"NAME:maría garcía"}},
		{"Mi nombre es José Luis", []string{"NAME:José Luis"}},
		{"Hola, soy Ana", []string{"NAME:Ana"}},
		{"Soy Ana María de la Fuente, ¿tienen cita?", []string{"NAME:Ana María de la Fuente"}},
		{"mi hijo se llama Pedro", []string{"NAME:Pedro"}},
		{"¿Puede verme la Dra. López?", []string{"NAME:López"}},
		{"¿Abren el sábado? Gracias, Ana", []string{"NAME:Ana"}},
		// Portuguese
		{"meu nome é João da Silva", []string{"NAME:João da Silva"}},
		{"me chamo Ana", []string{"NAME:Ana"}},
		{"Olá, sou a Beatriz", []string{"NAME:Beatriz"}},
		{"Vocês abrem sábado? Obrigada, Maria!", []string{"NAME:Maria"}},

		// not names
		{"I'm looking for a dentist", nil},
		{"I'm not sure my insurance covers it", nil},
		{"I'm worried about the cost", nil},
		{"I'm Looking For A Dentist", nil},
		{"I'm Not Sure", nil},
		{"I'm American, do you accept foreign insurance?", nil},
		{"I'm in pain", nil},
		{"I'm 34 years old", nil},
		{"I AM IN PAIN", nil},
		{"soy alérgico a la penicilina", nil},
		{"Soy alérgica a la penicilina", nil},
		{"Soy Alérgico", nil},
		{"soy de Madrid", nil},
		{"Soy nuevo paciente", nil},
		{"sou alérgico", nil},
		{"do you have a Dr. on Saturdays?", nil},
		{"Is there a doctor available on Saturday?", nil},
		{"Is the Dr. In on Mondays?", nil},
		{"How much is a Dr. visit?", nil},
		{"Do you accept Delta Dental? This is urgent.", nil},
		{"This is Invisalign, right?", nil},
		{"this is my first visit", nil},
		{"what this is about", nil},
		{"Is this Dr. visit covered?", nil},
		{"Thanks!", nil},
		{"Thanks, see you Saturday", nil},
		{"Thanks, Saturday works", nil},
		{"Thanks, Doctor", nil},
		{"Thanks Jane for the help yesterday", nil},
		{"what name is the appointment under?", nil},
		{"my name is on the waiting list", nil},
		{"mi nombre es importante", nil},
		{"nome e sobrenome", nil},
		{"Call me tomorrow morning", nil},
		{"Call me ASAP", nil},
		{"I have MS Symptoms", nil},
		{"¿Cómo se llama el tratamiento?", nil},
		{"Gracias, Hasta luego", nil},
		{"I miss my appointment", nil},
		{"I'm Type 2 diabetic", nil},
		{"this is Tuesday's appointment, right?", nil},
		{"Soy Testigo de Jehová", nil},
		{"I'm Hispanic and prefer a Spanish speaking dentist", nil},
		{"I'm OK with any time", nil},

		// addresses, US and UK
		{"42 Elm Street", []string{"ADDRESS:42 Elm Street"}},
		{"I live at 123 Main St", []string{"ADDRESS:123 Main St"}},
		{"4500 N. Oak Avenue Apt 5, is that close?", []string{"ADDRESS:4500 N. Oak Avenue Apt 5"}},
		{"we're at 123 main st., apt 4b", []string{"ADDRESS:123 main st., apt 4b"}},
		{"350 W 34th St", []string{"ADDRESS:350 W 34th St"}},
		{"221B Baker Street", []string{"ADDRESS:221B Baker Street"}},
		{"10 Downing Street, London SW1A 2AA", []string{"ADDRESS:10 Downing Street"}},
		{"Flat 3, 12 High Street", []string{"ADDRESS:Flat 3, 12 High Street"}},
		{"1600 Pennsylvania Avenue NW", []string{"ADDRESS:1600 Pennsylvania Avenue NW"}},
		{"55 Sunset Blvd 90028", []string{"ADDRESS:55 Sunset Blvd 90028"}},
		{"8 Willow Lane", []string{"ADDRESS:8 Willow Lane"}},
		{"77 Harbor Drive", []string{"ADDRESS:77 Harbor Drive"}},
		{"123 Martin Luther King Jr Blvd", []string{"ADDRESS:123 Martin Luther King Jr Blvd"}},
		{"14 Abbey Road, London NW8 9AY", []string{"ADDRESS:14 Abbey Road"}},
		{"12 Church Rd, SW1A 2AA", []string{"ADDRESS:12 Church Rd, SW1A 2AA"}},
		{"5 min from 42 Oak Street", []string{"ADDRESS:42 Oak Street"}},
		// Spanish and Portuguese
		{"Calle Mayor 5", []string{"ADDRESS:Calle Mayor 5"}},
		{"vivo en la calle mayor 5, 3º B", []string{"ADDRESS:calle mayor 5, 3º B"}},
		{"Avenida de la Constitución 12", []string{"ADDRESS:Avenida de la Constitución 12"}},
		{"Av. Libertador 1200", []string{"ADDRESS:Av. Libertador 1200"}},
		{"C/ Alcalá 45", []string{"ADDRESS:C/ Alcalá 45"}},
		{"Paseo de Gracia 43, 08007 Barcelona", []string{"ADDRESS:Paseo de Gracia 43, 08007"}},
		{"Calle 45 # 12-34, Bogotá", []string{"ADDRESS:Calle 45 # 12-34"}},
		{"Rua das Flores, 25", []string{"ADDRESS:Rua das Flores, 25"}},
		{"Avenida Paulista, 1000, apto 52", []string{"ADDRESS:Avenida Paulista, 1000, apto 52"}},

		// not addresses
		{"it's a 5 minute drive from the station", nil},
		{"It's A 5 Minute Drive", nil},
		{"we're 2 blocks from Main Street", nil},
		{"do you do root canals on Saturdays?", nil},
		{"I have 2 kids", nil},
		{"Suite 1200 90210", nil},
		{"open 9 to 5 on Saturday", nil},
		{"is there parking on the street?", nil},
		{"room 12, floor 3", nil},
		{"I need 2 crowns and a bridge", nil},
		{"is there 1 way to whiten at home?", nil},
		{"¿tienen plaza libre el sábado 5?", nil},
		{"¿hay plaza de garaje 2?", nil},
		{"la calle está cortada", nil},
		{"a 10 minutos de la plaza", nil},

		// both, and identifiers left to FindIdentifiers
		{"Hi, my name is Jane Doe and I live at 42 Elm Street, do you do root canals on Saturdays?",
			[]string{"NAME:Jane Doe", "ADDRESS:42 Elm Street"}},
		{"Soy Ana, vivo en Calle Mayor 5, mi teléfono es 612 345 678", []string{"NAME:Ana", "ADDRESS:Calle Mayor 5"}},
	}
	for _, c := range cases {
		var got []string
		for _, f := range resolve(findPeople(c.text, nil)) {
			if c.text[f.Start:f.End] != f.Value {
				t.Errorf("%q: finding %+v does not match its offsets", c.text, f)
			}
			got = append(got, string(f.Kind)+":"+f.Value)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("findPeople(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestAnonymize(t *testing.T) {
	for in, want := range map[string]string{
		"Hi, my name is Jane Doe and I live at 42 Elm Street, do you do root canals on Saturdays?": "Hi, my name is [NAME_1] and I live at [ADDRESS_1], do you do root canals on Saturdays?",
		"I'm Ana, ana@example.com, +34 612 345 678, 42 Elm Street":                                 "I'm [NAME_1], [EMAIL_1], [PHONE_1], [ADDRESS_1]",
		// Once a name is known, its other occurrences go too, even without an introduction.
		"I'm Jane. Jane's son needs a checkup. Thanks, Jane": "I'm [NAME_1]. [NAME_1]'s son needs a checkup. Thanks, [NAME_1]",
		"me llamo María, ¿atienden a María los sábados?":     "me llamo [NAME_1], ¿atienden a [NAME_1] los sábados?",
		"Do you do root canals on Saturdays?":                "Do you do root canals on Saturdays?",
		"do you have a Dr. on Saturdays?":                    "do you have a Dr. on Saturdays?",
		// A typed placeholder is not trusted in this mode either.
		"[NAME_1] is not me, I'm Jane": "[NAME_1] is not me, I'm [NAME_2]",
	} {
		if got := Anonymize(in); got != want {
			t.Errorf("Anonymize(%q)\n = %q\nwant %q", in, got, want)
		}
	}
}

// The chat path's Redactor must keep names and addresses: the model needs them, and the
// DESIGN's list of what is redacted before a hosted model is called does not include them.
func TestRedactorKeepsNamesAndAddresses(t *testing.T) {
	in := "Hi, my name is Jane Doe and I live at 42 Elm Street, do you do root canals on Saturdays?"
	if got := NewRedactor().Redact(in); got != in {
		t.Fatalf("Redact = %q", got)
	}
	if got := NewRedactor().Redact("[NAME_1] [ADDRESS_2]"); got != "[NAME_1] [ADDRESS_2]" {
		t.Fatalf("Redact of name-shaped placeholders = %q", got)
	}
}

func TestAnonymizeRoundTrip(t *testing.T) {
	for _, in := range []string{
		"",
		"[NAME_1] I'm Jane [ADDRESS_1] 42 Elm Street",
		"Thanks, Jane\xff",
		"my name is jane, jane@example.com",
		strings.Repeat("I'm Jane 42 Elm Street ", 20),
	} {
		r := newRedactor(true)
		if got := r.Restore(r.Redact(in)); got != in {
			t.Errorf("Restore(Redact(%q)) = %q", in, got)
		}
	}
}

func BenchmarkAnonymize(b *testing.B) {
	b.SetBytes(int64(len(benchMessage)))
	for b.Loop() {
		Anonymize(benchMessage)
	}
}
