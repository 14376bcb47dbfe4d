package scenario

import (
	"context"
	"net/http"
	"time"
)

// Player is what a service needs of the engine: choose the scenario of a
// step, then carry out its latency and its cut. Services depend on this
// rather than on *Engine.
type Player interface {
	Pick(service, step string, sel Selector) (Choice, error)
	Wait(ctx context.Context, c Choice)
	Cut(w http.ResponseWriter, r *http.Request, eff *Effect) bool
}

var _ Player = (*Engine)(nil)

// Sleep waits d or until ctx is done. Tests replace Engine.Sleep to observe
// latencies without waiting.
func Sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Wait applies the choice's latency with the engine's sleeper.
func (e *Engine) Wait(ctx context.Context, c Choice) {
	if d := c.Latency(); d > 0 {
		e.sleeper()(ctx, d)
	}
}

func (e *Engine) sleeper() func(context.Context, time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sleep != nil {
		return e.sleep
	}
	return Sleep
}

// SetSleep replaces the sleeper (tests record latencies instead of waiting).
func (e *Engine) SetSleep(f func(context.Context, time.Duration)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sleep = f
}

// Cut carries out a coupure or a delai_depasse: it holds the request for
// the effect's timeout (or until the client gives up), then closes the
// connection without an answer. It reports whether it did.
func (e *Engine) Cut(w http.ResponseWriter, r *http.Request, eff *Effect) bool {
	if eff == nil || (!eff.Drop && eff.Timeout == 0) {
		return false
	}
	if eff.Timeout > 0 {
		e.sleeper()(r.Context(), time.Duration(eff.Timeout))
	}
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
		return true
	}
	// No hijacking (HTTP/2, recorders): abort the handler, which makes the
	// server reset the stream or close the connection.
	panic(http.ErrAbortHandler)
}
