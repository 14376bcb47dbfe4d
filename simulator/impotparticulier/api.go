package impotparticulier

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/routers"
	"github.com/gorilla/mux"

	"github.com/bacasable/bacasable/openapi"
	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/internal/text"
	"github.com/bacasable/bacasable/simulator/journal"
	"github.com/bacasable/bacasable/simulator/jsonenc"
	"github.com/bacasable/bacasable/simulator/population"
	"github.com/bacasable/bacasable/simulator/scenario"
)

// Introspector resolves a FranceConnect access token as checktoken does for
// a data provider. *franceconnect.Provider implements it in process; a real
// checktoken client could too.
type Introspector interface {
	Introspect(token, dataProviderID string) (franceconnect.Introspection, error)
}

var _ Introspector = (*franceconnect.Provider)(nil)

// Households is what the API reads of the population.
type Households interface {
	ByIdentity(key string) (*population.Persona, bool)
	BySPI(spi string) (*population.Persona, bool)
	AvisBySPI(spi string, annrev, ref int) (*population.Foyer, []*population.Avis, bool)
	FoyerRole(personaID string) string
}

var (
	_ Households = (*population.Population)(nil)
	_ Households = (*population.Live)(nil)
)

// Config configures the API and its gateway. Zero values take the defaults
// in comments.
type Config struct {
	Contract fs.FS // holds impot-particulier.yaml (the openapi directory)
	// Loading, when set, is that contract loading in the background
	// (openapi.LoadInBackground of ContractFile under BasePath): New
	// returns at once and the API waits for it on its first request, so
	// that the sandbox answers before the contract is read. A contract
	// that fails to load then makes every call a 5000: the caller should
	// only leave in the background a contract known to load (the
	// embedded one, checked by the tests). Default: loaded by New from
	// Contract.
	Loading       *openapi.Loading
	Habilitations *Habilitations
	Households    Households
	Introspector  Introspector
	Clock         clock.Clock  // default real time
	Logger        *slog.Logger // default discard
	// DataProviderID is the DGFiP's client_id at FranceConnect; default "dgfip".
	DataProviderID string
	// TokenTTL is the gateway tokens' lifetime; default 1 h.
	TokenTTL time.Duration
	// Calendar says when each revenue year is taxed; default 22 July.
	Calendar Calendar
	// Scenarios chooses the named behaviours; default: none.
	Scenarios scenario.Player
	// ExplainErrors appends the sandbox's explanation to every error
	// message ("Aucun résultat — les revenus 2026 ne sont pas encore
	// taxés…"); false gives the DGFiP's bare messages.
	ExplainErrors bool
}

// API is the emulated gateway and API Impôt particulier.
type API struct {
	cfg           Config
	log           *slog.Logger
	loading       func() (*contract, error) // the contract, once loaded
	habilitations *Habilitations
	gateway       *gateway
	answers       answerCache
}

// New builds the API from its contract and habilitations.
func New(cfg Config) (*API, error) {
	if cfg.Contract == nil || cfg.Habilitations == nil || cfg.Households == nil || cfg.Introspector == nil {
		return nil, errors.New("impotparticulier: Contract, Habilitations, Households and Introspector are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.DataProviderID == "" {
		cfg.DataProviderID = "dgfip"
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = time.Hour
	}
	if cfg.Calendar.Month == 0 {
		cfg.Calendar.Month, cfg.Calendar.Day = DefaultCalendar.Month, DefaultCalendar.Day
	}
	a := &API{cfg: cfg, log: cfg.Logger, habilitations: cfg.Habilitations, gateway: newGateway(cfg.Clock)}
	if cfg.Loading != nil {
		a.loading = openapi.WhenLoaded(cfg.Loading, func(loaded *openapi.Contract) (*contract, error) {
			return loadContract(cfg.Contract, loaded)
		})
		return a, nil
	}
	c, err := loadContract(cfg.Contract, nil)
	if err != nil {
		return nil, err
	}
	a.loading = func() (*contract, error) { return c, nil }
	return a, nil
}

// Sweep forgets the expired gateway tokens and says how many.
func (a *API) Sweep() int { return a.gateway.sweep() }

// Reset forgets every gateway token and quota count, and the gateway
// clients registered at run time.
func (a *API) Reset() {
	a.gateway.reset()
	a.habilitations.ResetRegistered()
}

// Routes mounts the gateway's token endpoint, the contract and the API.
func (a *API) Routes(r *mux.Router) {
	r.HandleFunc("/token", a.token).Methods(http.MethodPost)
	r.HandleFunc(BasePath+"/openapi.yaml", a.serveContract).Methods(http.MethodGet)
	r.PathPrefix(BasePath + "/").Handler(http.HandlerFunc(a.serveAPI))
	r.Handle(BasePath, http.HandlerFunc(a.serveAPI)) // the base alone: the API's own 404, not the sandbox's
}

// Direct sends the API's calls — clean paths under BasePath/ other than
// the contract itself — straight to the API, and every other request to
// next (the sandbox's router, where Routes mounted the same handlers): an
// API call is matched once, by the contract's router, instead of first by
// every route of the sandbox. A path the sandbox's router would clean and
// redirect ("//", "/../") still goes to next.
func (a *API) Direct(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if strings.HasPrefix(p, BasePath+"/") && path.Clean(p) == p && p != BasePath+"/openapi.yaml" {
			a.serveAPI(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (a *API) serveContract(w http.ResponseWriter, r *http.Request) {
	c, err := a.loading()
	if err != nil {
		a.writeErreur(w, r, ErrTechnique.With("contrat indisponible : %v", err))
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, _ = w.Write(c.raw)
}

// call is one API request on its way through the checks.
type call struct {
	ctx     context.Context
	op      operation
	params  map[string]string
	hab     *Habilitation
	consent []string // FranceConnect mode: the dgfip_* scopes consented
	spi     string
	persona *population.Persona // nil when the SPI is nobody's
	client  string              // the gateway client
}

// The API's headers in canonical form: Header.Get makes a canonical copy
// of any other spelling on every call.
var (
	teleserviceHeader   = http.CanonicalHeaderKey("ID_Teleservice")
	franceConnectHeader = http.CanonicalHeaderKey("X-FranceConnect-OAuth")
)

// serveAPI runs the checks in the gateway's and the API's order: route,
// gateway token, contract, scope, habilitation, quota, user, year, data.
func (a *API) serveAPI(w http.ResponseWriter, r *http.Request) {
	contract, err := a.loading()
	if err != nil {
		a.writeErreur(w, r, ErrTechnique.With("contrat indisponible : %v", err))
		return
	}
	route, params, err := contract.router.FindRoute(r)
	if err != nil {
		var rerr *routers.RouteError
		if errors.As(err, &rerr) && errors.Is(err, routers.ErrMethodNotAllowed) {
			a.writeErreur(w, r, ErrMethode.With("méthode %s non permise : l'API n'a que des GET", r.Method))
			return
		}
		a.writeErreur(w, r, ErrRessourceInconnue.With("aucune ressource du contrat ne correspond à %s", r.URL.Path))
		return
	}
	tok, e := a.gatewayToken(r)
	if e != nil {
		a.writeErreur(w, r, e)
		return
	}
	journal.SetClient(r.Context(), tok.Client.ID)
	if e := contract.validateRequest(r, route, params); e != nil {
		a.writeErreur(w, r, e)
		return
	}
	c := &call{ctx: r.Context(), op: contract.ops[route.Operation.OperationID], params: params}
	if scope := resourceScopes[c.op.Resource]; !slices.Contains(tok.Scopes, scope) {
		a.writeErreur(w, r, ErrAccesRefuse.With("le jeton de la passerelle n'a pas le scope %s (il a : %s)", scope, strings.Join(tok.Scopes, " ")))
		return
	}
	if e := a.checkHabilitation(r, tok, c); e != nil {
		a.writeErreur(w, r, e)
		return
	}
	if ok, wait := a.gateway.count(c.hab.IDTeleservice, c.hab.QuotaParMinute); !ok {
		e := ErrQuota.With("plus de %d appels dans la minute pour %s", c.hab.QuotaParMinute, c.hab.IDTeleservice)
		e.RetryAfter = wait.Round(time.Second) + time.Second
		a.writeErreur(w, r, e)
		return
	}
	if c.op.FCMode {
		e = a.identifyFC(r, c)
	} else {
		c.spi = params["spi"]
	}
	if e != nil {
		a.writeErreur(w, r, e)
		return
	}
	c.client = tok.Client.ID
	if c.persona == nil {
		c.persona, _ = a.cfg.Households.BySPI(c.spi)
	}
	if c.persona != nil {
		journal.SetPersona(r.Context(), c.persona.Login)
	}
	if !c.op.FCMode {
		journal.SetLogin(r.Context(), "spi:"+c.spi)
	}
	journal.Why(r.Context(), "habilitation "+c.hab.IDTeleservice+", ressource "+string(c.op.Resource))
	if a.scenarioAnswered(w, r, c) {
		return
	}
	body, none, e := a.answer(c)
	if e != nil {
		a.writeErreur(w, r, e)
		return
	}
	if body == nil {
		journal.Why(r.Context(), none)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", c.op.MediaType)
	w.WriteHeader(http.StatusOK)
	body = append(body, '\n')
	_, _ = w.Write(body) // net/http and the journal copy what they keep
	putBody(body)
}

// gatewayToken checks the Authorization header against the gateway.
func (a *API) gatewayToken(r *http.Request) (*gatewayToken, *Erreur) {
	auth := r.Header.Get("Authorization")
	scheme, value, _ := strings.Cut(auth, " ")
	if auth == "" {
		return nil, ErrJetonPasserelle.With("en-tête Authorization absent : obtenez un jeton par POST /token (client credentials)")
	}
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(value) == "" {
		return nil, ErrJetonPasserelle.With("l'en-tête Authorization doit être « Bearer <jeton de la passerelle> »")
	}
	tok, why := a.gateway.check(strings.TrimSpace(value))
	if tok == nil {
		return nil, ErrJetonPasserelle.With("%s", why)
	}
	return tok, nil
}

// checkHabilitation finds the habilitation of ID_Teleservice and checks it
// belongs to the token's client and covers the resource in this mode.
// ID_Teleservice is optional, as in the DGFiP's published contract: without
// it, a client with a single habilitation is answered under that one, and a
// client with several gets 400/4000 listing them (the sandbox's choice; the
// DGFiP documents neither case).
func (a *API) checkHabilitation(r *http.Request, tok *gatewayToken, c *call) *Erreur {
	mode := WithSPI
	if c.op.FCMode {
		mode = WithFranceConnect
	}
	id := r.Header.Get(teleserviceHeader)
	if id == "" {
		habs := tok.Client.Habilitations
		if len(habs) != 1 {
			return ErrRequete.With("en-tête ID_Teleservice absent : le client %s a %d habilitations, précisez laquelle : %s",
				tok.Client.ID, len(habs), teleservices(habs, c.op.Resource, mode))
		}
		id = habs[0].IDTeleservice
		journal.Why(r.Context(), "ID_Teleservice absent : l'unique habilitation du client, "+id)
	}
	h, owner, ok := a.habilitations.Teleservice(id)
	if !ok || owner != tok.Client {
		return ErrAccesRefuse.With("ID_Teleservice « %s » n'est pas une habilitation du client %s", text.Shorten(id, 60), tok.Client.ID)
	}
	if !slices.Contains(h.Modalites, mode) {
		return ErrAccesRefuse.With("l'habilitation %s n'ouvre pas la modalité %s", h.IDTeleservice, mode)
	}
	if !slices.Contains(h.Ressources, c.op.Resource) {
		return ErrAccesRefuse.With("l'habilitation %s n'ouvre pas la ressource %s", h.IDTeleservice, c.op.Resource)
	}
	c.hab = h
	return nil
}

// teleservices lists the habilitations' ID_Teleservice for a message,
// saying which open the resource in the mode.
func teleservices(habs []*Habilitation, res Resource, mode string) string {
	var names, fit []string
	for _, h := range habs {
		names = append(names, h.IDTeleservice)
		if h.Allows(res, mode) {
			fit = append(fit, h.IDTeleservice)
		}
	}
	out := strings.Join(names, ", ")
	switch len(fit) {
	case 0:
		out += fmt.Sprintf(" (aucune n'ouvre la ressource %s en modalité %s)", res, mode)
	case len(names):
	default:
		out += fmt.Sprintf(" (celles qui ouvrent la ressource %s en modalité %s : %s)", res, mode, strings.Join(fit, ", "))
	}
	return out
}

// identifyFC resolves X-FranceConnect-OAuth as a data provider does, then
// finds the declarant whose identité pivot matches.
func (a *API) identifyFC(r *http.Request, c *call) *Erreur {
	raw := strings.TrimSpace(r.Header.Get(franceConnectHeader))
	if scheme, rest, found := strings.Cut(raw, " "); found && strings.EqualFold(scheme, "Bearer") {
		raw = strings.TrimSpace(rest)
	}
	in, err := a.cfg.Introspector.Introspect(raw, a.cfg.DataProviderID)
	if err != nil {
		return ErrTechnique.With("checktoken indisponible : %v", err)
	}
	journal.SetLogin(r.Context(), in.Login)
	if !in.Active {
		return ErrJetonFC.With("le jeton FranceConnect est inconnu ou expiré (durée de vie 60 s) : appelez l'API juste après la connexion")
	}
	for s := range strings.FieldsSeq(in.Scope) {
		if strings.HasPrefix(s, "dgfip_") {
			c.consent = append(c.consent, s)
		}
	}
	if len(c.consent) == 0 {
		return ErrJetonFC.With("l'usager n'a consenti à aucune donnée de la DGFiP (aucun scope dgfip_* dans le jeton FranceConnect)")
	}
	p, ok := a.cfg.Households.ByIdentity(population.IdentityKey(deref(in.GivenName), deref(in.FamilyName), in.Birthdate, in.Gender,
		deref(in.Birthplace), in.Birthcountry))
	if !ok {
		return ErrUsagerInconnu.With("l'identité pivot transmise par FranceConnect ne correspond à aucun usager de la DGFiP")
	}
	if p.SPI == "" {
		if a.cfg.Households.FoyerRole(p.ID) == "dependant" {
			return ErrUsagerInconnu.With("%s est rattaché(e) au foyer fiscal d'un déclarant mais n'est pas déclarant(e) : l'API ne répond que pour les déclarants", p.DisplayName())
		}
		return ErrUsagerInconnu.With("%s n'est connu(e) d'aucun foyer fiscal de la DGFiP", p.DisplayName())
	}
	c.spi, c.persona = p.SPI, p
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// writeJSON answers v (an error's envelope) as JSON, in a buffer of
// bodies: jsonenc writes encoding/json's bytes without its reflection. A
// value it cannot encode (a NaN) is a 5000.
func (a *API) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := jsonenc.Append(getBody(), v)
	if err != nil {
		putBody(body)
		a.writeErreur(w, r, ErrTechnique.With("réponse impossible à encoder : %v", err))
		return
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	body = append(body, '\n')
	_, _ = w.Write(body) // net/http and the journal copy what they keep
	putBody(body)
}
