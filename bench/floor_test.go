package main

import (
	"strings"
	"testing"
	"time"
)

func TestFloorNote(t *testing.T) {
	got := floorNote(35*time.Microsecond, 330*time.Microsecond, 29*time.Microsecond)
	for _, want := range []string{"3 × 35 µs", "2 × 29 µs", "= 163 µs", "used 330 µs: 167 µs of it"} {
		if !strings.Contains(got, want) {
			t.Errorf("floorNote: no %q in\n%s", want, got)
		}
	}
}

func TestES256Cost(t *testing.T) {
	d, err := es256Cost()
	if err != nil {
		t.Fatal(err)
	}
	if d <= 0 {
		t.Fatalf("es256Cost = %v: the thread's CPU time did not move", d)
	}
	t.Logf("one ES256 signature: %v of CPU", d)
}
