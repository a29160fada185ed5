package nylastest_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
)

// served is a fake behind HTTPServer on a loopback listener, with the time
// the server closed each connection.
type served struct {
	fake   *nylastest.Fake
	addr   string
	mu     sync.Mutex
	closed []time.Time
}

func serve(t *testing.T, opts ...nylastest.Option) *served {
	t.Helper()
	f, err := nylastest.NewFake(opts...)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := nylastest.Listen("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	s := &served{fake: f, addr: ln.Addr().String()}
	srv := f.HTTPServer()
	srv.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateClosed || state == http.StateHijacked {
			s.mu.Lock()
			s.closed = append(s.closed, time.Now())
			s.mu.Unlock()
		}
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// closedWithin waits for the server to have closed n connections, up to d.
func (s *served) closedWithin(n int, d time.Duration) (time.Time, bool) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		if len(s.closed) >= n {
			at := s.closed[n-1]
			s.mu.Unlock()
			return at, true
		}
		s.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	return time.Time{}, false
}

// waitEOF reads conn until the server closes it, up to d, and says when.
func waitEOF(conn net.Conn, d time.Duration) (time.Time, error) {
	_ = conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn)
	if err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "connection reset") {
		return time.Time{}, err // a timeout: still open
	}
	return time.Now(), nil
}

const slack = 2 * time.Second // for a loaded machine; without the timeouts these never close

// TestSlowBodyIsCutAtTheReadTimeout: a client dripping its body one byte a
// second is disconnected at the read timeout, without an answer, and
// nothing is created.
func TestSlowBodyIsCutAtTheReadTimeout(t *testing.T) {
	t.Parallel()
	const bound = time.Second
	s := serve(t, nylastest.WithTimeouts(nylastest.Timeouts{Read: bound}))
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST /v3/connectors/google/creds HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", s.fake.APIKey(), len(connectorBody))
	go func() {
		for i := range len(connectorBody) {
			if _, err := conn.Write([]byte{connectorBody[i]}); err != nil {
				return
			}
			time.Sleep(time.Second)
		}
	}()
	reply := bufio.NewReader(conn)
	_ = conn.SetReadDeadline(time.Now().Add(bound + slack))
	if resp, err := http.ReadResponse(reply, nil); err == nil {
		t.Fatalf("a dripped body got an answer: %s", resp.Status)
	}
	at, ok := s.closedWithin(1, bound+slack-time.Since(start))
	if !ok {
		t.Fatalf("connection still open %v after the first byte (read timeout %v)", time.Since(start), bound)
	}
	if took := at.Sub(start); took < bound-100*time.Millisecond {
		t.Errorf("closed after %v, before the read timeout %v", took, bound)
	}
	if s.fake.Len("google") != 0 {
		t.Error("a cut-off create was stored")
	}
}

// TestIdleKeepAliveIsClosedAtTheIdleTimeout: a keep-alive connection with no
// next request is closed at the idle timeout.
func TestIdleKeepAliveIsClosedAtTheIdleTimeout(t *testing.T) {
	t.Parallel()
	const bound = 500 * time.Millisecond
	s := serve(t, nylastest.WithTimeouts(nylastest.Timeouts{Idle: bound}))
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /v3/connectors/google/creds HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", s.fake.APIKey())
	reply := bufio.NewReader(conn)
	resp, err := http.ReadResponse(reply, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Close {
		t.Fatalf("first request: %s, close %t", resp.Status, resp.Close)
	}
	idle := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(bound + slack))
	if _, err := reply.ReadByte(); err == nil || isTimeout(err) {
		t.Fatalf("idle connection still open after %v (idle timeout %v): %v", time.Since(idle), bound, err)
	}
	if took := time.Since(idle); took < bound-100*time.Millisecond {
		t.Errorf("closed after %v, before the idle timeout %v", took, bound)
	}
}

// TestClientThatNeverReadsIsClosedAtTheWriteTimeout: a client that asks for
// a large answer and never reads it blocks the server's write until the
// write timeout closes the connection.
func TestClientThatNeverReadsIsClosedAtTheWriteTimeout(t *testing.T) {
	t.Parallel()
	const bound = 500 * time.Millisecond
	s := serve(t, nylastest.WithTimeouts(nylastest.Timeouts{Write: bound}))
	// 16 MiB: more than the socket buffers of both ends can hold.
	s.fake.Enqueue(nylastest.Fault{Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: strings.Repeat("x", 16<<20)})
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "GET /v3/connectors/google/creds HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", s.fake.APIKey())
	at, ok := s.closedWithin(1, bound+2*slack)
	if !ok {
		t.Fatalf("connection still open %v after a request its client never reads (write timeout %v)", time.Since(start), bound)
	}
	if took := at.Sub(start); took < bound-100*time.Millisecond {
		t.Errorf("closed after %v, before the write timeout %v", took, bound)
	}
	// The client, reading at last, gets what was buffered and then the end.
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := io.Copy(io.Discard, conn)
	if n >= 16<<20 || (err != nil && !strings.Contains(err.Error(), "connection reset")) {
		t.Errorf("client read %d bytes, err %v", n, err)
	}
}

// TestNewServerHasTheTimeouts: the httptest-based server has them too.
func TestNewServerHasTheTimeouts(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nylastest.WithTimeouts(nylastest.Timeouts{Idle: 300 * time.Millisecond}))
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /v3/connectors/google/creds HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", srv.APIKey())
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := waitEOF(conn, 300*time.Millisecond+slack); err != nil {
		t.Errorf("idle connection to NewServer still open: %v", err)
	}
	c := srv.Config
	if c.ReadHeaderTimeout != 10*time.Second || c.ReadTimeout != 20*time.Second || c.WriteTimeout != 20*time.Second || c.IdleTimeout != 300*time.Millisecond || c.MaxHeaderBytes != 64<<10 {
		t.Errorf("server config: %v %v %v %v %d", c.ReadHeaderTimeout, c.ReadTimeout, c.WriteTimeout, c.IdleTimeout, c.MaxHeaderBytes)
	}
}

func TestDefaultTimeoutsAreBounded(t *testing.T) {
	d := nylastest.DefaultTimeouts
	for name, v := range map[string]time.Duration{"ReadHeader": d.ReadHeader, "Read": d.Read, "Write": d.Write, "Idle": d.Idle} {
		if v <= 0 || v > 30*time.Second {
			t.Errorf("DefaultTimeouts.%s = %v, want in (0, 30s]", name, v)
		}
	}
	_, err := nylastest.NewFake(nylastest.WithTimeouts(nylastest.Timeouts{Read: -time.Second, Idle: -1}))
	if err == nil || err.Error() != "nylastest: WithTimeouts: Read is negative (-1s)\nnylastest: WithTimeouts: Idle is negative (-1ns)" {
		t.Errorf("negative timeouts: %v", err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestListenRefusesNonLoopback: nothing listens on an address that is not
// loopback unless asked.
func TestListenRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.0.2.1:0", "example.com:0", "256.0.0.1:1", "127.0.0.1.nip.io:0"} {
		ln, err := nylastest.Listen(addr, false)
		if !errors.Is(err, nylastest.ErrNotLoopback) {
			t.Errorf("Listen(%q) = %v, want ErrNotLoopback", addr, err)
		}
		if ln != nil {
			ln.Close()
		}
	}
	if _, err := nylastest.Listen("127.0.0.1", false); err == nil || errors.Is(err, nylastest.ErrNotLoopback) || !strings.Contains(err.Error(), "missing port") {
		t.Errorf("no port: %v", err)
	}
	for _, addr := range []string{"127.0.0.1:0", "127.3.2.1:0", "localhost:0", "LOCALHOST:0", "[::1]:0"} {
		ln, err := nylastest.Listen(addr, false)
		if err != nil {
			if addr == "[::1]:0" && !errors.Is(err, nylastest.ErrNotLoopback) {
				continue // no IPv6 on this machine
			}
			t.Errorf("Listen(%q): %v", addr, err)
			continue
		}
		if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
			t.Errorf("Listen(%q) listens on %v", addr, ip)
		}
		ln.Close()
	}
}

// TestServeStopsWithItsContext: Serve answers until its context ends, then
// returns nil.
func TestServeStopsWithItsContext(t *testing.T) {
	t.Parallel()
	f, err := nylastest.NewFake()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := nylastest.Listen("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Serve(ctx, ln) }()
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/v3/connectors/google/creds", nil)
	req.Header.Set("Authorization", "Bearer "+f.APIKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("still listening after Serve returned")
	}
}
