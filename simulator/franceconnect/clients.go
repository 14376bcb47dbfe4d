package franceconnect

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-jose/go-jose/v4"
	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/simulator/fixture"
)

// ClientsFile is the fixture file declaring service and data providers.
const ClientsFile = "clients.yaml"

// ServiceProvider is a "fournisseur de service": a client of the OIDC flow.
type ServiceProvider struct {
	ID                     string   `yaml:"client_id"`
	Secret                 string   `yaml:"client_secret"`
	Name                   string   `yaml:"name"`
	RedirectURIs           []string `yaml:"redirect_uris"`
	PostLogoutRedirectURIs []string `yaml:"post_logout_redirect_uris"`
	Scopes                 []string `yaml:"scopes"`
	// SigningAlg signs the client's ID tokens and userinfo: ES256 (default) or RS256.
	SigningAlg string `yaml:"signing_alg"`
	// AnyLocalhost is a sandbox convenience: any http://localhost:* or
	// http://127.0.0.1:* redirect or post-logout URI is accepted.
	AnyLocalhost bool `yaml:"any_localhost"`
	// JWKS holds the client's public keys for private_key_jwt.
	JWKS yaml.Node `yaml:"jwks"`

	keys jose.JSONWebKeySet
}

// DataProvider is a "fournisseur de données" (e.g. the DGFiP): it calls
// checktoken with the user's access token to learn who it belongs to.
type DataProvider struct {
	ID     string `yaml:"client_id"`
	Secret string `yaml:"client_secret"`
	Name   string `yaml:"name"`
	// Scopes maps each scope the provider serves to the label the consent
	// page shows ("Revenu fiscal de référence").
	Scopes yaml.Node `yaml:"scopes"`
	// CheckTokenSignedAlg signs checktoken answers: ES256 (default) or RS256.
	CheckTokenSignedAlg string `yaml:"checktoken_signed_response_alg"`
	// CheckTokenEncryptedAlg and Enc, when set, wrap the answer in a JWE for
	// the provider's key in JWKS (ECDH-ES or RSA-OAEP-256, A256GCM).
	CheckTokenEncryptedAlg string    `yaml:"checktoken_encrypted_response_alg"`
	CheckTokenEncryptedEnc string    `yaml:"checktoken_encrypted_response_enc"`
	JWKS                   yaml.Node `yaml:"jwks"`

	scopeLabels map[string]string
	scopeOrder  []string
	keys        jose.JSONWebKeySet
}

// Registry is the set of declared clients: those of clients.yaml (and
// Démoville), and the service providers registered at run time through the
// control API, kept until Reset. It is safe for concurrent use.
type Registry struct {
	sps    map[string]*ServiceProvider
	dps    map[string]*DataProvider
	dpOf   map[string]*DataProvider // scope → data provider serving it
	spList []*ServiceProvider
	dpList []*DataProvider

	mu      sync.RWMutex
	runtime map[string]*ServiceProvider // registered at run time
	// registered is len(runtime), set under mu: ServiceProvider, at every
	// request, takes the read lock only when some client was registered.
	registered atomic.Int32
}

// ServiceProvider returns the service provider with that client_id.
func (reg *Registry) ServiceProvider(id string) (*ServiceProvider, bool) {
	if reg.registered.Load() > 0 {
		reg.mu.RLock()
		c, ok := reg.runtime[id]
		reg.mu.RUnlock()
		if ok {
			return c, true
		}
	}
	c, ok := reg.sps[id]
	return c, ok
}

// DataProvider returns the data provider with that client_id.
func (reg *Registry) DataProvider(id string) (*DataProvider, bool) {
	c, ok := reg.dps[id]
	return c, ok
}

// ServiceProviders lists the declared service providers in file order,
// then those registered at run time by client_id.
func (reg *Registry) ServiceProviders() []*ServiceProvider {
	reg.mu.RLock()
	defer reg.mu.RUnlock()
	if len(reg.runtime) == 0 {
		return reg.spList
	}
	out := slices.Clone(reg.spList)
	ids := slices.Sorted(maps.Keys(reg.runtime))
	for _, id := range ids {
		out = append(out, reg.runtime[id])
	}
	return out
}

// DataProviders lists data providers in file order.
func (reg *Registry) DataProviders() []*DataProvider { return reg.dpList }

// Registered tells whether the service provider id was registered at run
// time (and so may be replaced or removed).
func (reg *Registry) Registered(id string) bool {
	reg.mu.RLock()
	defer reg.mu.RUnlock()
	_, ok := reg.runtime[id]
	return ok
}

// MaxRegistered bounds the service providers registered at run time.
const MaxRegistered = 1000

// Register adds or replaces a service provider at run time, checked as
// clients.yaml's are; jwks is its JSON Web Key Set for private_key_jwt
// (nil for none). A client_id of clients.yaml cannot be taken. It reports
// whether an earlier registration was replaced.
func (reg *Registry) Register(sp ServiceProvider, jwks []byte) (replaced bool, err error) {
	if _, fixed := reg.sps[sp.ID]; fixed {
		return false, fmt.Errorf("client_id %q is declared in %s and cannot be replaced at run time", sp.ID, ClientsFile)
	}
	if _, dp := reg.dps[sp.ID]; dp {
		return false, fmt.Errorf("client_id %q is a data provider's", sp.ID)
	}
	sp.SigningAlg = defaultAlg(sp.SigningAlg)
	problems := reg.check(&sp)
	if len(jwks) > 0 {
		if err := json.Unmarshal(jwks, &sp.keys); err != nil {
			problems = append(problems, "jwks is not a JSON Web Key Set: "+err.Error())
		}
		for _, k := range sp.keys.Keys {
			if !k.IsPublic() {
				problems = append(problems, fmt.Sprintf("jwks: key %q holds a private key; declare public keys only", k.KeyID))
			}
		}
	}
	if len(problems) > 0 {
		return false, errors.New(strings.Join(problems, "; "))
	}
	reg.mu.Lock()
	defer reg.mu.Unlock()
	_, replaced = reg.runtime[sp.ID]
	if !replaced && len(reg.runtime) >= MaxRegistered {
		return false, fmt.Errorf("%d service providers are registered already, the most the sandbox keeps", MaxRegistered)
	}
	if reg.runtime == nil {
		reg.runtime = map[string]*ServiceProvider{}
	}
	c := sp
	reg.runtime[sp.ID] = &c
	reg.registered.Store(int32(len(reg.runtime)))
	return replaced, nil
}

// Unregister removes a service provider registered at run time.
func (reg *Registry) Unregister(id string) bool {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	_, ok := reg.runtime[id]
	delete(reg.runtime, id)
	reg.registered.Store(int32(len(reg.runtime)))
	return ok
}

// ResetRegistered forgets the service providers registered at run time.
func (reg *Registry) ResetRegistered() {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	reg.runtime = nil
	reg.registered.Store(0)
}

// check applies clients.yaml's rules to a service provider.
func (reg *Registry) check(sp *ServiceProvider) []string {
	var out []string
	if sp.ID == "" {
		out = append(out, "client_id is required")
	}
	if sp.Secret == "" {
		out = append(out, fmt.Sprintf("client %q: client_secret is required", sp.ID))
	}
	if len(sp.RedirectURIs) == 0 && !sp.AnyLocalhost {
		out = append(out, fmt.Sprintf("service provider %q: redirect_uris is empty", sp.ID))
	}
	for _, u := range append(slices.Clone(sp.RedirectURIs), sp.PostLogoutRedirectURIs...) {
		if pu, err := url.Parse(u); err != nil || !pu.IsAbs() || pu.Fragment != "" {
			out = append(out, fmt.Sprintf("service provider %q: %q is not an absolute URI without fragment", sp.ID, u))
		}
	}
	if !slices.Contains(sp.Scopes, "openid") {
		out = append(out, fmt.Sprintf("service provider %q: scopes must include openid", sp.ID))
	}
	for _, s := range sp.Scopes {
		if !known(s, reg) {
			out = append(out, fmt.Sprintf("service provider %q: unknown scope %q (neither a FranceConnect scope nor one a data provider serves)", sp.ID, s))
		}
	}
	if sp.SigningAlg != string(jose.ES256) && sp.SigningAlg != string(jose.RS256) {
		out = append(out, fmt.Sprintf("signing algorithm %q: FranceConnect v2 signs with ES256 or RS256", sp.SigningAlg))
	}
	return out
}

// dataProviderFor returns the data provider serving scope, if any.
func (reg *Registry) dataProviderFor(scope string) (*DataProvider, bool) {
	dp, ok := reg.dpOf[scope]
	return dp, ok
}

// HasScope tells whether the data provider serves scope.
func (dp *DataProvider) HasScope(scope string) bool {
	_, ok := dp.scopeLabels[scope]
	return ok
}

// ScopeLabel is the French label of one of the provider's scopes.
func (dp *DataProvider) ScopeLabel(scope string) string { return dp.scopeLabels[scope] }

// ScopeNames lists the provider's scopes in file order.
func (dp *DataProvider) ScopeNames() []string { return dp.scopeOrder }

// LoadClients reads clients.yaml from fsys.
func LoadClients(fsys fs.FS) (*Registry, error) {
	root, err := fixture.ReadDocument(fsys, ClientsFile)
	if err != nil {
		return nil, err
	}
	var errs fixture.Errors
	add := func(n *yaml.Node, format string, args ...any) { errs.Add(ClientsFile, n, format, args...) }
	reg := &Registry{sps: map[string]*ServiceProvider{}, dps: map[string]*DataProvider{}, dpOf: map[string]*DataProvider{}}

	for _, node := range fixture.Items(root, "data_providers", false, ClientsFile, &errs) {
		dp := &DataProvider{}
		if !fixture.Decode(ClientsFile, node, dp, &errs) {
			continue
		}
		checkCredentials(dp.ID, dp.Secret, node, add)
		if _, dup := reg.dps[dp.ID]; dup {
			add(node, "client_id %q is declared twice", dp.ID)
		}
		dp.scopeLabels = map[string]string{}
		if dp.Scopes.Kind != yaml.MappingNode {
			add(fixture.ValueNode(node, "scopes"), "data provider %q: scopes must map each scope to its French label", dp.ID)
		}
		for i := 0; i+1 < len(dp.Scopes.Content); i += 2 {
			name, label := dp.Scopes.Content[i].Value, dp.Scopes.Content[i+1].Value
			if other, taken := reg.dpOf[name]; taken {
				add(dp.Scopes.Content[i], "scope %q is already served by data provider %q", name, other.ID)
			}
			if _, std := scopeClaims[name]; std {
				add(dp.Scopes.Content[i], "scope %q is a FranceConnect identity scope, not a data-provider scope", name)
			}
			dp.scopeLabels[name] = label
			dp.scopeOrder = append(dp.scopeOrder, name)
			reg.dpOf[name] = dp
		}
		dp.CheckTokenSignedAlg = defaultAlg(dp.CheckTokenSignedAlg)
		checkAlg(dp.CheckTokenSignedAlg, fixture.ValueNode(node, "checktoken_signed_response_alg"), add)
		dp.keys = parseJWKS(&dp.JWKS, node, add)
		if dp.CheckTokenEncryptedAlg != "" || dp.CheckTokenEncryptedEnc != "" {
			if _, err := encryptionKey(dp); err != nil {
				add(fixture.ValueNode(node, "checktoken_encrypted_response_alg"), "data provider %q: %v", dp.ID, err)
			}
		}
		reg.dps[dp.ID] = dp
		reg.dpList = append(reg.dpList, dp)
	}

	for _, node := range fixture.Items(root, "service_providers", true, ClientsFile, &errs) {
		sp := &ServiceProvider{}
		if !fixture.Decode(ClientsFile, node, sp, &errs) {
			continue
		}
		if _, dup := reg.sps[sp.ID]; dup {
			add(node, "client_id %q is declared twice", sp.ID)
		}
		sp.SigningAlg = defaultAlg(sp.SigningAlg)
		for _, problem := range reg.check(sp) {
			add(node, "%s", problem)
		}
		sp.keys = parseJWKS(&sp.JWKS, node, add)
		reg.sps[sp.ID] = sp
		reg.spList = append(reg.spList, sp)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return reg, nil
}

func checkCredentials(id, secret string, node *yaml.Node, add func(*yaml.Node, string, ...any)) {
	if id == "" {
		add(node, "client_id is required")
	}
	if secret == "" {
		add(node, "client %q: client_secret is required", id)
	}
}

func defaultAlg(alg string) string {
	if alg == "" {
		return string(jose.ES256)
	}
	return alg
}

func checkAlg(alg string, node *yaml.Node, add func(*yaml.Node, string, ...any)) {
	if alg != string(jose.ES256) && alg != string(jose.RS256) {
		add(node, "signing algorithm %q: FranceConnect v2 signs with ES256 or RS256", alg)
	}
}

// parseJWKS turns the YAML jwks mapping into a key set.
func parseJWKS(n *yaml.Node, parent *yaml.Node, add func(*yaml.Node, string, ...any)) jose.JSONWebKeySet {
	var set jose.JSONWebKeySet
	if n.Kind == 0 {
		return set
	}
	var raw any
	if err := n.Decode(&raw); err != nil {
		add(n, "jwks: %v", err)
		return set
	}
	data, err := json.Marshal(raw)
	if err == nil {
		err = json.Unmarshal(data, &set)
	}
	if err != nil {
		add(n, "jwks is not a JSON Web Key Set: %v", err)
		return set
	}
	for _, k := range set.Keys {
		if !k.IsPublic() {
			add(n, "jwks: key %q holds a private key; declare public keys only", k.KeyID)
		}
	}
	return set
}

// redirectAllowed tells whether uri is registered (exactly) for the client,
// or is a localhost URI accepted by the sandbox convenience.
func (sp *ServiceProvider) redirectAllowed(uri string, registered []string) bool {
	if slices.Contains(registered, uri) {
		return true
	}
	return sp.AnyLocalhost && isLocalhostURI(uri)
}

// isLocalhostURI: http or https on localhost, 127.0.0.1 or [::1], any port
// and path, no fragment or user info.
func isLocalhostURI(uri string) bool {
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Fragment != "" || u.User != nil {
		return false
	}
	host := u.Hostname()
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// allowsScope tells whether the client may request scope.
func (sp *ServiceProvider) allowsScope(scope string) bool { return slices.Contains(sp.Scopes, scope) }

// String names the client in logs.
func (sp *ServiceProvider) String() string { return fmt.Sprintf("%s (%s)", sp.Name, sp.ID) }

// sortedScopes sorts and deduplicates scopes in place.
func sortedScopes(scopes []string) []string {
	slices.Sort(scopes)
	return slices.Compact(scopes)
}

// AddServiceProvider registers a service provider built in code (the
// sandbox's own Démoville, whose URIs follow the public URL), as if
// declared in clients.yaml. It applies the file's rules and refuses a
// client_id already taken. Call it before serving.
func (reg *Registry) AddServiceProvider(sp ServiceProvider) error {
	if _, dup := reg.sps[sp.ID]; dup {
		return fmt.Errorf("client_id %q is already declared in %s", sp.ID, ClientsFile)
	}
	sp.SigningAlg = defaultAlg(sp.SigningAlg)
	if problems := reg.check(&sp); len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	c := sp
	reg.sps[c.ID] = &c
	reg.spList = append(reg.spList, &c)
	return nil
}
