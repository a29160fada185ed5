// Package jsonesc inspects the escapes of JSON text. The fake server and the
// client both refuse text that a JSON decoder would change without a word.
package jsonesc

import (
	"strconv"
	"unicode/utf8"
)

// Exact reports whether encoding/json decodes every string of JSON text b as
// written: b is UTF-8 and holds no lone surrogate escape.
func Exact(b []byte) bool { return utf8.Valid(b) && !HasLoneSurrogate(b) }

// HasLoneSurrogate reports whether JSON text b holds a \u escape of a
// surrogate that is not part of a high-low pair: encoding/json (and most
// JSON decoders) silently turn it into U+FFFD.
func HasLoneSurrogate(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		i++ // the escaped character
		if i >= len(b) || b[i] != 'u' {
			continue
		}
		r, ok := hex4(b[i+1:])
		if !ok {
			continue // malformed: the decoder refuses it
		}
		i += 4
		switch {
		case r >= 0xdc00 && r <= 0xdfff:
			return true // a low half with no high half before it
		case r >= 0xd800 && r <= 0xdbff:
			if len(b) < i+7 || b[i+1] != '\\' || b[i+2] != 'u' {
				return true
			}
			lo, ok := hex4(b[i+3:])
			if !ok || lo < 0xdc00 || lo > 0xdfff {
				return true
			}
			i += 6
		}
	}
	return false
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[:4]), 16, 16)
	return rune(v), err == nil
}
