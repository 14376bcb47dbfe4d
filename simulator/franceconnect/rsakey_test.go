package franceconnect

import (
	"crypto/rsa"
	"sync"
	"testing"
)

// TestRSAKeyMadeOnce: with keys made in the background, the RSA key is
// made once, whoever asks first and however many ask at once, and is then
// the RS256 key the JWKS and the signers use.
func TestRSAKeyMadeOnce(t *testing.T) {
	k, err := generateKeysInBackground()
	if err != nil {
		t.Fatal(err)
	}
	if k.RS256.Key != nil {
		t.Fatal("the RSA key was made before it was asked for")
	}
	go k.rsaKey() // WarmUp's
	kids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range kids {
		wg.Go(func() {
			jwk, err := k.rs256()
			if _, ok := jwk.Key.(*rsa.PrivateKey); err != nil || !ok {
				t.Errorf("rs256: %T, %v", jwk.Key, err)
			}
			kids[i] = jwk.KeyID
		})
	}
	wg.Wait()
	for _, kid := range kids {
		if kid == "" || kid != kids[0] || kid != k.RS256.KeyID {
			t.Fatalf("key ids %q, RS256 %q: not one key", kids, k.RS256.KeyID)
		}
	}
}
