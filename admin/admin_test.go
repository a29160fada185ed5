package admin

import (
	"testing"
	"time"
)

// TestRotatedName: the date is the UTC day, and rotating a rotated
// credential replaces its suffix rather than adding another; only the
// suffix rotatedName adds, at the very end, is replaced.
func TestRotatedName(t *testing.T) {
	now := time.Date(2026, 3, 4, 21, 30, 0, 0, time.FixedZone("UTC-5", -5*3600)) // 2026-03-05 in UTC
	for old, want := range map[string]string{
		"prod":                             "prod (rotated 2026-03-05)",
		"prod (rotated 2025-12-31)":        "prod (rotated 2026-03-05)",
		"prod (rotated 2025-12-31) (copy)": "prod (rotated 2025-12-31) (copy) (rotated 2026-03-05)",
		"prod (rotated yesterday)":         "prod (rotated yesterday) (rotated 2026-03-05)",
	} {
		if got := rotatedName(old, now); got != want {
			t.Errorf("rotatedName(%q) = %q, want %q", old, got, want)
		}
	}
}
