package impotparticulier

import (
	"fmt"
	"time"

	"github.com/bacasable/bacasable/simulator/clock"
)

// Calendar is the taxation calendar: revenue year N-1 becomes available on
// its taxation date in year N (22 July in 2024 and 2025, guide §6.3).
type Calendar struct {
	// Month and Day of the taxation date; default 22 July.
	Month time.Month
	Day   int
	// Dates overrides the date for given calendar years (year N → date).
	Dates map[int]time.Time
}

// DefaultCalendar is 22 July every year.
var DefaultCalendar = Calendar{Month: time.July, Day: 22}

// TaxationDate is when revenue year annrev becomes available (in year annrev+1).
func (c Calendar) TaxationDate(annrev int) time.Time {
	if d, ok := c.Dates[annrev+1]; ok {
		return d
	}
	month, day := c.Month, c.Day
	if month == 0 {
		month, day = DefaultCalendar.Month, DefaultCalendar.Day
	}
	return time.Date(annrev+1, month, day, 0, 0, 0, 0, clock.Paris())
}

// LatestAvailable is the latest revenue year available at now: N-1 from the
// taxation date of year N, N-2 before it.
func (c Calendar) LatestAvailable(now time.Time) int {
	n := now.In(clock.Paris()).Year()
	if now.Before(c.TaxationDate(n - 1)) {
		return n - 2
	}
	return n - 1
}

// ParseTaxationDay reads "MM-DD" (e.g. "07-22") for --taxation-date.
func ParseTaxationDay(s string) (Calendar, error) {
	t, err := time.Parse("01-02", s)
	if err != nil {
		return Calendar{}, fmt.Errorf("taxation date %q: want MM-DD, e.g. 07-22", s)
	}
	return Calendar{Month: t.Month(), Day: t.Day()}, nil
}
