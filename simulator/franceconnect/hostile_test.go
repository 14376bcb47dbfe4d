package franceconnect

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// TestHostileKeys: a rotated key and an unknown key follow the client's
// algorithm, so that a client refuses the unknown key for being unknown
// (not for its algorithm) and accepts the rotated one once it has read the
// JWKS again — go-oidc's remote key set does.
func TestHostileKeys(t *testing.T) {
	for _, tc := range []struct{ clientID, secret, alg string }{
		{demoClientID, demoClientSecret, "ES256"},
		{"bacasable-rs256", "bacasable-rs256-secret", "RS256"},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			env := newTestEnv(t, nil)
			ctx := oidc.ClientContext(context.Background(), env.Server.Client())
			ctx = oidc.InsecureIssuerURLContext(ctx, env.Issuer)
			provider, err := oidc.NewProvider(ctx, env.Issuer)
			if err != nil {
				t.Fatal(err)
			}
			conf := oauth2.Config{ClientID: tc.clientID, ClientSecret: tc.secret, RedirectURL: "http://localhost:3000/callback",
				Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile"}}
			conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
			verifier := provider.Verifier(&oidc.Config{ClientID: tc.clientID, SupportedSigningAlgs: []string{tc.alg}, Now: env.Clock.Now})
			// The verifier has read the JWKS before the rotation.
			login := func() string {
				cb := loginThroughPages(t, conf.AuthCodeURL(testState, oidc.Nonce(testNonce), oauth2.SetAuthURLParam("acr_values", "eidas1")), "test", "123")
				tok, err := conf.Exchange(ctx, cb.Get("code"))
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := tok.Extra("id_token").(string)
				return raw
			}
			if _, err := verifier.Verify(ctx, login()); err != nil {
				t.Fatalf("before the faults: %v", err)
			}

			if _, err := env.P.QueueFaults(tc.clientID, []string{"key-rotation", "idtoken-unknown-key", "idtoken-no-kid"}); err != nil {
				t.Fatal(err)
			}
			rotated := login()
			if _, err := verifier.Verify(ctx, rotated); err != nil {
				t.Errorf("rotated key refused: %v", err)
			}
			if alg := headerAlg(t, rotated); alg != tc.alg {
				t.Errorf("rotated key signs with %s", alg)
			}
			for _, fault := range []string{"idtoken-unknown-key", "idtoken-no-kid"} {
				raw := login()
				if alg := headerAlg(t, raw); alg != tc.alg {
					t.Errorf("%s signs with %s", fault, alg)
				}
				if _, err := verifier.Verify(ctx, raw); err == nil || !strings.Contains(err.Error(), "signature") {
					t.Errorf("%s: err = %v, want a signature error", fault, err)
				}
			}
			// Faults are one per login: the next one is sound again.
			if _, err := verifier.Verify(ctx, login()); err != nil {
				t.Errorf("after the faults: %v", err)
			}
		})
	}
}

func headerAlg(t *testing.T, token string) string {
	t.Helper()
	h, _, _ := strings.Cut(token, ".")
	var v struct {
		Alg string `json:"alg"`
	}
	raw, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v.Alg
}
