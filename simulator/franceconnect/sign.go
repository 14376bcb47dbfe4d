package franceconnect

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/go-jose/go-jose/v4"
)

// jwsSigner writes compact JWS (RFC 7515) with one of the provider's keys,
// byte for byte as go-jose's signer would: the protected header holds alg
// and kid (and typ when asked), its JSON keys sorted. The header is encoded
// once, when the signer is made; the signature is computed with
// crypto/ecdsa or crypto/rsa directly. A login signs twice (ID token and
// userinfo), so go-jose's per-signature work — a header map encoded by
// reflection, the signature through big.Int, three string joins — was a
// good part of a login's cost.
//
// ES256 signatures are RFC 6979's deterministic ECDSA (crypto/ecdsa with a
// nil random source): a quarter cheaper than the hedged signatures of
// ecdsa.Sign, equally valid for any verifier. The same claims signed twice
// give the same token, as they would with any RFC 6979 signer.
type jwsSigner struct {
	// prefix is the base64url protected header and its dot.
	prefix string
	ec     *ecdsa.PrivateKey
	rsa    *rsa.PrivateKey
}

// jwsHeader is the protected header go-jose writes for a key with a kid:
// alg, kid, then typ when set (its keys sorted, as go-jose's encoder sorts
// its header map).
type jwsHeader struct {
	Alg jose.SignatureAlgorithm `json:"alg"`
	Kid string                  `json:"kid,omitempty"`
	Typ string                  `json:"typ,omitempty"`
}

// ecSize is the byte length of r and of s in an ES256 signature.
const ecSize = 32

// newJWSSigner prepares signatures with jwk for alg (ES256 or RS256).
func newJWSSigner(alg jose.SignatureAlgorithm, jwk jose.JSONWebKey, typ string) (*jwsSigner, error) {
	s := &jwsSigner{}
	switch key := jwk.Key.(type) {
	case *ecdsa.PrivateKey:
		if alg != jose.ES256 || key.Curve != elliptic.P256() {
			return nil, fmt.Errorf("sign: an EC key signs ES256 on P-256 only, not %s", alg)
		}
		s.ec = key
	case *rsa.PrivateKey:
		if alg != jose.RS256 {
			return nil, fmt.Errorf("sign: an RSA key signs RS256 only, not %s", alg)
		}
		s.rsa = key
	default:
		return nil, fmt.Errorf("sign: unsupported key type %T for %s", jwk.Key, alg)
	}
	header, err := json.Marshal(jwsHeader{Alg: alg, Kid: jwk.KeyID, Typ: typ})
	if err != nil {
		return nil, err
	}
	s.prefix = base64.RawURLEncoding.EncodeToString(header) + "."
	return s, nil
}

// sign returns the compact JWS of payload.
func (s *jwsSigner) sign(payload []byte) (string, error) {
	var buf [2048]byte // most tokens: the string is the only allocation
	tok, err := s.appendJWS(buf[:0], payload)
	if err != nil {
		return "", err
	}
	return string(tok), nil
}

// appendJWS appends the compact JWS of payload to dst, grown once for it;
// the signing input is hashed where it is written.
func (s *jwsSigner) appendJWS(dst, payload []byte) ([]byte, error) {
	enc := base64.RawURLEncoding
	sigLen := enc.EncodedLen(2 * ecSize)
	if s.rsa != nil {
		sigLen = enc.EncodedLen(s.rsa.Size())
	}
	dst = slices.Grow(dst, len(s.prefix)+enc.EncodedLen(len(payload))+1+sigLen)
	start := len(dst)
	dst = enc.AppendEncode(append(dst, s.prefix...), payload)
	digest := sha256.Sum256(dst[start:])

	var sig []byte
	if s.ec != nil {
		der, err := s.ec.Sign(nil, digest[:], crypto.SHA256) // nil: RFC 6979
		if err != nil {
			return nil, err
		}
		var raw [2 * ecSize]byte
		if err := ecdsaRawSignature(der, raw[:]); err != nil {
			return nil, err
		}
		sig = raw[:]
	} else {
		var err error
		if sig, err = rsa.SignPKCS1v15(nil, s.rsa, crypto.SHA256, digest[:]); err != nil {
			return nil, err
		}
	}
	return enc.AppendEncode(append(dst, '.'), sig), nil
}

var errBadECDSASignature = errors.New("sign: malformed ECDSA signature")

// ecdsaRawSignature turns crypto/ecdsa's ASN.1 signature (SEQUENCE of two
// INTEGERs) into JWS's r||s, each left-padded to len(out)/2 bytes
// (RFC 7518 §3.4).
func ecdsaRawSignature(der []byte, out []byte) error {
	if len(der) < 2 || der[0] != 0x30 || der[1] >= 0x80 || int(der[1]) != len(der)-2 {
		return errBadECDSASignature
	}
	rest := der[2:]
	size := len(out) / 2
	for i := range 2 {
		if len(rest) < 2 || rest[0] != 0x02 || rest[1] >= 0x80 || int(rest[1]) > len(rest)-2 || rest[1] == 0 {
			return errBadECDSASignature
		}
		v := rest[2 : 2+rest[1]]
		rest = rest[2+rest[1]:]
		if v[0]&0x80 != 0 { // negative: never from crypto/ecdsa
			return errBadECDSASignature
		}
		for len(v) > 0 && v[0] == 0 {
			v = v[1:]
		}
		if len(v) > size {
			return errBadECDSASignature
		}
		half := out[i*size : (i+1)*size]
		clear(half[:size-len(v)])
		copy(half[size-len(v):], v)
	}
	if len(rest) != 0 {
		return errBadECDSASignature
	}
	return nil
}

// signer returns the signer of alg, made once per alg and typ. Only alg
// and kid go in the JWS header, as in FranceConnect's ID tokens; typ is
// added when given.
func (k *Keys) signer(alg jose.SignatureAlgorithm, typ string) (*jwsSigner, error) {
	cacheKey := signerKey{alg, typ}
	if s, ok := k.signers.Load(cacheKey); ok {
		return s.(*jwsSigner), nil
	}
	// The RSA key may still be in the making: forAlg waits for it.
	jwk, err := k.forAlg(alg)
	if err != nil {
		return nil, err
	}
	s, err := newJWSSigner(alg, jwk, typ)
	if err != nil {
		return nil, err
	}
	made, _ := k.signers.LoadOrStore(cacheKey, s)
	return made.(*jwsSigner), nil
}

type signerKey struct {
	alg jose.SignatureAlgorithm
	typ string
}

// sign serialises claims as a compact JWS.
func (k *Keys) sign(alg jose.SignatureAlgorithm, typ string, claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	return k.signPayload(alg, typ, payload)
}

// signPayload signs payload, already JSON, as a compact JWS.
func (k *Keys) signPayload(alg jose.SignatureAlgorithm, typ string, payload []byte) (string, error) {
	s, err := k.signer(alg, typ)
	if err != nil {
		return "", err
	}
	return s.sign(payload)
}
