package models

// Truncate cuts s to at most n characters, counted as a text field's Max counts them
// (runes), so what is stored fits its field and no character is cut in half.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s // no more bytes than n: no more runes either
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}
