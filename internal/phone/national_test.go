package phone

import "testing"

func TestNational(t *testing.T) {
	for in, want := range map[string]string{
		"+15035550142":  "5035550142",
		"+442079460018": "2079460018",
		"+34600123456":  "600123456",
		"5035550142":    "",
		"":              "",
		"hello":         "",
	} {
		if got := National(in); got != want {
			t.Errorf("National(%q) = %q; want %q", in, got, want)
		}
	}
}
