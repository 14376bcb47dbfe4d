package control

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/bacasable/bacasable/openapi"
	"github.com/bacasable/bacasable/simulator/clock"
	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/hostguard"
	"github.com/bacasable/bacasable/simulator/impotparticulier"
	"github.com/bacasable/bacasable/simulator/population"
	"github.com/bacasable/bacasable/simulator/scenario"
)

// BasePath is where the control API is served.
const BasePath = "/_bacasable/api"

// maxBody is the largest request body read (a persona or a foyer is a few
// hundred bytes).
const maxBody = 1 << 20

// Population is the live population the control API reads and changes.
type Population interface {
	Current() *population.Population
	// Apply checks the population with doc added and swaps it in; the
	// error is a fixture.Errors naming files and lines.
	Apply(doc population.Document) (*population.Population, error)
}

// Scenarios are the scenarios and their activations.
type Scenarios interface {
	Set() *scenario.Set
	// Activate returns an error wrapping scenario.ErrUnknown for an
	// unknown name, another error for a bad scope or target.
	Activate(name, scope, target string, calls int) (*scenario.Activation, error)
	Activations() []scenario.Activation
	Clear(id string) bool
	ClearAll()
}

// Clock is the one virtual clock of the sandbox.
type Clock interface {
	clock.Clock
	Set(t time.Time)
	Freeze(t time.Time)
	Unfreeze()
	Advance(d time.Duration)
	Frozen() bool
	State() clock.State
	Restore(st clock.State)
}

// LoginQueue is FranceConnect's queue of logins per service provider.
type LoginQueue interface {
	// QueueLogin returns an error when the client or the persona is unknown.
	QueueLogin(clientID, who string) error
	QueuedLogins() map[string][]string
}

// Faults are a hostile FranceConnect's deliberate faults, queued per client
// for a qualification run.
type Faults interface {
	// QueueFaults returns an error for an unknown client or fault.
	QueueFaults(clientID string, ids []string) ([]string, error)
	QueuedFaults() map[string][]string
}

// ServiceProviders are FranceConnect's registered clients: those of the
// fixtures, and those registered at run time.
type ServiceProviders interface {
	ServiceProvider(id string) (*franceconnect.ServiceProvider, bool)
	ServiceProviders() []*franceconnect.ServiceProvider
	// Register returns an error for a client that breaks clients.yaml's
	// rules or takes a client_id of the fixtures.
	Register(sp franceconnect.ServiceProvider, jwks []byte) (replaced bool, err error)
	// Unregister is false for a client of the fixtures.
	Unregister(id string) bool
	Registered(id string) bool
}

// GatewayClients are the API Impôt particulier gateway's clients.
type GatewayClients interface {
	Client(id string) (*impotparticulier.GatewayClient, bool)
	Clients() []*impotparticulier.GatewayClient
	Registered(id string) bool
	// Register checks and adds one client given in JSON; replaced says an
	// earlier registration of the same client_id was replaced.
	Register(body []byte) (c *impotparticulier.GatewayClient, replaced bool, err error)
	Unregister(id string) bool
}

var (
	_ Population       = (*population.Live)(nil)
	_ Scenarios        = (*scenario.Engine)(nil)
	_ Clock            = (*clock.Virtual)(nil)
	_ LoginQueue       = (*franceconnect.Provider)(nil)
	_ Faults           = (*franceconnect.Provider)(nil)
	_ ServiceProviders = (*franceconnect.Registry)(nil)
	_ GatewayClients   = (*impotparticulier.Habilitations)(nil)
)

// Config configures the control API. Every field is required unless its
// comment gives a default.
type Config struct {
	// Contracts holds control.yaml (the openapi directory).
	Contracts fs.FS
	// Loaded, when set, is control.yaml already loaded (openapi.Load of
	// ContractFile under BasePath). Default: loaded from Contracts.
	Loaded *openapi.Contract
	// Loading, when set (and Loaded is not), is control.yaml loading in
	// the background (openapi.LoadInBackground): New returns at once and
	// the control API waits for it on its first request, so that the
	// sandbox answers before the contract is read. A contract that fails
	// to load, or lacks an operation, then makes every call a 500: leave
	// in the background only a contract known to load (the embedded one,
	// checked by the tests).
	Loading    *openapi.Loading
	Population Population
	Scenarios  Scenarios
	// Clock is moved by the clock operations; ClockStart is its setting
	// at start, what POST /clock/reset returns to and what the clock's
	// "moved" compares with (default: its setting when New runs).
	Clock      Clock
	ClockStart *clock.State
	// Calendar is the API Impôt particulier's taxation calendar, for the
	// years the clock makes available; zero is 22 July.
	Calendar impotparticulier.Calendar
	Logins   LoginQueue
	// Faults queues a hostile FranceConnect's faults; default: none (the
	// operations answer 404).
	Faults           Faults
	ServiceProviders ServiceProviders
	// GatewayClients are accepted as targets of client activations;
	// default none.
	GatewayClients GatewayClients
	// Reset returns the whole sandbox to its start (POST /reset).
	Reset func()
	// Journal is the request journal the journal operations read.
	Journal Journal
	// PublicURL is the sandbox's base URL, for the HAR export.
	PublicURL string
	// Token, when set, is the bearer token every caller must present,
	// loopback included; when empty only loopback callers are answered.
	Token string
	// Logger receives the changes made and the errors; default discard.
	Logger *slog.Logger
}

// Control is the control API's handler.
type Control struct {
	cfg Config
	log *slog.Logger
	// spec is the contract, once loaded (see Config.Loading).
	spec       func() (*contract, error)
	ops        map[string]handler
	clockStart clock.State
	csrf       *http.CrossOriginProtection
	hosts      hostguard.Hosts
	// ending is closed by EndStreams: the live streams end.
	ending  chan struct{}
	endOnce sync.Once
}

// EndStreams ends every live stream of the journal, and those opened
// later at once: a server shutting down calls it (http.Server's
// RegisterOnShutdown), since Shutdown waits for every handler to return
// and a stream never returns by itself. The browser's console then says
// the stream dropped and tries again.
func (c *Control) EndStreams() { c.endOnce.Do(func() { close(c.ending) }) }

// call is one validated request on its way to its handler.
type call struct {
	r      *http.Request
	params map[string]string // path parameters
	body   []byte
	header http.Header // the answer's headers
}

// handler answers one operation of the contract: a status and a body to
// write as JSON (nil for none), or an error (an *Error, or anything else
// for an internal error).
type handler func(*call) (int, any, error)

// New loads the contract and checks that every operation has a handler.
func New(cfg Config) (*Control, error) {
	if cfg.Contracts == nil || cfg.Population == nil || cfg.Scenarios == nil || cfg.Clock == nil ||
		cfg.Logins == nil || cfg.ServiceProviders == nil || cfg.Reset == nil || cfg.Journal == nil {
		return nil, errors.New("control: Contracts, Population, Scenarios, Clock, Logins, ServiceProviders, Reset and Journal are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Control{cfg: cfg, log: cfg.Logger, clockStart: cfg.Clock.State(), csrf: http.NewCrossOriginProtection(),
		hosts: hostguard.New(cfg.PublicURL), ending: make(chan struct{})}
	if cfg.ClockStart != nil {
		c.clockStart = *cfg.ClockStart
	}
	c.ops = c.operations()
	if cfg.Loaded == nil && cfg.Loading != nil {
		c.spec = openapi.WhenLoaded(cfg.Loading, func(loaded *openapi.Contract) (*contract, error) {
			return loadContract(cfg.Contracts, loaded, c.ops)
		})
		return c, nil
	}
	ct, err := loadContract(cfg.Contracts, cfg.Loaded, c.ops)
	if err != nil {
		return nil, err
	}
	c.spec = func() (*contract, error) { return ct, nil }
	return c, nil
}

// operations lists every operation of the control API by the contract's
// operationId: the whole surface in one screen.
func (c *Control) operations() map[string]handler {
	return map[string]handler{
		"getContract": c.getContract,

		"listPersonas": c.listPersonas,
		"getPersona":   c.getPersona,
		"putPersona":   c.putPersona,
		"listFoyers":   c.listFoyers,
		"getFoyer":     c.getFoyer,
		"putFoyer":     c.putFoyer,

		"listScenarios":    c.listScenarios,
		"listActivations":  c.listActivations,
		"activateScenario": c.activateScenario,
		"clearActivations": c.clearActivations,
		"clearActivation":  c.clearActivation,

		"getClock":     c.getClock,
		"setClock":     c.setClock,
		"advanceClock": c.advanceClock,
		"resetClock":   c.resetClock,

		"listQueuedLogins":      c.listQueuedLogins,
		"queueLogin":            c.queueLogin,
		"listClients":           c.listClients,
		"getQualification":      c.getQualification,
		"getQualificationJUnit": c.getQualificationJUnit,
		"listFaults":            c.listFaults,
		"queueFaults":           c.queueFaults,
		"getClient":             c.getClient,
		"putClient":             c.putClient,
		"deleteClient":          c.deleteClient,
		"listGatewayClients":    c.listGatewayClients,
		"getGatewayClient":      c.getGatewayClient,
		"putGatewayClient":      c.putGatewayClient,
		"deleteGatewayClient":   c.deleteGatewayClient,

		"listJournal":            c.listJournal,
		"streamJournal":          c.streamJournal,
		"exportJournalJSONLines": c.exportJournalJSONLines,
		"exportJournalHAR":       c.exportJournalHAR,

		"reset": c.reset,
	}
}

// Routes mounts the control API under BasePath.
func (c *Control) Routes(r *mux.Router) {
	r.Handle(BasePath, c)
	r.PathPrefix(BasePath + "/").Handler(c)
}

// ServeHTTP runs a request through access, routing and contract validation,
// then its operation.
func (c *Control) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e := c.checkAccess(r); e != nil {
		c.writeError(w, r, e)
		return
	}
	spec, err := c.spec()
	if err != nil {
		c.writeError(w, r, fmt.Errorf("control: the contract %s did not load: %w", ContractFile, err))
		return
	}
	route, params, err := spec.router.FindRoute(r)
	if err != nil {
		c.writeError(w, r, spec.routeError(r, err))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		c.writeError(w, r, invalidRequest("the request body could not be read (at most %d bytes): %v", maxBody, err))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if e := spec.validateRequest(r, route, params); e != nil {
		c.writeError(w, r, e)
		return
	}
	op := route.Operation.OperationID
	status, out, err := c.ops[op](&call{r: r, params: params, body: body, header: w.Header()})
	if err != nil {
		c.writeError(w, r, err)
		return
	}
	switch v := out.(type) {
	case nil:
		w.WriteHeader(status)
	case stream:
		v(w, r)
	case rawBody:
		w.Header().Set("Content-Type", v.contentType)
		w.WriteHeader(status)
		_, _ = w.Write(v.data)
	default:
		writeJSON(w, status, out)
	}
}

// stream is an answer written as it goes (Server-Sent Events).
type stream func(w http.ResponseWriter, r *http.Request)

// timeZero clears a write deadline.
var timeZero time.Time

// rawBody is an answer that is not JSON.
type rawBody struct {
	contentType string
	data        []byte
}

func (c *Control) getContract(*call) (int, any, error) {
	spec, err := c.spec()
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, rawBody{contentType: "application/yaml; charset=utf-8", data: spec.raw}, nil
}

// reset returns the whole sandbox to its start.
func (c *Control) reset(in *call) (int, any, error) {
	c.cfg.Reset()
	c.log.InfoContext(in.r.Context(), "control: sandbox reset to the loaded fixtures")
	return http.StatusNoContent, nil, nil
}
