package expiry

import (
	"fmt"
	"testing"
	"time"
)

func TestMap(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	m := New[int](3)
	m.Put("a", 1, t0.Add(10*time.Second), t0)
	m.Put("b", 2, t0.Add(5*time.Second), t0)
	m.Put("c", 3, t0.Add(20*time.Second), t0)
	if v, ok := m.Get("b", t0); !ok || v != 2 {
		t.Fatalf("Get(b) = %v %v", v, ok)
	}
	// At the cap, the soonest-expiring entry (b) makes room.
	m.Put("d", 4, t0.Add(30*time.Second), t0)
	if _, ok := m.Get("b", t0); ok || m.Len() != 3 {
		t.Errorf("b kept at the cap; len %d", m.Len())
	}
	// Expired: not returned, still peekable until a write drops it.
	if _, ok := m.Get("a", t0.Add(11*time.Second)); ok {
		t.Error("expired a returned")
	}
	if v, _, ok := m.Peek("a"); !ok || v != 1 {
		t.Error("expired a not peekable before a write")
	}
	m.Put("e", 5, t0.Add(40*time.Second), t0.Add(11*time.Second))
	if _, _, ok := m.Peek("a"); ok {
		t.Error("expired a kept after a write")
	}
	// Extend moves the expiry; Delete removes.
	m.Extend("c", t0.Add(time.Hour))
	if _, ok := m.Get("c", t0.Add(30*time.Minute)); !ok {
		t.Error("extended c expired")
	}
	if v, _, ok := m.Delete("c"); !ok || v != 3 {
		t.Error("Delete(c)")
	}
	// Replacing a key keeps one entry.
	m.Put("e", 6, t0.Add(time.Minute), t0)
	if v, _ := m.Get("e", t0); v != 6 || m.Len() != 2 {
		t.Errorf("replace: %v, len %d", v, m.Len())
	}
}

// BenchmarkPut: a write costs O(log n) whatever the number of live
// entries, with the cap reached and expired entries leaving.
func BenchmarkPut(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := New[struct{}](n)
			t0 := time.Now()
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				now := t0.Add(time.Duration(i) * time.Millisecond)
				m.Put(fmt.Sprint(i), struct{}{}, now.Add(time.Hour), now)
			}
		})
	}
}

func TestMakeRef(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	type rec struct{ n int }
	m := New[rec](2)
	a := m.Make("a", t0.Add(time.Minute), t0)
	a.n = 1
	if r, exp, ok := m.Ref("a"); !ok || r != a || r.n != 1 || !exp.Equal(t0.Add(time.Minute)) {
		t.Fatalf("Ref(a) = %v %v %v, want the value Make returned", r, exp, ok)
	}
	if v, ok := m.Get("a", t0); !ok || v.n != 1 {
		t.Errorf("Get(a) = %v %v, want the value filled in", v, ok)
	}
	// Replacing a key gives a new value: the old pointer keeps its own.
	m.Make("a", t0.Add(time.Hour), t0).n = 2
	if a.n != 1 {
		t.Errorf("the replaced value changed to %d", a.n)
	}
	if r, exp, _ := m.Ref("a"); r.n != 2 || !exp.Equal(t0.Add(time.Hour)) || m.Len() != 1 {
		t.Errorf("Ref(a) after Make = %d, %v, len %d", r.n, exp, m.Len())
	}
	// At the cap the soonest-expiring leaves; its pointer stays readable.
	b := m.Make("b", t0.Add(time.Second), t0)
	b.n = 3
	m.Make("c", t0.Add(2*time.Hour), t0)
	if _, _, ok := m.Ref("b"); ok || b.n != 3 || m.Len() != 2 {
		t.Errorf("b: in the map %v, value %d, len %d", ok, b.n, m.Len())
	}
	if _, _, ok := m.Ref("zz"); ok {
		t.Error("Ref of an unknown key")
	}
}

func TestForget(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	m := New[int](4)
	m.Put("a", 1, t0.Add(time.Minute), t0)
	m.Put("b", 2, t0.Add(time.Hour), t0)
	m.Forget("a")
	m.Forget("zz")
	if _, _, ok := m.Peek("a"); ok || m.Len() != 1 {
		t.Errorf("a still there, or len %d", m.Len())
	}
	// The queue forgot it too: the next expiry drops b alone.
	if n := m.DropExpired(t0.Add(2 * time.Hour)); n != 1 || m.Len() != 0 {
		t.Errorf("DropExpired = %d, len %d", n, m.Len())
	}
}
