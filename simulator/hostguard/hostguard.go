// Package hostguard defends the sandbox's own pages and control API against
// DNS rebinding: a web page the developer visits can rebind its name to
// 127.0.0.1 and then talk to the sandbox as a same-origin page would. The
// browser still sends the attacker's name in Host, so a request is answered
// only when Host names the sandbox: the public URL's host, or a loopback
// name (localhost, *.localhost, 127.0.0.0/8, ::1), whatever the port.
package hostguard

import (
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// Hosts is the set of host names a request may carry.
type Hosts struct {
	public string // the public URL's host name, lower case, without port
}

// New allows the host of publicURL and the loopback names.
func New(publicURL string) Hosts {
	u, err := url.Parse(publicURL)
	if err != nil {
		return Hosts{}
	}
	return Hosts{public: strings.ToLower(u.Hostname())}
}

// Allows reports whether host, a request's Host (with or without a port),
// names the sandbox.
func (h Hosts) Allows(host string) bool {
	name := host
	if n, _, err := net.SplitHostPort(host); err == nil {
		name = n
	}
	name = strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(name, "["), "]"), "."))
	if name == "" {
		return false
	}
	if name == h.public || name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(name)
	return err == nil && a.Unmap().IsLoopback()
}
