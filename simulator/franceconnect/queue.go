package franceconnect

import (
	"fmt"
	"sync"
)

// loginQueue holds, per service provider, the personas queued for its next
// logins: the control API's way to log a persona in without a browser and
// without touching the vendor's requests (like mockoidc's queued users).
type loginQueue struct {
	mu    sync.Mutex
	queue map[string][]string // client_id → logins or SPIs, first out first
}

// maxQueued bounds the logins queued for one client.
const maxQueued = 1000

// push queues who for clientID; false when the client's queue is full.
func (q *loginQueue) push(clientID, who string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.queue == nil {
		q.queue = map[string][]string{}
	}
	if len(q.queue[clientID]) >= maxQueued {
		return false
	}
	q.queue[clientID] = append(q.queue[clientID], who)
	return true
}

func (q *loginQueue) pop(clientID string) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	list := q.queue[clientID]
	if len(list) == 0 {
		return ""
	}
	q.queue[clientID] = list[1:]
	return list[0]
}

func (q *loginQueue) snapshot() map[string][]string {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make(map[string][]string, len(q.queue))
	for k, v := range q.queue {
		if len(v) > 0 {
			out[k] = append([]string(nil), v...)
		}
	}
	return out
}

func (q *loginQueue) clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queue = nil
}

// Sweep forgets the logins in progress, sessions, codes and tokens that
// expired, and says how many: they otherwise leave only as new ones come.
func (p *Provider) Sweep() int { return p.store.sweep() }

// QueueLogin makes the next authorization request of clientID log in the
// persona who (a login, or an SPI for the impots.gouv.fr provider) at
// once, as X-Bacasable-Persona would. Queued logins are used in order.
func (p *Provider) QueueLogin(clientID, who string) error {
	if _, ok := p.cfg.Clients.ServiceProvider(clientID); !ok {
		return fmt.Errorf("no service provider has client_id %q", clientID)
	}
	if _, _, ok := p.findPersona(who); !ok {
		return fmt.Errorf("%q is neither a login nor an SPI of the population", who)
	}
	if !p.queue.push(clientID, who) {
		return fmt.Errorf("%d logins are already queued for %s: the most the queue keeps per client", maxQueued, clientID)
	}
	return nil
}

// QueuedLogins lists the queued logins per client.
func (p *Provider) QueuedLogins() map[string][]string { return p.queue.snapshot() }

// Reset forgets queued logins and every code, token and login in progress.
func (p *Provider) Reset() {
	p.queue.clear()
	p.store.reset()
	p.resetFaults()
}
