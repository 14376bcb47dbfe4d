package openapi

import (
	"errors"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// bases are the contracts and the paths they are served under.
var bases = map[string]string{"impot-particulier.yaml": "/impotparticulier/1.0", "control.yaml": "/_bacasable/api"}

// sameRoute routes method and target with both routers and reports how
// they differ ("" when they agree).
func sameRoute(t testing.TB, ours, kin routers.Router, method, target string) string {
	req, err := http.NewRequest(method, "http://sandbox.test"+target, nil)
	if err != nil {
		return ""
	}
	r1, v1, e1 := ours.FindRoute(req)
	r2, v2, e2 := kin.FindRoute(req)
	switch {
	case (e1 == nil) != (e2 == nil):
		return "errors differ: " + errString(e1) + " / " + errString(e2)
	case e1 != nil:
		if !errors.Is(e1, e2) {
			return "errors differ: " + errString(e1) + " / " + errString(e2)
		}
		return ""
	case r1.Path != r2.Path || r1.Method != r2.Method || r1.Operation != r2.Operation || r1.PathItem != r2.PathItem || r1.Server != r2.Server:
		return "routes differ: " + r1.Method + " " + r1.Path + " / " + r2.Method + " " + r2.Path
	case !maps.Equal(v1, v2):
		return "parameters differ"
	}
	return ""
}

func errString(err error) string {
	if err == nil {
		return "none"
	}
	return err.Error()
}

// routersOf loads a contract with both routers.
func routersOf(t testing.TB, file string) (ours, kin routers.Router, paths []string) {
	c, err := Load(FS(), file, bases[file])
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Router.(*segmentRouter); !ok {
		t.Fatalf("%s is not routed by segments", file)
	}
	kin, err = gorillamux.NewRouter(c.Doc)
	if err != nil {
		t.Fatal(err)
	}
	for path := range c.Doc.Paths.Map() {
		paths = append(paths, path)
	}
	return c.Router, kin, paths
}

// TestSegmentRouterMatchesGorillaMux: for every path of both contracts,
// with parameters of every kind (escaped, odd, empty), with segments added
// or removed, slashes doubled or trailing, and every method, the segment
// router answers what kin-openapi's gorillamux router answers.
func TestSegmentRouterMatchesGorillaMux(t *testing.T) {
	values := []string{"3999999887219", "2025", "x", "a%2Fb", "%20", "..", ".", "{spi}", "é", "a%3Fb"}
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodHead, "PATCH", "OPTIONS"}
	for file, base := range bases {
		ours, kin, paths := routersOf(t, file)
		checked := 0
		for _, path := range paths {
			var targets []string
			for _, v := range values {
				filled := templateParam.ReplaceAllLiteralString(path, v)
				targets = append(targets, base+filled, base+filled+"/", base+filled+"/x", base+"/"+filled, strings.TrimSuffix(base+filled, "/"+lastSegment(filled)),
					base+strings.ReplaceAll(filled, "/", "//"), base+filled+"?q=1", strings.ToUpper(base+filled))
			}
			targets = append(targets, base, base+"/", base+"x"+path, path)
			for _, target := range targets {
				for _, m := range methods {
					if d := sameRoute(t, ours, kin, m, target); d != "" {
						t.Errorf("%s %s %s: %s", file, m, target, d)
					}
					checked++
				}
			}
		}
		if checked < 1000 {
			t.Errorf("%s: only %d requests compared", file, checked)
		}
	}
}

var templateParam = regexp.MustCompile(`\{[^{}]*\}`)

func lastSegment(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// FuzzSegmentRouter compares the two routers on any path and method.
func FuzzSegmentRouter(f *testing.F) {
	f.Add("GET", "/impotparticulier/1.0/spi/3999999887219/situations/ir/assiettes/annrev/2025")
	f.Add("GET", "/impotparticulier/1.0/spi/123/lep/departement/75/annrev/2025/bareme/2026")
	f.Add("PUT", "/_bacasable/api/personas/angela")
	f.Add("GET", "/_bacasable/api/journal.jsonl")
	f.Add("POST", "/_bacasable/api/scenarios/activations/")
	f.Add("GET", "/impotparticulier/1.0//situations")
	ip, ipKin, _ := routersOf(f, "impot-particulier.yaml")
	ctl, ctlKin, _ := routersOf(f, "control.yaml")
	f.Fuzz(func(t *testing.T, method, target string) {
		if !strings.HasPrefix(target, "/") || len(target) > 2048 {
			return
		}
		if _, err := http.NewRequest(method, "http://sandbox.test"+target, nil); err != nil {
			return
		}
		if d := sameRoute(t, ip, ipKin, method, target); d != "" {
			t.Errorf("impot-particulier %s %s: %s", method, target, d)
		}
		if d := sameRoute(t, ctl, ctlKin, method, target); d != "" {
			t.Errorf("control %s %s: %s", method, target, d)
		}
	})
}

// BenchmarkFindRoute compares the two routers on an API call's path.
func BenchmarkFindRoute(b *testing.B) {
	ours, kin, _ := routersOf(b, "impot-particulier.yaml")
	req := httptest.NewRequest(http.MethodGet, "/impotparticulier/1.0/spi/3999999887219/situations/ir/assiettes/annrev/2025", nil)
	for name, r := range map[string]routers.Router{"segments": ours, "gorillamux": kin} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := r.FindRoute(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestLoadValidatesOtherContracts: a contract from elsewhere than the
// embedded files (a --openapi directory) is validated at load; the
// embedded ones are validated by TestContractsAreValid instead.
func TestLoadValidatesOtherContracts(t *testing.T) {
	raw, err := fs.ReadFile(FS(), "control.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A required path parameter that no path template names.
	broken := strings.Replace(string(raw), "  /personas/{id}:", "  /personas/{ident}:", 1)
	if broken == string(raw) {
		t.Fatal("control.yaml no longer has /personas/{id}")
	}
	dir := fstest.MapFS{"control.yaml": {Data: []byte(broken)}}
	if _, err := Load(dir, "control.yaml", "/_bacasable/api"); err == nil || !strings.Contains(err.Error(), "not a valid OpenAPI document") {
		t.Errorf("a broken contract from a directory loads: %v", err)
	}
	if _, err := Load(fstest.MapFS{"control.yaml": {Data: raw}}, "control.yaml", "/_bacasable/api"); err != nil {
		t.Errorf("the embedded contract from a directory: %v", err)
	}
}
