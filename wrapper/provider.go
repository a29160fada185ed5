package wrapper

import (
	"fmt"
	"strings"

	"github.com/nylascreds/nylascreds/gen"
)

// Provider names a Nylas connector: the {provider} of /v3/connectors/{provider}/creds.
// The generated enum (gen.Provider.Valid) decides which are known, so a provider
// added to openapi.yaml is accepted after `make generate` with no change here.
type Provider string

// The providers of openapi.yaml's enum, named for convenience.
const (
	ProviderGoogle          = Provider(gen.ProviderGoogle)
	ProviderMicrosoft       = Provider(gen.ProviderMicrosoft)
	ProviderIMAP            = Provider(gen.ProviderImap)
	ProviderICloud          = Provider(gen.ProviderIcloud)
	ProviderYahoo           = Provider(gen.ProviderYahoo)
	ProviderEWS             = Provider(gen.ProviderEws)
	ProviderVirtualCalendar = Provider(gen.ProviderVirtualCalendar)
	ProviderZoom            = Provider(gen.ProviderZoom)
	ProviderNylas           = Provider(gen.ProviderNylas)
)

// KnownProviders returns every provider of openapi.yaml's enum, in the
// spec's order (generated into providers_gen.go by `make generate`).
func KnownProviders() []Provider { return append([]Provider(nil), knownProviders...) }

// checkProvider reports why p cannot be used, or nothing.
func checkProvider(p Provider, probs *problems) {
	known := func() string {
		names := make([]string, len(knownProviders))
		for i, p := range knownProviders {
			names[i] = string(p)
		}
		return "; known providers: " + strings.Join(names, ", ")
	}
	switch {
	case p == "":
		probs.add("provider", "is required"+known())
	case p == "inbox":
		probs.add("provider", `"inbox" is deprecated; use "nylas"`)
	case !gen.Provider(p).Valid():
		probs.add("provider", "unknown provider "+quote(string(p))+known())
	}
}

// Region is a Nylas data-residency region; an API key of one is refused (401) by the other.
type Region string

// The regions Nylas serves, and their base URLs (openapi.yaml's servers).
const (
	RegionUS  Region = "us"
	RegionEU  Region = "eu"
	BaseURLUS        = "https://api.us.nylas.com"
	BaseURLEU        = "https://api.eu.nylas.com"
)

// BaseURL returns the region's API base URL, or an error for an unknown region.
func (r Region) BaseURL() (string, error) {
	switch r {
	case RegionUS:
		return BaseURLUS, nil
	case RegionEU:
		return BaseURLEU, nil
	}
	return "", fmt.Errorf("nylascreds: unknown region %s; known regions: us, eu", quote(string(r)))
}

// ParseRegion turns "us" or "eu" (in any case) into a Region.
func ParseRegion(s string) (Region, error) {
	r := Region(strings.ToLower(s))
	if _, err := r.BaseURL(); err != nil {
		return "", fmt.Errorf("nylascreds: unknown region %s; known regions: us, eu", quote(s))
	}
	return r, nil
}
