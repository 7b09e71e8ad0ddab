package guard

import (
	"strings"
	"unicode"
)

// CleanText is text a visitor typed as it is stored: line breaks normalised to \n, and
// every other control character (NUL, escape sequences, C1 codes) dropped but the tab.
// Stored as is they would travel on to the staff console, exports, the model and
// terminals, which act on them; a visitor has no use for them.
func CleanText(s string) string {
	if strings.IndexFunc(s, dropped) < 0 {
		return s // the common case: no copy
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case dropped(r):
			return -1
		}
		return r
	}, s)
}

// CleanLine is CleanText for a one-line field such as a name: line breaks and tabs
// become spaces.
func CleanLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, CleanText(s))
}

// dropped reports whether CleanText changes r.
func dropped(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t'
}

// CSVCell defuses spreadsheet formula injection (OWASP) in a cell of an export: a cell
// that starts with = + - @, a tab or a carriage return is prefixed with ' so a
// spreadsheet shows it as text instead of evaluating it.
func CSVCell(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
