package tests

// Regression tests for the ways the client broke its trust promises when it
// was attacked: each names the defect it guards and is built the way the
// defect happens (real TLS, a real loopback proxy, servers echoing secrets).

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// proxyListener is a loopback listener posing as an HTTP proxy: it counts
// the connections it accepts and answers each with 502.
type proxyListener struct {
	*httptest.Server
	conns atomic.Int32
}

func newProxyListener(t *testing.T) *proxyListener {
	p := &proxyListener{}
	p.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	p.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			p.conns.Add(1)
		}
	}
	p.Start()
	t.Cleanup(p.Close)
	return p
}

// Defect a: with HTTP_PROXY set, http://LOCALHOST passed the loopback check
// but net/http's proxy bypass matches only lower-case "localhost", so the
// API key went to the proxy in clear text. HTTP_PROXY is read once per
// process, so the client runs in a child process with it set.
func TestPlainHTTPNeverGoesThroughTheEnvironmentProxy(t *testing.T) {
	if base := os.Getenv("NYLASCREDS_TEST_PROXY_CHILD"); base != "" {
		c, err := wrapper.New(testAPIKey, wrapper.WithBaseURL(base), wrapper.WithRetries(0))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Get(context.Background(), wrapper.ProviderGoogle, "cred-1"); err != nil {
			t.Fatalf("the request did not reach the server directly: %v", err)
		}
		return
	}
	proxy := newProxyListener(t)
	for _, host := range []string{"LOCALHOST", "LocalHost", "localhost"} {
		t.Run(host, func(t *testing.T) {
			f := newFake(t, jsonReply(200, credentialJSON))
			port := f.Listener.Addr().(*net.TCPAddr).Port
			cmd := exec.Command(os.Args[0], "-test.run=^TestPlainHTTPNeverGoesThroughTheEnvironmentProxy$", "-test.count=1")
			cmd.Env = append(os.Environ(),
				fmt.Sprintf("NYLASCREDS_TEST_PROXY_CHILD=http://%s:%d", host, port),
				"HTTP_PROXY="+proxy.URL, "http_proxy="+proxy.URL, "NO_PROXY=", "no_proxy=")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			if n := proxy.conns.Load(); n != 0 {
				t.Fatalf("the proxy received %d connections: the API key crossed it in clear text", n)
			}
			if got := len(f.Requests()); got != 1 {
				t.Errorf("server saw %d requests, want 1", got)
			}
		})
	}
}

// Defect a, second door: a caller's http.Client with a proxy configured.
func TestPlainHTTPNeverGoesThroughTheCallersProxy(t *testing.T) {
	proxy := newProxyListener(t)
	proxyURL, _ := url.Parse(proxy.URL)
	f := newFake(t, jsonReply(200, credentialJSON))
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}}
	c, err := wrapper.New(testAPIKey, wrapper.WithBaseURL(strings.Replace(f.URL, "127.0.0.1", "LOCALHOST", 1)), wrapper.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(context.Background(), wrapper.ProviderGoogle, "cred-1"); err != nil {
		t.Fatal(err)
	}
	if n := proxy.conns.Load(); n != 0 || len(f.Requests()) != 1 {
		t.Errorf("proxy saw %d connections, server %d requests; want 0 and 1", n, len(f.Requests()))
	}
	if hc.Transport.(*http.Transport).Proxy == nil {
		t.Error("the caller's transport was modified")
	}
}

// tlsServer is a real TLS server in front of the fake, which answers every
// request with the credential, and counts the connections it accepts.
type tlsServer struct {
	*httptest.Server
	conns *atomic.Int32
}

func newTLSServer(t *testing.T, cert *tls.Certificate) *tlsServer {
	_, srv, conns := servedFake(t, times(math.MaxInt, jsonReply(200, credentialJSON)))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failures are the point
	if cert != nil {
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	srv.StartTLS()
	return &tlsServer{Server: srv, conns: conns}
}

// expiredCert is a self-signed certificate for 127.0.0.1 that expired a day ago.
func expiredCert(t *testing.T) (tls.Certificate, *x509.Certificate) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(7),
		Subject:               pkix.Name{CommonName: "expired"},
		NotBefore:             time.Now().Add(-48 * time.Hour),
		NotAfter:              time.Now().Add(-24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, leaf
}

func trusting(certs ...*x509.Certificate) *http.Client {
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// Defect b: a certificate that cannot be trusted was attempted three times.
// Each case is a real TLS server; the failure is permanent, so one
// connection and no retry, and the certificate error stays reachable.
func TestUntrustedCertificatesAreNotRetried(t *testing.T) {
	expired, expiredLeaf := expiredCert(t)
	cases := []struct {
		name  string
		cert  *tls.Certificate
		base  func(s *tlsServer) string
		hc    func(s *tlsServer) *http.Client
		check func(err error) bool
	}{
		{"unknown-authority", nil, func(s *tlsServer) string { return s.URL }, nil,
			func(err error) bool { var e x509.UnknownAuthorityError; return errors.As(err, &e) }},
		{"wrong-host", nil, func(s *tlsServer) string { return strings.Replace(s.URL, "127.0.0.1", "localhost", 1) },
			func(s *tlsServer) *http.Client { return trusting(s.Certificate()) },
			func(err error) bool { var e x509.HostnameError; return errors.As(err, &e) }},
		{"expired", &expired, func(s *tlsServer) string { return s.URL },
			func(*tlsServer) *http.Client { return trusting(expiredLeaf) },
			func(err error) bool {
				var e x509.CertificateInvalidError
				return errors.As(err, &e) && e.Reason == x509.Expired
			}},
	}
	cases = append(cases, struct {
		name  string
		cert  *tls.Certificate
		base  func(s *tlsServer) string
		hc    func(s *tlsServer) *http.Client
		check func(err error) bool
	}{"client-certificate-required", nil, func(s *tlsServer) string { return s.URL },
		func(s *tlsServer) *http.Client {
			s.TLS.ClientAuth = tls.RequireAnyClientCert
			return trusting(s.Certificate())
		},
		func(err error) bool { var e *net.OpError; return errors.As(err, &e) && e.Op == "remote error" }})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTLSServer(t, tc.cert)
			opts := []wrapper.Option{wrapper.WithBaseURL(tc.base(s)), wrapper.WithRetryBackoff(time.Millisecond, time.Millisecond)}
			if tc.hc != nil {
				opts = append(opts, wrapper.WithHTTPClient(tc.hc(s)))
			}
			c, err := wrapper.New(testAPIKey, opts...)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Get(context.Background(), wrapper.ProviderGoogle, "cred-1")
			var re *wrapper.RequestError
			if !errors.As(err, &re) || re.Attempts != 1 || !tc.check(err) {
				t.Fatalf("err = %v, want a RequestError after 1 attempt wrapping the certificate error", err)
			}
			if n := s.conns.Load(); n != 1 {
				t.Errorf("server accepted %d connections, want 1 (no retry)", n)
			}
		})
	}
	// A trusted certificate works, so the cases above fail for their reason.
	s := newTLSServer(t, nil)
	c, _ := wrapper.New(testAPIKey, wrapper.WithBaseURL(s.URL), wrapper.WithHTTPClient(trusting(s.Certificate())))
	if _, err := c.Get(context.Background(), wrapper.ProviderGoogle, "cred-1"); err != nil {
		t.Errorf("trusted server: %v", err)
	}
}

// Defect c: a 429 then a 404 made Delete report success for an id that
// never existed. Success on a 404 needs an earlier attempt whose outcome was
// lost; a 429 was refused, not lost.
func TestDeleteAfter429Then404IsNotFound(t *testing.T) {
	srv := newFake(t, nylastest.Fault{Status: 429, Header: jsonHeader("Retry-After", "0"), Body: body429})
	c, _ := wrapper.New(testAPIKey, wrapper.WithBaseURL(srv.URL), wrapper.WithRetryBackoff(time.Millisecond, time.Millisecond))
	err := c.Delete(context.Background(), wrapper.ProviderGoogle, "never-existed")
	if !wrapper.IsNotFound(err) {
		t.Fatalf("err = %v, want the 404", err)
	}
	if e := apiErr(t, err); e.Attempts != 2 {
		t.Errorf("attempts = %d, want 2", e.Attempts)
	}
}

// A 429 or a 404 whose body is cut short, then a 404: neither first
// attempt's outcome was lost (the status is the answer), so the 404 stands.
func TestDeleteAfterACutShortRefusalThen404IsNotFound(t *testing.T) {
	for _, status := range []int{429, 404} {
		// The first answer is cut short (off spec on purpose); the fake
		// itself answers the next ones: 404, the id never existed.
		f := newFake(t, nylastest.Fault{OffSpec: true, Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "500")
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"reques`))
		}})
		c, _ := wrapper.New(testAPIKey, wrapper.WithBaseURL(f.URL), wrapper.WithRetryBackoff(time.Millisecond, time.Millisecond))
		err := c.Delete(context.Background(), wrapper.ProviderGoogle, "never-existed")
		if err == nil || len(f.Requests()) < 1 {
			t.Errorf("first answer %d cut short: Delete reported success for an id that never existed", status)
		}
	}
}

// Defect d: a call cancelled (or out of time) while waiting out a 429's
// Retry-After returned a ResponseError, so IsRateLimited was false. It is
// the 429's APIError, with RetryAfter, and errors.Is sees the context's end.
func TestRateLimitedWaitCutShortKeepsThe429(t *testing.T) {
	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
		{"deadline-before-the-wait-ends", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 2*time.Second)
		}, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t, nylastest.Fault{Status: 429, Header: jsonHeader("Retry-After", "5"), Body: body429})
			c, _ := wrapper.New(testAPIKey, wrapper.WithBaseURL(srv.URL))
			ctx, cancel := tc.ctx()
			defer cancel()
			start := time.Now()
			_, err := c.List(ctx, wrapper.ProviderGoogle, nil)
			if !wrapper.IsRateLimited(err) || !errors.Is(err, tc.want) {
				t.Fatalf("err = %T %v; want the 429 APIError matching %v", err, err, tc.want)
			}
			if e := apiErr(t, err); e.RetryAfter != 5*time.Second || e.RequestID != "req-429" {
				t.Errorf("RetryAfter = %v, RequestID = %q", e.RetryAfter, e.RequestID)
			}
			if time.Since(start) > 3*time.Second {
				t.Errorf("returned after %v, not when the context ended", time.Since(start))
			}
		})
	}
}

// Defect f: an oversized body's error named the status twice and a limit of 0.
func TestOversizedBodyErrorSaysTheLimit(t *testing.T) {
	rep := jsonReply(200, `{"request_id":"r","data":{"id":"`+strings.Repeat("x", 2000)+`"}}`)
	rep.OffSpec = true // a credential without its name and times
	f := newFake(t, rep)
	c := newClient(t, f, wrapper.WithMaxResponseBytes(1024))
	_, err := c.Get(context.Background(), wrapper.ProviderGoogle, "cred-1")
	want := "nylascreds: GET /v3/connectors/google/creds/cred-1: unusable 200 response: response body exceeds the size limit of 1024 bytes"
	if err == nil || err.Error() != want || !errors.Is(err, wrapper.ErrResponseTooLarge) {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
}

// secretEchoServer answers a request with the request's own secrets echoed
// back, in a redirect's Location, a header, and the body.
func secretEchoServer(t *testing.T, offSpec bool, answer func(w http.ResponseWriter, key, body string)) *fake {
	return newFakeWithKey(t, canaryAPIKey, nylastest.Fault{OffSpec: offSpec, Handler: func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 1<<16)
		n, _ := r.Body.Read(b)
		answer(w, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), string(b[:n]))
	}})
}

// jsonUnicodeEscape writes every character of s as a \uXXXX escape.
func jsonUnicodeEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// Defect h: secrets echoed by a server stayed reachable from the returned
// error: a refused redirect's *url.Error kept the raw Location, a
// \u-escaped secret in provider_error decoded back to the secret, and
// query-escaped forms passed. leakWatch walks each error's Unwrap chain and
// decodes ProviderError.
func TestEchoedSecretsAreUnreachable(t *testing.T) {
	secret := "CANARY+client/secret=4e8a" // + / = change under query escaping
	data := wrapper.ConnectorOverride{ClientID: "id", ClientSecret: wrapper.NewSecret(secret)}
	answers := map[string]func(w http.ResponseWriter, key, body string){
		"redirect-location": func(w http.ResponseWriter, key, _ string) {
			w.Header().Set("Location", "https://elsewhere.example/steal?key="+url.QueryEscape(key)+"&raw="+key)
			w.WriteHeader(http.StatusFound)
		},
		"provider-error-unicode-escaped": func(w http.ResponseWriter, key, _ string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"request_id":"r","error":{"type":"t","message":"m","provider_error":{"key":"%s","secret":"%s"}}}`,
				jsonUnicodeEscape(key), jsonUnicodeEscape(secret))
		},
		"message-unicode-escaped": func(w http.ResponseWriter, key, _ string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"request_id":"%s","error":{"type":"%s","message":"%s"}}`, jsonUnicodeEscape(key), jsonUnicodeEscape(secret), jsonUnicodeEscape(key))
		},
		"html-query-escaped": func(w http.ResponseWriter, key, _ string) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<a href=\"/retry?k=%s&s=%s&p=%s\">%s</a>", url.QueryEscape(key), url.QueryEscape(secret), url.PathEscape(secret), secret)
		},
		"json-non-envelope": func(w http.ResponseWriter, _, body string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, `{"you_sent":"%s"}`, jsonUnicodeEscape(secret))
		},
		"lower-case-percent-escapes": func(w http.ResponseWriter, key, _ string) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "bad secret %s", strings.ToLower(url.QueryEscape(secret)))
		},
		"python-quote-form": func(w http.ResponseWriter, key, _ string) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "bad secret %s", strings.NewReplacer("+", "%2B", "=", "%3D").Replace(secret))
		},
		"upper-cased": func(w http.ResponseWriter, key, _ string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"request_id":"r","error":{"type":"t","message":"bad key %s"}}`, strings.ToUpper(key))
		},
		"header-name-on-success": func(w http.ResponseWriter, key, _ string) {
			w.Header().Set("X-Echo-"+key, "1")
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(credentialJSON))
		},
		"header-on-success": func(w http.ResponseWriter, key, _ string) {
			w.Header().Set("X-Echo", key+" "+url.QueryEscape(secret))
			w.Header().Set("X-Request-Id", key)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(credentialJSON))
		},
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			watch := newLeakWatch(t)
			watch.addCanary(secret, url.QueryEscape(secret), url.PathEscape(secret), strings.ToLower(url.QueryEscape(secret)),
				strings.ToUpper(canaryAPIKey), http.CanonicalHeaderKey("X-Echo-"+canaryAPIKey),
				strings.NewReplacer("+", "%2B", "=", "%3D").Replace(secret))
			f := secretEchoServer(t, name == "json-non-envelope", answer)
			c, err := wrapper.New(canaryAPIKey, wrapper.WithBaseURL(f.URL), wrapper.WithRetries(0), wrapper.WithLogger(watch.jsonLogger()))
			if err != nil {
				t.Fatal(err)
			}
			var resp wrapper.Response
			_, err = c.Update(context.Background(), wrapper.ProviderYahoo, "cred-1", wrapper.UpdateRequest{Data: data}, wrapper.WithResponseInto(&resp))
			watch.observe(err, resp, resp.Header)
			var urlErr *url.Error
			if errors.As(err, &urlErr) {
				t.Errorf("a *url.Error is reachable: %v", urlErr.URL)
			}
			if name == "header-on-success" && (err != nil || resp.Header.Get("X-Echo") == "") {
				t.Errorf("err = %v, header %v", err, resp.Header)
			}
		})
	}
}

// Defect i: invalid UTF-8 was silently replaced by U+FFFD, storing a
// different secret. Every string field is refused by path; nothing is sent.
func TestInvalidUTF8IsRefusedByField(t *testing.T) {
	bad := "ab\xffcd"
	f := newFake(t)
	c := newClient(t, f)
	ctx := context.Background()
	cases := []struct {
		field string
		call  func() error
	}{
		{"credential_data.client_secret", func() error {
			_, err := c.Update(ctx, wrapper.ProviderYahoo, "id", wrapper.UpdateRequest{Data: wrapper.ConnectorOverride{ClientID: "a", ClientSecret: wrapper.NewSecret(bad)}})
			return err
		}},
		{"credential_data.client_id", func() error {
			_, err := c.Create(ctx, wrapper.ProviderYahoo, wrapper.CreateRequest{Name: "n", Data: wrapper.ConnectorOverride{ClientID: bad, ClientSecret: wrapper.NewSecret("s")}})
			return err
		}},
		{"credential_data.tenant", func() error {
			_, err := c.Update(ctx, wrapper.ProviderMicrosoft, "id", wrapper.UpdateRequest{Data: wrapper.MicrosoftAdminConsent{ClientID: "a", ClientSecret: wrapper.NewSecret("s"), Tenant: bad}})
			return err
		}},
		{"credential_data.region", func() error {
			_, err := c.Update(ctx, wrapper.ProviderYahoo, "id", wrapper.UpdateRequest{Data: wrapper.ConnectorOverride{ClientID: "a", ClientSecret: wrapper.NewSecret("s"), Settings: map[string]any{"region": bad}}})
			return err
		}},
		{"name", func() error {
			_, err := c.Update(ctx, wrapper.ProviderYahoo, "id", wrapper.UpdateRequest{Name: bad})
			return err
		}},
		{"id", func() error { _, err := c.Get(ctx, wrapper.ProviderYahoo, bad); return err }},
		{"credential_data.private_key_id", func() error {
			_, err := wrapper.ParseGoogleServiceAccountKey([]byte(strings.Replace(string(keyFile(t)), `"private_key_id": "`, `"private_key_id": "`+bad, 1)))
			return err
		}},
	}
	for _, tc := range cases {
		err := tc.call()
		var verr *wrapper.ValidationError
		if !errors.As(err, &verr) || !verr.Has(tc.field) || !strings.Contains(err.Error(), "valid UTF-8") {
			t.Errorf("%s: err = %v, want a ValidationError naming it", tc.field, err)
		}
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
}

// Defect j: New accepted control characters in the API key and the
// User-Agent suffix; every call then failed.
func TestNewRefusesControlCharacters(t *testing.T) {
	for _, ctl := range []string{"\x00", "\x7f", "\x1b", "\t", "\u0085"} {
		if _, err := wrapper.New("key" + ctl + "rest"); err == nil || strings.Contains(err.Error(), "rest") {
			t.Errorf("API key with %q: err = %v", ctl, err)
		}
		if _, err := wrapper.New("key", wrapper.WithUserAgent("app"+ctl)); err == nil || !strings.Contains(err.Error(), "WithUserAgent") {
			t.Errorf("User-Agent with %q: err = %v", ctl, err)
		}
	}
}

// Defect k: New type-asserted http.DefaultTransport and panicked when a
// program (httpmock and the like) had replaced it.
func TestNewSurvivesAReplacedDefaultTransport(t *testing.T) {
	saved := http.DefaultTransport
	http.DefaultTransport = roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("mock") })
	defer func() { http.DefaultTransport = saved }()
	f := newFake(t, jsonReply(200, credentialJSON))
	c, err := wrapper.New(testAPIKey, wrapper.WithBaseURL(f.URL))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(context.Background(), wrapper.ProviderGoogle, "cred-1"); err != nil {
		t.Errorf("Get: %v", err)
	}
}

// Defect l: All never ended against a server that returns full pages of
// fresh ids forever. The walk is bounded (DefaultMaxPages unless raised)
// and ends with ErrTooManyPages naming the offset to resume from, once the
// page past the bound is seen to hold more.
func TestEndlessPagesEnd(t *testing.T) {
	var n atomic.Int64
	f := newFake(t, nylastest.Fault{Times: math.MaxInt, Handler: func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		fmt.Fprintf(w, `{"request_id":"r","data":[{"id":"c%d","name":"n","created_at":1,"updated_at":1}],"limit":1,"offset":%d}`, i, offset)
	}})
	c := newClient(t, f)
	for _, tc := range []struct{ maxPages, want int }{{0, wrapper.DefaultMaxPages}, {7, 7}} {
		n.Store(0)
		seen := 0
		var last error
		for _, err := range c.All(context.Background(), wrapper.ProviderGoogle, &wrapper.ListOptions{Limit: 1, MaxPages: tc.maxPages}) {
			if err != nil {
				last = err
				break
			}
			seen++
		}
		want := fmt.Sprintf("resume at offset %d", tc.want)
		if !errors.Is(last, wrapper.ErrTooManyPages) || !strings.Contains(last.Error(), want) || seen != tc.want || n.Load() != int64(tc.want)+1 {
			t.Errorf("MaxPages %d: %d credentials, %d requests, err %v; want %d, %q", tc.maxPages, seen, n.Load(), last, tc.want, want)
		}
	}
}

// Defect m: a 1 MiB id put a 2 MB path into every error and log line.
func TestAbsurdlyLongIDsAndNamesAreRefused(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f)
	long := strings.Repeat("x", 1<<20)
	_, err := c.Get(context.Background(), wrapper.ProviderGoogle, long)
	var verr *wrapper.ValidationError
	if !errors.As(err, &verr) || !verr.Has("id") || len(err.Error()) > 300 {
		t.Errorf("long id: err (%d bytes) = %.300v", len(fmt.Sprint(err)), err)
	}
	_, err = c.Update(context.Background(), wrapper.ProviderGoogle, "cred-1", wrapper.UpdateRequest{Name: long})
	if !errors.As(err, &verr) || !verr.Has("name") || len(err.Error()) > 300 {
		t.Errorf("long name: err (%d bytes) = %.300v", len(fmt.Sprint(err)), err)
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
}

// Defect n: with default options, a client shared by 32 goroutines opened a
// connection for most calls (the default pool keeps 2 idle per host).
func TestDefaultClientReusesConnectionsUnderConcurrency(t *testing.T) {
	_, srv, conns := servedFake(t, times(math.MaxInt, jsonReply(200, credentialJSON)))
	srv.Start()
	c, _ := wrapper.New(testAPIKey, wrapper.WithBaseURL(srv.URL))
	const workers, each = 32, 40
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if _, err := c.Update(context.Background(), wrapper.ProviderYahoo, "cred-1", wrapper.UpdateRequest{Name: "n"}); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	// net/http dials a spare when no idle connection is free at the moment a
	// request starts, even if one is returned a moment later (more so under
	// the race detector), so allow up to two per worker; a pool of 2 idle
	// connections opens one for most calls.
	if failed.Load() != 0 || conns.Load() > 2*workers {
		t.Errorf("%d failures; %d connections for %d calls from %d goroutines", failed.Load(), conns.Load(), workers*each, workers)
	}
}

// Settings that encoding/json would send changed are refused: a Secret
// inside a container it does not look into would go out as [REDACTED], and
// invalid text as U+FFFD. A key file's \u escape of half a surrogate pair
// would go out as U+FFFD too.
func TestValuesThatWouldBeSentChangedAreRefused(t *testing.T) {
	base := wrapper.ConnectorOverride{ClientID: "a", ClientSecret: wrapper.NewSecret("s")}
	for name, v := range map[string]any{
		"[]Secret":          []wrapper.Secret{wrapper.NewSecret("x")},
		"map[string]Secret": map[string]wrapper.Secret{"k": wrapper.NewSecret("x")},
		"struct":            struct{ A string }{"x"},
		"[]any invalid":     []any{"ok", "a\xffb"},
		"[]string":          []string{"ok"},
		"nested map key":    map[string]any{"a\xff": 1},
		"raw invalid":       json.RawMessage("\"\xff\""),
		"raw lone escape":   json.RawMessage(`"\ud800"`),
		"two numbers":       json.Number("12 34"),
		"empty number":      json.Number(""),
		"number with space": json.Number(" 1"),
		"number as string":  json.Number(`"1"`),
	} {
		d := base
		d.Settings = map[string]any{"s": v}
		err := wrapper.CheckUpdate(wrapper.ProviderYahoo, "id", wrapper.UpdateRequest{Data: d})
		var verr *wrapper.ValidationError
		if !errors.As(err, &verr) || !verr.Has("credential_data.s") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	for _, field := range []string{"project_id", "x_unknown"} {
		file := strings.Replace(string(keyFile(t)), "{", `{"`+field+`": "proj-\ud800x",`, 1)
		if field == "project_id" {
			file = strings.Replace(string(keyFileWith(t, map[string]any{"project_id": nil})), "{", `{"project_id": "proj-\ud800x",`, 1)
		}
		_, err := wrapper.ParseGoogleServiceAccountKey([]byte(file))
		var verr *wrapper.ValidationError
		if !errors.As(err, &verr) || !verr.Has("credential_data."+field) {
			t.Errorf("key file with a lone surrogate in %s: err = %v", field, err)
		}
	}
}

// A server cannot make an error or a log line megabytes long: request ids
// and types are cut to 256 bytes, messages to 2,048.
func TestServerTextIsBounded(t *testing.T) {
	huge := strings.Repeat("m", 1<<20)
	f := newFake(t, nylastest.Fault{Status: 400, Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {strings.Repeat("h", 200<<10)}},
		Body: `{"request_id":"` + huge + `","error":{"type":"` + huge + `","message":"` + huge + `"}}`})
	watch := newLeakWatch(t)
	c, _ := wrapper.New(testAPIKey, wrapper.WithBaseURL(f.URL), wrapper.WithLogger(watch.jsonLogger()))
	_, err := c.Get(context.Background(), wrapper.ProviderGoogle, "cred-1")
	e := apiErr(t, err)
	if len(e.RequestID) > 256 || len(e.Type) > 256 || len(e.Message) > 2048 || len(err.Error()) > 3000 || !strings.HasSuffix(e.Message, "…") {
		t.Errorf("request id %d, type %d, message %d, Error() %d bytes", len(e.RequestID), len(e.Type), len(e.Message), len(err.Error()))
	}
	watch.mu.Lock()
	logLen := watch.logs.Len()
	watch.mu.Unlock()
	if logLen > 2000 {
		t.Errorf("log record is %d bytes", logLen)
	}
}
