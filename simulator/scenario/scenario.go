// Package scenario holds the sandbox's named behaviours — what goes wrong
// on purpose: the civil registry refuses a login, the DGFiP is down, the
// API is slow or drops the connection — and decides, call by call, which
// one applies.
//
// A scenario is selected three ways (the first that matches wins):
//  1. the request header X-Bacasable-Scenario: <name>, for that call;
//  2. an activation made through the control API, for a persona, a client
//     or globally, for N calls or until cleared;
//  3. the persona the call concerns, when its fixture carries a scenario
//     (a trainer simply logs in as "Service DGFiP indisponible").
//
// The services ask Pick at each step where an effect may apply and carry
// the effect out in their own protocol's format.
package scenario

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/bacasable/bacasable/simulator/fixture"
)

// Header selects a scenario for one request.
const Header = "X-Bacasable-Scenario"

// The services and their steps where effects apply.
const (
	FranceConnect    = "franceconnect"
	ImpotParticulier = "impotparticulier"

	StepLogin      = "connexion"  // FranceConnect: end of login, before the code goes back
	StepToken      = "token"      // FranceConnect: token endpoint
	StepUserinfo   = "userinfo"   // FranceConnect: userinfo endpoint
	StepCheckToken = "checktoken" // FranceConnect: checktoken endpoint
	StepAPI        = "appel"      // API Impôt particulier: a call, once the caller and the user are known
)

var steps = map[string][]string{
	FranceConnect:    {StepLogin, StepToken, StepUserinfo, StepCheckToken},
	ImpotParticulier: {StepAPI},
}

// The refusals a login can meet. Except the user's cancel, each is an
// outcome of FranceConnect's check of the identity at the civil registry
// (RNIPP), with the platform's error code (back/libs/rnipp/src/exceptions).
const (
	RefusAnnulation           = "annulation"              // the user cancels
	RefusRNIPPInconnu         = "rnipp_inconnu"           // Y010008: the civil registry does not know the person (status 8)
	RefusRNIPPDecede          = "rnipp_decede"            // Y010015: the civil registry has the person deceased
	RefusRNIPPHomonyme        = "rnipp_homonyme"          // Y010006: several persons match (status 6)
	RefusRNIPPEchoUnique      = "rnipp_echo_unique"       // Y010004: no exact match, one close echo (status 4)
	RefusRNIPPNomUsage        = "rnipp_nom_usage"         // Y010007: found only with the marital name (status 7)
	RefusRNIPPRejet           = "rnipp_rejet"             // Y010009: request rejected by the registry (status 9)
	RefusRNIPPDelai           = "rnipp_delai_depasse"     // Y010011: the registry did not answer in time
	RefusRNIPPIllisible       = "rnipp_reponse_illisible" // Y010012: the registry's answer is not readable
	RefusRNIPPReponseInvalide = "rnipp_reponse_invalide"  // Y010013: the registry's answer is not valid
)

var refusals = []string{RefusAnnulation, RefusRNIPPInconnu, RefusRNIPPDecede, RefusRNIPPHomonyme, RefusRNIPPEchoUnique,
	RefusRNIPPNomUsage, RefusRNIPPRejet, RefusRNIPPDelai, RefusRNIPPIllisible, RefusRNIPPReponseInvalide}

// Scenario is one named behaviour, from one file of scenarios/.
type Scenario struct {
	Name        string   `yaml:"nom" json:"nom"`
	Title       string   `yaml:"titre" json:"titre"`
	Description string   `yaml:"description" json:"description"`
	Calls       int      `yaml:"appels" json:"appels,omitempty"` // default limit of an activation; 0 = until cleared
	Effects     []Effect `yaml:"effets" json:"effets"`
	File        string   `yaml:"-" json:"fichier"`
}

// Effect is what happens at one step of one service.
type Effect struct {
	Service string `yaml:"service" json:"service"`
	Step    string `yaml:"etape" json:"etape,omitempty"` // default: every step of the service

	// Latency delays the answer.
	Latency Duration `yaml:"latence" json:"latence,omitempty"`
	// Response replaces the answer with an error: FranceConnect answers
	// its JSON error (server_error for 5xx), the API its DGFiP envelope,
	// or, with format wso2, its gateway's WSO2 fault body.
	Response *Response `yaml:"reponse" json:"reponse,omitempty"`
	// Drop closes the connection without an answer.
	Drop bool `yaml:"coupure" json:"coupure,omitempty"`
	// Timeout holds the request that long (or until the client gives up),
	// then closes the connection without an answer.
	Timeout Duration `yaml:"delai_depasse" json:"delai_depasse,omitempty"`
	// Refusal ends a FranceConnect login: the user's cancel sends
	// access_denied back at once; a civil-registry refusal shows
	// FranceConnect's error page, whose link takes the user back.
	Refusal string `yaml:"refus" json:"refus,omitempty"`
	// RemovedClaims are left out of userinfo and checktoken (a partial
	// identity).
	RemovedClaims []string `yaml:"claims_retires" json:"claims_retires,omitempty"`
}

// Response is an error answer.
type Response struct {
	Status     int      `yaml:"statut" json:"statut"`
	Code       int      `yaml:"code" json:"code,omitempty"`       // DGFiP error code, or WSO2's with format wso2
	Message    string   `yaml:"message" json:"message,omitempty"` // default: the catalogue's
	RetryAfter Duration `yaml:"retry_after" json:"retry_after,omitempty"`
	// Format chooses the body: empty for the service's own (FranceConnect's
	// JSON error, the DGFiP envelope), FormatWSO2 for the API gateway's own
	// refusal {"fault":{code,message,description}}.
	Format string `yaml:"format" json:"format,omitempty"`
}

// FormatWSO2 answers in the body of a WSO2 API Manager gateway, the
// product the DGFiP's published contract points to (x-scopes-bindings):
// {"fault":{"code":900800,"message":"Message throttled out",…}}. It applies
// to the API Impôt particulier's gateway refusals only: 401, 403 and 429.
const FormatWSO2 = "wso2"

// wso2Statuses are the statuses a WSO2 gateway refuses a call with: bad
// or missing credentials, a token without the resource's scope, throttling.
var wso2Statuses = []int{401, 403, 429}

// Duration is a time.Duration written "3s", "150ms" in the files.
type Duration time.Duration

// UnmarshalYAML reads a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q is not a duration like 2s or 500ms", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as "2s".
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Set is the loaded scenarios, by name.
type Set struct {
	byName map[string]*Scenario
	names  []string
}

// Get returns the scenario named name.
func (s *Set) Get(name string) (*Scenario, bool) {
	sc, ok := s.byName[name]
	return sc, ok
}

// All returns every scenario, sorted by name.
func (s *Set) All() []*Scenario {
	out := make([]*Scenario, len(s.names))
	for i, n := range s.names {
		out[i] = s.byName[n]
	}
	return out
}

// Names lists the scenario names, sorted.
func (s *Set) Names() []string { return s.names }

// Load reads every *.yaml file of fsys (one scenario per file) and checks
// it; errors name the file and the line.
func Load(fsys fs.FS) (*Set, error) {
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	set := &Set{byName: map[string]*Scenario{}}
	var errs fixture.Errors
	for _, file := range files {
		root, err := fixture.ReadDocument(fsys, file)
		if err != nil {
			errs = append(errs, asFixtureError(err, file))
			continue
		}
		sc := &Scenario{File: file}
		if !fixture.Decode(file, root, sc, &errs) {
			continue
		}
		check(sc, root, file, &errs)
		if other, dup := set.byName[sc.Name]; dup {
			errs.Add(file, fixture.ValueNode(root, "nom"), "scenario %q is already declared in %s", sc.Name, other.File)
			continue
		}
		set.byName[sc.Name] = sc
		set.names = append(set.names, sc.Name)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	sort.Strings(set.names)
	return set, nil
}

func asFixtureError(err error, file string) *fixture.Error {
	if fe, ok := err.(*fixture.Error); ok {
		return fe
	}
	return &fixture.Error{File: file, Msg: err.Error()}
}

var namePattern = fixtureName()

func fixtureName() func(string) bool {
	return func(s string) bool {
		if s == "" {
			return false
		}
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
		return true
	}
}

func check(sc *Scenario, root *yaml.Node, file string, errs *fixture.Errors) {
	at := func(key string) *yaml.Node { return fixture.ValueNode(root, key) }
	base := strings.TrimSuffix(path.Base(file), ".yaml")
	switch {
	case !namePattern(sc.Name):
		errs.Add(file, at("nom"), "nom %q must be lower-case letters, digits and hyphens", sc.Name)
	case sc.Name != base:
		errs.Add(file, at("nom"), "nom %q must match the file name (%s.yaml)", sc.Name, base)
	}
	if strings.TrimSpace(sc.Title) == "" {
		errs.Add(file, root, "scenario %q: titre is required (shown to trainers)", sc.Name)
	}
	if strings.TrimSpace(sc.Description) == "" {
		errs.Add(file, root, "scenario %q: description is required (French, for trainers)", sc.Name)
	}
	if sc.Calls < 0 {
		errs.Add(file, at("appels"), "scenario %q: appels must be 0 (until cleared) or more", sc.Name)
	}
	if len(sc.Effects) == 0 {
		errs.Add(file, at("effets"), "scenario %q: effets must list at least one effect", sc.Name)
	}
	effNodes := fixture.Items(root, "effets", false, file, errs)
	for i, e := range sc.Effects {
		n := root
		if i < len(effNodes) {
			n = effNodes[i]
			fixture.CheckKeys(file, n, &e, errs)
		}
		for _, problem := range e.problems() {
			errs.Add(file, n, "scenario %q, effect %d: %s", sc.Name, i+1, problem)
		}
	}
}

// problems lists what is wrong with one effect.
func (e *Effect) problems() []string {
	var out []string
	known, ok := steps[e.Service]
	if !ok {
		return []string{fmt.Sprintf("service %q: use %s or %s", e.Service, FranceConnect, ImpotParticulier)}
	}
	if e.Step != "" && !slices.Contains(known, e.Step) {
		out = append(out, fmt.Sprintf("etape %q is not a step of %s (%s)", e.Step, e.Service, strings.Join(known, ", ")))
	}
	actions := 0
	for _, set := range []bool{e.Latency > 0, e.Response != nil, e.Drop, e.Timeout > 0, e.Refusal != "", len(e.RemovedClaims) > 0} {
		if set {
			actions++
		}
	}
	if actions == 0 {
		out = append(out, "no effect: set latence, reponse, coupure, delai_depasse, refus or claims_retires")
	}
	if e.Response != nil && (e.Response.Status < 400 || e.Response.Status > 599) {
		out = append(out, fmt.Sprintf("reponse.statut %d must be an error status (400–599)", e.Response.Status))
	}
	if r := e.Response; r != nil {
		out = append(out, r.problems(e.Service)...)
	}
	if e.Refusal != "" || len(e.RemovedClaims) > 0 {
		if e.Service != FranceConnect || (e.Step != "" && e.Step != StepLogin) {
			out = append(out, "refus and claims_retires apply to franceconnect at the connexion step")
		}
	}
	if e.Refusal != "" && !slices.Contains(refusals, e.Refusal) {
		out = append(out, fmt.Sprintf("refus %q: use %s", e.Refusal, strings.Join(refusals, ", ")))
	}
	if e.Drop && e.Timeout > 0 {
		out = append(out, "coupure and delai_depasse exclude each other")
	}
	return out
}

// problems lists what is wrong with the response of an effect of service.
func (r *Response) problems(service string) []string {
	var out []string
	switch r.Format {
	case "":
		if service == ImpotParticulier && r.Code == 0 {
			out = append(out, "reponse.code is required for the API (the DGFiP error code, e.g. 5030)")
		}
	case FormatWSO2:
		if service != ImpotParticulier {
			out = append(out, fmt.Sprintf("reponse.format %s applies to %s only (the API's gateway)", FormatWSO2, ImpotParticulier))
		}
		if !slices.Contains(wso2Statuses, r.Status) {
			out = append(out, fmt.Sprintf("reponse.format %s: statut %d must be 401, 403 or 429 (the gateway's own refusals)", FormatWSO2, r.Status))
		}
		if r.Code < 100000 || r.Code > 999999 {
			out = append(out, fmt.Sprintf("reponse.format %s: code %d must be a WSO2 error code of six digits (e.g. 900800, 900901)", FormatWSO2, r.Code))
		}
	default:
		out = append(out, fmt.Sprintf("reponse.format %q: use %s, or leave it out for the service's own error body", r.Format, FormatWSO2))
	}
	return out
}

// Applies tells whether the effect concerns that step of that service.
func (e *Effect) Applies(service, step string) bool {
	return e.Service == service && (e.Step == "" || e.Step == step)
}
