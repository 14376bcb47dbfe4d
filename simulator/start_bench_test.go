package simulator_test

import (
	"testing"

	"github.com/bacasable/bacasable/simulator"
)

// BenchmarkStart measures what `bacasable` does on its embedded defaults
// before it listens: keys, fixtures, contracts, every service built.
func BenchmarkStart(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := simulator.New(simulator.Config{PublicURL: "http://localhost:8080"}); err != nil {
			b.Fatal(err)
		}
	}
}
