package nylastest

import (
	"io"
	"net/http"
	"time"
)

// Fault scripts the fake's answer to one coming request. Faults are used in
// the order they were enqueued, one per request, whatever the route; with
// none queued the fake behaves normally.
type Fault struct {
	// Delay waits before anything else (ends early if the client goes away).
	// Past the write timeout (Timeouts.Write) the answer cannot be sent, and
	// the client sees the connection closed.
	Delay time.Duration
	// Status, when set, is answered with Header and Body instead of the
	// normal response. Body is sent as is; set Content-Type in Header.
	Status int
	Header http.Header
	Body   string
	// Drop closes the connection without any response.
	Drop bool
	// Handle runs the request normally first (so it takes effect), and only
	// then answers with Status or drops the connection: a lost response.
	Handle bool
}

// Enqueue scripts the next responses, one Fault per request.
func (f *Fake) Enqueue(faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = append(f.script, faults...)
}

// nextFault pops the next scripted fault, if any.
func (f *Fake) nextFault() (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.script) == 0 {
		return Fault{}, false
	}
	fault := f.script[0]
	f.script = f.script[1:]
	return fault, true
}

// answer replaces the response as the fault scripts it (a status with its
// headers and body, or a dropped connection) and reports whether it did.
func (fault Fault) answer(w http.ResponseWriter) bool {
	switch {
	case fault.Drop:
		dropConnection(w)
	case fault.Status != 0:
		for k, vs := range fault.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(fault.Status)
		_, _ = io.WriteString(w, fault.Body)
	default:
		return false
	}
	return true
}

// dropConnection closes the client's connection without a response.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Not hijackable (HTTP/2): abort the handler, which resets the stream.
	panic(http.ErrAbortHandler)
}
