package tests

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/nylascreds/nylascreds/wrapper"
)

// Canary secrets: if any of these shows up in an error, a formatted value or
// a log record, something leaked.
const (
	canaryAPIKey       = "CANARY-apikey-9f3b2c71"
	canaryClientSecret = "CANARY-clientsecret-4e8a"
)

// canaryPEMLine is a line of the committed test key's PEM body; a private key
// leaking in part would show it.
const canaryPEMLine = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"

// leakWatch collects everything a test printed or logged and fails the test
// at cleanup if a canary appears in it.
type leakWatch struct {
	mu       sync.Mutex
	canaries []string // beyond the package's own
	text     bytes.Buffer
	logs     bytes.Buffer // shared by the JSON and text loggers below
}

func newLeakWatch(t testing.TB) *leakWatch {
	w := &leakWatch{}
	t.Cleanup(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		all := w.text.String() + w.logs.String()
		for _, canary := range append([]string{canaryAPIKey, canaryClientSecret, canaryPEMLine}, w.canaries...) {
			for _, form := range []string{canary, fmt.Sprintf("%x", canary), fmt.Sprintf("%X", canary)} {
				if strings.Contains(all, form) {
					t.Errorf("canary %s… leaked into output", canary[:12])
				}
			}
		}
	})
	return w
}

// addCanary watches for more secrets (and forms of them).
func (w *leakWatch) addCanary(canaries ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.canaries = append(w.canaries, canaries...)
}

// Write makes leakWatch a log sink.
func (w *leakWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.logs.Write(p)
}

func (w *leakWatch) jsonLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (w *leakWatch) textLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// observe records every way a caller could print v.
func (w *leakWatch) observe(vs ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, v := range vs {
		if v == nil {
			continue
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			fmt.Fprintf(&w.text, verb+"\n", v)
		}
		if err, ok := v.(error); ok {
			w.observeChain(err)
		}
	}
	slog.New(slog.NewJSONHandler(&w.text, nil)).Info("observe", "values", vs)
	slog.New(slog.NewTextHandler(&w.text, nil)).Info("observe", "values", vs)
}

// logCount returns how many log records were written.
func (w *leakWatch) logCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Count(w.logs.String(), "nylascreds http attempt")
}

// observeChain records every error reachable from err through Unwrap (both
// forms) with its exported fields, and an APIError's ProviderError decoded:
// a secret must not hide anywhere a caller can reach. Call with w.mu held.
func (w *leakWatch) observeChain(err error) {
	if err == nil {
		return
	}
	fmt.Fprintf(&w.text, "%s\n%+v\n%#v\n", err.Error(), err, err)
	var apiErr *wrapper.APIError
	if errors.As(err, &apiErr) && len(apiErr.ProviderError) > 0 {
		var decoded any
		_ = json.Unmarshal(apiErr.ProviderError, &decoded)
		fmt.Fprintf(&w.text, "%v\n", decoded)
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		w.observeChain(u.Unwrap())
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			w.observeChain(e)
		}
	}
}
