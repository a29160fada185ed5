package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/nylascreds/nylascreds/wrapper"
)

// printJSON writes v as indented JSON on stdout.
func (c *cli) printJSON(v any) int {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		_, _ = fmt.Fprintf(c.stderr, "error: write output: %s\n", oneLine(err.Error()))
		return exitAPI
	}
	return exitOK
}

// usageError reports problems with the command line and returns 2.
//
// Messages to stderr (here and elsewhere) discard the write's error
// explicitly: when stderr itself fails there is nowhere left to report it,
// and the exit code still tells.
func (c *cli) usageError(cmd string, problems ...string) int {
	for _, p := range problems {
		_, _ = fmt.Fprintf(c.stderr, "error: %s\n", oneLine(p))
	}
	if cmd != "" {
		_, _ = fmt.Fprintf(c.stderr, "run 'nylascreds %s -h' for usage\n", cmd)
	} else {
		_, _ = fmt.Fprintln(c.stderr, "run 'nylascreds --help' for usage")
	}
	return exitUsage
}

// flagHints maps a field the wrapper names to the flag that sets it.
var flagHints = map[string]string{
	"provider":                       "--provider",
	"id":                             "--id",
	"name":                           "--name",
	"limit":                          "--limit",
	"offset":                         "--offset",
	"sort_by":                        "--sort-by",
	"order_by":                       "--order-by",
	"credential_type":                "--type",
	"credential_data":                "--type and the data flags",
	"credential_data.client_id":      "--client-id",
	"credential_data.client_secret":  "--client-secret-file or $NYLAS_CLIENT_SECRET",
	"credential_data.tenant":         "--tenant",
	"credential_data.private_key_id": "--key-file",
	"credential_data.private_key":    "--key-file",
	"credential_data.client_email":   "--key-file",
	"credential_data.type":           "--key-file",
}

// fail reports a failed call: validation (exit 2, every problem on its own
// line, nothing was sent) or API/network (exit 1, one line).
func (c *cli) fail(cmd string, err error) int {
	var verr *wrapper.ValidationError
	if errors.As(err, &verr) {
		_, _ = fmt.Fprintf(c.stderr, "error: %s: invalid request, nothing was sent:\n", cmd)
		for _, p := range verr.Problems {
			hint := ""
			if flag, ok := flagHints[p.Field]; ok {
				hint = " [" + flag + "]"
			}
			_, _ = fmt.Fprintf(c.stderr, "  %s: %s%s\n", p.Field, oneLine(p.Rule), hint)
		}
		return exitUsage
	}
	var apiErr *wrapper.APIError
	if errors.As(err, &apiErr) {
		_, _ = fmt.Fprintf(c.stderr, "error: %s\n", oneLine(describeAPIError(apiErr)))
		return exitAPI
	}
	_, _ = fmt.Fprintf(c.stderr, "error: %s\n", oneLine(strings.TrimPrefix(err.Error(), "nylascreds: ")))
	return exitAPI
}

// describeAPIError puts the status, type, message and request id first.
func describeAPIError(e *wrapper.APIError) string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Type != "" {
		b.WriteString(": " + e.Type)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	} else if e.Body != "" {
		b.WriteString(": " + e.Body)
	}
	if e.RequestID != "" {
		b.WriteString(" (request_id " + e.RequestID + ")")
	}
	fmt.Fprintf(&b, " [%s %s", e.Method, e.Path)
	if e.Attempts > 1 {
		b.WriteString(", " + strconv.Itoa(e.Attempts) + " attempts")
	}
	if e.RetryAfter > 0 {
		b.WriteString(", retry after " + e.RetryAfter.String())
	}
	b.WriteString("]")
	return b.String()
}

// oneLine folds text from anywhere (a server, a file name) into one line
// without control characters, so nothing can forge extra output lines or
// terminal escapes.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// quoteArg quotes a command-line word for a message, shortened.
func quoteArg(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}
