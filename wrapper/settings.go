package wrapper

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/nylascreds/nylascreds/internal/jsonesc"
)

// settingJSON encodes one ConnectorOverride setting. A Secret is encoded as
// its value (its own marshaller writes [REDACTED], which must never reach
// the server by accident), also inside map[string]any and []any.
func settingJSON(v any) (json.RawMessage, error) {
	v, err := revealSecrets(v)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, errors.New("cannot be encoded as JSON")
	}
	return raw, nil
}

// revealSecrets returns v with every Secret replaced by its value. It takes
// the JSON-shaped values a setting can hold and refuses others, so that
// nothing is sent changed: encoding/json would send a Secret inside another
// container as [REDACTED], and invalid UTF-8 as U+FFFD.
func revealSecrets(v any) (any, error) {
	switch v := v.(type) {
	case nil, bool, json.Number,
		int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return v, nil
	case Secret:
		return revealSecrets(v.Reveal())
	case string:
		if !utf8.ValidString(v) {
			return nil, errors.New("must be valid UTF-8 text")
		}
		return v, nil
	case json.RawMessage:
		if !utf8.Valid(v) || !json.Valid(v) || jsonesc.HasLoneSurrogate(v) {
			return nil, errors.New("must be valid JSON in UTF-8")
		}
		return v, nil
	case []string:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = e
		}
		return revealSecrets(out)
	case map[string]string:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = e
		}
		return revealSecrets(out)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			var err error
			if out[i], err = revealSecrets(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if !utf8.ValidString(k) {
				return nil, errors.New("a key inside it must be valid UTF-8 text")
			}
			r, err := revealSecrets(e)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	}
	return nil, fmt.Errorf("is a %T; a setting is a string, number, bool, nil, json.RawMessage, Secret, []any, []string, map[string]any or map[string]string", v)
}

// appendSecrets adds the values of the Secrets in v to out.
func appendSecrets(out []string, v any) []string {
	switch v := v.(type) {
	case Secret:
		out = append(out, v.Reveal())
	case []any:
		for _, e := range v {
			out = appendSecrets(out, e)
		}
	case map[string]any:
		for _, e := range v {
			out = appendSecrets(out, e)
		}
	}
	return out
}
