package lazyre

import (
	"slices"
	"testing"
)

func TestDelegates(t *testing.T) {
	r := New(`(\d+)-(\d+)`)
	s := "a 1-2 b 30-40"
	if !r.MatchString(s) || r.MatchString("none") {
		t.Error("MatchString")
	}
	if got := r.FindStringIndex(s); !slices.Equal(got, []int{2, 5}) {
		t.Errorf("FindStringIndex = %v", got)
	}
	if got := r.FindStringSubmatchIndex(s); !slices.Equal(got, []int{2, 5, 2, 3, 4, 5}) {
		t.Errorf("FindStringSubmatchIndex = %v", got)
	}
	if got := r.FindAllString(s, -1); !slices.Equal(got, []string{"1-2", "30-40"}) {
		t.Errorf("FindAllString = %v", got)
	}
	if got := r.FindAllStringIndex(s, -1); len(got) != 2 || !slices.Equal(got[1], []int{8, 13}) {
		t.Errorf("FindAllStringIndex = %v", got)
	}
	if got := r.FindAllStringSubmatch(s, -1); len(got) != 2 || got[1][2] != "40" {
		t.Errorf("FindAllStringSubmatch = %v", got)
	}
	if got := r.FindAllStringSubmatchIndex(s, 1); len(got) != 1 || !slices.Equal(got[0], []int{2, 5, 2, 3, 4, 5}) {
		t.Errorf("FindAllStringSubmatchIndex = %v", got)
	}
	if got := r.ReplaceAllString(s, "$2-$1"); got != "a 2-1 b 40-30" {
		t.Errorf("ReplaceAllString = %q", got)
	}
	if got := r.ReplaceAllStringFunc(s, func(string) string { return "#" }); got != "a # b #" {
		t.Errorf("ReplaceAllStringFunc = %q", got)
	}
	if got := r.Split(s, -1); !slices.Equal(got, []string{"a ", " b ", ""}) {
		t.Errorf("Split = %q", got)
	}
}

// A bad expression panics where regexp.MustCompile would: at once under go test, and
// otherwise at its first use, not when it is declared.
func TestBadExpression(t *testing.T) {
	panics := func(f func()) (p bool) {
		defer func() { p = recover() != nil }()
		f()
		return false
	}
	if !inTest {
		t.Fatal("inTest is false under go test")
	}
	if !panics(func() { New(`(`) }) {
		t.Error("New(`(`) did not panic under go test")
	}
	inTest = false
	defer func() { inTest = true }()
	var r *Regexp
	if panics(func() { r = New(`(`) }) {
		t.Fatal("New compiled at once outside tests")
	}
	if !panics(func() { r.MatchString("x") }) {
		t.Error("first use of a bad expression did not panic")
	}
}
