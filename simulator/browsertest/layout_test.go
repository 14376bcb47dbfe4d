package browsertest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPagesFit: every page, at 320, 390 and 1366 px wide, is no wider than
// the screen — nothing to scroll sideways (WCAG 1.4.10, reflow).
func TestPagesFit(t *testing.T) {
	tour(t, func(t *testing.T, s *session, name string) {
		t.Helper()
		for _, w := range widths {
			s.resize(w)
			m := s.measure()
			if m.ScrollWidth > m.InnerWidth {
				t.Errorf("%s at %d px: the page is %d px wide, wider than the %d px screen; too wide: %s",
					name, w, m.ScrollWidth, m.InnerWidth, strings.Join(m.Wide, ", "))
			}
		}
	})
}

// resize gives the tab a viewport width px wide (and 800 high), as a
// screen of that width would.
func (s *session) resize(width int64) {
	s.t.Helper()
	s.step(fmt.Sprintf("resize to %d px", width), chromedp.EmulateViewport(width, 800))
	got, err := chromedp.Run(s.ctx, chromedp.Evaluate[int64](`window.innerWidth`))
	if err != nil || got != width {
		s.t.Fatalf("resized to %d px, the page is %d px wide (%v)", width, got, err)
	}
}

// measurement is the page's width against the screen's.
type measurement struct {
	ScrollWidth int      `json:"scrollWidth"` // document.documentElement.scrollWidth
	InnerWidth  int      `json:"innerWidth"`
	Wide        []string `json:"wide"` // the outermost elements that stick out, for the failure message
}

// measureJS reports the page's width and, when it is too wide, the first
// elements sticking out on the right that no scrolling box of their own
// holds, as tag#id.class (right edge in px).
const measureJS = `(() => {
  const iw = window.innerWidth, sw = document.documentElement.scrollWidth, wide = [];
  const clipped = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  if (sw > iw) for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > iw + 0.5 && !clipped(el) && !(el.parentElement && wide.some(w => w.el === el.parentElement))) {
      wide.push({el, text: name(el) + ' (' + Math.round(r.right) + ' px)'});
      if (wide.length === 8) break;
    }
  }
  return {scrollWidth: sw, innerWidth: iw, wide: wide.map(w => w.text)};
})()`

// measure runs measureJS on the page.
func (s *session) measure() measurement {
	s.t.Helper()
	m, err := chromedp.Run(s.ctx, chromedp.Evaluate[measurement](measureJS))
	if err != nil {
		s.t.Fatalf("measuring the page: %v", err)
	}
	return m
}
