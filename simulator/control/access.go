package control

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/netip"
	"strings"

	"github.com/bacasable/bacasable/simulator/internal/text"
)

// proxyHeaders betray a request relayed by a proxy: its peer address is the
// proxy's, not the caller's.
var proxyHeaders = []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip"}

// checkAccess lets a request through or says why not. Browsers' cross-origin
// requests that change something are refused first (a web page must not
// reset a developer's sandbox). With a token configured, every caller must
// present it; without one, only loopback callers that did not come through
// a proxy, addressed to the sandbox's own host name (hostguard), are
// answered.
func (c *Control) checkAccess(r *http.Request) *Error {
	if err := c.csrf.Check(r); err != nil {
		return newError(CodeForbidden, "cross-origin request refused: a page of another site cannot drive the control API (%v)", err)
	}
	if c.cfg.Token != "" {
		const challenge = `Bearer realm="bacasable control API"`
		got, ok := bearerToken(r)
		if !ok {
			e := newError(CodeUnauthorized, `the control API needs "Authorization: Bearer <control token>" (the sandbox was started with --control-token)`)
			e.header = map[string]string{"WWW-Authenticate": challenge}
			return e
		}
		if !sameToken(got, c.cfg.Token) {
			e := newError(CodeUnauthorized, "the bearer token is not the sandbox's control token")
			e.header = map[string]string{"WWW-Authenticate": challenge + `, error="invalid_token"`}
			return e
		}
		return nil
	}
	if !c.hosts.Allows(r.Host) {
		return newError(CodeForbidden, "Host %q does not name the sandbox: without --control-token the control API answers only requests to its public URL's host or to a loopback name (a page that rebinds its own name to 127.0.0.1 must not reach it)", text.Shorten(r.Host, 80))
	}
	if why := notLoopback(r); why != "" {
		return newError(CodeForbidden, "the control API answers loopback callers only (%s): start the sandbox with --control-token to open it to others", why)
	}
	return nil
}

// notLoopback says why r is not from a loopback caller, or "" when it is.
func notLoopback(r *http.Request) string {
	for _, h := range proxyHeaders {
		if r.Header.Get(h) != "" {
			return "the request came through a proxy (" + h + ")"
		}
	}
	var addr netip.Addr
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		addr = ap.Addr()
	} else if a, err := netip.ParseAddr(r.RemoteAddr); err == nil {
		addr = a
	} else {
		return "the caller's address " + r.RemoteAddr + " is not an IP address"
	}
	if !addr.Unmap().IsLoopback() {
		return "the caller is " + addr.String()
	}
	return ""
}

// bearerToken returns the token of "Authorization: Bearer <token>".
func bearerToken(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", false
	}
	return tok, true
}

// sameToken compares in constant time, whatever the lengths.
func sameToken(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}
