package wrapper

import (
	"encoding/json"
	"errors"
	"slices"
	"unicode/utf8"
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

// revealSecrets returns v with every Secret replaced by its value, and
// refuses strings that are not valid UTF-8 (encoding/json would send U+FFFD).
func revealSecrets(v any) (any, error) {
	switch v := v.(type) {
	case Secret:
		return revealSecrets(v.Reveal())
	case string:
		if !utf8.ValidString(v) {
			return nil, errors.New("must be valid UTF-8 text")
		}
		return v, nil
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
			r, err := revealSecrets(e)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	}
	return v, nil
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

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
