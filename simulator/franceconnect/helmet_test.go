package franceconnect

import (
	"net/http"
	"testing"
)

// TestHelmetHeadersCanonical: securityHeaders assigns the header map
// directly, so the names must be in the form Header.Set would give them.
func TestHelmetHeadersCanonical(t *testing.T) {
	for _, kv := range helmetHeaders {
		if c := http.CanonicalHeaderKey(kv[0]); c != kv[0] {
			t.Errorf("%q is not canonical: %q", kv[0], c)
		}
	}
}
