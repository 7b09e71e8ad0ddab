package locale_test

import (
	"reflect"
	"strings"
	"testing"

	"frontdesk/internal/locale"
)

// Every text exists in every language, takes its parameters into account, and is
// translated rather than copied from English.
func TestEveryLanguageHasEveryText(t *testing.T) {
	en := reflect.ValueOf(locale.For(locale.English))
	typ := en.Type()
	for _, lang := range locale.Langs() {
		c := reflect.ValueOf(locale.For(lang))
		for i := range typ.NumField() {
			name := typ.Field(i).Name
			text, args := render(t, c.Field(i))
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: %s is empty", lang, name)
				continue
			}
			for _, a := range args {
				if !strings.Contains(text, a) {
					t.Errorf("%s: %s = %q leaves out its parameter %q", lang, name, text, a)
				}
			}
			if lang != locale.English {
				if enText, _ := render(t, en.Field(i)); text == enText {
					t.Errorf("%s: %s is English's text, not a translation", lang, name)
				}
			}
		}
	}
}

// render returns a field's text: a string field as it is, a func field called with a
// distinct value for each string parameter, which it returns too.
func render(t *testing.T, f reflect.Value) (string, []string) {
	t.Helper()
	switch f.Kind() {
	case reflect.String:
		return f.String(), nil
	case reflect.Func:
		if f.IsNil() {
			return "", nil
		}
		var in []reflect.Value
		var args []string
		for i := range f.Type().NumIn() {
			p := f.Type().In(i)
			if p.Kind() == reflect.String {
				a := "«param" + string(rune('A'+i)) + "»"
				args = append(args, a)
				in = append(in, reflect.ValueOf(a).Convert(p))
				continue
			}
			in = append(in, reflect.Zero(p))
		}
		return f.Call(in)[0].String(), args
	}
	t.Fatalf("catalog field of kind %s: teach this test to render it", f.Kind())
	return "", nil
}

// The health text without a phone reads as a sentence, not as one with a hole in it.
func TestHealthWithoutPhone(t *testing.T) {
	for _, lang := range locale.Langs() {
		c := locale.For(lang)
		with, without := c.Health("503-555-0100"), c.Health("")
		if with == without || !strings.Contains(with, "503-555-0100") {
			t.Errorf("%s: Health ignores the phone: %q", lang, with)
		}
		for _, hole := range []string{"  ", " ,", " .", " al ,", " at ,"} {
			if strings.Contains(without, hole) {
				t.Errorf("%s: Health(\"\") = %q has %q where the phone was", lang, without, hole)
			}
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		prefs []string
		want  locale.Lang
	}{
		{[]string{"es-MX"}, locale.Spanish},
		{[]string{"es_419"}, locale.Spanish},
		{[]string{"ES"}, locale.Spanish},
		{[]string{"es"}, locale.Spanish},
		{[]string{"en-US"}, locale.English},
		{[]string{"fr"}, locale.English},
		{[]string{""}, locale.English},
		{[]string{"garbage"}, locale.English},
		{[]string{"Spanish please"}, locale.English},
		{[]string{"pt"}, locale.English}, // no Portuguese catalog yet
		{[]string{"pt-BR"}, locale.English},
		{nil, locale.English},
		// the conversation's locale, then the practice's
		{[]string{"", "es"}, locale.Spanish},
		{[]string{"en", "es"}, locale.English},
		{[]string{"es-MX", "en"}, locale.Spanish},
		{[]string{"fr", "es"}, locale.Spanish},
		{[]string{"garbage", "es"}, locale.Spanish},
		{[]string{"fr", "de"}, locale.English},
		// Accept-Language values
		{[]string{"es-MX,es;q=0.9,en;q=0.8"}, locale.Spanish},
		{[]string{"en;q=0.5, es"}, locale.Spanish},
		{[]string{"fr-CH, fr;q=0.9, es;q=0.8, en;q=0.7"}, locale.Spanish},
		{[]string{"de, en;q=0.9, es;q=0.8"}, locale.English},
		{[]string{"es;q=0, en"}, locale.English},
		{[]string{"garbage, es"}, locale.Spanish},
		{[]string{"es;q=abc, en"}, locale.English},
		{[]string{"*"}, locale.English},
	} {
		if got := locale.Match(tc.prefs...); got != tc.want {
			t.Errorf("Match(%q) = %s, want %s", tc.prefs, got, tc.want)
		}
	}
}

func TestForUnknownLangIsEnglish(t *testing.T) {
	if got, want := locale.For("pt").NotSure, locale.For(locale.English).NotSure; got != want {
		t.Errorf("For(pt).NotSure = %q, want English's %q", got, want)
	}
}

// A Catalog is handed out as a copy: one caller's change does not reach the next.
func TestForReturnsACopy(t *testing.T) {
	c := locale.For(locale.Spanish)
	c.NotSure = "changed"
	if locale.For(locale.Spanish).NotSure == "changed" {
		t.Error("a caller changed the shared Spanish catalog")
	}
}

func TestLangTag(t *testing.T) {
	for _, lang := range locale.Langs() {
		if got := lang.Tag().String(); got != string(lang) {
			t.Errorf("%s.Tag() = %s", lang, got)
		}
	}
}

// The HELP reply without a phone reads as a sentence, and counts agree with their noun.
func TestAlertTexts(t *testing.T) {
	for _, lang := range locale.Langs() {
		c := locale.For(lang)
		with, without := c.SMSHelp("Clinic", "+15035550142"), c.SMSHelp("Clinic", "")
		if !strings.Contains(with, "+15035550142") || strings.Contains(without, "  ") || strings.Contains(without, " .") {
			t.Errorf("%s: SMSHelp = %q / %q", lang, with, without)
		}
		if one, two := c.DigestSubject(1, "Clinic"), c.DigestSubject(2, "Clinic"); !strings.HasPrefix(one, "1 ") || !strings.HasPrefix(two, "2 ") || one[1:] == two[1:] {
			t.Errorf("%s: DigestSubject(1) = %q, DigestSubject(2) = %q", lang, one, two)
		}
	}
}
