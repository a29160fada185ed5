// Package admin runs an administrator's jobs on connector credentials, each as
// one call on the wrapper's public API: rotating a credential without
// downtime (Rotate) and retiring one without breaking the users on it
// (Retire). Every step is reported; a failed step is undone where it can be,
// and the error says how things stand and what to run next.
package admin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nylascreds/nylascreds/wrapper"
)

// ErrCredentialInUse is matched (errors.Is) by a *CredentialInUseError.
var ErrCredentialInUse = errors.New("nylascreds: the credential is in use")

// CredentialInUseError is Retire's refusal to delete a credential that its
// connector or grants use; nothing was deleted.
type CredentialInUseError struct {
	Provider wrapper.Provider
	ID       string
	Active   bool            // the connector's active credential: Nylas refuses to delete it
	Grants   int             // grants whose credential_id names it, which would stop working
	First    []wrapper.Grant // the first of them (at most 5)
}

// Error says what depends on the credential.
func (e *CredentialInUseError) Error() string {
	if e.Active {
		return fmt.Sprintf("nylascreds: delete: refused, nothing was deleted: credential %s is the %s connector's active credential (Nylas refuses to delete it); make another credential active first",
			strconv.Quote(e.ID), e.Provider)
	}
	var first []string
	for _, g := range e.First {
		first = append(first, g.Email+" ("+g.ID+")")
	}
	if e.Grants > len(e.First) {
		first = append(first, "...")
	}
	return fmt.Sprintf("nylascreds: delete: refused, nothing was deleted: %d grant(s) use credential %s and would stop working at once: %s",
		e.Grants, strconv.Quote(e.ID), strings.Join(first, ", "))
}

// Is makes errors.Is(err, ErrCredentialInUse) true.
func (e *CredentialInUseError) Is(target error) bool { return target == ErrCredentialInUse }

// RetireOptions are Retire's choices; the zero value is the safe one.
type RetireOptions struct {
	// AllowGrants deletes the credential although grants use it: they stop
	// working at once.
	AllowGrants bool
	// OnGrantsRead, when set, is told after each page of the grants walk how
	// many grants have been read.
	OnGrantsRead func(read int)
	// Confirm, when set, is called once the checks pass and before the
	// DELETE, with the credential and how many grants name it; an error it
	// returns stops the delete and is returned as is.
	Confirm func(cred *wrapper.Credential, grants int) error
}

// Retire deletes a credential nothing depends on. It reads the credential and
// the connector, refuses the active credential, then walks provider's grants
// (wrapper.Client.Grants) and refuses a credential that grants name, unless
// o.AllowGrants, with a *CredentialInUseError saying how many and which;
// then o.Confirm decides. A grant without credential_id uses the active
// credential, which is never deleted. The DELETE is wrapper.Client.Delete.
func Retire(ctx context.Context, c *wrapper.Client, provider wrapper.Provider, id string, o *RetireOptions, opts ...wrapper.Option) error {
	if o == nil {
		o = &RetireOptions{}
	}
	cred, err := c.Get(ctx, provider, id, opts...)
	if err != nil {
		return err
	}
	conn, err := c.GetConnector(ctx, provider, opts...)
	if err != nil {
		return err
	}
	inUse := &CredentialInUseError{Provider: provider, ID: id, Active: conn.ActiveCredentialID == id}
	if inUse.Active {
		return inUse
	}
	for g, err := range c.Grants(ctx, provider, nil, o.OnGrantsRead, opts...) {
		if err != nil {
			return err
		}
		if g.CredentialID == id {
			inUse.Grants++
			if len(inUse.First) < 5 {
				inUse.First = append(inUse.First, g)
			}
		}
	}
	if inUse.Grants > 0 && !o.AllowGrants {
		return inUse
	}
	if o.Confirm != nil {
		if err := o.Confirm(cred, inUse.Grants); err != nil {
			return err
		}
	}
	return c.Delete(ctx, provider, id, opts...)
}

// RotateRequest is the input of Rotate.
type RotateRequest struct {
	ID   string                 // the credential being replaced; required
	Data wrapper.CredentialData // the new credential's data, of the old one's flow; required
	// Name is the new credential's name; "" derives "<old name> (rotated
	// YYYY-MM-DD)", so that a run repeated the same day meets the credential
	// the first run created (Nylas returns an identical one, not a second).
	Name string
	// DeleteOld then retires the old credential (Retire); when grants name
	// it, it is kept and RotateResult.Kept says why.
	DeleteOld    bool
	OnGrantsRead func(read int) // passed to Retire
	// ConfirmUnverified decides, before anything changes, a rotation of a
	// google or microsoft credential whose flow the server does not report,
	// as wrapper.UpdateRequest.ConfirmUnverified does for an update: nil, or a
	// nil return, goes on; an error refuses with a *wrapper.FlowUnverifiedError.
	ConfirmUnverified func(old *wrapper.Credential) error
}

// RotateResult says what Rotate did.
type RotateResult struct {
	Old, New  *wrapper.Credential
	Created   bool     // the new credential was created (false: an identical one existed)
	Activated bool     // it became the connector's active credential (the old one was)
	Deleted   bool     // the old credential was deleted
	Kept      error    // why the old one was kept although DeleteOld asked (a *CredentialInUseError)
	Steps     []string // every step, in words, in order
}

// RotationError is returned when a step of Rotate failed: Err is the step's
// error; Undone lists what was undone, State how things stand, and Next what
// to run, if anything.
type RotationError struct {
	Step        string // "create", "activate" or "delete old"
	Err         error
	Undone      []string
	State, Next string
	StepsDone   []string // the steps done before, as RotateResult.Steps
	NewID       string   // the new credential, if it was created or found
}

// Error describes the failed step, the state it left and what to run next.
func (e *RotationError) Error() string {
	return "nylascreds: rotate: " + e.Step + " failed: " + e.Err.Error() + "; " + e.Outcome()
}

// Outcome is what Error says after the step's error: what was undone, how
// things stand and what to run next, for a caller that words the step's
// error itself.
func (e *RotationError) Outcome() string {
	var s string
	if len(e.Undone) > 0 {
		s = "undone: " + strings.Join(e.Undone, "; ") + "; "
	}
	s += e.State
	if e.Next != "" {
		s += "; next: " + e.Next
	}
	return s
}

// Unwrap returns the failed step's error.
func (e *RotationError) Unwrap() error { return e.Err }

// Rotate replaces a credential without downtime: it reads the old credential
// and the connector, creates a credential of the same flow with req.Data,
// makes it the connector's active credential if the old one was, and, with
// req.DeleteOld, retires the old one. Data of another flow than the one the
// server reports is refused (*wrapper.FlowMismatchError) before anything
// changes; when the server reports none, req.ConfirmUnverified decides. When activation fails, the old credential is made active again if
// the switch happened after all, and the new one, if this run created it, is
// deleted; the *RotationError says what is in effect. Running Rotate again
// after a failure is safe.
func Rotate(ctx context.Context, c *wrapper.Client, provider wrapper.Provider, req RotateRequest, opts ...wrapper.Option) (*RotateResult, error) {
	if req.Data == nil {
		return nil, &wrapper.ValidationError{Op: "rotate", Problems: []wrapper.FieldError{{Field: "credential_data", Rule: "is required (the new credential's data)"}}}
	}
	var verr *wrapper.ValidationError
	if err := wrapper.CheckCreate(provider, wrapper.CreateRequest{Name: cmp.Or(req.Name, "rotated"), Data: req.Data}); errors.As(err, &verr) {
		return nil, &wrapper.ValidationError{Op: "rotate", Problems: verr.Problems}
	}
	r := &RotateResult{}
	var err error
	if r.Old, err = c.Get(ctx, provider, req.ID, opts...); err != nil {
		return nil, err
	}
	if _, err := wrapper.CheckStoredFlow(provider, r.Old, req.Data, req.ConfirmUnverified); err != nil {
		return nil, err
	}
	conn, err := c.GetConnector(ctx, provider, opts...)
	if err != nil {
		return nil, err
	}
	wasActive := conn.ActiveCredentialID == r.Old.ID
	r.step("read credential %q (%s) and the %s connector (active credential %s)", r.Old.Name, r.Old.ID, provider, cmp.Or(conn.ActiveCredentialID, "none"))

	var resp wrapper.Response
	name := cmp.Or(req.Name, rotatedName(r.Old.Name, time.Now()))
	if r.New, err = c.Create(ctx, provider, wrapper.CreateRequest{Name: name, Data: req.Data}, append(opts, wrapper.WithResponseInto(&resp))...); err != nil {
		if refused(err) {
			return nil, r.fail("create", err, "nothing was changed", "")
		}
		return nil, r.fail("create", err, "the new credential may or may not have been created; nothing else was changed",
			"run rotate again, the same day or with the same name: Nylas returns the credential this run may have created instead of making a second")
	}
	if r.Created = resp.StatusCode == http.StatusCreated; r.Created {
		r.step("created credential %q (%s)", name, r.New.ID)
	} else {
		r.step("found the identical credential %q (%s), created by an earlier run", name, r.New.ID)
	}

	if !wasActive {
		r.step("left the active credential alone: %s is not it", r.Old.ID)
	} else if _, err := c.SetActiveCredential(ctx, provider, r.New.ID, opts...); err != nil {
		return nil, undoActivation(ctx, c, provider, r, err, opts)
	} else {
		r.Activated = true
		r.step("made %s the active credential (it was %s)", r.New.ID, r.Old.ID)
	}

	if req.DeleteOld {
		switch err := Retire(ctx, c, provider, r.Old.ID, &RetireOptions{OnGrantsRead: req.OnGrantsRead}, opts...); {
		case errors.Is(err, ErrCredentialInUse):
			r.Kept = err
			r.step("kept the old credential %s: %v", r.Old.ID, err)
		case err != nil:
			return r, r.fail("delete old", err, "the new credential is in place (active if the old one was); the old one still exists",
				"retire it later: nylascreds delete --provider "+string(provider)+" --id "+r.Old.ID)
		default:
			r.Deleted = true
			r.step("deleted the old credential %s: no grant names it", r.Old.ID)
		}
	}
	return r, nil
}

// refused reports whether err says that a request changed nothing: it was
// never sent, or the server refused it. Otherwise (no answer, a 5xx, an
// answer that could not be read) it may have taken effect.
func refused(err error) bool {
	var verr *wrapper.ValidationError
	var apiErr *wrapper.APIError
	return errors.As(err, &verr) || errors.As(err, &apiErr) && apiErr.StatusCode < http.StatusInternalServerError
}

// undoActivation puts things back after a failed activation.
func undoActivation(ctx context.Context, c *wrapper.Client, provider wrapper.Provider, r *RotateResult, cause error, opts []wrapper.Option) error {
	e := r.fail("activate", cause, "the old credential "+r.Old.ID+" is active, as before", "")
	if conn, err := c.GetConnector(ctx, provider, opts...); err != nil || conn.ActiveCredentialID == r.New.ID {
		if _, err := c.SetActiveCredential(ctx, provider, r.Old.ID, opts...); err != nil {
			e.State = "the active credential is unknown (the new one, " + r.New.ID + ", may be active)"
			e.Next = "check it with: nylascreds connector --provider " + string(provider) + ", then run rotate again"
			return e
		}
		e.Undone = append(e.Undone, "made "+r.Old.ID+" the active credential again")
	}
	switch {
	case !r.Created:
		e.State += "; the new credential " + r.New.ID + " existed before this run and is kept"
	case c.Delete(ctx, provider, r.New.ID, opts...) != nil:
		e.State += "; the new credential " + r.New.ID + " still exists"
		e.Next = "delete it: nylascreds delete --provider " + string(provider) + " --id " + r.New.ID + ", or run rotate again"
	default:
		e.Undone = append(e.Undone, "deleted the new credential "+r.New.ID)
	}
	return e
}

func (r *RotateResult) step(format string, args ...any) {
	r.Steps = append(r.Steps, fmt.Sprintf(format, args...))
}

func (r *RotateResult) fail(step string, err error, state, next string) *RotationError {
	e := &RotationError{Step: step, Err: err, State: state, Next: next, StepsDone: r.Steps}
	if r.New != nil {
		e.NewID = r.New.ID
	}
	return e
}

// rotatedSuffix matches the suffix rotatedName adds, so that rotating a
// rotated credential does not stack suffixes.
var rotatedSuffix = regexp.MustCompile(` \(rotated \d{4}-\d{2}-\d{2}\)$`)

func rotatedName(old string, now time.Time) string {
	return rotatedSuffix.ReplaceAllString(old, "") + " (rotated " + now.UTC().Format(time.DateOnly) + ")"
}
