package impotparticulier

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/simulator/fixture"
)

// HabilitationsFile is the fixture file of gateway clients and their habilitations.
const HabilitationsFile = "habilitations.yaml"

// Resource names one family of the API's resources, as habilitations list them.
type Resource string

// The resources of the API and the gateway scope that opens each.
const (
	Situations        Resource = "situations"
	DerniereSituation Resource = "derniere_situation"
	DeuxAns           Resource = "deuxans"
	Multiple          Resource = "multiple"
	Factures          Resource = "factures"
	IFI               Resource = "ifi"
	LEP               Resource = "lep"
)

// resourceScopes maps each resource to its gateway scope.
var resourceScopes = map[Resource]string{
	Situations: "RessourceIR", DerniereSituation: "RessourceIRDerniere", DeuxAns: "RessourceIRDerniere2",
	Multiple: "RessourceIRMultiple", Factures: "RessourceIRFacture", IFI: "RessourceIFI", LEP: "RessourceLEP",
}

// The DataPass modalities.
const (
	WithFranceConnect = "with_france_connect"
	WithSPI           = "with_spi"
)

// The years rules of DataPass (same names as the FranceConnect scopes
// without the dgfip_annee_ prefix).
var yearRules = []string{"n_moins_1", "n_moins_2", "n_moins_3", "n_moins_2_si_indispo_n_moins_1"}

// GatewayClient is a partner's application registered at the gateway.
type GatewayClient struct {
	ID            string          `yaml:"client_id" json:"client_id"`
	Secret        string          `yaml:"client_secret" json:"client_secret"`
	Name          string          `yaml:"name" json:"name"`
	Habilitations []*Habilitation `yaml:"habilitations" json:"habilitations"`
}

// Habilitation is what a DataPass grants one use case: its ID_Teleservice,
// modalities, resources, the data fields it may receive, the years and a
// quota of calls per minute.
type Habilitation struct {
	IDTeleservice  string     `yaml:"id_teleservice" json:"id_teleservice"`
	Libelle        string     `yaml:"libelle" json:"libelle"`
	Modalites      []string   `yaml:"modalites" json:"modalites"`
	Ressources     []Resource `yaml:"ressources" json:"ressources"`
	Donnees        []string   `yaml:"donnees" json:"donnees"`
	Annees         []string   `yaml:"annees" json:"annees"`
	QuotaParMinute int        `yaml:"quota_par_minute" json:"quota_par_minute"`

	// fields is Donnees as a set, made when the habilitation is read: an
	// API call needs it and would otherwise look up every name.
	fields fieldSet
}

// Allows tells whether the habilitation covers the resource in the mode.
func (h *Habilitation) Allows(res Resource, mode string) bool {
	return slices.Contains(h.Ressources, res) && slices.Contains(h.Modalites, mode)
}

// Scopes are the gateway scopes a client may obtain: those of the resources
// its habilitations cover.
func (c *GatewayClient) Scopes() []string {
	var out []string
	for _, res := range allResources {
		for _, h := range c.Habilitations {
			if slices.Contains(h.Ressources, res) {
				out = append(out, resourceScopes[res])
				break
			}
		}
	}
	return out
}

var allResources = []Resource{Situations, DerniereSituation, DeuxAns, Multiple, Factures, IFI, LEP}

// Habilitations are the registered gateway clients: those of
// habilitations.yaml, fixed, and those registered at run time through the
// control API, kept until reset.
type Habilitations struct {
	clients       map[string]*GatewayClient
	byTeleservice map[string]*Habilitation
	owner         map[string]*GatewayClient // ID_Teleservice → client
	list          []*GatewayClient

	mu      sync.RWMutex
	runtime map[string]*GatewayClient // registered at run time
	rtOwner map[string]*GatewayClient // their ID_Teleservice → client
}

// MaxRegisteredGatewayClients bounds the clients registered at run time.
const MaxRegisteredGatewayClients = 100

// Client returns the gateway client with that id.
func (hs *Habilitations) Client(id string) (*GatewayClient, bool) {
	if c, ok := hs.clients[id]; ok {
		return c, true
	}
	hs.mu.RLock()
	defer hs.mu.RUnlock()
	c, ok := hs.runtime[id]
	return c, ok
}

// Clients lists gateway clients: the file's in its order, then those
// registered at run time by client_id.
func (hs *Habilitations) Clients() []*GatewayClient {
	hs.mu.RLock()
	defer hs.mu.RUnlock()
	out := slices.Clone(hs.list)
	for _, id := range slices.Sorted(maps.Keys(hs.runtime)) {
		out = append(out, hs.runtime[id])
	}
	return out
}

// Teleservice returns the habilitation of an ID_Teleservice and its client.
func (hs *Habilitations) Teleservice(id string) (*Habilitation, *GatewayClient, bool) {
	if h, ok := hs.byTeleservice[id]; ok {
		return h, hs.owner[id], true
	}
	hs.mu.RLock()
	defer hs.mu.RUnlock()
	c, ok := hs.rtOwner[id]
	if !ok {
		return nil, nil, false
	}
	for _, h := range c.Habilitations {
		if h.IDTeleservice == id {
			return h, c, true
		}
	}
	return nil, nil, false
}

// Registered tells whether the client was registered at run time.
func (hs *Habilitations) Registered(id string) bool {
	hs.mu.RLock()
	defer hs.mu.RUnlock()
	_, ok := hs.runtime[id]
	return ok
}

// Register adds or replaces a gateway client at run time, checked as
// habilitations.yaml's are (body is one client, in JSON). Neither its
// client_id nor its ID_Teleservice may be one of the file's or another
// client's. It reports whether an earlier registration was replaced.
func (hs *Habilitations) Register(body []byte) (c *GatewayClient, replaced bool, err error) {
	const where = "the client"
	root, err := fixture.ParseDocument(append(append([]byte("clients: ["), body...), ']'), where)
	if err != nil {
		return nil, false, err
	}
	one, err := parseHabilitations(root, where)
	if err != nil {
		return nil, false, err
	}
	if len(one.list) != 1 {
		return nil, false, errors.New("one client, a JSON object, is expected")
	}
	c = one.list[0]
	if _, fixed := hs.clients[c.ID]; fixed {
		return nil, false, fmt.Errorf("client_id %q is declared in %s and cannot be replaced at run time", c.ID, HabilitationsFile)
	}
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for _, h := range c.Habilitations {
		if _, fixed := hs.byTeleservice[h.IDTeleservice]; fixed {
			return nil, false, fmt.Errorf("ID_Teleservice %q is declared in %s", h.IDTeleservice, HabilitationsFile)
		}
		if other, taken := hs.rtOwner[h.IDTeleservice]; taken && other.ID != c.ID {
			return nil, false, fmt.Errorf("ID_Teleservice %q is the registered client %q's", h.IDTeleservice, other.ID)
		}
	}
	old, replaced := hs.runtime[c.ID]
	if !replaced && len(hs.runtime) >= MaxRegisteredGatewayClients {
		return nil, false, fmt.Errorf("%d gateway clients are registered already, the most the sandbox keeps", MaxRegisteredGatewayClients)
	}
	if hs.runtime == nil {
		hs.runtime, hs.rtOwner = map[string]*GatewayClient{}, map[string]*GatewayClient{}
	}
	if replaced {
		hs.dropLocked(old)
	}
	hs.runtime[c.ID] = c
	for _, h := range c.Habilitations {
		hs.rtOwner[h.IDTeleservice] = c
	}
	return c, replaced, nil
}

// Unregister removes a client registered at run time; false for any other.
func (hs *Habilitations) Unregister(id string) bool {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	c, ok := hs.runtime[id]
	if ok {
		hs.dropLocked(c)
	}
	return ok
}

func (hs *Habilitations) dropLocked(c *GatewayClient) {
	delete(hs.runtime, c.ID)
	for _, h := range c.Habilitations {
		delete(hs.rtOwner, h.IDTeleservice)
	}
}

// ResetRegistered forgets the clients registered at run time.
func (hs *Habilitations) ResetRegistered() {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	hs.runtime, hs.rtOwner = nil, nil
}

// LoadHabilitations reads habilitations.yaml from fsys and checks it.
func LoadHabilitations(fsys fs.FS) (*Habilitations, error) {
	root, err := fixture.ReadDocument(fsys, HabilitationsFile)
	if err != nil {
		return nil, err
	}
	return parseHabilitations(root, HabilitationsFile)
}

// parseHabilitations checks the clients of a document read from file.
func parseHabilitations(root *yaml.Node, file string) (*Habilitations, error) {
	var errs fixture.Errors
	hs := &Habilitations{clients: map[string]*GatewayClient{}, byTeleservice: map[string]*Habilitation{}, owner: map[string]*GatewayClient{}}
	for _, node := range fixture.Items(root, "clients", true, file, &errs) {
		c := &GatewayClient{}
		if !fixture.Decode(file, node, c, &errs) {
			continue
		}
		if c.ID == "" || c.Secret == "" {
			errs.Add(file, node, "client_id and client_secret are required")
		}
		if _, dup := hs.clients[c.ID]; dup {
			errs.Add(file, node, "client_id %q is declared twice", c.ID)
		}
		habNodes := fixture.Items(node, "habilitations", true, file, &errs)
		for i, h := range c.Habilitations {
			n := node
			if i < len(habNodes) {
				n = habNodes[i]
			}
			if h == nil {
				errs.Add(file, n, "habilitation %d of client %q is empty", i+1, c.ID)
				continue
			}
			if i < len(habNodes) {
				fixture.CheckKeys(file, n, h, &errs)
			}
			checkHabilitation(file, h, n, &errs)
			h.fields = fieldsOf(h.Donnees)
			if _, dup := hs.byTeleservice[h.IDTeleservice]; dup {
				errs.Add(file, n, "ID_Teleservice %q is declared twice", h.IDTeleservice)
			}
			hs.byTeleservice[h.IDTeleservice] = h
			hs.owner[h.IDTeleservice] = c
		}
		hs.clients[c.ID] = c
		hs.list = append(hs.list, c)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return hs, nil
}

func checkHabilitation(file string, h *Habilitation, n *yaml.Node, errs *fixture.Errors) {
	at := func(key string) *yaml.Node { return fixture.ValueNode(n, key) }
	if h.IDTeleservice == "" {
		errs.Add(file, n, "id_teleservice is required")
	}
	if len(h.Modalites) == 0 {
		errs.Add(file, at("modalites"), "habilitation %q: modalites must list %s and/or %s", h.IDTeleservice, WithFranceConnect, WithSPI)
	}
	for _, m := range h.Modalites {
		if m != WithFranceConnect && m != WithSPI {
			errs.Add(file, at("modalites"), "habilitation %q: unknown modalité %q (use %s or %s)", h.IDTeleservice, m, WithFranceConnect, WithSPI)
		}
	}
	for _, r := range h.Ressources {
		if _, ok := resourceScopes[r]; !ok {
			errs.Add(file, at("ressources"), "habilitation %q: unknown resource %q (known: %s)", h.IDTeleservice, r, joinResources())
		}
	}
	for _, d := range h.Donnees {
		if !slices.Contains(fieldNames, d) {
			errs.Add(file, at("donnees"), "habilitation %q: unknown data field %q (use the contract's property names: %s)", h.IDTeleservice, d, strings.Join(fieldNames, ", "))
		}
	}
	if len(h.Annees) == 0 {
		errs.Add(file, at("annees"), "habilitation %q: annees must list the years rule (%s)", h.IDTeleservice, strings.Join(yearRules, ", "))
	}
	for _, y := range h.Annees {
		if !slices.Contains(yearRules, y) {
			errs.Add(file, at("annees"), "habilitation %q: unknown years rule %q (use %s)", h.IDTeleservice, y, strings.Join(yearRules, ", "))
		}
	}
	if h.QuotaParMinute <= 0 {
		errs.Add(file, at("quota_par_minute"), "habilitation %q: quota_par_minute must be positive (DataPass tiers: 50, 200 or 1000)", h.IDTeleservice)
	}
}

func joinResources() string {
	names := make([]string, len(allResources))
	for i, r := range allResources {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// String names the habilitation in messages.
func (h *Habilitation) String() string { return fmt.Sprintf("%s (%s)", h.IDTeleservice, h.Libelle) }
