package clock

import (
	"testing"
	"time"
)

func TestVirtualFrozenAdvance(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := NewFrozen(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want %v", got, start)
	}
	c.Advance(61 * time.Second)
	if got := c.Now(); !got.Equal(start.Add(61 * time.Second)) {
		t.Fatalf("after Advance, Now = %v", got)
	}
	c.Set(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("after Set, Now = %v", got)
	}
}

func TestVirtualRunningOffset(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	realNow := base
	c := newVirtual(func() time.Time { return realNow })
	target := time.Date(2030, 7, 22, 0, 0, 0, 0, time.UTC)
	c.Set(target)
	realNow = base.Add(10 * time.Second)
	if got := c.Now(); !got.Equal(target.Add(10 * time.Second)) {
		t.Fatalf("running clock = %v, want %v", got, target.Add(10*time.Second))
	}
	c.Reset()
	if got := c.Now(); !got.Equal(realNow) {
		t.Fatalf("after Reset, Now = %v, want real %v", got, realNow)
	}
}

func TestRange(t *testing.T) {
	for s, ok := range map[string]bool{
		"2027-03-01": true, "2027-03-01T09:00:00+01:00": true, "1970-01-01T00:00:00Z": true, "2199-12-31": true,
		"9999-12-31": false, "0001-01-01": false, "1969-12-31T23:59:59Z": false, "2200-01-02": false, "demain": false,
	} {
		if _, err := ParseInstant(s); (err == nil) != ok {
			t.Errorf("ParseInstant(%q): %v", s, err)
		}
	}
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	if err := CheckAdvance(now, 2*36600*24*time.Hour); err == nil {
		t.Error("an advance of 2×36600 days from 2026 was accepted")
	}
	if err := CheckAdvance(now, 30*24*time.Hour); err != nil {
		t.Error(err)
	}
	if err := CheckAdvance(now, -60*365*24*time.Hour); err == nil {
		t.Error("a move back to 1966 was accepted")
	}
}

// TestStateEqual: a clock moved, frozen or unfrozen no longer equals its
// setting at start; Restore makes it equal again.
func TestStateEqual(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := NewFrozen(start)
	at := c.State()
	if !c.State().Equal(at) {
		t.Fatal("a clock's setting differs from itself")
	}
	for name, move := range map[string]func(){
		"advanced": func() { c.Advance(time.Second) },
		"unfrozen": c.Unfreeze,
		"set":      func() { c.Set(start.Add(time.Hour)) },
	} {
		move()
		if c.State().Equal(at) {
			t.Errorf("%s: the setting still equals the start's", name)
		}
		c.Restore(at)
		if !c.State().Equal(at) {
			t.Errorf("%s, then restored: the setting differs from the start's", name)
		}
	}
	running := NewVirtual()
	if !running.State().Equal(State{}) {
		t.Error("a new running clock is not at real time")
	}
	running.Freeze(start)
	if running.State().Equal(State{}) || (State{Frozen: &start}).Equal(State{}) {
		t.Error("a frozen clock equals a running one")
	}
}

// TestVirtualConcurrent: requests read the clock while the control API
// moves it; a frozen clock moved forward never reads earlier.
func TestVirtualConcurrent(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewFrozen(start)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 1000 {
			c.Advance(time.Second)
		}
	}()
	last := start
	for i := 0; ; i++ {
		now := c.Now()
		if now.Before(last) {
			t.Fatalf("the clock went back: %v after %v", now, last)
		}
		last = now
		if st := c.State(); st.Frozen == nil || !c.Frozen() {
			t.Fatalf("a frozen clock's state: %+v", st)
		}
		select {
		case <-done:
			if got, want := c.Now(), start.Add(1000*time.Second); !got.Equal(want) {
				t.Fatalf("after 1000 moves of 1s, Now = %v, want %v", got, want)
			}
			return
		default:
		}
	}
}

// BenchmarkVirtualNow: requests on every core read the clock at once.
func BenchmarkVirtualNow(b *testing.B) {
	c := NewVirtual()
	c.Advance(time.Hour)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = c.Now()
		}
	})
}
