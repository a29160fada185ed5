package nylastest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestTextProblem(t *testing.T) {
	const tail = ": is not valid UTF-8 text (a JSON string must be UTF-8, with no unpaired \\ud800-\\udfff escape)"
	cases := []struct{ body, want string }{
		{`{"name":"plain"}`, ""},
		{`{"name":"caf\u00e9 \ud83d\ude00 ` + "\u00e9\U0001F600" + `"}`, ""}, // escapes, a pair, raw UTF-8
		{`{"name":"\\ud800"}`, ""},        // an escaped backslash, then text
		{`{"name":"\\\ud83d\ude00"}`, ""}, // a backslash, then a pair
		{"not json \xff", ""},             // left to the spec guard
		{"{\"name\":\"bad\xff\"}", "request body field name" + tail},
		{"{\"name\":\"ok\",\"credential_data\":{\"client_id\":\"c\",\"client_secret\":\"s\xc3\"}}", "request body field credential_data.client_secret" + tail},
		{`{"credential_data":{"client_secret":"\ud800"}}`, "request body field credential_data.client_secret" + tail},
		{`{"credential_data":{"client_secret":"x\udc00y"}}`, "request body field credential_data.client_secret" + tail},
		{`{"name":"\ud83dx"}`, "request body field name" + tail},
		{`{"name":"\ud83d\u0041"}`, "request body field name" + tail},
		{`{"name":"\ud83d"}`, "request body field name" + tail},
		{"{\"credential_data\":{\"ok\":1,\"k\xff\":\"v\"}}", "request body field credential_data (a key)" + tail},
		{"{\"a\xff\":1}", "request body (a key)" + tail},
		{"{\"list\":[\"a\",{\"b\":\"\xff\"}]}", "request body field list.1.b" + tail},
		{"{\"n\":[1,2],\"m\":{},\"z\":\"\xed\xa0\x80\"}", "request body field z" + tail}, // UTF-8-encoded surrogate
		{"\"\xff\"", "request body" + tail},
	}
	for _, tc := range cases {
		if got := textProblem([]byte(tc.body)); got != tc.want {
			t.Errorf("textProblem(%q)\n got %q\nwant %q", tc.body, got, tc.want)
		}
	}
}

// TestBodyProblem: nesting deeper than MaxBodyDepth is refused before any
// string is looked at; at the limit, a bad string is named with its path.
func TestBodyProblem(t *testing.T) {
	deep := fmt.Sprintf("request body is nested more than %d levels deep (arrays and objects)", MaxBodyDepth)
	atLimit := strings.Repeat("[", MaxBodyDepth-1) + "{\"k\":\"\xff\"}"
	wantAtLimit := "request body field " + strings.Repeat("0.", MaxBodyDepth-1) + "k: is not valid UTF-8 text"
	cases := []struct{ body, want string }{
		{`{"name":"plain"}`, ""},
		{strings.Repeat("[", MaxBodyDepth) + strings.Repeat("]", MaxBodyDepth), ""},
		{strings.Repeat("[", MaxBodyDepth+1) + strings.Repeat("]", MaxBodyDepth+1), deep},
		{strings.Repeat(`{"a":`, MaxBodyDepth+1) + "1", deep},
		{"[" + atLimit + "]", deep},
		{"[\"\xff\"," + atLimit + "]", deep},                                          // the depth is refused first
		{`["` + strings.Repeat("[", MaxBodyDepth+1) + `\"]"]`, ""},                    // brackets in a string
		{`["\\",` + strings.Repeat("[", MaxBodyDepth) + `]`, deep},                    // an escaped backslash ends no string
		{strings.Repeat("]", MaxBodyDepth+1) + strings.Repeat("[", MaxBodyDepth), ""}, // not JSON: left to the spec guard
	}
	for _, tc := range cases {
		if got := bodyProblem([]byte(tc.body)); got != tc.want {
			t.Errorf("bodyProblem(%.40q...)\n got %q\nwant %q", tc.body, got, tc.want)
		}
	}
	if got := bodyProblem([]byte(atLimit)); !strings.HasPrefix(got, wantAtLimit) {
		t.Errorf("bad string at the limit: %q, want %q...", got, wantAtLimit)
	}
	bomb := append(bytes.Repeat([]byte("["), MaxBodyBytes-1), 0xff)
	if n := testing.AllocsPerRun(10, func() { bodyProblem(bomb) }); n > 2 {
		t.Errorf("bodyProblem of 1 MiB of [: %v allocations, want only its message", n)
	}
}
