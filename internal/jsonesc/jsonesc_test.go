package jsonesc

import "testing"

// TestLoneSurrogate: a \u escape of half a surrogate pair decodes to U+FFFD;
// an escaped backslash before "u" is no escape.
func TestLoneSurrogate(t *testing.T) {
	for in, want := range map[string]bool{`"a"`: false, `"\ud800"`: true, `"\udc00x"`: true, `"\ud83d\ude00"`: false, `"\\ud800"`: false, `"\\\ud800"`: true, `"\u0041"`: false, `"\ud83d\u0041"`: true, `"\ud83d"`: true} {
		if got := HasLoneSurrogate([]byte(in)); got != want {
			t.Errorf("%s: %v", in, got)
		}
	}
}
