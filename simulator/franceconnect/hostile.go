package franceconnect

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/go-jose/go-jose/v4"

	"github.com/bacasable/bacasable/simulator/journal"
)

// A hostile FranceConnect: for a qualification run, the next logins of a
// client are answered with deliberate faults, one per login, and the
// journal marks each ("faute:<id>") so that the qualification report sees
// whether the client went on as if nothing happened.

// Fault is one deliberate fault of a login.
type Fault struct {
	ID    string `json:"id"`
	Where string `json:"where"` // callback, id_token, userinfo
	Title string `json:"title"`
}

// Faults are every fault a qualification run plays, in order.
var Faults = []Fault{
	{"callback-state", "callback", "le retour sur la redirect_uri porte un autre state"},
	{"callback-iss", "callback", "le paramètre iss du retour n'est pas l'émetteur"},
	{"idtoken-unknown-key", "id_token", "ID token signé par une clé inconnue (même kid)"},
	{"idtoken-alg-none", "id_token", "ID token non signé (alg none)"},
	{"idtoken-hs256-public-key", "id_token", "ID token HS256 dont la clé est la clé publique RSA"},
	{"idtoken-wrong-iss", "id_token", "ID token d'un autre émetteur (iss)"},
	{"idtoken-wrong-aud", "id_token", "ID token pour un autre client (aud)"},
	{"idtoken-expired", "id_token", "ID token expiré"},
	{"idtoken-iat-future", "id_token", "ID token émis dans le futur (iat)"},
	{"idtoken-nonce", "id_token", "ID token avec un autre nonce"},
	{"idtoken-no-kid", "id_token", "ID token sans kid"},
	{"idtoken-unknown-kid", "id_token", "ID token signé par une clé absente du JWKS"},
	{"userinfo-bad-signature", "userinfo", "userinfo dont la signature est fausse"},
	{"userinfo-other-sub", "userinfo", "userinfo d'une autre personne (sub différent de l'ID token)"},
	{"key-rotation", "id_token", "rotation de clés : l'ID token est signé par une nouvelle clé publiée dans le JWKS (à accepter)"},
}

// FaultTag prefixes the journal's note on a request answered with a fault.
const FaultTag = "faute:"

// faultAt is the login's fault when it strikes at where (callback,
// id_token or userinfo).
func (req *authRequest) faultAt(where string) (Fault, bool) {
	return req.Fault, req.Fault.ID != "" && req.Fault.Where == where
}

// note marks the journal entry of the request the fault answers.
func (f Fault) note(ctx context.Context) { journal.Why(ctx, FaultTag+f.ID+" ("+f.Title+")") }

// MaxQueuedFaults bounds a client's queue of faults.
const MaxQueuedFaults = 100

// hostile holds each client's queued faults.
type hostile struct {
	mu     sync.Mutex
	queued map[string][]string // client_id → fault ids, next first
	// clients is len(queued), set under mu: nextFault, at every login,
	// takes the lock only when some fault waits.
	clients atomic.Int32
}

// QueueFaults makes the next logins of clientID meet these faults, one per
// login (every fault when ids is empty).
func (p *Provider) QueueFaults(clientID string, ids []string) ([]string, error) {
	if _, ok := p.cfg.Clients.ServiceProvider(clientID); !ok {
		return nil, fmt.Errorf("no service provider has client_id %q", clientID)
	}
	if len(ids) == 0 {
		for _, f := range Faults {
			ids = append(ids, f.ID)
		}
	}
	for _, id := range ids {
		if _, ok := faultByID(id); !ok {
			return nil, fmt.Errorf("unknown fault %q", id)
		}
	}
	p.hostile.mu.Lock()
	defer p.hostile.mu.Unlock()
	if p.hostile.queued == nil {
		p.hostile.queued = map[string][]string{}
	}
	if len(p.hostile.queued[clientID])+len(ids) > MaxQueuedFaults {
		return nil, fmt.Errorf("at most %d faults may wait for one client", MaxQueuedFaults)
	}
	p.hostile.queued[clientID] = append(p.hostile.queued[clientID], ids...)
	p.hostile.clients.Store(int32(len(p.hostile.queued)))
	return slices.Clone(p.hostile.queued[clientID]), nil
}

// QueuedFaults lists the faults waiting, per client.
func (p *Provider) QueuedFaults() map[string][]string {
	p.hostile.mu.Lock()
	defer p.hostile.mu.Unlock()
	out := map[string][]string{}
	for k, v := range p.hostile.queued {
		out[k] = slices.Clone(v)
	}
	return out
}

// nextFault pops the client's next fault, or the zero Fault.
func (p *Provider) nextFault(clientID string) Fault {
	if p.hostile.clients.Load() == 0 {
		return Fault{}
	}
	p.hostile.mu.Lock()
	defer p.hostile.mu.Unlock()
	q := p.hostile.queued[clientID]
	if len(q) == 0 {
		return Fault{}
	}
	p.hostile.queued[clientID] = q[1:]
	if len(q) == 1 {
		delete(p.hostile.queued, clientID)
		p.hostile.clients.Store(int32(len(p.hostile.queued)))
	}
	f, _ := faultByID(q[0]) // QueueFaults took known ids only
	return f
}

func (p *Provider) resetFaults() {
	p.hostile.mu.Lock()
	defer p.hostile.mu.Unlock()
	p.hostile.queued = nil
	p.hostile.clients.Store(0)
}

func faultByID(id string) (Fault, bool) {
	for _, f := range Faults {
		if f.ID == id {
			return f, true
		}
	}
	return Fault{}, false
}

// faultyCallback alters the code's redirect for a callback fault.
func (p *Provider) faultyCallback(fault string, params [][2]string) [][2]string {
	out := slices.Clone(params)
	for i, kv := range out {
		switch {
		case fault == "callback-state" && kv[0] == "state":
			out[i][1] = "state-falsifie-par-bacasable-" + randomToken(8)
		case fault == "callback-iss" && kv[0] == "iss":
			out[i][1] = "https://faux-franceconnect.example/api/v2"
		}
	}
	return out
}

// faultyIDToken signs the ID token's claims with the fault.
func (p *Provider) faultyIDToken(fault string, c idTokenClaims, alg jose.SignatureAlgorithm) (string, error) {
	switch fault {
	case "idtoken-wrong-iss":
		c.Iss = "https://faux-franceconnect.example/api/v2"
	case "idtoken-wrong-aud":
		c.Aud = "un-autre-client"
	case "idtoken-expired":
		c.Exp = c.Iat - 60
	case "idtoken-iat-future":
		c.Iat += 3600
		c.Exp += 3600
	case "idtoken-nonce":
		c.Nonce = "nonce-falsifie-par-bacasable-" + randomToken(8)
	}
	payload := c.appendJSON(nil)
	switch fault {
	case "idtoken-alg-none":
		return rawJWS(map[string]string{"alg": "none"}, payload, nil), nil
	case "idtoken-hs256-public-key":
		rs, err := p.keys.rs256()
		if err != nil {
			return "", err
		}
		der, err := x509.MarshalPKIXPublicKey(rs.Public().Key)
		if err != nil {
			return "", err
		}
		secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		header := map[string]string{"alg": "HS256", "kid": rs.KeyID}
		return rawJWS(header, payload, func(in []byte) []byte {
			m := hmac.New(sha256.New, secret)
			m.Write(in)
			return m.Sum(nil)
		}), nil
	case "idtoken-unknown-key", "idtoken-unknown-kid", "idtoken-no-kid":
		// A key of the client's algorithm that FranceConnect never published.
		jwk, err := freshKey(alg)
		if err != nil {
			return "", err
		}
		switch fault {
		case "idtoken-unknown-key": // a published kid, the wrong key
			known, err := p.keys.forAlg(alg)
			if err != nil {
				return "", err
			}
			jwk.KeyID = known.KeyID
		case "idtoken-unknown-kid":
			jwk.KeyID = "cle-inconnue-" + randomToken(6)
		}
		return signWith(jwk, payload)
	case "key-rotation":
		jwk, err := p.keys.rotated(alg)
		if err != nil {
			return "", err
		}
		return signWith(jwk, payload)
	}
	return p.keys.signPayload(alg, "", payload)
}

// faultyUserinfo signs the userinfo claims with the fault.
func (p *Provider) faultyUserinfo(fault string, claims userinfoClaims, alg jose.SignatureAlgorithm) (string, error) {
	if fault == "userinfo-other-sub" {
		claims.Sub = hashHex("une-autre-personne"+randomToken(8)) + "v1"
	}
	jws, err := p.keys.signPayload(alg, "", claims.appendJSON(nil))
	if err != nil || fault != "userinfo-bad-signature" {
		return jws, err
	}
	// The same JWS with its signature's bytes changed.
	sig := []byte(jws[len(jws)-8:])
	for i := range sig {
		if sig[i] == 'A' {
			sig[i] = 'B'
		} else {
			sig[i] = 'A'
		}
	}
	return jws[:len(jws)-8] + string(sig), nil
}

// signWith signs payload with one key, its kid in the header when set.
func signWith(jwk jose.JSONWebKey, payload []byte) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(jwk.Algorithm), Key: jwk}, nil)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// rawJWS builds a compact JWS by hand (go-jose refuses alg none and an
// HMAC keyed by a public key, which is the point).
func rawJWS(header map[string]string, payload []byte, sign func([]byte) []byte) string {
	h, _ := json.Marshal(header)
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(payload)
	if sign == nil {
		return in + "."
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sign([]byte(in)))
}
