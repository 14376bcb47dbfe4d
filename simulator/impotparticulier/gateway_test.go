package impotparticulier

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestTokenAnswerAsEncodingJSON: the gateway's token answer, written by
// hand, is what encoding/json writes of the same map.
func TestTokenAnswerAsEncodingJSON(t *testing.T) {
	for _, scopes := range [][]string{{"default"}, {"RessourceIR", "RessourceLEP"}, {`a"b<c>&\`}} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(map[string]any{"access_token": "tok-é\u2028", "scope": strings.Join(scopes, " "), "token_type": "Bearer", "expires_in": 3600})
		if got := appendTokenAnswer(nil, "tok-é\u2028", scopes, time.Hour); string(got) != want.String() {
			t.Errorf("%q:\n got %s\nwant %s", scopes, got, want.String())
		}
	}
}
