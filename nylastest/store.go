package nylastest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"sort"
)

// record is one stored credential.
type record struct {
	provider  string
	id        string
	name      string
	ctype     string
	data      json.RawMessage // compact, as the client sent it
	createdAt int64
	updatedAt int64
	seq       int64 // creation order, to break sort ties
}

type storeKey struct{ provider, id string }

// credentialJSON is the API's credential object.
type credentialJSON struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	CreatedAt      int64  `json:"created_at"`
	UpdatedAt      int64  `json:"updated_at"`
	CredentialType string `json:"credential_type,omitempty"`
}

// view is the credential object the fake sends for r: credential_type only
// when WithCredentialType asked for it.
func (f *Fake) view(r *record) credentialJSON {
	c := credentialJSON{ID: r.id, Name: r.name, CreatedAt: r.createdAt, UpdatedAt: r.updatedAt}
	if f.reportType {
		c.CredentialType = r.ctype
	}
	return c
}

// newID returns a random UUID-shaped id, like Nylas's.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// compactJSON normalises a JSON value for storage and comparison.
func compactJSON(raw json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw
	}
	return buf.Bytes()
}

// sameJSON reports whether two JSON values are the same: object keys in any
// order, any whitespace, strings however escaped, and numbers exactly as
// written. A number is never compared through float64, which holds
// 9007199254740992 and 9007199254740993 as one value; 1 and 1.0 differ.
func sameJSON(a, b json.RawMessage) bool {
	ca, okA := canonicalJSON(a)
	cb, okB := canonicalJSON(b)
	return okA && okB && bytes.Equal(ca, cb)
}

// canonicalJSON encodes a JSON value again with its object keys sorted, its
// strings escaped one way, and its numbers as written.
func canonicalJSON(raw json.RawMessage) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	b, err := json.Marshal(v)
	return b, err == nil
}

// sortRecords orders a provider's credentials as list does.
func sortRecords(recs []*record, sortBy, orderBy string) {
	key := func(r *record) int64 {
		if sortBy == "updated_at" {
			return r.updatedAt
		}
		return r.createdAt
	}
	sort.Slice(recs, func(i, j int) bool {
		ki, kj := key(recs[i]), key(recs[j])
		if ki == kj {
			ki, kj = recs[i].seq, recs[j].seq
		}
		if orderBy == "asc" {
			return ki < kj
		}
		return ki > kj
	})
}
