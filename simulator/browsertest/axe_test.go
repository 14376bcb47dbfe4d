package browsertest

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeEnv names the file of axe-core (axe.min.js) the accessibility tests
// inject into each page. .ci/run installs axe-core from npm at a pinned
// version and sets it; axe is not copied into the repository.
const axeEnv = "BACASABLE_AXE"

// axeSource is axe.min.js, read once.
var axeSource = sync.OnceValues(func() (string, error) {
	path := os.Getenv(axeEnv)
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s=%s: %w", axeEnv, path, err)
	}
	return string(b), nil
})

// requireAxe returns axe's source, or skips the test when BACASABLE_AXE is
// not set — fails, when BACASABLE_REQUIRE_CHROMIUM=1 (CI).
func requireAxe(t *testing.T) string {
	t.Helper()
	src, err := axeSource()
	switch {
	case err != nil:
		t.Fatal(err)
	case src != "":
		return src
	case os.Getenv("BACASABLE_REQUIRE_CHROMIUM") == "1":
		t.Fatalf("%s is not set, and BACASABLE_REQUIRE_CHROMIUM=1: install axe-core (npm install --prefix DIR axe-core@VERSION) and set %s=DIR/node_modules/axe-core/axe.min.js, as .ci/run does", axeEnv, axeEnv)
	default:
		t.Skipf("%s is not set (the path of axe-core's axe.min.js, as .ci/run installs it); accessibility tests skipped", axeEnv)
	}
	return ""
}

// TestPagesAccessible runs axe-core on every page at 320, 390 and 1366 px
// wide: no serious or critical violation, and no content outside the
// landmarks (rule region, moderate: the sandbox's warning must be in one).
// The experimental rules run too (label-content-name-mismatch among them:
// a button's accessible name must contain its visible text). Other
// violations are logged.
func TestPagesAccessible(t *testing.T) {
	src := requireAxe(t)
	tour(t, func(t *testing.T, s *session, name string) {
		t.Helper()
		for _, w := range widths {
			s.resize(w)
			for _, v := range s.axe(src) {
				msg := fmt.Sprintf("%s at %d px: axe %s (%s): %s — %s", name, w, v.ID, v.Impact, v.Help, strings.Join(v.Targets, " | "))
				if v.Impact == "serious" || v.Impact == "critical" || v.ID == "region" {
					t.Error(msg)
				} else {
					t.Log(msg)
				}
			}
		}
	})
}

// axeViolation is one rule a page breaks, and where.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"` // CSS selectors of the offending elements
}

// axeRunJS runs axe on the page with every rule, the experimental ones
// included, and reduces its violations to axeViolation.
const axeRunJS = `(() => {
  const rules = {};
  for (const r of axe.getRules(['experimental'])) rules[r.ruleId] = {enabled: true};
  return axe.run(document, {resultTypes: ['violations'], rules}).then(res => res.violations.map(v => ({
    id: v.id, impact: v.impact || '', help: v.help,
    targets: v.nodes.slice(0, 10).map(n => n.target.join(' ') + (n.impact && n.impact !== v.impact ? ' (' + n.impact + ')' : ''))
      .concat(v.nodes.length > 10 ? ['… ' + (v.nodes.length - 10) + ' more'] : []),
  })));
})()`

// axe injects axe-core into the page, when it is not there yet, and runs it.
func (s *session) axe(src string) []axeViolation {
	s.t.Helper()
	loaded, err := chromedp.Run(s.ctx, chromedp.Evaluate[bool](`typeof axe === 'object'`))
	if err != nil {
		s.t.Fatalf("looking for axe: %v", err)
	}
	if !loaded {
		if _, err := chromedp.Run(s.ctx, chromedp.Evaluate[string](src+"\n;typeof axe")); err != nil {
			s.t.Fatalf("injecting axe-core: %v", err)
		}
	}
	vs, err := chromedp.Run(s.ctx, chromedp.Evaluate[[]axeViolation](axeRunJS, chromedp.EvalAwaitPromise))
	if err != nil {
		s.t.Fatalf("running axe-core: %v", err)
	}
	return vs
}
