package control

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bacasable/bacasable/simulator/clock"
)

// clockView is the clock as the API shows it.
type clockView struct {
	Now                        time.Time `json:"now"`
	Frozen                     bool      `json:"frozen"`
	RealTime                   bool      `json:"real_time"`
	Moved                      bool      `json:"moved"`
	LatestAvailableRevenueYear int       `json:"latest_available_revenue_year"`
	TaxationDate               string    `json:"taxation_date"`
}

func (c *Control) viewClock() clockView {
	now := c.cfg.Clock.Now()
	st := c.cfg.Clock.State()
	n := now.In(clock.Paris()).Year()
	return clockView{
		Now:                        now.In(clock.Paris()),
		Frozen:                     st.Frozen != nil,
		RealTime:                   st.Frozen == nil && st.Offset == 0,
		Moved:                      !st.Equal(c.clockStart),
		LatestAvailableRevenueYear: c.cfg.Calendar.LatestAvailable(now),
		TaxationDate:               c.cfg.Calendar.TaxationDate(n - 1).Format(time.DateOnly),
	}
}

func (c *Control) getClock(*call) (int, any, error) { return http.StatusOK, c.viewClock(), nil }

// setClock moves the clock to now, freezes it or lets it run.
func (c *Control) setClock(in *call) (int, any, error) {
	var req struct {
		Now    *string `json:"now"`
		Frozen *bool   `json:"frozen"`
	}
	if err := json.Unmarshal(in.body, &req); err != nil {
		return 0, nil, invalidRequest("the body is not the contract's ClockSetting: %v", err)
	}
	clk := c.cfg.Clock
	if req.Now == nil {
		switch {
		case req.Frozen == nil:
			return 0, nil, invalidRequest("give now, frozen or both")
		case *req.Frozen && !clk.Frozen():
			clk.Freeze(clk.Now())
		case !*req.Frozen:
			clk.Unfreeze()
		}
	} else {
		t, err := clock.ParseInstant(*req.Now)
		if err != nil {
			return 0, nil, invalidField("/now", "now: %v", err)
		}
		switch {
		case req.Frozen == nil:
			clk.Set(t)
		case *req.Frozen:
			clk.Freeze(t)
		default:
			clk.Freeze(t)
			clk.Unfreeze()
		}
	}
	v := c.viewClock()
	c.log.InfoContext(in.r.Context(), "control: clock set", "now", v.Now, "frozen", v.Frozen)
	return http.StatusOK, v, nil
}

// advanceClock moves the clock by a duration.
func (c *Control) advanceClock(in *call) (int, any, error) {
	var req struct {
		By json.RawMessage `json:"by"`
	}
	if err := json.Unmarshal(in.body, &req); err != nil {
		return 0, nil, invalidRequest("the body is not the contract's ClockAdvance: %v", err)
	}
	d, err := parseDuration(req.By)
	if err != nil {
		return 0, nil, invalidField("/by", "%v", err)
	}
	if err := clock.CheckAdvance(c.cfg.Clock.Now(), d); err != nil {
		return 0, nil, invalidField("/by", "%v", err)
	}
	c.cfg.Clock.Advance(d)
	v := c.viewClock()
	c.log.InfoContext(in.r.Context(), "control: clock advanced", "by", d, "now", v.Now)
	return http.StatusOK, v, nil
}

// parseDuration reads a JSON number of seconds, or a string: a Go duration
// ("61s", "48h", "1h30m") or whole days ("30d").
func parseDuration(raw json.RawMessage) (time.Duration, error) {
	var secs float64
	if err := json.Unmarshal(raw, &secs); err == nil {
		if math.Abs(secs) > float64(math.MaxInt64/int64(time.Second)) {
			return 0, fmt.Errorf("%v seconds is too far", secs)
		}
		return time.Duration(secs * float64(time.Second)), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("by must be a duration (\"61s\", \"48h\", \"30d\") or a number of seconds")
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n > 100*366 || n < -100*366 {
			return 0, fmt.Errorf("by %q: days must be a whole number, at most a century", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("by %q is not a duration like 61s, 48h, 1h30m or 30d", s)
	}
	return d, nil
}

// resetClock puts the clock back as it was when the sandbox started.
func (c *Control) resetClock(in *call) (int, any, error) {
	c.cfg.Clock.Restore(c.clockStart)
	v := c.viewClock()
	c.log.InfoContext(in.r.Context(), "control: clock reset", "now", v.Now)
	return http.StatusOK, v, nil
}
