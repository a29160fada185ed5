package wrapper

import "fmt"

// Region is a Nylas data-residency region. Each region is isolated: an API key
// of one region is refused with 401 by the other.
type Region string

// The regions Nylas serves.
const (
	RegionUS Region = "us"
	RegionEU Region = "eu"
)

// Base URLs of the regions, as openapi.yaml lists them under servers.
const (
	BaseURLUS = "https://api.us.nylas.com"
	BaseURLEU = "https://api.eu.nylas.com"
)

// BaseURL returns the region's API base URL, or an error for an unknown region.
func (r Region) BaseURL() (string, error) {
	switch r {
	case RegionUS:
		return BaseURLUS, nil
	case RegionEU:
		return BaseURLEU, nil
	default:
		return "", fmt.Errorf("nylascreds: unknown region %s; known regions: us, eu", quote(string(r)))
	}
}

// ParseRegion turns "us" or "eu" into a Region.
func ParseRegion(s string) (Region, error) {
	r := Region(s)
	if _, err := r.BaseURL(); err != nil {
		return "", err
	}
	return r, nil
}
