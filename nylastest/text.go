package nylastest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// textProblem refuses a JSON body whose strings are not valid UTF-8 text:
// raw bytes that are not UTF-8, or a \u escape of half a surrogate pair.
// encoding/json (and most JSON decoders) would silently store either as
// U+FFFD, so a name or a secret would be kept altered, and two different
// secrets could be kept as the same one. It returns "" for a good body (or
// for one that is not JSON at all, which the spec guard refuses), else a
// message naming the first bad string's field.
func textProblem(body []byte) string {
	if utf8.Valid(body) && !hasLoneSurrogate(body) {
		return ""
	}
	where, ok := badStringPath(body)
	if !ok {
		return ""
	}
	return where + ": is not valid UTF-8 text (a JSON string must be UTF-8, with no unpaired \\ud800-\\udfff escape)"
}

// hasLoneSurrogate reports whether b holds a \u escape of a surrogate that
// is not part of a high-low pair.
func hasLoneSurrogate(b []byte) bool {
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

// badStringPath walks the JSON tokens of body and returns where its first
// bad string is ("request body field credential_data.client_secret"), or
// false when body is not JSON.
func badStringPath(body []byte) (string, bool) {
	type level struct {
		object  bool
		wantKey bool
		key     string
		index   int
	}
	var stack []*level
	path := func() string {
		var parts []string
		for _, l := range stack {
			if l.object {
				parts = append(parts, l.key)
			} else {
				parts = append(parts, strconv.Itoa(l.index))
			}
		}
		if len(parts) == 0 {
			return "request body"
		}
		return "request body field " + strings.Join(parts, ".")
	}
	afterValue := func() {
		if n := len(stack); n > 0 {
			if top := stack[n-1]; top.object {
				top.wantKey = true
			} else {
				top.index++
			}
		}
	}
	bad := func(raw []byte) bool { return !utf8.Valid(raw) || hasLoneSurrogate(raw) }

	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var prev int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		raw := body[prev:dec.InputOffset()] // the token and what precedes it
		prev = dec.InputOffset()
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, &level{object: t == '{', wantKey: t == '{'})
			default:
				stack = stack[:len(stack)-1]
				afterValue()
				if len(stack) == 0 {
					return "", false
				}
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].wantKey {
				if bad(raw) {
					stack = stack[:n-1] // name the object that holds the key
					return path() + " (a key)", true
				}
				stack[n-1].key, stack[n-1].wantKey = t, false
				continue
			}
			if bad(raw) {
				return path(), true
			}
			afterValue()
		default:
			afterValue()
		}
	}
}
