package franceconnect

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// goJoseSign signs payload as the provider did before jwsSigner: through
// go-jose, with the same key and header options.
func goJoseSign(t testing.TB, jwk jose.JSONWebKey, typ string, payload []byte) string {
	t.Helper()
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(jwk.Algorithm), Key: jwk}, opts)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestJWSSignerAsGoJose: the header and payload segments are go-jose's to
// the byte; the signature verifies with go-jose against the published key,
// r||s of 64 bytes for ES256; RS256, deterministic in both, is the same
// token.
func TestJWSSignerAsGoJose(t *testing.T) {
	keys := sharedKeys(t)
	short := []byte(`{"sub":"abc","iss":"https://example.test/api/v2","aud":"a<b&c>","n":1}`)
	long := []byte(`{"claims":"` + strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789", 70) + `x"}`) // several chunks, not a multiple of 3
	for _, alg := range []jose.SignatureAlgorithm{jose.ES256, jose.RS256} {
		for _, tc := range []struct {
			typ     string
			payload []byte
		}{{"", short}, {"JWT", short}, {"", long}} {
			typ, payload := tc.typ, tc.payload
			t.Run(fmt.Sprintf("%s/%s/%d", alg, typ, len(payload)), func(t *testing.T) {
				jwk, err := keys.forAlg(alg)
				if err != nil {
					t.Fatal(err)
				}
				got, err := keys.signPayload(alg, typ, payload)
				if err != nil {
					t.Fatal(err)
				}
				want := goJoseSign(t, jwk, typ, payload)
				g, w := strings.Split(got, "."), strings.Split(want, ".")
				if len(g) != 3 || g[0] != w[0] || g[1] != w[1] {
					t.Fatalf("JWS\n got %s\nwant %s", got, want)
				}
				if alg == jose.RS256 && got != want {
					t.Errorf("RS256 signature differs from go-jose's:\n got %s\nwant %s", got, want)
				}
				sig, err := base64.RawURLEncoding.DecodeString(g[2])
				if err != nil {
					t.Fatal(err)
				}
				if alg == jose.ES256 && len(sig) != 64 {
					t.Errorf("ES256 signature of %d bytes, want r||s of 64", len(sig))
				}
				jws, err := jose.ParseSigned(got, []jose.SignatureAlgorithm{alg})
				if err != nil {
					t.Fatal(err)
				}
				out, err := jws.Verify(jwk.Public())
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out, payload) {
					t.Errorf("payload %s, want %s", out, payload)
				}
				if h := jws.Signatures[0].Header; h.KeyID != jwk.KeyID || h.Algorithm != string(alg) {
					t.Errorf("header kid %q alg %q, want %q %q", h.KeyID, h.Algorithm, jwk.KeyID, alg)
				}
			})
		}
	}
}

// TestJWSSignerManyES256 verifies many signatures, so that an r or s with
// leading zero bytes (about one in 128) is met and padded.
func TestJWSSignerManyES256(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwk := jose.JSONWebKey{Key: ec, KeyID: "k", Algorithm: string(jose.ES256)}
	s, err := newJWSSigner(jose.ES256, jwk, "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		payload := []byte(`{"i":` + strings.Repeat("1", i%7+1) + `,"n":"` + randomToken(8) + `"}`)
		tok, err := s.sign(payload)
		if err != nil {
			t.Fatal(err)
		}
		jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jws.Verify(&ec.PublicKey); err != nil {
			t.Fatalf("signature %d (%s): %v", i, tok, err)
		}
	}
}

func TestECDSARawSignature(t *testing.T) {
	r33 := append([]byte{0x00, 0x80}, bytes.Repeat([]byte{0x11}, 31)...) // positive, high bit set
	s31 := bytes.Repeat([]byte{0x22}, 31)                                // leading zero byte dropped
	der := append([]byte{0x30, byte(2 + len(r33) + 2 + len(s31)), 0x02, byte(len(r33))}, r33...)
	der = append(append(der, 0x02, byte(len(s31))), s31...)
	var out [64]byte
	if err := ecdsaRawSignature(der, out[:]); err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte{0x80}, bytes.Repeat([]byte{0x11}, 31)...), append([]byte{0}, s31...)...)
	if !bytes.Equal(out[:], want) {
		t.Errorf("r||s = %x, want %x", out, want)
	}
	for _, bad := range [][]byte{
		nil,
		{0x30, 0x00},
		{0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01},
		{0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01},            // length beyond the end
		{0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01},            // negative r
		{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01},                  // s cut
		{0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00},      // trailing byte
		append([]byte{0x30, 0x25, 0x02, 0x21}, make([]byte, 35)...), // r too long
	} {
		if err := ecdsaRawSignature(bad, out[:]); err == nil {
			t.Errorf("ecdsaRawSignature(%x) accepted", bad)
		}
	}
}

// BenchmarkSignIDToken measures an ID token, its claims encoded and signed,
// with ES256 and RS256; go-jose is the reference the provider used before:
//
//	go test -run '^$' -bench SignIDToken -benchmem ./simulator/franceconnect/
func BenchmarkSignIDToken(b *testing.B) {
	env := newTestEnv(b, nil)
	persona, ok := env.Pop.ByLogin("test")
	if !ok {
		b.Fatal("no persona test")
	}
	idp, _ := identityProvider("demo")
	now := env.Clock.Now()
	for _, tc := range []struct{ name, clientID string }{{"ES256", demoClientID}, {"RS256", "bacasable-rs256"}} {
		client, ok := env.P.cfg.Clients.ServiceProvider(tc.clientID)
		if !ok {
			b.Fatalf("no client %s", tc.clientID)
		}
		g := grant{Req: &authRequest{Client: client, Nonce: testNonce, ACR: "eidas1", Scopes: []string{"openid", "profile"}},
			Persona: persona, IdP: idp, AuthTime: now.Add(-time.Second), Sub: pairwiseSub(client.ID, persona, env.P.cfg.PairwiseSalt)}
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := env.P.idToken(g, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("go-jose-ES256", func(b *testing.B) {
		payload := []byte(`{"sub":"` + strings.Repeat("a", 66) + `","acr":"eidas1","auth_time":1790000000,"nonce":"` + testNonce +
			`","aud":"` + demoClientID + `","exp":1790000060,"iat":1790000000,"iss":"http://127.0.0.1:12345/api/v2"}`)
		b.ReportAllocs()
		for b.Loop() {
			goJoseSign(b, env.P.keys.ES256, "", payload)
		}
	})
}
