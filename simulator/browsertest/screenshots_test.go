package browsertest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// update rewrites the screenshots under docs/screenshots.
var update = flag.Bool("update", false, "rewrite docs/screenshots/*.png (go test ./simulator/browsertest -run Screenshots -update)")

// screenshotsDir is docs/screenshots, from the package directory.
var screenshotsDir = filepath.Join("..", "..", "docs", "screenshots")

// screenshots are the pages docs/franceconnect.md shows, by the name the
// tour gives them, and the file name each screenshot takes
// (<file>-<width>.png).
var screenshots = map[string]string{
	"franceconnect/choix":        "franceconnect-choix",
	"franceconnect/connexion":    "franceconnect-connexion",
	"franceconnect/consentement": "franceconnect-consentement",
	"franceconnect/erreur":       "franceconnect-erreur",
}

// screenshotWidths and the tallest each screenshot may be: a phone's first
// screens, a laptop's first screen and a half.
var screenshotWidths = []struct{ width, maxHeight int64 }{{390, 1600}, {1366, 1100}}

// maxScreenshotBytes keeps the repository light.
const maxScreenshotBytes = 150 << 10

// TestScreenshots checks the screenshots docs/franceconnect.md shows are
// there and light; with -update it takes them again, from the tour.
func TestScreenshots(t *testing.T) {
	if !*update {
		for _, file := range screenshots {
			for _, w := range screenshotWidths {
				path := filepath.Join(screenshotsDir, fmt.Sprintf("%s-%d.png", file, w.width))
				fi, err := os.Stat(path)
				switch {
				case err != nil:
					t.Errorf("%v (go test ./simulator/browsertest -run Screenshots -update takes it)", err)
				case fi.Size() > maxScreenshotBytes:
					t.Errorf("%s: %d KB, more than %d KB", path, fi.Size()>>10, maxScreenshotBytes>>10)
				}
			}
		}
		return
	}
	taken := 0
	tour(t, func(t *testing.T, s *session, name string) {
		t.Helper()
		file, ok := screenshots[name]
		if !ok {
			return
		}
		for _, w := range screenshotWidths {
			png := s.screenshot(w.width, w.maxHeight)
			path := filepath.Join(screenshotsDir, fmt.Sprintf("%s-%d.png", file, w.width))
			if err := os.WriteFile(path, png, 0o644); err != nil {
				t.Fatal(err)
			}
			if len(png) > maxScreenshotBytes {
				t.Errorf("%s: %d KB, more than %d KB", path, len(png)>>10, maxScreenshotBytes>>10)
			}
			t.Logf("%s: %d KB", path, len(png)>>10)
			taken++
		}
	})
	if want := len(screenshots) * len(screenshotWidths); taken != want && !t.Failed() {
		t.Errorf("took %d screenshots, want %d: a page of screenshots is missing from the tour", taken, want)
	}
}

// screenshot takes the page at width px wide, from its top, as tall as
// the page but no taller than maxHeight.
func (s *session) screenshot(width, maxHeight int64) []byte {
	s.t.Helper()
	s.resize(width)
	h, err := chromedp.Run(s.ctx, chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
	if err != nil {
		s.t.Fatalf("height of the page: %v", err)
	}
	s.step(fmt.Sprintf("resize to %d×%d px", width, min(h, maxHeight)), chromedp.EmulateViewport(width, min(h, maxHeight)))
	png, err := chromedp.Run(s.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		s.t.Fatalf("screenshot: %v", err)
	}
	return png
}
