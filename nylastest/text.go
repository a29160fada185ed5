package nylastest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nylascreds/nylascreds/internal/jsonesc"
)

// textProblem refuses a JSON body whose strings are not valid UTF-8 text:
// raw bytes that are not UTF-8, or a \u escape of half a surrogate pair.
// encoding/json (and most JSON decoders) would silently store either as
// U+FFFD, so a name or a secret would be kept altered, and two different
// secrets could be kept as the same one. It returns "" for a good body (or
// for one that is not JSON at all, which the spec guard refuses), else a
// message naming the first bad string's field.
func textProblem(body []byte) string {
	if utf8.Valid(body) && !jsonesc.HasLoneSurrogate(body) {
		return ""
	}
	where, ok := badStringPath(body)
	if !ok {
		return ""
	}
	return where + ": is not valid UTF-8 text (a JSON string must be UTF-8, with no unpaired \\ud800-\\udfff escape)"
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
	bad := func(raw []byte) bool { return !utf8.Valid(raw) || jsonesc.HasLoneSurrogate(raw) }

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
