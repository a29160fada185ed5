package wrapper

import (
	"errors"
	"strconv"
	"strings"
)

// ErrValidation is matched (errors.Is) by every *ValidationError.
var ErrValidation = errors.New("nylascreds: invalid request")

// FieldError is one problem with one input field.
type FieldError struct {
	// Field is the JSON path of the field, as the API names it:
	// "credential_data.private_key", "name", "provider", "limit".
	Field string
	// Rule says what the field breaks, in words: "is required".
	Rule string
}

// String renders "field: rule".
func (e FieldError) String() string { return e.Field + ": " + e.Rule }

// ValidationError reports every problem found with a request's input at once.
// It is returned before any network I/O: nothing was sent.
//
// Rules never quote a secret value; they name the field and the rule only.
type ValidationError struct {
	// Op is the operation that was refused: "create", "update", ...
	Op string
	// Problems lists each field and the rule it breaks, in a stable order.
	Problems []FieldError
}

// Error lists every problem, each as "field: rule".
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("nylascreds: ")
	b.WriteString(e.Op)
	if e.Op == opParseKeyFile {
		b.WriteString(": invalid key file: ")
	} else {
		b.WriteString(": invalid request, nothing was sent: ")
	}
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrValidation) true.
func (e *ValidationError) Is(target error) bool { return target == ErrValidation }

// Has reports whether field has a problem; handy in tests and in callers that
// map problems back to form fields.
func (e *ValidationError) Has(field string) bool {
	for _, p := range e.Problems {
		if p.Field == field {
			return true
		}
	}
	return false
}

// problems collects field errors for one request.
type problems struct {
	list []FieldError
}

func (p *problems) add(field, rule string) {
	p.list = append(p.list, FieldError{Field: field, Rule: rule})
}

// has reports whether field already has a problem, so that one cause is
// not reported twice (a number where a string belongs is not also "missing").
func (p *problems) has(field string) bool {
	return (&ValidationError{Problems: p.list}).Has(field)
}

// err returns a *ValidationError for op, or nil when nothing was added.
func (p *problems) err(op string) error {
	if len(p.list) == 0 {
		return nil
	}
	return &ValidationError{Op: op, Problems: p.list}
}

// quote renders a caller-supplied, non-secret value for an error message,
// shortened so that a pasted blob cannot flood a log line.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}

// checkID refuses ids that cannot travel as exactly one path segment. The
// generated client escapes every other character (/, ?, #, %, spaces,
// unicode), but "." and ".." are dot-segments that URL resolution removes, so
// /creds/.. would address the connector instead of a credential.
func checkID(id string, probs *problems) {
	switch id {
	case "":
		probs.add("id", "is required")
	case ".", "..":
		probs.add("id", `must not be "." or ".." (a URL would resolve it away)`)
	}
}
