package wrapper

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
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

	cause error // a *FlowMismatchError, for errors.As
}

// Unwrap returns the *FlowMismatchError behind a refused update, else nil.
func (e *ValidationError) Unwrap() error { return e.cause }

// Error lists every problem, each as "field: rule".
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("nylascreds: ")
	b.WriteString(e.Op)
	if e.Op == opParseKeyFile {
		b.WriteString(": invalid key file: ")
	} else if e.cause != nil {
		b.WriteString(": refused, nothing was changed: ")
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

// Length bounds. Nylas ids are UUIDs (36 bytes); the bounds are far above
// any real value and keep a pasted blob out of every URL, error and log line.
const (
	maxIDBytes   = 256
	maxNameBytes = 1024
)

// checkID refuses ids that cannot travel as exactly one path segment. The
// generated client escapes every other character (/, ?, #, %, spaces,
// unicode), but "." and ".." are dot-segments that URL resolution removes, so
// /creds/.. would address the connector instead of a credential.
func checkID(id string, probs *problems) {
	switch {
	case id == "":
		probs.add("id", "is required")
	case id == "." || id == "..":
		probs.add("id", `must not be "." or ".." (a URL would resolve it away)`)
	case len(id) > maxIDBytes:
		probs.add("id", "is "+strconv.Itoa(len(id))+" bytes long; an id is at most "+strconv.Itoa(maxIDBytes))
	default:
		checkText("id", id, probs)
	}
}

// checkName checks a credential name that is set.
func checkName(name string, probs *problems) {
	switch {
	case blank(name):
		probs.add("name", "must not be blank")
	case len(name) > maxNameBytes:
		probs.add("name", "is "+strconv.Itoa(len(name))+" bytes long; a name is at most "+strconv.Itoa(maxNameBytes))
	default:
		checkText("name", name, probs)
	}
}

// checkText refuses a string that is not valid UTF-8: JSON cannot carry it,
// and encoding/json would silently send U+FFFD instead (a different secret,
// a different name).
func checkText(field, s string, probs *problems) {
	if !utf8.ValidString(s) {
		probs.add(field, "must be valid UTF-8 text")
	}
}

// CheckCreate reports every problem Create would refuse req for, as a
// *ValidationError, without any I/O; nil means Create would send it.
func CheckCreate(provider Provider, req CreateRequest) error {
	var probs problems
	checkProvider(provider, &probs)
	if req.Name == "" {
		probs.add("name", "is required")
	} else {
		checkName(req.Name, &probs)
	}
	if req.Data == nil {
		probs.add("credential_data", "is required (GoogleServiceAccount, MicrosoftAdminConsent or ConnectorOverride)")
		probs.add("credential_type", "is required (it follows from credential_data)")
	} else {
		checkFlowProvider(opCreate, provider, req.Data.CredentialType(), &probs)
		probs = req.Data.check(opCreate, probs)
	}
	return probs.err("create")
}

// CheckUpdate reports every problem Update would refuse req for, as a
// *ValidationError, without any I/O; nil means Update would send it (the
// check of the stored flow aside, which needs the server).
func CheckUpdate(provider Provider, id string, req UpdateRequest) error {
	var probs problems
	checkProvider(provider, &probs)
	checkID(id, &probs)
	switch {
	case req.Name == "" && req.Data == nil:
		probs.add("name", "nothing to update: give a new name, new credential data, or both")
	case req.Name != "":
		checkName(req.Name, &probs)
	}
	if req.Data != nil {
		checkFlowProvider(opUpdate, provider, req.Data.CredentialType(), &probs)
		probs = req.Data.check(opUpdate, probs)
	}
	return probs.err("update")
}
