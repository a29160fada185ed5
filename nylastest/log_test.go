package nylastest

import (
	"fmt"
	"strings"
	"testing"
)

func TestRequestLogKeepsTheMostRecent(t *testing.T) {
	queries := func(l *requestLog) string {
		var out []string
		for _, r := range l.all() {
			out = append(out, r.RawQuery)
		}
		return strings.Join(out, ",")
	}
	l := requestLog{max: 3, maxBytes: 10}
	for i := range 5 {
		l.add(Request{RawQuery: fmt.Sprint(i), Body: []byte("ab")})
	}
	if got := queries(&l); got != "2,3,4" || l.bytes != 6 {
		t.Errorf("count bound: %q (%d bytes), want 2,3,4 (6 bytes)", got, l.bytes)
	}
	l.add(Request{RawQuery: "big", Body: []byte("0123456789")})
	if got := queries(&l); got != "big" || l.bytes != 10 {
		t.Errorf("byte bound: %q (%d bytes), want big alone", got, l.bytes)
	}
	// Dropped entries release their bodies, and the slice stays small.
	for i := range 1000 {
		l.add(Request{RawQuery: fmt.Sprint(i), Body: []byte("x")})
	}
	if got := queries(&l); got != "997,998,999" || len(l.items) > 2*l.max+1 {
		t.Errorf("after 1000 adds: %q, %d slots", got, len(l.items))
	}
	for _, r := range l.items[:l.head] {
		if r.Body != nil {
			t.Fatal("a dropped request still holds its body")
		}
	}
	// Headers count against the byte bound as bodies do.
	l = requestLog{max: 3, maxBytes: 20}
	l.add(Request{RawQuery: "a", Header: map[string][]string{"X-Pad": {"0123456789"}}}) // 15 bytes
	l.add(Request{RawQuery: "b", Body: []byte("0123"), Header: map[string][]string{"K": {"v"}}})
	if got := queries(&l); got != "b" || l.bytes != 6 {
		t.Errorf("header bound: %q (%d bytes), want b alone (6 bytes)", got, l.bytes)
	}
	none := requestLog{max: 0, maxBytes: 10}
	none.add(Request{RawQuery: "x"})
	if len(none.all()) != 0 {
		t.Error("a log of size 0 kept a request")
	}
}
