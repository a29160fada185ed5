package nylastest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// Timeouts bound how long the fake's HTTP server waits on a client, so that
// slow, idle or stuck clients cannot hold connections (and memory) forever.
type Timeouts struct {
	// ReadHeader bounds reading a request's headers.
	ReadHeader time.Duration
	// Read bounds reading a whole request, body included, from its first byte.
	Read time.Duration
	// Write bounds writing a response, from the end of its request's headers.
	// A Fault.Delay longer than this ends in a closed connection.
	Write time.Duration
	// Idle bounds how long a keep-alive connection waits for its next request.
	Idle time.Duration
}

// DefaultTimeouts are the fake's timeouts unless WithTimeouts says otherwise.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: 20 * time.Second, Write: 20 * time.Second, Idle: 20 * time.Second}

// maxHeaderBytes bounds a request's headers (net/http's default is 1 MiB).
const maxHeaderBytes = 64 << 10

// WithTimeouts sets the timeouts of the servers NewServer, HTTPServer and
// Serve build; a zero field keeps its default. There is no way to turn a
// timeout off.
func WithTimeouts(t Timeouts) Option {
	return func(f *Fake) {
		set := func(name string, v time.Duration, field *time.Duration) {
			switch {
			case v < 0:
				f.optErr = errors.Join(f.optErr, fmt.Errorf("nylastest: WithTimeouts: %s is negative (%v)", name, v))
			case v > 0:
				*field = v
			}
		}
		set("ReadHeader", t.ReadHeader, &f.timeouts.ReadHeader)
		set("Read", t.Read, &f.timeouts.Read)
		set("Write", t.Write, &f.timeouts.Write)
		set("Idle", t.Idle, &f.timeouts.Idle)
	}
}

// HTTPServer returns an *http.Server that serves f with its timeouts (see
// WithTimeouts) and a 64 KiB bound on request headers. Request bodies are
// bounded by the fake itself (MaxBodyBytes). Serve it on a listener from
// Listen, or use Serve, which does both and shuts down cleanly.
func (f *Fake) HTTPServer() *http.Server {
	s := &http.Server{Handler: f}
	f.configure(s)
	return s
}

func (f *Fake) configure(s *http.Server) {
	s.ReadHeaderTimeout = f.timeouts.ReadHeader
	s.ReadTimeout = f.timeouts.Read
	s.WriteTimeout = f.timeouts.Write
	s.IdleTimeout = f.timeouts.Idle
	s.MaxHeaderBytes = maxHeaderBytes
}

// ErrNotLoopback is returned by Listen for an address that is not loopback.
var ErrNotLoopback = errors.New("not a loopback address")

// Listen listens on TCP address addr ("127.0.0.1:4010", "[::1]:0",
// "localhost:4010"). The fake keeps every secret it is sent, so unless
// allowNonLoopback is true, an address that is not loopback (an empty host,
// 0.0.0.0, a LAN address, a host name other than localhost) is refused with
// an error wrapping ErrNotLoopback, before anything listens.
func Listen(addr string, allowNonLoopback bool) (net.Listener, error) {
	if !allowNonLoopback {
		if err := checkLoopback(addr); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !allowNonLoopback && (!ok || !tcp.IP.IsLoopback()) {
		_ = ln.Close()
		return nil, fmt.Errorf("nylastest: listen %s: %w (it resolved to %s)", addr, ErrNotLoopback, ln.Addr())
	}
	return ln, nil
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("nylastest: listen %q: %w", addr, ErrNotLoopback)
}

// shutdownGrace is how long Serve lets requests in flight finish.
const shutdownGrace = 5 * time.Second

// Serve serves f on ln with HTTPServer's settings until ctx ends, then shuts
// down, letting requests in flight finish for up to 5 seconds. It returns
// nil after a shutdown, or the error that stopped the server.
func (f *Fake) Serve(ctx context.Context, ln net.Listener) error {
	srv := f.HTTPServer()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	<-done
	return err
}
