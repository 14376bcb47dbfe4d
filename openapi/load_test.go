package openapi

import (
	"io/fs"
	"sync/atomic"
	"testing"
)

// countingFS counts the files opened.
type countingFS struct {
	fs.FS
	opened atomic.Int32
}

func (c *countingFS) Open(name string) (fs.File, error) {
	c.opened.Add(1)
	return c.FS.Open(name)
}

// TestLoadLater: a contract prepared with LoadLater is not read until
// Start or Wait; Wait starts it when Start was not called; Start twice
// loads once.
func TestLoadLater(t *testing.T) {
	for _, start := range []bool{false, true} {
		fsys := &countingFS{FS: FS()}
		l := LoadLater(fsys, "control.yaml", "/_bacasable/api")
		select {
		case <-l.done:
			t.Fatal("LoadLater loaded at once")
		default:
		}
		if n := fsys.opened.Load(); n != 0 {
			t.Fatalf("LoadLater read %d files before Start", n)
		}
		if start {
			l.Start()
			l.Start()
		}
		c, err := l.Wait()
		if err != nil || c == nil || c.Router == nil {
			t.Fatalf("Wait (Start called: %v) = %v, %v", start, c, err)
		}
		if n := fsys.opened.Load(); n != 1 {
			t.Errorf("the contract was read %d times, want once", n)
		}
	}
}

// TestWhenLoaded: what a service builds of its contract is built once, on
// the first call, from the contract loaded; a load that fails is its error.
func TestWhenLoaded(t *testing.T) {
	built := 0
	get := WhenLoaded(LoadLater(FS(), "control.yaml", "/_bacasable/api"), func(c *Contract) (int, error) {
		built++
		return len(c.Raw), nil
	})
	for range 2 {
		if n, err := get(); err != nil || n == 0 {
			t.Fatalf("WhenLoaded = %d, %v", n, err)
		}
	}
	if built != 1 {
		t.Errorf("built %d times, want once", built)
	}
	get = WhenLoaded(LoadLater(FS(), "missing.yaml", "/x"), func(*Contract) (int, error) {
		t.Fatal("use called without a contract")
		return 0, nil
	})
	if _, err := get(); err == nil {
		t.Error("a contract that cannot load gave no error")
	}
}
