package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/nylascreds/nylascreds/wrapper"
)

// Output formats of -o.
const (
	formatJSON   = "json"
	formatNDJSON = "ndjson"
	formatTable  = "table"
)

var formatNames = []string{formatJSON, formatNDJSON, formatTable}

// printer writes what a command prints to stdout in one format. For json it
// writes one object, or an array built as the items arrive; for ndjson one
// compact line each; for table a header and a row each, in fixed-width
// columns so rows can be printed as they arrive.
type printer struct {
	w       io.Writer
	format  string
	started bool // the array's "[" or the table's header is out
	count   int
	err     error
}

// credentialJSON is a credential as json and ndjson print it: the API's
// fields, with the times as the API sends them, Unix seconds. Only tables
// format them.
type credentialJSON struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	CreatedAt      int64  `json:"created_at"`
	UpdatedAt      int64  `json:"updated_at"`
	CredentialType string `json:"credential_type,omitempty"`
	HashedData     string `json:"hashed_data,omitempty"`
}

func asJSON(c wrapper.Credential) credentialJSON {
	return credentialJSON{ID: c.ID, Name: c.Name, CreatedAt: c.CreatedAt.Unix(), UpdatedAt: c.UpdatedAt.Unix(),
		CredentialType: string(c.CredentialType), HashedData: c.HashedData}
}

// one prints a single credential.
func (p *printer) one(cred *wrapper.Credential) {
	_ = p.object(asJSON(*cred), credentialHeader+credentialRow(*cred))
}

// add prints one credential of a list.
func (p *printer) add(cred wrapper.Credential) {
	p.item(credentialHeader, asJSON(cred), credentialRow(cred))
}

// end closes a list of credentials.
func (p *printer) end() { p.endItems(credentialHeader) }

var credentialHeader = tableRow("ID", "TYPE", "CREATED", "UPDATED", "NAME")

func credentialRow(cred wrapper.Credential) string {
	return tableRow(cred.ID, cmp.Or(string(cred.CredentialType), "-"), cred.CreatedAt.Format(time.RFC3339), cred.UpdatedAt.Format(time.RFC3339), cred.Name)
}

// object prints one value: indented JSON, one NDJSON line, or table (a
// person's layout).
func (p *printer) object(v any, table string) error {
	switch p.format {
	case formatTable:
		p.write([]byte(table), nil, "")
	case formatNDJSON:
		b, err := json.Marshal(v)
		p.write(escapeJSON(b), err, "\n")
	default:
		b, err := json.MarshalIndent(v, "", "  ")
		p.write(escapeJSON(b), err, "\n")
	}
	return p.writeErr()
}

// item prints one value of a list as its page arrives: an element of a JSON
// array, an NDJSON line, or a table row under header.
func (p *printer) item(header string, v any, row string) {
	p.count++
	switch p.format {
	case formatTable:
		if !p.started {
			p.started = true
			p.write([]byte(header), nil, "")
		}
		p.write([]byte(row), nil, "")
	case formatNDJSON:
		b, err := json.Marshal(v)
		p.write(escapeJSON(b), err, "\n")
	default:
		b, err := json.MarshalIndent(v, "  ", "  ")
		sep := ",\n  "
		if !p.started {
			p.started, sep = true, "[\n  "
		}
		p.write([]byte(sep), nil, "")
		p.write(escapeJSON(b), err, "")
	}
}

// endItems closes a list of items.
func (p *printer) endItems(header string) {
	switch {
	case p.format == formatJSON && p.started:
		p.write([]byte("\n]\n"), nil, "")
	case p.format == formatJSON:
		p.write([]byte("[]\n"), nil, "")
	case p.format == formatTable && !p.started:
		p.started = true
		p.write([]byte(header), nil, "")
	}
}

func (p *printer) write(b []byte, err error, suffix string) {
	if p.err != nil {
		return
	}
	if err != nil {
		p.err = err
		return
	}
	if _, err := p.w.Write(append(b, suffix...)); err != nil {
		p.err = err
	}
}

// escapeJSON rewrites, in JSON that encoding/json wrote, every control and
// format character it leaves raw (DEL, C1 controls such as U+009B, which
// some terminals take for ESC [, and bidirectional overrides such as
// U+202E) as a \u escape, so that server text cannot drive a terminal or
// reorder what a reader sees; a JSON decoder reads the same text. Outside
// strings, JSON is ASCII, so only string contents change.
func escapeJSON(b []byte) []byte {
	var out []byte // nil until the first escape
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		// Below DEL, encoding/json has escaped every control character but
		// the layout's own newlines.
		if r >= 0x7f && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
			if out == nil {
				out = append(make([]byte, 0, len(b)+16), b[:i]...)
			}
			for _, u := range utf16.Encode([]rune{r}) {
				out = fmt.Appendf(out, `\u%04x`, u)
			}
		} else if out != nil {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	if out == nil {
		return b
	}
	return out
}

// tableRow lays out one row. Every column but the last has a fixed width
// (an id is a UUID, a time is RFC 3339 in UTC), so rows printed page by page
// line up without knowing the rows to come.
func tableRow(id, typ, created, updated, name string) string {
	return fmt.Sprintf("%-36s  %-14s  %-20s  %-20s  %s\n", oneLine(id), oneLine(typ), created, updated, oneLine(name))
}

// errorLine builds the one "error:" line of a failed call; baseFrom is what
// gave the base URL ("" for the region).
func errorLine(cmd string, err error, region wrapper.Region, baseFrom string) string {
	var apiErr *wrapper.APIError
	var respErr *wrapper.ResponseError
	var reqErr *wrapper.RequestError
	switch {
	case errors.As(err, &apiErr):
		line := describeAPIError(apiErr)
		switch {
		case apiErr.StatusCode == http.StatusUnauthorized && baseFrom == "":
			line += ": check the API key; a key of one region is refused by the other: this call went to region " + string(region) + ", try --region " + otherRegion(region)
		case apiErr.StatusCode == http.StatusUnauthorized:
			line += ": check the API key, and that " + baseFrom + " serves its region"
		case cmd == "create" && apiErr.StatusCode >= 500:
			line += ": " + createHint
		}
		return line
	case errors.As(err, &respErr):
		line := fmt.Sprintf("HTTP %d %s, but the response could not be read: %s", respErr.StatusCode, http.StatusText(respErr.StatusCode), cliWords(respErr.Err.Error()))
		if respErr.RequestID != "" {
			line += " (request_id " + respErr.RequestID + ")"
		}
		line += " [" + respErr.Method + " " + respErr.Path + "]"
		if cmd == "create" {
			line += ": " + createHint
		}
		return line
	case errors.As(err, &reqErr):
		line := reqErr.Method + " " + reqErr.Path + ": " + networkProblem(reqErr.Err)
		if reqErr.Attempts > 1 {
			line += " (" + strconv.Itoa(reqErr.Attempts) + " attempts)"
		}
		if cmd == "create" && !errors.Is(err, syscall.ECONNREFUSED) {
			line += ": " + createHint
		}
		return line
	}
	return cliWords(err.Error())
}

// createHint is the fix after a create whose outcome is unknown.
const createHint = "the credential may or may not have been created; re-run the same create once this one has settled: it is safe (Nylas returns the existing identical credential instead of making a second)"

func otherRegion(r wrapper.Region) string {
	if r == wrapper.RegionEU {
		return string(wrapper.RegionUS)
	}
	return string(wrapper.RegionEU)
}

// networkProblem says in words why no response arrived.
func networkProblem(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "no response in time (raise --timeout)"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: nothing listens at that address (check --base-url or --region)"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return "the connection closed before a response arrived"
	case errors.As(err, &dnsErr):
		return "cannot resolve host " + dnsErr.Name
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.Contains(msg[:i], "://") {
		msg = msg[i+2:] // drop net/http's `Get "URL":` prefix; the method and path are already named
	}
	return cliWords(msg)
}

// describeAPIError puts the status, type, message and request id first.
func describeAPIError(e *wrapper.APIError) string {
	var b strings.Builder
	b.WriteString("HTTP " + strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode))
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
	b.WriteString(" [" + e.Method + " " + e.Path)
	if e.Attempts > 1 {
		b.WriteString(", " + strconv.Itoa(e.Attempts) + " attempts")
	}
	if e.RetryAfter > 0 {
		b.WriteString(", retry after " + e.RetryAfter.String())
	}
	b.WriteString("]")
	return b.String()
}

// flagOf maps a field the wrapper names to the flag that sets it.
var flagOf = map[string]string{
	"provider":                      "--provider",
	"id":                            "--id",
	"name":                          "--name",
	"limit":                         "--limit",
	"offset":                        "--offset",
	"sort_by":                       "--sort-by",
	"order_by":                      "--order-by",
	"credential_type":               "--type",
	"credential_data":               "--type",
	"credential_data.client_id":     "--client-id",
	"credential_data.client_secret": "--client-secret-file (or $NYLASCREDS_CLIENT_SECRET)",
	"credential_data.tenant":        "--tenant",
}

// describeProblem renders a wrapper field problem in flag terms; a key of
// credential_data that no typed flag sends is a --setting.
func describeProblem(p wrapper.FieldError) string {
	rule := cliWords(p.Rule)
	if f, ok := flagOf[p.Field]; ok {
		return f + ": " + rule
	}
	if key, ok := strings.CutPrefix(p.Field, "credential_data."); ok {
		return "--setting " + key + ": " + rule
	}
	return p.Field + ": " + rule
}

// describeKeyFileProblem renders a problem of a Google key file, naming the
// key inside --key-file.
func describeKeyFileProblem(p wrapper.FieldError) string {
	rule := cliWords(p.Rule)
	if key, ok := strings.CutPrefix(p.Field, "credential_data."); ok {
		return "--key-file: " + key + ": " + rule
	}
	return "--key-file: " + rule
}

// goWords are the few Go names that wrapper messages may carry, in the
// CLI's words.
var goWords = strings.NewReplacer(
	"nylascreds: ", "",
	"set Name, Data, or both", "give --name, or --type with its data flags, or both",
	"(GoogleServiceAccount, MicrosoftAdminConsent or ConnectorOverride)", "(--type connector, serviceaccount or adminconsent)",
	" (build the value with ParseGoogleServiceAccountKey)", "",
	"WithRetries: ", "--retries: ",
	"WithTimeout: ", "--timeout: ",
	"WithUserAgent: ", "",
	"WithBaseURL: ", "--base-url: ",
	"is a typed field of ConnectorOverride; set it there, not in Settings", "is sent by its own flag, not as a setting",
	"(0 means DefaultMaxPages)", "",
	", or raise ListOptions.MaxPages", "",
)

// cliWords turns a message from the wrapper into the CLI's language.
func cliWords(s string) string { return goWords.Replace(s) }

// oneLine folds text from anywhere (a server, a file name) into one line
// without control or format characters, so nothing can forge extra output
// lines, terminal escapes, or text reordered by a bidirectional override
// (U+202E and its kin are format characters).
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
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

// writeErr reports a failed write to stdout (a closed pipe, a full disk).
func (p *printer) writeErr() error {
	if p.err != nil {
		return failure("cannot write the output: " + cliWords(p.err.Error()))
	}
	return nil
}
