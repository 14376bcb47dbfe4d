package impotparticulier

import (
	"testing"
	"time"

	"github.com/bacasable/bacasable/simulator/clock"
)

func TestCalendarLatestAvailable(t *testing.T) {
	c := DefaultCalendar
	for _, tc := range []struct {
		now  time.Time
		want int
	}{
		{time.Date(2026, 3, 1, 12, 0, 0, 0, clock.Paris()), 2024},
		{time.Date(2026, 7, 21, 23, 59, 59, 0, clock.Paris()), 2024},
		{time.Date(2026, 7, 22, 0, 0, 0, 0, clock.Paris()), 2025},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, clock.Paris()), 2025},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, clock.Paris()), 2025},
	} {
		if got := c.LatestAvailable(tc.now); got != tc.want {
			t.Errorf("LatestAvailable(%v) = %d, want %d", tc.now, got, tc.want)
		}
	}
	early, err := ParseTaxationDay("04-15")
	if err != nil {
		t.Fatal(err)
	}
	if got := early.LatestAvailable(time.Date(2026, 5, 1, 0, 0, 0, 0, clock.Paris())); got != 2025 {
		t.Errorf("with 15 April, 1 May 2026 → %d, want 2025", got)
	}
	if _, err := ParseTaxationDay("22/07"); err == nil {
		t.Error("22/07 accepted")
	}
}
