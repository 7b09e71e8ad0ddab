package phone

import "testing"

func TestE164(t *testing.T) {
	cases := []struct {
		raw, region, want string
	}{
		{"(503) 555-0142", "US", "+15035550142"},
		{"503-555-0142", "US", "+15035550142"},
		{"503.555.0142", "", "+15035550142"},
		{"+1 503 555 0142", "ES", "+15035550142"},
		{"1-503-555-0142", "US", "+15035550142"},
		{"600 123 456", "ES", "+34600123456"},
		{"+34 600 12 34 56", "US", "+34600123456"},
		{"020 7946 0018", "GB", "+442079460018"},
	}
	for _, c := range cases {
		got, err := E164(c.raw, c.region)
		if err != nil || got != c.want {
			t.Errorf("E164(%q, %q) = %q, %v; want %q", c.raw, c.region, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "12", "hello", "555-0142-555-0142-555", "+999 123", "(000) 000-0000"} {
		if got, err := E164(bad, "US"); err == nil {
			t.Errorf("E164(%q) = %q, want an error", bad, got)
		}
	}
}

func TestRegion(t *testing.T) {
	for phone, want := range map[string]string{
		"+34 911 23 45 67": "ES",
		"+1 503 555 0142":  "US",
		"(503) 555-0142":   "US",
		"":                 "US",
		"+44 20 7946 0018": "GB",
	} {
		if got := Region(phone); got != want {
			t.Errorf("Region(%q) = %q, want %q", phone, got, want)
		}
	}
}
