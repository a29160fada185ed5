package wrapper

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nylascreds/nylascreds/gen"
)

// ErrValidation is matched (errors.Is) by every *ValidationError.
var ErrValidation = errors.New("nylascreds: invalid request")

// FieldError is one problem with one input field.
type FieldError struct {
	Field string // the JSON path, as the API names it: "credential_data.private_key", "name", "limit"
	Rule  string // what the field breaks, in words: "is required"
}

// String renders "field: rule".
func (e FieldError) String() string { return e.Field + ": " + e.Rule }

// ValidationError reports every problem with a request's input at once, before
// any network I/O (nothing was sent); a problem never quotes a secret value.
type ValidationError struct {
	Op       string       // the refused operation: "create", "update", ...
	Problems []FieldError // in a stable order
}

// Error lists every problem, each as "field: rule".
func (e *ValidationError) Error() string {
	what := ": invalid request, nothing was sent: "
	if e.Op == opParseKeyFile {
		what = ": invalid key file: "
	}
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "nylascreds: " + e.Op + what + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrValidation) true.
func (e *ValidationError) Is(target error) bool { return target == ErrValidation }

// Has reports whether field has a problem.
func (e *ValidationError) Has(field string) bool {
	return slices.ContainsFunc(e.Problems, func(p FieldError) bool { return p.Field == field })
}

// problems collects field errors for one request.
type problems struct{ list []FieldError }

func (p *problems) add(field, rule string) { p.list = append(p.list, FieldError{field, rule}) }
func (p *problems) has(field string) bool  { return (&ValidationError{Problems: p.list}).Has(field) }

// text refuses a string that is not valid UTF-8: encoding/json would send
// U+FFFD instead (a different secret, a different name).
func (p *problems) text(field, s string) {
	if !utf8.ValidString(s) {
		p.add(field, "must be valid UTF-8 text")
	}
}

// requiredWhy adds rule when s is blank, else checks it is text.
func (p *problems) requiredWhy(field, s, rule string) {
	if blank(s) {
		p.add(field, rule)
	} else {
		p.text(field, s)
	}
}

func (p *problems) required(field, s string) { p.requiredWhy(field, s, "is required") }

// err returns a *ValidationError for op, or nil when nothing was added.
func (p *problems) err(op string) error {
	if len(p.list) == 0 {
		return nil
	}
	return &ValidationError{Op: op, Problems: p.list}
}

// blank reports whether a required string is missing: empty or only spaces.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// quote renders a caller's non-secret value for an error, cut so a pasted blob cannot flood a log line.
func quote(s string) string {
	if len(s) > 64 {
		return strconv.Quote(s[:64]) + "…"
	}
	return strconv.Quote(s)
}

// Length bounds, far above any real value (ids are UUIDs): they keep a pasted
// blob out of every URL, error and log line.
const (
	maxIDBytes   = 256
	maxNameBytes = 1024
)

// checkID refuses ids that cannot travel as one path segment: the generated
// builder escapes any other, but "." and ".." are dot-segments URLs resolve away.
func checkID(id string, probs *problems) {
	switch {
	case id == "":
		probs.add("id", "is required")
	case id == "." || id == "..":
		probs.add("id", `must not be "." or ".." (a URL would resolve it away)`)
	case len(id) > maxIDBytes:
		probs.add("id", "is "+strconv.Itoa(len(id))+" bytes long; an id is at most "+strconv.Itoa(maxIDBytes))
	default:
		probs.text("id", id)
	}
}

func checkName(name string, probs *problems) {
	if len(name) > maxNameBytes {
		probs.add("name", "is "+strconv.Itoa(len(name))+" bytes long; a name is at most "+strconv.Itoa(maxNameBytes))
		return
	}
	probs.requiredWhy("name", name, "must not be blank")
}

// checkData checks credential_data for op, and that its flow exists for the provider.
func checkData(op operation, p Provider, d CredentialData, probs *problems) {
	field := "credential_type"
	if op == opUpdate {
		field = "credential_data" // an update body has no credential_type
	}
	switch t := d.CredentialType(); {
	case !gen.Provider(p).Valid():
	case t == CredentialTypeServiceAccount && p != ProviderGoogle:
		probs.add(field, "serviceaccount (Google App Permission) credentials exist only for provider google")
	case t == CredentialTypeAdminConsent && p != ProviderMicrosoft:
		probs.add(field, "adminconsent (Microsoft admin consent) credentials exist only for provider microsoft")
	}
	d.check(op, probs)
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
		checkData(opCreate, provider, req.Data, &probs)
	}
	return probs.err("create")
}

// CheckUpdate reports every problem Update would refuse req for, as a *ValidationError, without any
// I/O; nil means Update would go on to check the stored flow (which needs the server).
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
		checkData(opUpdate, provider, req.Data, &probs)
	}
	return probs.err("update")
}
