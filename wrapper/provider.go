package wrapper

import (
	"strings"

	"github.com/nylascreds/nylascreds/gen"
)

// Provider names a Nylas connector: the {provider} segment of
// /v3/connectors/{provider}/creds.
type Provider string

// The providers Nylas accepts. Values come from openapi.yaml through gen, so
// adding a provider is one line in the spec, one here, and `make generate`; a
// test fails if this list and the spec's enum disagree.
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

// providerInbox is the deprecated name of the nylas provider. It is refused
// with a message that points to its replacement.
const providerInbox Provider = "inbox"

// KnownProviders returns every provider the client accepts, in a stable order.
func KnownProviders() []Provider {
	return []Provider{
		ProviderGoogle, ProviderMicrosoft, ProviderIMAP, ProviderICloud, ProviderYahoo,
		ProviderEWS, ProviderVirtualCalendar, ProviderZoom, ProviderNylas,
	}
}

// knownProviderList is the human-readable list used in error messages.
var knownProviderList = func() string {
	names := make([]string, 0, len(KnownProviders()))
	for _, p := range KnownProviders() {
		names = append(names, string(p))
	}
	return strings.Join(names, ", ")
}()

// checkProvider reports why p cannot be used, or nothing.
func checkProvider(p Provider, probs *problems) {
	switch {
	case p == "":
		probs.add("provider", "is required; known providers: "+knownProviderList)
	case p == providerInbox:
		probs.add("provider", `"inbox" is deprecated; use "nylas"`)
	case !gen.Provider(p).Valid():
		probs.add("provider", "unknown provider "+quote(string(p))+"; known providers: "+knownProviderList)
	}
}
