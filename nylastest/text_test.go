package nylastest

import "testing"

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
