package nylastest

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"time"
)

// Fault scripts the fake's answer to one coming request (or, with Times,
// to several in a row). Faults are used in the order they were enqueued,
// whatever the route; with none queued the fake behaves normally.
//
// Whoever answers, the fake first records the request (see Request.Problem)
// and checks it against openapi.yaml. A scripted answer is checked against
// openapi.yaml as well, once it is sent (the check never delays it), and
// one that breaks it is recorded in Violations, unless OffSpec says it is
// meant to, or it stands for a proxy in front of the API: an error status
// (not 2xx) whose Content-Type is not JSON, such as an HTML 502 page or an
// empty 503. Read Violations once the answers are done: after Server.Close
// (or Serve's return), which waits for them.
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
	// Handler, when set, answers the request instead of the normal response
	// (or instead of Status), with all of net/http at hand: a body written
	// slowly, a Content-Length that lies, huge headers, an answer that
	// depends on the request. The request's body reads from the start (it
	// is empty for a request without the API key). What Handler writes is
	// checked against openapi.yaml when it returns, unless it hijacked the
	// connection, panicked, or the client went away first. A body over 4
	// MiB is not kept for the check, and is recorded as a violation unless
	// OffSpec is set.
	Handler http.HandlerFunc
	// Drop closes the connection without any response. It takes precedence
	// over Handler and Status.
	Drop bool
	// Handle runs the request normally first (so it takes effect), and only
	// then answers with Drop, Handler or Status: a lost response.
	Handle bool
	// OffSpec says the answer breaks openapi.yaml on purpose (a truncated
	// body, "{}" for a credential, text where the API sends JSON): it is
	// not checked, and never recorded in Violations.
	OffSpec bool
	// Times is how many requests in a row the fault answers: 0 and 1 both
	// mean one. Faults enqueued after it wait until it is used up, so
	// Times: math.MaxInt answers every request from then on.
	Times int
}

// Enqueue scripts the next responses, one Fault per request (Fault.Times
// requests for a Fault that sets it).
func (f *Fake) Enqueue(faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = append(f.script, faults...)
}

// nextFault takes the next scripted fault, if any: the head of the queue,
// which stays there while its Times lasts.
func (f *Fake) nextFault() (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.script) == 0 {
		return Fault{}, false
	}
	fault := f.script[0]
	if fault.Times > 1 {
		f.script[0].Times--
		return fault, true
	}
	f.script[0] = Fault{} // let its header and body go
	f.script = f.script[1:]
	return fault, true
}

// answer replaces the response as the fault scripts it (a dropped
// connection, a handler's answer, or a status with its headers and body),
// checks what was scripted against openapi.yaml, and reports whether it
// answered.
func (f *Fake) answer(fault Fault, w http.ResponseWriter, r *http.Request, v *verdict) bool {
	switch {
	case fault.Drop:
		dropConnection(w)
	case fault.Handler != nil:
		cw := &capturingWriter{w: w}
		fault.Handler(cw, r)
		// An answer nobody received (the client went away before the
		// handler returned, as a client that times out does) is not
		// checked: the handler may have meant never to finish it.
		if !fault.OffSpec && !cw.hijacked && r.Context().Err() == nil {
			f.checkScripted(r, v, cw.code(), cw.header, cw.body.Bytes(), cw.overflow)
		}
	case fault.Status != 0:
		for k, vs := range fault.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(fault.Status)
		_, _ = io.WriteString(w, fault.Body)
		// Checked once sent, so that the check never delays the answer;
		// the header is as sent, its names canonical.
		if !fault.OffSpec {
			f.checkScripted(r, v, fault.Status, w.Header(), []byte(fault.Body), false)
		}
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

// maxCheckedBody bounds the body of a Handler's answer kept for the check.
const maxCheckedBody = 4 << 20

// capturingWriter passes a Handler's answer straight through (flushes and
// hijacking included) and keeps a copy of its status, its header as sent,
// and up to maxCheckedBody bytes of its body.
type capturingWriter struct {
	w        http.ResponseWriter
	status   int
	header   http.Header
	body     bytes.Buffer
	overflow bool
	hijacked bool
}

func (c *capturingWriter) Header() http.Header { return c.w.Header() }

func (c *capturingWriter) WriteHeader(status int) {
	if c.status == 0 && status >= 200 {
		c.status = status
		c.header = c.w.Header().Clone()
	}
	c.w.WriteHeader(status)
}

func (c *capturingWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	if !c.overflow {
		if c.body.Len()+len(p) > maxCheckedBody {
			c.overflow = true
			c.body = bytes.Buffer{}
		} else {
			c.body.Write(p)
		}
	}
	return c.w.Write(p)
}

// code is the status sent: 200 when the handler wrote nothing at all.
func (c *capturingWriter) code() int {
	if c.status == 0 {
		c.header = c.w.Header().Clone()
		return http.StatusOK
	}
	return c.status
}

func (c *capturingWriter) Flush() {
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	if fl, ok := c.w.(http.Flusher); ok {
		fl.Flush()
	}
}

func (c *capturingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := c.w.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	conn, rw, err := hj.Hijack()
	if err == nil {
		c.hijacked = true
	}
	return conn, rw, err
}

// Unwrap lets http.ResponseController reach the connection's own writer.
func (c *capturingWriter) Unwrap() http.ResponseWriter { return c.w }
