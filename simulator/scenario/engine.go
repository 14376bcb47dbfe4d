package scenario

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bacasable/bacasable/simulator/clock"
)

// The scopes of an activation.
const (
	ScopeGlobal  = "global"
	ScopeClient  = "client"
	ScopePersona = "persona"
)

// Selector says whom a call concerns, for choosing its scenario.
type Selector struct {
	Header          string   // value of X-Bacasable-Scenario, if any
	Clients         []string // client ids involved: FranceConnect client, gateway client
	PersonaID       string
	PersonaScenario string // the scenario the persona's fixture carries
}

// Activation is a scenario switched on through the control API.
type Activation struct {
	ID       string    `json:"id"`
	Scenario string    `json:"scenario"`
	Scope    string    `json:"portee"`
	Target   string    `json:"cible,omitempty"`
	Calls    int       `json:"appels_restants,omitempty"` // 0 = until cleared
	Since    time.Time `json:"depuis"`
}

// Choice is the scenario that applies to a step, with its effects there
// and why it was chosen.
type Choice struct {
	Scenario *Scenario
	Effects  []Effect
	Why      string // "en-tête X-Bacasable-Scenario", "activation a3 (persona test)", "persona test"
}

// ErrUnknown is returned for a scenario name that no file declares.
var ErrUnknown = errors.New("unknown scenario")

// Engine chooses the scenario of each call. It is safe for concurrent use.
type Engine struct {
	set   func() *Set // the scenarios; loaded on first use (NewEngineLater)
	clock clock.Clock

	mu          sync.Mutex
	activations []*Activation
	// active is len(activations), set under mu: Pick, at every request,
	// takes the lock only when some activation is in force.
	active atomic.Int32
	next   int
	sleep  func(context.Context, time.Duration)
}

// NewEngine serves the scenarios of set.
func NewEngine(set *Set, c clock.Clock) *Engine {
	if c == nil {
		c = clock.Real{}
	}
	return &Engine{set: func() *Set { return set }, clock: c}
}

// NewEngineLater serves the scenarios load returns, loaded on the
// engine's first use: the sandbox answers before it reads its embedded
// scenarios. load is its caller's, which reports its error (the sandbox
// builds its population with the same scenarios); the engine of a load
// that fails serves no scenario.
func NewEngineLater(load func() (*Set, error), c clock.Clock) *Engine {
	e := NewEngine(nil, c)
	e.set = sync.OnceValue(func() *Set {
		set, err := load()
		if err != nil {
			return &Set{byName: map[string]*Scenario{}}
		}
		return set
	})
	return e
}

// Set returns the loaded scenarios.
func (e *Engine) Set() *Set { return e.set() }

// Activate switches a scenario on for a scope (global, client or persona
// with its target) for calls calls (0: the scenario's own limit, and when
// that is 0 too, until cleared).
func (e *Engine) Activate(name, scope, target string, calls int) (*Activation, error) {
	sc, ok := e.set().Get(name)
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %v)", ErrUnknown, name, e.set().Names())
	}
	switch scope {
	case ScopeGlobal:
		target = ""
	case ScopeClient, ScopePersona:
		if target == "" {
			return nil, fmt.Errorf("scope %s needs a target (the %s's id)", scope, scope)
		}
	default:
		return nil, fmt.Errorf("scope %q: use %s, %s or %s", scope, ScopeGlobal, ScopeClient, ScopePersona)
	}
	if calls < 0 {
		return nil, fmt.Errorf("calls must be 0 (until cleared) or more")
	}
	if calls == 0 {
		calls = sc.Calls
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.activations) >= MaxActivations {
		return nil, fmt.Errorf("%d activations are in force, the most the sandbox keeps: clear some first", MaxActivations)
	}
	e.next++
	a := &Activation{ID: fmt.Sprintf("a%d", e.next), Scenario: name, Scope: scope, Target: target, Calls: calls, Since: e.clock.Now()}
	e.activations = append(e.activations, a)
	e.active.Store(int32(len(e.activations)))
	return a, nil
}

// MaxActivations bounds the activations in force at once.
const MaxActivations = 256

// Activations lists the activations in force, oldest first.
func (e *Engine) Activations() []Activation {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Activation, len(e.activations))
	for i, a := range e.activations {
		out[i] = *a
	}
	return out
}

// Clear removes one activation; false when there is no such id.
func (e *Engine) Clear(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, a := range e.activations {
		if a.ID == id {
			e.activations = slices.Delete(e.activations, i, i+1)
			e.active.Store(int32(len(e.activations)))
			return true
		}
	}
	return false
}

// ClearAll removes every activation.
func (e *Engine) ClearAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.activations = nil
	e.active.Store(0)
}

// Pick returns the scenario that applies to this step of this service for
// sel, or a zero Choice. A limited activation counts one call each time it
// applies. An unknown header name is an error the service reports.
func (e *Engine) Pick(service, step string, sel Selector) (Choice, error) {
	if sel.Header != "" {
		sc, ok := e.set().Get(sel.Header)
		if !ok {
			return Choice{}, fmt.Errorf("%w %q in %s (known: %v)", ErrUnknown, sel.Header, Header, e.set().Names())
		}
		return choice(sc, service, step, "en-tête "+Header), nil
	}
	if e.active.Load() > 0 {
		if c, ok := e.activated(service, step, sel); ok {
			return c, nil
		}
	}
	if sel.PersonaScenario != "" {
		if sc, ok := e.set().Get(sel.PersonaScenario); ok {
			return choice(sc, service, step, "persona "+sel.PersonaID), nil
		}
	}
	return Choice{}, nil
}

// activated is the choice of the activation that applies, if one does
// (counting its call).
func (e *Engine) activated(service, step string, sel Selector) (Choice, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, scope := range []string{ScopePersona, ScopeClient, ScopeGlobal} {
		for i, a := range e.activations {
			if a.Scope != scope || !matches(a, sel) {
				continue
			}
			sc, _ := e.set().Get(a.Scenario)
			c := choice(sc, service, step, fmt.Sprintf("activation %s (%s %s)", a.ID, a.Scope, a.Target))
			if len(c.Effects) == 0 {
				continue
			}
			if a.Calls > 0 {
				a.Calls--
				if a.Calls == 0 {
					e.activations = slices.Delete(e.activations, i, i+1)
					e.active.Store(int32(len(e.activations)))
				}
			}
			return c, true
		}
	}
	return Choice{}, false
}

func matches(a *Activation, sel Selector) bool {
	switch a.Scope {
	case ScopePersona:
		return a.Target == sel.PersonaID && sel.PersonaID != ""
	case ScopeClient:
		return slices.Contains(sel.Clients, a.Target)
	}
	return true
}

func choice(sc *Scenario, service, step, why string) Choice {
	c := Choice{Scenario: sc, Why: why}
	for _, e := range sc.Effects {
		if e.Applies(service, step) {
			c.Effects = append(c.Effects, e)
		}
	}
	return c
}

// Refusal returns the login refusal of the choice, if any.
func (c Choice) Refusal() string {
	for _, e := range c.Effects {
		if e.Refusal != "" {
			return e.Refusal
		}
	}
	return ""
}

// RemovedClaims returns the claims the choice removes.
func (c Choice) RemovedClaims() []string {
	var out []string
	for _, e := range c.Effects {
		out = append(out, e.RemovedClaims...)
	}
	return out
}

// Latency is the total delay of the choice.
func (c Choice) Latency() time.Duration {
	var d time.Duration
	for _, e := range c.Effects {
		d += time.Duration(e.Latency)
	}
	return d
}

// Failure returns the effect that replaces the answer (reponse, coupure or
// delai_depasse), if any.
func (c Choice) Failure() *Effect {
	for i, e := range c.Effects {
		if e.Response != nil || e.Drop || e.Timeout > 0 {
			return &c.Effects[i]
		}
	}
	return nil
}

// Name is the scenario's name, or "".
func (c Choice) Name() string {
	if c.Scenario == nil {
		return ""
	}
	return c.Scenario.Name
}
