// Package clock is the sandbox's one source of time. Every expiry (codes,
// tokens, sessions) and every tax-year rule reads it, so that a test or a
// trainer can freeze it or move it and see both emulated services follow.
package clock

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Clock tells the time. Handlers never call time.Now themselves.
type Clock interface {
	Now() time.Time
}

// Real is the machine's clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

var _ Clock = Real{}

// Virtual is a movable clock: it runs at real speed from an offset, or stands
// still when frozen. It is safe for concurrent use.
type Virtual struct {
	mu sync.Mutex // serialises the changes
	// state is never changed in place, only replaced: Now, which every
	// request calls several times, reads it without taking a lock (a
	// read lock is a write to memory both cores share).
	state atomic.Pointer[State]
	real  func() time.Time
}

var _ Clock = (*Virtual)(nil)

// NewVirtual returns a clock that reads real time until it is set or moved.
func NewVirtual() *Virtual { return newVirtual(time.Now) }

func newVirtual(real func() time.Time) *Virtual {
	v := &Virtual{real: real}
	v.state.Store(&State{})
	return v
}

// NewFrozen returns a clock standing still at t; Advance moves it.
func NewFrozen(t time.Time) *Virtual {
	v := NewVirtual()
	v.Freeze(t)
	return v
}

// Now returns the virtual time.
func (v *Virtual) Now() time.Time {
	st := v.state.Load()
	if st.Frozen != nil {
		return *st.Frozen
	}
	return v.real().Add(st.Offset)
}

// change replaces the clock's setting with what f makes of it.
func (v *Virtual) change(f func(st State) State) {
	v.mu.Lock()
	defer v.mu.Unlock()
	st := f(*v.state.Load())
	v.state.Store(&st)
}

// frozenAt is a setting standing still at t.
func frozenAt(t time.Time) State { return State{Frozen: &t} }

// Set makes the clock read t now and keep running from there.
func (v *Virtual) Set(t time.Time) {
	v.change(func(st State) State {
		if st.Frozen != nil {
			return frozenAt(t)
		}
		return State{Offset: t.Sub(v.real())}
	})
}

// Freeze stops the clock at t.
func (v *Virtual) Freeze(t time.Time) {
	v.change(func(State) State { return frozenAt(t) })
}

// Advance moves the clock forward by d (backwards when d is negative).
func (v *Virtual) Advance(d time.Duration) {
	v.change(func(st State) State {
		if st.Frozen != nil {
			return frozenAt(st.Frozen.Add(d))
		}
		return State{Offset: st.Offset + d}
	})
}

// Reset returns the clock to real time, running.
func (v *Virtual) Reset() {
	v.change(func(State) State { return State{} })
}

// State is a clock's setting: its offset from real time, or the instant it
// stands still at.
type State struct {
	Offset time.Duration
	Frozen *time.Time
}

// Equal tells whether two settings are the same: the same offset, or
// frozen at the same instant. The console and the pages' banner say the
// clock was moved when it no longer equals its setting at start.
func (s State) Equal(o State) bool {
	if (s.Frozen == nil) != (o.Frozen == nil) {
		return false
	}
	if s.Frozen != nil {
		return s.Frozen.Equal(*o.Frozen)
	}
	return s.Offset == o.Offset
}

// State returns the clock's setting, for Restore.
func (v *Virtual) State() State {
	st := *v.state.Load()
	if st.Frozen != nil {
		st = frozenAt(*st.Frozen) // the caller's own copy
	}
	return st
}

// Restore puts the clock back to a setting taken with State.
func (v *Virtual) Restore(st State) {
	v.change(func(State) State {
		if st.Frozen != nil {
			return frozenAt(*st.Frozen)
		}
		return State{Offset: st.Offset}
	})
}

// Frozen tells whether the clock stands still.
func (v *Virtual) Frozen() bool { return v.state.Load().Frozen != nil }

// Unfreeze makes a frozen clock run again from where it stands.
func (v *Virtual) Unfreeze() {
	v.change(func(st State) State {
		if st.Frozen == nil {
			return st
		}
		return State{Offset: st.Frozen.Sub(v.real())}
	})
}

// Earliest and Latest bound the instants the virtual clock may be set or
// moved to. Past them the offset from real time no longer fits a
// time.Duration (±292 years), JWT NumericDates and the journal's JSON
// misbehave, and no tax year makes sense.
var (
	Earliest = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	Latest   = time.Date(2199, 12, 31, 23, 59, 59, 0, time.UTC)
)

// CheckRange refuses an instant outside [Earliest, Latest].
func CheckRange(t time.Time) error {
	if t.Before(Earliest) || t.After(Latest) {
		return fmt.Errorf("%s is outside the range the sandbox's clock accepts (%s to %s)",
			t.Format(time.RFC3339), Earliest.Format(time.DateOnly), Latest.Format(time.DateOnly))
	}
	return nil
}

// CheckAdvance refuses a move by d that would leave [Earliest, Latest].
func CheckAdvance(now time.Time, d time.Duration) error {
	if d > Latest.Sub(now) || d < Earliest.Sub(now) {
		return fmt.Errorf("moving the clock by %s from %s would leave the range it accepts (%s to %s)",
			d, now.Format(time.RFC3339), Earliest.Format(time.DateOnly), Latest.Format(time.DateOnly))
	}
	return nil
}

// Paris is the time zone of the tax calendar and of days given without a
// time. The binary embeds time/tzdata, so it is found on any machine. It
// is read on first use: reading it in the package's initialisation cost
// every start up to a millisecond, before main.
var Paris = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
})

// ParseInstant reads an RFC 3339 instant, or a day (midnight in Paris),
// within [Earliest, Latest].
func ParseInstant(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if t, err = time.ParseInLocation(time.DateOnly, s, Paris()); err != nil {
			return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 instant (2027-03-01T09:00:00+01:00) nor a day (2027-03-01)", s)
		}
	}
	// time.Parse takes offsets RFC 3339 has no room for ("+24:60"); a
	// time in such a zone cannot be written as JSON.
	if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
		return time.Time{}, fmt.Errorf("%q: the offset must be within ±23:59", s)
	}
	return t, CheckRange(t)
}
