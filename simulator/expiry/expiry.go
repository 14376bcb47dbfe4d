// Package expiry is a map whose entries expire, bounded in count: the
// stores of the emulated services (logins in progress, codes, tokens,
// sessions, gateway tokens) are made of it, so that no flood of
// unauthenticated requests grows them without bound and no sweep scans
// them whole under a lock.
package expiry

import (
	"container/heap"
	"time"
)

// Map is a map whose entries expire, bounded in count: adding past the
// cap evicts the entry that expires soonest. Expired entries leave as new
// ones arrive, from the head of a heap ordered by expiry — amortised
// O(log n) per write, never a scan of every entry. It is not safe for
// concurrent use: its owner's lock guards it.
type Map[V any] struct {
	max   int
	items map[string]*expEntry[V]
	queue expQueue[V]
}

type expEntry[V any] struct {
	key   string
	val   V
	exp   time.Time
	index int // in queue
}

// New returns a map of at most max entries.
func New[V any](max int) *Map[V] {
	return &Map[V]{max: max, items: map[string]*expEntry[V]{}}
}

// Put adds or replaces key, first dropping what expired by now and, at the
// cap, the entry that expires soonest.
func (m *Map[V]) Put(key string, v V, exp, now time.Time) {
	*m.Make(key, exp, now) = v
}

// Make adds key with V's zero value, replacing any entry of key, and
// returns the value to fill in (under the owner's lock). The value lives
// in the map's own entry, so that an entry is one object to the garbage
// collector however large V: a store of values rather than pointers keeps
// its tens of thousands of entries at one object each. A pointer Make or
// Ref returned stays valid after the entry leaves or is replaced, and the
// map never writes to it again.
func (m *Map[V]) Make(key string, exp, now time.Time) *V {
	if e, ok := m.items[key]; ok {
		m.remove(e)
	}
	m.DropExpired(now)
	for len(m.items) >= m.max && len(m.queue) > 0 {
		m.remove(m.queue[0])
	}
	e := &expEntry[V]{key: key, exp: exp}
	heap.Push(&m.queue, e)
	m.items[key] = e
	return &e.val
}

// Ref returns key's value in place and its expiry, even when it has
// expired (as Peek), for reading or changing under the owner's lock.
func (m *Map[V]) Ref(key string) (*V, time.Time, bool) {
	e, ok := m.items[key]
	if !ok {
		return nil, time.Time{}, false
	}
	return &e.val, e.exp, true
}

// Get returns the live value of key.
func (m *Map[V]) Get(key string, now time.Time) (V, bool) {
	e, ok := m.items[key]
	if !ok || now.After(e.exp) {
		var zero V
		return zero, false
	}
	return e.val, true
}

// Extend moves key's expiry (a sliding session).
func (m *Map[V]) Extend(key string, exp time.Time) {
	if e, ok := m.items[key]; ok {
		e.exp = exp
		heap.Fix(&m.queue, e.index)
	}
}

// Delete removes key and returns its value and expiry, live or not.
func (m *Map[V]) Delete(key string) (V, time.Time, bool) {
	e, ok := m.items[key]
	if !ok {
		var zero V
		return zero, time.Time{}, false
	}
	m.remove(e)
	return e.val, e.exp, true
}

// Forget removes key, if it is there, without reading its value (which
// may hold what others change atomically: an access token's cache).
func (m *Map[V]) Forget(key string) {
	if e, ok := m.items[key]; ok {
		m.remove(e)
	}
}

// Len is the number of entries, expired ones not yet dropped included.
func (m *Map[V]) Len() int { return len(m.items) }

// Peek returns key's value and expiry even when it has expired (a used
// code is recognised until it leaves).
func (m *Map[V]) Peek(key string) (V, time.Time, bool) {
	e, ok := m.items[key]
	if !ok {
		var zero V
		return zero, time.Time{}, false
	}
	return e.val, e.exp, true
}

// DropExpired removes what expired by now and says how many: writes do it
// as they come; an idle sandbox sweeps from time to time.
func (m *Map[V]) DropExpired(now time.Time) int {
	n := 0
	for len(m.queue) > 0 && now.After(m.queue[0].exp) {
		m.remove(m.queue[0])
		n++
	}
	return n
}

func (m *Map[V]) remove(e *expEntry[V]) {
	heap.Remove(&m.queue, e.index)
	delete(m.items, e.key)
}

// expQueue is a min-heap of entries by expiry.
type expQueue[V any] []*expEntry[V]

func (q expQueue[V]) Len() int           { return len(q) }
func (q expQueue[V]) Less(i, j int) bool { return q[i].exp.Before(q[j].exp) }
func (q expQueue[V]) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *expQueue[V]) Push(x any) {
	e := x.(*expEntry[V])
	e.index = len(*q)
	*q = append(*q, e)
}
func (q *expQueue[V]) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return e
}
