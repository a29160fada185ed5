package bench

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/nylascreds/nylascreds/wrapper"
)

// These tests run in make test: they keep the benchmarks honest (both sides
// do the same work, over both transports, and the fake finds every request
// and answer on spec) and hold the wrapper's defaults to the connection
// counts the benchmarks report.

// seenRequest is what the server saw of one request.
type seenRequest struct {
	Method, Path, Auth, ContentType, Body string
}

// seen lists what srv's fake received.
func seen(srv *server) []seenRequest {
	var out []seenRequest
	for _, r := range srv.fake.Requests() {
		out = append(out, seenRequest{r.Method, r.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), string(r.Body)})
	}
	return out
}

// TestSidesDoTheSameWork: over plain HTTP and TLS, the wrapper with its
// defaults and the floor each send one PATCH with the same path, headers
// and body bytes, decode the same credential, and reuse one connection;
// the guarded update sends a GET first.
func TestSidesDoTheSameWork(t *testing.T) {
	for _, transport := range []string{"http", "tls"} {
		t.Run(transport, func(t *testing.T) {
			useTLS := transport == "tls"
			wsrv := newServer(t, useTLS, credentialAnswer)
			fsrv := newServer(t, useTLS, credentialAnswer)
			c := newDefaultClient(t, wsrv.URL)
			f := newFloor(fsrv.URL)
			ctx := context.Background()
			var got *wrapper.Credential
			var fgot *floorCredential
			for range 3 {
				var err error
				if got, err = c.Update(ctx, wrapper.ProviderYahoo, credID, wrapper.UpdateRequest{Data: connectorData}); err != nil {
					t.Fatal(err)
				}
				if fgot, err = f.patch(ctx, "yahoo", credID, floorConnectorData{clientID, clientSecret}); err != nil {
					t.Fatal(err)
				}
			}
			want := seenRequest{http.MethodPatch, "/v3/connectors/yahoo/creds/" + credID, "Bearer " + apiKey, "application/json",
				`{"credential_data":{"client_id":"` + clientID + `","client_secret":"` + clientSecret + `"}}`}
			for side, sent := range map[string][]seenRequest{"wrapper": seen(wsrv), "floor": seen(fsrv)} {
				if len(sent) != 3 {
					t.Fatalf("%s sent %d requests, want 3", side, len(sent))
				}
				for _, s := range sent {
					if s != want {
						t.Errorf("%s sent %+v\nwant %+v", side, s, want)
					}
				}
			}
			if got.ID != fgot.ID || got.Name != fgot.Name || !got.CreatedAt.Equal(fgot.CreatedAt) ||
				!got.UpdatedAt.Equal(fgot.UpdatedAt) || string(got.CredentialType) != fgot.CredentialType || fgot.CredentialType != "connector" {
				t.Errorf("wrapper decoded %+v, floor %+v", got, fgot)
			}
			if w, f := wsrv.opened.Load(), fsrv.opened.Load(); w != 1 || f != 1 {
				t.Errorf("connections opened: wrapper %d, floor %d; want 1 each", w, f)
			}

			if err := wrapperGuarded(c)(); err != nil {
				t.Fatal(err)
			}
			guarded := seen(wsrv)[3:]
			if len(guarded) != 2 || guarded[0].Method != http.MethodGet || guarded[1].Method != http.MethodPatch ||
				guarded[1].Path != "/v3/connectors/google/creds/"+credID {
				t.Errorf("guarded update sent %+v, want a GET then the PATCH", guarded)
			}
		})
	}
}

// TestDefaultsHoldConnectionsUnderConcurrency: 32 goroutines sharing a
// client built with its defaults, its pool filled with 32 connections, keep
// using those over 1,280 calls, over plain HTTP and TLS. With net/http's
// default of 2 idle connections per host, every call that finds no idle
// connection opens one (each a TLS handshake against the real API). The
// limit leaves room for net/http's own rare drops: it does not reuse a
// connection whose request write it has not seen finish 50 ms after the
// response came, which a starved machine sometimes causes, to any client.
func TestDefaultsHoldConnectionsUnderConcurrency(t *testing.T) {
	for _, transport := range []string{"http", "tls"} {
		t.Run(transport, func(t *testing.T) {
			srv := newServer(t, transport == "tls", credentialAnswer)
			op := wrapperPatch(newDefaultClient(t, srv.URL))
			srv.fill(t, concurrency, op)
			var wg sync.WaitGroup
			for range concurrency {
				wg.Go(func() {
					for range 40 {
						if err := op(); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			if n := srv.opened.Load(); n > 2*concurrency {
				t.Errorf("%d goroutines opened %d connections, want at most %d", concurrency, n, 2*concurrency)
			}
		})
	}
}
