package impotparticulier

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

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
	ID            string          `yaml:"client_id"`
	Secret        string          `yaml:"client_secret"`
	Name          string          `yaml:"name"`
	Habilitations []*Habilitation `yaml:"habilitations"`
}

// Habilitation is what a DataPass grants one use case: its ID_Teleservice,
// modalities, resources, the data fields it may receive, the years and a
// quota of calls per minute.
type Habilitation struct {
	IDTeleservice  string     `yaml:"id_teleservice"`
	Libelle        string     `yaml:"libelle"`
	Modalites      []string   `yaml:"modalites"`
	Ressources     []Resource `yaml:"ressources"`
	Donnees        []string   `yaml:"donnees"`
	Annees         []string   `yaml:"annees"`
	QuotaParMinute int        `yaml:"quota_par_minute"`
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

// Habilitations are the registered gateway clients.
type Habilitations struct {
	clients       map[string]*GatewayClient
	byTeleservice map[string]*Habilitation
	owner         map[string]*GatewayClient // ID_Teleservice → client
	list          []*GatewayClient
}

// Client returns the gateway client with that id.
func (hs *Habilitations) Client(id string) (*GatewayClient, bool) {
	c, ok := hs.clients[id]
	return c, ok
}

// Clients lists gateway clients in file order.
func (hs *Habilitations) Clients() []*GatewayClient { return hs.list }

// Teleservice returns the habilitation of an ID_Teleservice and its client.
func (hs *Habilitations) Teleservice(id string) (*Habilitation, *GatewayClient, bool) {
	h, ok := hs.byTeleservice[id]
	return h, hs.owner[id], ok
}

// LoadHabilitations reads habilitations.yaml from fsys and checks it.
func LoadHabilitations(fsys fs.FS) (*Habilitations, error) {
	root, err := fixture.ReadDocument(fsys, HabilitationsFile)
	if err != nil {
		return nil, err
	}
	var errs fixture.Errors
	hs := &Habilitations{clients: map[string]*GatewayClient{}, byTeleservice: map[string]*Habilitation{}, owner: map[string]*GatewayClient{}}
	for _, node := range fixture.Items(root, "clients", true, HabilitationsFile, &errs) {
		c := &GatewayClient{}
		if !fixture.Decode(HabilitationsFile, node, c, &errs) {
			continue
		}
		if c.ID == "" || c.Secret == "" {
			errs.Add(HabilitationsFile, node, "client_id and client_secret are required")
		}
		if _, dup := hs.clients[c.ID]; dup {
			errs.Add(HabilitationsFile, node, "client_id %q is declared twice", c.ID)
		}
		habNodes := fixture.Items(node, "habilitations", true, HabilitationsFile, &errs)
		for i, h := range c.Habilitations {
			n := node
			if i < len(habNodes) {
				n = habNodes[i]
				fixture.CheckKeys(HabilitationsFile, n, h, &errs)
			}
			checkHabilitation(h, n, &errs)
			if _, dup := hs.byTeleservice[h.IDTeleservice]; dup {
				errs.Add(HabilitationsFile, n, "ID_Teleservice %q is declared twice", h.IDTeleservice)
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

func checkHabilitation(h *Habilitation, n *yaml.Node, errs *fixture.Errors) {
	at := func(key string) *yaml.Node { return fixture.ValueNode(n, key) }
	if h.IDTeleservice == "" {
		errs.Add(HabilitationsFile, n, "id_teleservice is required")
	}
	if len(h.Modalites) == 0 {
		errs.Add(HabilitationsFile, at("modalites"), "habilitation %q: modalites must list %s and/or %s", h.IDTeleservice, WithFranceConnect, WithSPI)
	}
	for _, m := range h.Modalites {
		if m != WithFranceConnect && m != WithSPI {
			errs.Add(HabilitationsFile, at("modalites"), "habilitation %q: unknown modalité %q (use %s or %s)", h.IDTeleservice, m, WithFranceConnect, WithSPI)
		}
	}
	for _, r := range h.Ressources {
		if _, ok := resourceScopes[r]; !ok {
			errs.Add(HabilitationsFile, at("ressources"), "habilitation %q: unknown resource %q (known: %s)", h.IDTeleservice, r, joinResources())
		}
	}
	for _, d := range h.Donnees {
		if !slices.Contains(fieldNames, d) {
			errs.Add(HabilitationsFile, at("donnees"), "habilitation %q: unknown data field %q (use the contract's property names: %s)", h.IDTeleservice, d, strings.Join(fieldNames, ", "))
		}
	}
	if len(h.Annees) == 0 {
		errs.Add(HabilitationsFile, at("annees"), "habilitation %q: annees must list the years rule (%s)", h.IDTeleservice, strings.Join(yearRules, ", "))
	}
	for _, y := range h.Annees {
		if !slices.Contains(yearRules, y) {
			errs.Add(HabilitationsFile, at("annees"), "habilitation %q: unknown years rule %q (use %s)", h.IDTeleservice, y, strings.Join(yearRules, ", "))
		}
	}
	if h.QuotaParMinute <= 0 {
		errs.Add(HabilitationsFile, at("quota_par_minute"), "habilitation %q: quota_par_minute must be positive (DataPass tiers: 50, 200 or 1000)", h.IDTeleservice)
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
