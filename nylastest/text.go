package nylastest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/nylascreds/nylascreds/internal/jsonesc"
)

// bodyProblem refuses a JSON body that is nested more than MaxBodyDepth
// deep, in one pass over its bytes before anything decodes it, and then one
// whose strings are not UTF-8 text (textProblem). It returns "" when neither
// applies; a body that is not JSON is left to the spec guard.
func bodyProblem(body []byte) string {
	if nestedDeeperThan(body, MaxBodyDepth) {
		return fmt.Sprintf("request body is nested more than %d levels deep (arrays and objects)", MaxBodyDepth)
	}
	return textProblem(body)
}

// nestedDeeperThan reports whether JSON text body opens more than limit
// arrays and objects inside one another. It counts the brackets outside strings,
// reading each byte once and allocating nothing. For JSON text the count is
// exact; for text that is not JSON it is exact up to the first error, which
// is as far as any decoder goes.
func nestedDeeperThan(body []byte, limit int) bool {
	depth := 0
	inString, escaped := false, false
	for _, c := range body {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
			// Brackets in a string are text.
		case c == '[' || c == '{':
			depth++
			if depth > limit {
				return true
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return false
}

// textProblem refuses a JSON body whose strings are not valid UTF-8 text:
// raw bytes that are not UTF-8, or a \u escape of half a surrogate pair.
// encoding/json (and most JSON decoders) would silently store either as
// U+FFFD, so a name or a secret would be kept altered, and two different
// secrets could be kept as the same one. It returns "" for a good body (or
// for one that is not JSON at all, which the spec guard refuses), else a
// message naming the first bad string's field.
func textProblem(body []byte) string {
	if jsonesc.Exact(body) {
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
// false when body is not JSON. Its work is linear in the size of body, and
// its memory is that of one token and one level per nesting depth, which
// bodyProblem bounds to MaxBodyDepth before calling it.
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
	bad := func(raw []byte) bool { return !jsonesc.Exact(raw) }

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
