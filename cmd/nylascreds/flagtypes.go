package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// The flag types below replace pflag's own duration, int and string flags so
// that a bad value is explained in the CLI's words (units, ranges, the
// allowed values) rather than in Go's (time.ParseDuration, strconv.ParseInt).

// durationFlag is a positive duration that must carry a unit.
type durationFlag struct{ d time.Duration }

func (f *durationFlag) String() string { return f.d.String() }
func (f *durationFlag) Type() string   { return "duration" }
func (f *durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		if _, numErr := strconv.ParseFloat(s, 64); numErr == nil {
			return fmt.Errorf("a duration needs a unit: %ss, %sm (units: ms, s, m, h)", s, s)
		}
		return fmt.Errorf("not a duration: give a number with a unit, for example 30s, 2m or 1m30s")
	}
	if d <= 0 {
		return fmt.Errorf("must be more than 0 (a call is never allowed to wait forever)")
	}
	f.d = d
	return nil
}

// countFlag is a whole number no smaller than min; hint follows the
// refusal of a smaller one.
type countFlag struct {
	n    int
	min  int
	hint string
}

func (f *countFlag) String() string { return strconv.Itoa(f.n) }
func (f *countFlag) Type() string   { return "int" }
func (f *countFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("not a whole number")
	}
	if n < f.min {
		return fmt.Errorf("must be %d or more%s", f.min, f.hint)
	}
	f.n = n
	return nil
}

// enumFlag is one of a fixed list of words, offered by shell completion,
// in any case: --region EU is --region eu.
type enumFlag struct {
	value   string
	allowed []string
}

func (f *enumFlag) String() string { return f.value }
func (f *enumFlag) Type() string   { return "string" }
func (f *enumFlag) Set(s string) error {
	for _, a := range f.allowed {
		if strings.EqualFold(s, a) {
			f.value = a
			return nil
		}
	}
	return fmt.Errorf("must be one of: %s", strings.Join(f.allowed, ", "))
}

// enumVar registers an enumFlag on cmd and its completion.
func enumVar(cmd *cobra.Command, f *enumFlag, name, shorthand, def string, allowed []string, usage string) {
	f.value, f.allowed = def, allowed
	cmd.Flags().VarP(f, name, shorthand, usage)
	complete(cmd, name, allowed)
}

// complete offers fixed values for a flag's argument, and no file names.
func complete(cmd *cobra.Command, name string, values []string) {
	choices := make([]cobra.Completion, len(values))
	copy(choices, values)
	if err := cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(choices, cobra.ShellCompDirectiveNoFileComp)); err != nil {
		panic(err) // a programming error: the flag was not registered
	}
}
