package control

import (
	"encoding/json"
	"net/http"

	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/impotparticulier"
)

// clientView is a service provider as the API shows and takes it.
type clientView struct {
	ClientID               string          `json:"client_id"`
	ClientSecret           string          `json:"client_secret"`
	Name                   string          `json:"name"`
	RedirectURIs           []string        `json:"redirect_uris"`
	PostLogoutRedirectURIs []string        `json:"post_logout_redirect_uris"`
	Scopes                 []string        `json:"scopes"`
	SigningAlg             string          `json:"signing_alg,omitempty"`
	AnyLocalhost           bool            `json:"any_localhost"`
	JWKS                   json.RawMessage `json:"jwks,omitempty"`
	Registered             bool            `json:"registered"`
}

func (c *Control) viewClient(sp *franceconnect.ServiceProvider) clientView {
	nonNil := func(l []string) []string {
		if l == nil {
			return []string{}
		}
		return l
	}
	return clientView{ClientID: sp.ID, ClientSecret: sp.Secret, Name: sp.Name, RedirectURIs: nonNil(sp.RedirectURIs),
		PostLogoutRedirectURIs: nonNil(sp.PostLogoutRedirectURIs), Scopes: nonNil(sp.Scopes), SigningAlg: sp.SigningAlg,
		AnyLocalhost: sp.AnyLocalhost, Registered: c.cfg.ServiceProviders.Registered(sp.ID)}
}

func (c *Control) listClients(*call) (int, any, error) {
	out := list[clientView]{Items: []clientView{}}
	for _, sp := range c.cfg.ServiceProviders.ServiceProviders() {
		out.Items = append(out.Items, c.viewClient(sp))
	}
	return http.StatusOK, out, nil
}

func (c *Control) getClient(in *call) (int, any, error) {
	sp, ok := c.cfg.ServiceProviders.ServiceProvider(in.params["client_id"])
	if !ok {
		return 0, nil, newError(CodeNotFound, "no FranceConnect service provider has the client_id %q", in.params["client_id"])
	}
	return http.StatusOK, c.viewClient(sp), nil
}

// putClient registers a vendor's own service provider, checked like
// clients.yaml's, until reset.
func (c *Control) putClient(in *call) (int, any, error) {
	var req clientView
	if err := json.Unmarshal(in.body, &req); err != nil {
		return 0, nil, invalidRequest("the body is not the contract's ServiceProvider: %v", err)
	}
	id := in.params["client_id"]
	if req.ClientID != id {
		return 0, nil, invalidField("/client_id", "client_id %q is not the path's %q", req.ClientID, id)
	}
	sp := franceconnect.ServiceProvider{ID: req.ClientID, Secret: req.ClientSecret, Name: req.Name, RedirectURIs: req.RedirectURIs,
		PostLogoutRedirectURIs: req.PostLogoutRedirectURIs, Scopes: req.Scopes, SigningAlg: req.SigningAlg, AnyLocalhost: req.AnyLocalhost}
	replaced, err := c.cfg.ServiceProviders.Register(sp, req.JWKS)
	if err != nil {
		return 0, nil, invalidRequest("%v", err)
	}
	got, _ := c.cfg.ServiceProviders.ServiceProvider(id)
	c.log.InfoContext(in.r.Context(), "control: service provider registered", "client_id", id, "replaced", replaced)
	if replaced {
		return http.StatusOK, c.viewClient(got), nil
	}
	in.header.Set("Location", BasePath+"/franceconnect/clients/"+id)
	return http.StatusCreated, c.viewClient(got), nil
}

func (c *Control) deleteClient(in *call) (int, any, error) {
	id := in.params["client_id"]
	if _, ok := c.cfg.ServiceProviders.ServiceProvider(id); !ok {
		return 0, nil, newError(CodeNotFound, "no FranceConnect service provider has the client_id %q", id)
	}
	if !c.cfg.ServiceProviders.Unregister(id) {
		return 0, nil, invalidRequest("client_id %q is declared in clients.yaml: only service providers registered through this API can be removed", id)
	}
	c.log.InfoContext(in.r.Context(), "control: service provider removed", "client_id", id)
	return http.StatusNoContent, nil, nil
}

// gatewayClientView is a gateway client as the API shows it.
type gatewayClientView struct {
	*impotparticulier.GatewayClient
	Registered bool `json:"registered"`
}

func (c *Control) gatewayClients() (GatewayClients, error) {
	if c.cfg.GatewayClients == nil {
		return nil, newError(CodeNotFound, "this sandbox emulates no API Impôt particulier gateway")
	}
	return c.cfg.GatewayClients, nil
}

func (c *Control) listGatewayClients(*call) (int, any, error) {
	out := list[gatewayClientView]{Items: []gatewayClientView{}}
	gw, err := c.gatewayClients()
	if err != nil {
		return http.StatusOK, out, nil
	}
	for _, gc := range gw.Clients() {
		out.Items = append(out.Items, gatewayClientView{gc, gw.Registered(gc.ID)})
	}
	return http.StatusOK, out, nil
}

func (c *Control) getGatewayClient(in *call) (int, any, error) {
	gw, err := c.gatewayClients()
	if err != nil {
		return 0, nil, err
	}
	gc, ok := gw.Client(in.params["client_id"])
	if !ok {
		return 0, nil, newError(CodeNotFound, "no gateway client has the client_id %q", in.params["client_id"])
	}
	return http.StatusOK, gatewayClientView{gc, gw.Registered(gc.ID)}, nil
}

// putGatewayClient registers a vendor's own gateway client and its
// habilitations, checked like habilitations.yaml's, until reset.
func (c *Control) putGatewayClient(in *call) (int, any, error) {
	gw, err := c.gatewayClients()
	if err != nil {
		return 0, nil, err
	}
	var body map[string]json.RawMessage
	var clientID string
	if err := json.Unmarshal(in.body, &body); err != nil || json.Unmarshal(body["client_id"], &clientID) != nil {
		return 0, nil, invalidRequest("the body is not the contract's GatewayClient")
	}
	id := in.params["client_id"]
	if clientID != id {
		return 0, nil, invalidField("/client_id", "client_id %q is not the path's %q", clientID, id)
	}
	// registered is read only: the contract allows it in the body, the
	// fixture checks do not.
	delete(body, "registered")
	clean, _ := json.Marshal(body)
	gc, replaced, err := gw.Register(clean)
	if err != nil {
		return 0, nil, invalidRequest("%v", err)
	}
	c.log.InfoContext(in.r.Context(), "control: gateway client registered", "client_id", id, "replaced", replaced)
	if replaced {
		return http.StatusOK, gatewayClientView{gc, true}, nil
	}
	in.header.Set("Location", BasePath+"/impotparticulier/clients/"+id)
	return http.StatusCreated, gatewayClientView{gc, true}, nil
}

func (c *Control) deleteGatewayClient(in *call) (int, any, error) {
	gw, err := c.gatewayClients()
	if err != nil {
		return 0, nil, err
	}
	id := in.params["client_id"]
	if _, ok := gw.Client(id); !ok {
		return 0, nil, newError(CodeNotFound, "no gateway client has the client_id %q", id)
	}
	if !gw.Unregister(id) {
		return 0, nil, invalidRequest("client_id %q is declared in habilitations.yaml: only gateway clients registered through this API can be removed", id)
	}
	c.log.InfoContext(in.r.Context(), "control: gateway client removed", "client_id", id)
	return http.StatusNoContent, nil, nil
}
