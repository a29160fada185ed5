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

// TestExact: raw bytes that are not UTF-8, or a lone surrogate escape, are
// what encoding/json would decode as U+FFFD.
func TestExact(t *testing.T) {
	for in, want := range map[string]bool{`"é"`: true, `"\ud83d\ude00"`: true, "\"\xff\"": false, `"\udc00"`: false, "\"\xed\xa0\x80\"": false} {
		if got := Exact([]byte(in)); got != want {
			t.Errorf("%q: %v", in, got)
		}
	}
}
