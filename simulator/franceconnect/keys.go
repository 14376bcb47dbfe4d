package franceconnect

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/go-jose/go-jose/v4"
)

// Keys are the provider's signing keys: one ES256 and one RS256 key, each
// with a kid. Both are published in the JWKS; a client's signing_alg picks
// which one signs its ID tokens, userinfo and checktoken answers.
type Keys struct {
	ES256 jose.JSONWebKey
	RS256 jose.JSONWebKey
	// DataProviderEnc is the encryption key pair (ECDH-ES, P-256) of the
	// data providers that registered none: checktoken always answers a JWE,
	// as the platform does, so the sandbox holds the private half on their
	// behalf. Its public half is served as their jwks_uri
	// (/_bacasable/fournisseurs-de-donnees/{client_id}/jwks).
	DataProviderEnc jose.JSONWebKey
	// added tells ParseKeys's caller that a key was missing from the file
	// and was generated (the file should be written again).
	added bool
	// rsaKey, when set (generateKeysInBackground), makes the RSA key once
	// and puts it in RS256: on the first need of the key (rs256), or
	// WarmUp once the sandbox answers, whichever comes first; a call
	// while it is being made waits for it.
	rsaKey func() (jose.JSONWebKey, error)
	// rotation holds second keys, one per algorithm, made and published
	// in the JWKS the first time a qualification run plays "key-rotation"
	// for a client signed with that algorithm.
	rotation map[jose.SignatureAlgorithm]jose.JSONWebKey

	mu sync.Mutex
	// signers holds the signer of each alg and typ (signerKey → *jwsSigner),
	// read without a lock at every signature.
	signers sync.Map
}

// GenerateKeys makes a fresh key pair for each algorithm.
func GenerateKeys() (*Keys, error) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	rs, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	k, err := NewKeys(ec, rs)
	if err != nil {
		return nil, err
	}
	return k, k.generateDataProviderKey()
}

// generateKeysInBackground makes the EC keys at once and leaves the RSA key
// to rsaKey: RSA-2048 takes 50 to 150 ms of a core, which the sandbox would
// otherwise spend before answering anything or take from its start on a
// two-core machine. Whatever needs RS256 makes it, or waits for it.
func generateKeysInBackground() (*Keys, error) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	k := &Keys{ES256: jose.JSONWebKey{Key: ec, Algorithm: string(jose.ES256), Use: "sig"}}
	if k.ES256.KeyID, err = thumbprintID(k.ES256); err != nil {
		return nil, err
	}
	if err := k.generateDataProviderKey(); err != nil {
		return nil, err
	}
	k.rsaKey = sync.OnceValues(func() (jose.JSONWebKey, error) {
		rs, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return jose.JSONWebKey{}, err
		}
		jwk := jose.JSONWebKey{Key: rs, Algorithm: string(jose.RS256), Use: "sig"}
		if jwk.KeyID, err = thumbprintID(jwk); err != nil {
			return jose.JSONWebKey{}, err
		}
		k.RS256 = jwk
		return jwk, nil
	})
	return k, nil
}

// rotated returns the rotation key for alg, making and publishing it on
// first use.
func (k *Keys) rotated(alg jose.SignatureAlgorithm) (jose.JSONWebKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if jwk, ok := k.rotation[alg]; ok {
		return jwk, nil
	}
	jwk, err := freshKey(alg)
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	jwk.Use = "sig"
	if jwk.KeyID, err = thumbprintID(jwk); err != nil {
		return jose.JSONWebKey{}, err
	}
	if k.rotation == nil {
		k.rotation = map[jose.SignatureAlgorithm]jose.JSONWebKey{}
	}
	k.rotation[alg] = jwk
	return jwk, nil
}

// rotationKeys are the published rotation keys, ES256's first.
func (k *Keys) rotationKeys() []jose.JSONWebKey {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []jose.JSONWebKey
	for _, alg := range []jose.SignatureAlgorithm{jose.ES256, jose.RS256} {
		if jwk, ok := k.rotation[alg]; ok {
			out = append(out, jwk)
		}
	}
	return out
}

// freshKey makes a new private key for alg (ES256 or RS256), without kid.
func freshKey(alg jose.SignatureAlgorithm) (jose.JSONWebKey, error) {
	switch alg {
	case jose.ES256:
		ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		return jose.JSONWebKey{Key: ec, Algorithm: string(alg)}, err
	case jose.RS256:
		rs, err := rsa.GenerateKey(rand.Reader, 2048)
		return jose.JSONWebKey{Key: rs, Algorithm: string(alg)}, err
	}
	return jose.JSONWebKey{}, fmt.Errorf("no key for algorithm %s", alg)
}

// rs256 is the RSA key, once generated.
func (k *Keys) rs256() (jose.JSONWebKey, error) {
	if k.rsaKey != nil {
		if _, err := k.rsaKey(); err != nil {
			return jose.JSONWebKey{}, err
		}
	}
	return k.RS256, nil
}

func thumbprintID(jwk jose.JSONWebKey) (string, error) {
	pub := jwk.Public()
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(tp[:8]), nil
}

// DataProviderKeyID is the kid of the data providers' encryption key.
const DataProviderKeyID = "bacasable-fd-enc"

func (k *Keys) generateDataProviderKey() error {
	enc, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	k.DataProviderEnc = jose.JSONWebKey{Key: enc, Algorithm: string(jose.ECDH_ES), Use: "enc", KeyID: DataProviderKeyID}
	k.added = true
	return nil
}

// Added tells whether ParseKeys generated a key the file lacked.
func (k *Keys) Added() bool { return k.added }

// NewKeys wraps the given private keys; kid is a thumbprint of each public key.
func NewKeys(ec *ecdsa.PrivateKey, rs *rsa.PrivateKey) (*Keys, error) {
	k := &Keys{
		ES256: jose.JSONWebKey{Key: ec, Algorithm: string(jose.ES256), Use: "sig"},
		RS256: jose.JSONWebKey{Key: rs, Algorithm: string(jose.RS256), Use: "sig"},
	}
	for _, jwk := range []*jose.JSONWebKey{&k.ES256, &k.RS256} {
		id, err := thumbprintID(*jwk)
		if err != nil {
			return nil, err
		}
		jwk.KeyID = id
	}
	return k, nil
}

// ParseKeys reads a JWKS holding the two private keys (one EC P-256, one
// RSA), as written by MarshalPrivate; used by --keys to keep keys across
// restarts.
func ParseKeys(data []byte) (*Keys, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	k := &Keys{}
	for _, jwk := range set.Keys {
		switch jwk.Key.(type) {
		case *ecdsa.PrivateKey:
			if jwk.Use == "enc" {
				jwk.Algorithm = string(jose.ECDH_ES)
				k.DataProviderEnc = jwk
				continue
			}
			jwk.Algorithm, jwk.Use = string(jose.ES256), "sig"
			k.ES256 = jwk
		case *rsa.PrivateKey:
			jwk.Algorithm, jwk.Use = string(jose.RS256), "sig"
			k.RS256 = jwk
		default:
			return nil, fmt.Errorf("keys: key %q is not a private EC or RSA key", jwk.KeyID)
		}
	}
	if k.ES256.Key == nil || k.RS256.Key == nil {
		return nil, fmt.Errorf("keys: need one private EC P-256 key and one private RSA key")
	}
	if k.DataProviderEnc.Key == nil {
		if err := k.generateDataProviderKey(); err != nil {
			return nil, err
		}
	}
	for _, jwk := range []*jose.JSONWebKey{&k.ES256, &k.RS256} {
		if jwk.KeyID == "" {
			id, err := thumbprintID(*jwk)
			if err != nil {
				return nil, err
			}
			jwk.KeyID = id
		}
	}
	return k, nil
}

// MarshalPrivate writes the private keys as a JWKS (for --keys files): the
// two signing keys, then the data providers' encryption key (use "enc"),
// with which a test can decrypt checktoken answers as the DGFiP would.
func (k *Keys) MarshalPrivate() ([]byte, error) {
	rs, err := k.rs256()
	if err != nil {
		return nil, err
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.ES256, rs}}
	if k.DataProviderEnc.Key != nil {
		set.Keys = append(set.Keys, k.DataProviderEnc)
	}
	return json.MarshalIndent(set, "", "  ")
}

// Public returns the JWKS the provider publishes: public halves only.
func (k *Keys) Public() jose.JSONWebKeySet {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.ES256.Public()}}
	if rs, err := k.rs256(); err == nil {
		set.Keys = append(set.Keys, rs.Public())
	}
	for _, rot := range k.rotationKeys() {
		set.Keys = append(set.Keys, rot.Public())
	}
	return set
}

// forAlg is the signing key of alg.
func (k *Keys) forAlg(alg jose.SignatureAlgorithm) (jose.JSONWebKey, error) {
	switch alg {
	case jose.ES256:
		return k.ES256, nil
	case jose.RS256:
		return k.rs256()
	}
	return jose.JSONWebKey{}, fmt.Errorf("unsupported signing algorithm %q", alg)
}

// verify checks a JWS signed by one of the provider's keys and returns its
// payload.
func (k *Keys) verify(token string) ([]byte, error) {
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		return nil, err
	}
	rs, _ := k.rs256()
	for _, jwk := range append([]jose.JSONWebKey{k.ES256, rs}, k.rotationKeys()...) {
		if payload, err := jws.Verify(jwk.Public()); err == nil {
			return payload, nil
		}
	}
	return nil, fmt.Errorf("signature does not match the provider's keys")
}

// jwks serves the public signing keys, with the platform's headers.
func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=600")
	body, _ := json.Marshal(p.keys.Public())
	w.Header().Set("Content-Type", "application/jwk-set+json; charset=utf-8")
	_, _ = w.Write(body)
}

// hashHex is the hex SHA-256 of s.
func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// WarmUp starts what the provider leaves until the sandbox answers: the
// generation of its RSA key, when it made its keys itself, in the
// background, and the parsing of its pages. The key is also made on its
// first need (an RS256 client, the JWKS), the pages on the first shown.
func (p *Provider) WarmUp() {
	if p.keys.rsaKey != nil {
		go p.keys.rsaKey()
	}
	p.pages.Warm()
}
