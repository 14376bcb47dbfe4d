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
	c := &Virtual{real: func() time.Time { return realNow }}
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
