package bacasabletest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/bacasable/bacasable/simulator/bacasabletest"
)

// The five lines a vendor's test needs to log a persona in.
func ExampleSandbox_Login() {
	t := &testing.T{} // in a real test, the *testing.T you are given
	sb := bacasabletest.Start(t)
	tok := sb.Login("test", "openid", "identite_pivot", "dgfip_rfr", "dgfip_nbpart")
	fmt.Println(sb.Issuer != "", tok.AccessToken != "", tok.Scope)
	// Output: true true dgfip_nbpart dgfip_rfr identite_pivot openid
}

// A vendor's service calls the API with the user's FranceConnect token.
func ExampleSandbox_GatewayToken() {
	t := &testing.T{}
	sb := bacasabletest.Start(t)
	fc := sb.Login("test", "identite_pivot", "dgfip_rfr", "dgfip_nbpart")
	req, _ := http.NewRequest(http.MethodGet, sb.APIURL+"/situations/ir/assiettes/annrev/2025", nil)
	req.Header.Set("Authorization", "Bearer "+sb.GatewayToken())
	req.Header.Set("X-FranceConnect-OAuth", fc.AccessToken)
	req.Header.Set("X-Correlation-ID", "3f2b6a1e-8c4d-4e5f-9a0b-1c2d3e4f5a6b")
	req.Header.Set("ID_Teleservice", bacasabletest.GatewayTeleservice)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 {"nbPart":3,"rfr":41220}
}

// A scenario makes the DGFiP fail, to test the service's fallback.
func ExampleSandbox_Activate() {
	t := &testing.T{}
	sb := bacasabletest.Start(t)
	sb.Activate("dgfip-indisponible")
	fc := sb.Login("test", "dgfip_rfr")
	req, _ := http.NewRequest(http.MethodGet, sb.APIURL+"/situations/ir/assiettes/annrev/2025", nil)
	req.Header.Set("Authorization", "Bearer "+sb.GatewayToken())
	req.Header.Set("X-FranceConnect-OAuth", fc.AccessToken)
	req.Header.Set("X-Correlation-ID", "3f2b6a1e-8c4d-4e5f-9a0b-1c2d3e4f5a6b")
	req.Header.Set("ID_Teleservice", bacasabletest.GatewayTeleservice)
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"))
	// Output: 503 120
}

// TestWithARealClient: the ID token verifies with go-oidc against the
// sandbox's discovery and JWKS, as a vendor's client does.
func TestWithARealClient(t *testing.T) {
	sb := bacasabletest.Start(t)
	code, nonce := sb.Code("test", "profile")
	_ = code
	tok := sb.Login("test", "profile")
	provider, err := oidc.NewProvider(oidc.InsecureIssuerURLContext(context.Background(), sb.Issuer), sb.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: bacasabletest.DemoClientID, SupportedSigningAlgs: []string{"ES256"}, Now: sb.Clock.Now}).
		Verify(context.Background(), tok.IDToken)
	if err != nil || idt.Nonce != nonce {
		t.Fatalf("ID token: %v, nonce %q", err, idt.Nonce)
	}
}

// TestViolationsFailTheTest: a request breaking the DGFiP contract (no
// X-Correlation-ID) is reported by RequireNoViolations.
func TestViolationsFailTheTest(t *testing.T) {
	sb := bacasabletest.Start(t, bacasabletest.Options{AllowViolations: true})
	req, _ := http.NewRequest(http.MethodGet, sb.APIURL+"/spi/3999999887219/situations/ir/assiettes/annrev/2025", nil)
	req.Header.Set("Authorization", "Bearer "+sb.GatewayToken())
	req.Header.Set("ID_Teleservice", bacasabletest.GatewayTeleservice)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rec := &recordingT{TB: t}
	sb.RequireNoViolations(rec)
	if rec.errors == 0 {
		t.Error("a request without X-Correlation-ID was not reported")
	}
}

type recordingT struct {
	testing.TB
	errors int
}

func (r *recordingT) Errorf(string, ...any) { r.errors++ }
func (r *recordingT) Helper()               {}
