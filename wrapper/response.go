package wrapper

import "net/http"

// Response is what a call's last HTTP response said, for support tickets,
// audit logs and rate-limit bookkeeping. Ask for it per call with
// WithResponseInto.
type Response struct {
	// StatusCode is the HTTP status of the last response.
	StatusCode int
	// RequestID is the request_id of the response's JSON body, else its
	// X-Request-Id header: quote it to Nylas support.
	RequestID string
	// Header holds the last response's headers, scrubbed of the call's secrets.
	Header http.Header
	// Attempts is how many HTTP requests the call put on the wire, retries
	// and net/http's own re-sends included.
	Attempts int
	// Retried says, for each attempt that was repeated, why: "429", "503",
	// "connection reset", ... (len(Retried) < Attempts).
	Retried []string
	// FlowCheck says what Update found out about the credential's stored
	// flow before it sent credential_data (FlowNotChecked for other calls).
	FlowCheck FlowCheck
}

// FlowCheck is the outcome of Update's check that credential_data is of the
// credential's stored flow. See UpdateRequest.
type FlowCheck string

// The outcomes of the flow check.
const (
	// FlowNotChecked: no credential_data was sent, or the call was not an update.
	FlowNotChecked FlowCheck = ""
	// FlowVerified: the stored flow was known (reported by the server, or
	// decided by the provider) and matched the data.
	FlowVerified FlowCheck = "verified"
	// FlowUnverified: the server did not report the stored flow and the
	// provider alone does not decide it, so the update was sent unverified.
	FlowUnverified FlowCheck = "unverified"
	// FlowCheckSkipped: UpdateRequest.AllowFlowChange was set.
	FlowCheckSkipped FlowCheck = "skipped"
)
