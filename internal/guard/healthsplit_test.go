package guard

import (
	"strings"
	"testing"
)

func TestSplitHealth(t *testing.T) {
	for _, tc := range []struct {
		text      string
		health    bool
		practical string // "" when nothing practical remains
		leak      string // a health word that must not be in Practical
	}{
		// the examples
		{"my back is killing me, do you take Blue Cross?", true, "do you take Blue Cross?", "back"},
		{"my cat keeps sneezing, do you have evening hours?", true, "do you have evening hours?", "sneezing"},
		{"I sprained my ankle, can I leave my car out front?", true, "can I leave my car out front?", "sprained"},
		{"what should I take for a toothache", true, "", ""},
		// people
		{"I have a fever and a sore throat. Can I get a same day appointment?", true, "Can I get a same day appointment?", "fever"},
		{"My husband has dementia and I need a power of attorney, how much is a will?", true, "and I need a power of attorney, how much is a will?", "dementia"},
		{"I'm pregnant, are you open on Saturdays?", true, "are you open on Saturdays?", "pregnant"},
		{"i tore my acl and its still sore, how much is an assessment", true, "how much is an assessment", "acl"},
		{"I've been on antidepressants for a year. Do you have parking?", true, "Do you have parking?", "antidepressants"},
		{"Tengo dolor de muelas, ¿aceptan Delta Dental?", true, "¿aceptan Delta Dental?", "dolor"},
		{"should I use ice or heat on my knee", true, "", ""},
		{"is ibuprofen or tylenol better for a headache?", true, "", ""},
		{"my blood pressure is high. what medication should I take?", true, "", ""},
		{"I have a toothache, thanks", true, "", ""},
		// animals
		{"my dog is limping and won't eat, can I bring him in today?", true, "can I bring him in today?", "limping"},
		{"my cat is sick can i bring her in today", true, "can i bring her in today", "sick"},
		{"my dog has surgery tomorrow can he eat tonight", true, "", ""},
		{"our rabbit has diarrhea. Where are you located?", true, "Where are you located?", "diarrhea"},
		{"my dog ate chocolate, what should I give him?", true, "", ""},
		{"what dose of benadryl can i give my cat", true, "", ""},
		{"¿qué le puedo dar a mi perro para el dolor?", true, "", ""},
		{"what do i do if my dog gets sick at night", false, "what do i do if my dog gets sick at night", ""},
		{"how do i refill my dog's meds", false, "how do i refill my dog's meds", ""},
		{"can i use my vitality health insurance", false, "can i use my vitality health insurance", ""},
		{"what should I take to my first appointment", false, "what should I take to my first appointment", ""},
		{"my cat has fleas and is itching, can I order a refill of her meds?", true, "can I order a refill of her meds?", "itching"},
		// nothing clinical: the message is all practical
		{"do you take walk-ins?", false, "do you take walk-ins?", ""},
		{"do you treat back pain?", false, "do you treat back pain?", ""},
		{"how much is a sick visit", false, "how much is a sick visit", ""},
		{"can you give me a sick note for work", false, "can you give me a sick note for work", ""},
		{"my son and daughter need a checkup, are you open Saturday?", false, "my son and daughter need a checkup, are you open Saturday?", ""},
		{"", false, "", ""},
	} {
		got := SplitHealth(tc.text)
		if got.Health != tc.health || got.Practical != tc.practical {
			t.Errorf("SplitHealth(%q) = {Health: %v, Practical: %q}, want {%v, %q}", tc.text, got.Health, got.Practical, tc.health, tc.practical)
		}
		if tc.leak != "" && strings.Contains(strings.ToLower(got.Practical), tc.leak) {
			t.Errorf("SplitHealth(%q).Practical = %q keeps %q", tc.text, got.Practical, tc.leak)
		}
	}
}

// Whatever the message, a term DetectHealth flags in it never survives into Practical.
func TestSplitHealthNeverLeaksATerm(t *testing.T) {
	for _, text := range []string{
		"I have diabetes and I take metformin, do you do cleanings and what are your hours?",
		"hi! my mom has high blood pressure; is there parking, and do you take Medicare?",
		"Mi hijo tiene fiebre y tos, ¿atienden hoy?",
		"We both have the flu so can we reschedule? Also what's your address",
		"my kitten has been scratching her ears nonstop, how much is a sick pet visit",
	} {
		got := SplitHealth(text)
		if !got.Health {
			t.Errorf("SplitHealth(%q): no health found", text)
		}
		for _, term := range DetectHealth(text).Terms {
			if strings.Contains(fold(got.Practical), term) {
				t.Errorf("SplitHealth(%q).Practical = %q keeps %q", text, got.Practical, term)
			}
		}
	}
}

// A screening for a disease is a service, not a health detail.
func TestScreeningIsAService(t *testing.T) {
	if s := SplitHealth("how often should i get a skin cancer screening"); s.Health {
		t.Errorf("flagged: %+v", s)
	}
	if s := SplitHealth("can i walk in for a flu shot"); s.Health {
		t.Errorf("a flu shot flagged: %+v", s)
	}
	if s := SplitHealth("i had skin cancer last year, do you do screenings?"); !s.Health {
		t.Errorf("not flagged: %+v", s)
	}
}

// A question whose health detail is only what it is for keeps the question, without the
// detail; a question about a condition stays health.
func TestQuestionBeforePurpose(t *testing.T) {
	for _, tc := range []struct{ in, practical string }{
		{"can i do a virtual visit for my rash", "can i do a virtual visit"},
		{"how many sessions will i need for low back pain", "how many sessions will i need"},
		{"can i get botox while pregnant", ""},
		{"what should i take for my migraine", ""},
		{"do you have anything for my back pain", ""},
	} {
		s := SplitHealth(tc.in)
		if !s.Health || s.Practical != tc.practical {
			t.Errorf("SplitHealth(%q) = %+v, want practical %q", tc.in, s, tc.practical)
		}
	}
}
