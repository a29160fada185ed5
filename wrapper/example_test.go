package wrapper_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/nylascreds/nylascreds/nylastest"
	"github.com/nylascreds/nylascreds/wrapper"
)

// The examples run against nylastest, the fake server, so they are tested.

func Example() {
	srv := nylastest.NewServer()
	defer srv.Close()

	client, err := wrapper.New(srv.APIKey(), wrapper.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	cred, err := client.Create(ctx, wrapper.ProviderGoogle, wrapper.CreateRequest{
		Name: "Google auth app #2",
		Data: wrapper.ConnectorOverride{ClientID: "3805.apps.googleusercontent.com", ClientSecret: wrapper.NewSecret("client-secret")},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(cred.Name, cred.UpdatedAt.Equal(cred.CreatedAt))
	// Output: Google auth app #2 true
}

func ExampleClient_Update() {
	srv := nylastest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(srv.APIKey(), wrapper.WithBaseURL(srv.URL))
	ctx := context.Background()
	cred, _ := client.Create(ctx, wrapper.ProviderMicrosoft, wrapper.CreateRequest{
		Name: "tenant consent",
		Data: wrapper.MicrosoftAdminConsent{ClientID: "app-id", ClientSecret: wrapper.NewSecret("secret-1"), Tenant: "contoso.onmicrosoft.com"},
	})

	// Rotate the secret: credential_data is replaced as a whole, so every key
	// of the flow is sent, tenant included.
	updated, err := client.Update(ctx, wrapper.ProviderMicrosoft, cred.ID, wrapper.UpdateRequest{
		Data: wrapper.MicrosoftAdminConsent{ClientID: "app-id", ClientSecret: wrapper.NewSecret("secret-2"), Tenant: "contoso.onmicrosoft.com"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(updated.Name, updated.UpdatedAt.After(cred.UpdatedAt))

	// Half a flow is refused before anything is sent.
	_, err = client.Update(ctx, wrapper.ProviderMicrosoft, cred.ID, wrapper.UpdateRequest{
		Data: wrapper.MicrosoftAdminConsent{ClientSecret: wrapper.NewSecret("secret-3")},
	})
	fmt.Println(err)
	// Output:
	// tenant consent true
	// nylascreds: update: invalid request, nothing was sent: credential_data.client_id: is required on update (credential_data is replaced whole); credential_data.tenant: is required on update (credential_data is replaced whole; "common" keeps the v1.0 flow)
}

func ExampleClient_All() {
	srv := nylastest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(srv.APIKey(), wrapper.WithBaseURL(srv.URL))
	ctx := context.Background()
	for _, name := range []string{"a", "b", "c"} {
		_, _ = client.Create(ctx, wrapper.ProviderZoom, wrapper.CreateRequest{
			Name: name, Data: wrapper.ConnectorOverride{ClientID: "id-" + name, ClientSecret: wrapper.NewSecret("secret")},
		})
	}
	for cred, err := range client.All(ctx, wrapper.ProviderZoom, &wrapper.ListOptions{Limit: 2, OrderBy: wrapper.OrderAsc}) {
		if err != nil {
			panic(err)
		}
		fmt.Println(cred.Name)
	}
	// Output:
	// a
	// b
	// c
}

func ExampleIsNotFound() {
	srv := nylastest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(srv.APIKey(), wrapper.WithBaseURL(srv.URL))

	_, err := client.Get(context.Background(), wrapper.ProviderGoogle, "no-such-id")
	var apiErr *wrapper.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Type, wrapper.IsNotFound(err))
	}
	// Output: 404 api.not_found_error true
}

func ExampleParseGoogleServiceAccountKey() {
	_, err := wrapper.ParseGoogleServiceAccountKey([]byte(`{"type": "service_account", "private_key_id": "k1", "private_key": "not a key", "client_email": "sync@example.iam.gserviceaccount.com"}`))
	fmt.Println(err)
	// Output: nylascreds: parse google service-account key: invalid key file: credential_data.private_key: must be a PEM "PRIVATE KEY" block
}

// Per-call options override the client's for one call; WithResponseInto
// gives what the call's response said, such as the request id to quote to
// Nylas support.
func ExampleWithResponseInto() {
	srv := nylastest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(srv.APIKey(), wrapper.WithBaseURL(srv.URL))

	var resp wrapper.Response
	_, err := client.Create(context.Background(), wrapper.ProviderYahoo, wrapper.CreateRequest{
		Name: "yahoo app",
		Data: wrapper.ConnectorOverride{ClientID: "yahoo-client", ClientSecret: wrapper.NewSecret("secret")},
	}, wrapper.WithRetries(0), wrapper.WithResponseInto(&resp))
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode, resp.Attempts, resp.RequestID)
	// Output:
	// 201 1 nylastest-000001
}

// Further provider settings travel beside the typed keys; a Secret among
// them is sent as its value and never printed.
func ExampleConnectorOverride_settings() {
	srv := nylastest.NewServer()
	defer srv.Close()
	client, _ := wrapper.New(srv.APIKey(), wrapper.WithBaseURL(srv.URL))

	data := wrapper.ConnectorOverride{
		ClientID:     "app-id",
		ClientSecret: wrapper.NewSecret("secret"),
		Tenant:       "contoso.onmicrosoft.com",
		Settings:     map[string]any{"prompt": "select_account", "signing_key": wrapper.NewSecret("k3y")},
	}
	cred, err := client.Create(context.Background(), wrapper.ProviderMicrosoft, wrapper.CreateRequest{Name: "own app", Data: data})
	if err != nil {
		panic(err)
	}
	stored, _ := srv.StoredData("microsoft", cred.ID)
	fmt.Println(string(stored))
	fmt.Printf("%v\n", data.Settings)
	// Output:
	// {"client_id":"app-id","client_secret":"secret","prompt":"select_account","signing_key":"k3y","tenant":"contoso.onmicrosoft.com"}
	// map[prompt:select_account signing_key:[REDACTED]]
}

// Update refuses credential_data of another flow than the stored one: a
// PATCH would replace the stored data whole while the credential kept its
// type. Where the server does not report the flow (as Nylas documents its
// credential object), ConfirmUnverified decides before anything is sent;
// RefuseUnverified is the strict choice.
func ExampleUpdateRequest_flowGuard() {
	ctx := context.Background()
	consent := wrapper.MicrosoftAdminConsent{ClientID: "app-id", ClientSecret: wrapper.NewSecret("s1"), Tenant: "contoso.onmicrosoft.com"}
	override := wrapper.ConnectorOverride{ClientID: "own-app", ClientSecret: wrapper.NewSecret("s2")}

	reporting := nylastest.NewServer(nylastest.WithCredentialType())
	defer reporting.Close()
	client, _ := wrapper.New(reporting.APIKey(), wrapper.WithBaseURL(reporting.URL))
	cred, _ := client.Create(ctx, wrapper.ProviderMicrosoft, wrapper.CreateRequest{Name: "tenant consent", Data: consent})
	_, err := client.Update(ctx, wrapper.ProviderMicrosoft, cred.ID, wrapper.UpdateRequest{Data: override})
	var mismatch *wrapper.FlowMismatchError
	fmt.Println(errors.As(err, &mismatch), mismatch.Stored, mismatch.Sent)

	silent := nylastest.NewServer()
	defer silent.Close()
	client, _ = wrapper.New(silent.APIKey(), wrapper.WithBaseURL(silent.URL))
	cred, _ = client.Create(ctx, wrapper.ProviderMicrosoft, wrapper.CreateRequest{Name: "tenant consent", Data: consent})
	_, err = client.Update(ctx, wrapper.ProviderMicrosoft, cred.ID,
		wrapper.UpdateRequest{Data: consent, ConfirmUnverified: wrapper.RefuseUnverified})
	fmt.Println(errors.Is(err, wrapper.ErrFlowUnverified), silent.RequestCount())
	// Output:
	// true adminconsent connector
	// true 2
}
