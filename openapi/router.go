package openapi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// segmentRouter finds a request's operation by walking the escaped path
// one segment at a time: a literal segment first, then a {parameter}.
// It answers as kin-openapi's gorillamux router does for the contracts'
// shape (paths of literal and whole-segment parameter segments, one
// server, any host) — same routes, same raw parameter values, same
// errors — without its regular expressions and without copying the route
// per request: the request's only route matching under the sandbox
// (TestSegmentRouterMatchesGorillaMux).
type segmentRouter struct {
	base string // the server's path, without a trailing slash
	root *segmentNode
}

var _ routers.Router = (*segmentRouter)(nil)

type segmentNode struct {
	literal   map[string]*segmentNode
	param     *segmentNode
	paramName string
	// routes holds, at a path's last segment, its operations by method;
	// ends tells that a path ends here (even with no operation).
	routes map[string]*routers.Route
	ends   bool
}

// newSegmentRouter routes doc's paths under base. It refuses a path it
// cannot walk segment by segment (a parameter inside a segment, two names
// for the parameter at one place): Load then keeps kin-openapi's router.
func newSegmentRouter(doc *openapi3.T, base string) (*segmentRouter, error) {
	base = strings.TrimSuffix(base, "/")
	r := &segmentRouter{base: base, root: &segmentNode{}}
	server := doc.Servers[0]
	for path, item := range doc.Paths.Map() {
		if strings.Count(path, "{") > maxParams {
			return nil, fmt.Errorf("path %s: more than %d parameters", path, maxParams)
		}
		n := r.root
		for _, seg := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
			name, isParam := strings.CutPrefix(seg, "{")
			if isParam {
				var closed bool
				if name, closed = strings.CutSuffix(name, "}"); !closed || name == "" || strings.ContainsAny(name, "{}") {
					return nil, fmt.Errorf("path %s: segment %q is not a whole parameter", path, seg)
				}
				if n.param == nil {
					n.param, n.paramName = &segmentNode{}, name
				} else if n.paramName != name {
					return nil, fmt.Errorf("path %s: parameter %q where another path has %q", path, name, n.paramName)
				}
				n = n.param
				continue
			}
			if strings.ContainsAny(seg, "{}") || seg == "" {
				return nil, fmt.Errorf("path %s: segment %q", path, seg)
			}
			if n.literal == nil {
				n.literal = map[string]*segmentNode{}
			}
			next := n.literal[seg]
			if next == nil {
				next = &segmentNode{}
				n.literal[seg] = next
			}
			n = next
		}
		n.ends = true
		n.routes = map[string]*routers.Route{}
		for method, op := range item.Operations() {
			n.routes[method] = &routers.Route{Spec: doc, Server: server, Path: path, PathItem: item, Method: method, Operation: op}
		}
	}
	return r, nil
}

// FindRoute returns the operation of req's escaped path and method, and
// the path's parameters as they are written in it.
func (r *segmentRouter) FindRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	rest, ok := strings.CutPrefix(req.URL.EscapedPath(), r.base+"/")
	if !ok {
		return nil, nil, routers.ErrPathNotFound
	}
	var m match
	n := r.root.walk(rest, &m)
	if n == nil {
		return nil, nil, routers.ErrPathNotFound
	}
	route := n.routes[req.Method]
	if route == nil {
		return nil, nil, routers.ErrMethodNotAllowed
	}
	vars := make(map[string]string, m.n)
	for i := range m.n {
		vars[m.names[i]] = m.values[i]
	}
	return route, vars, nil
}

// match is the parameters met on the way, at most maxParams.
type match struct {
	names, values [maxParams]string
	n             int
}

const maxParams = 8

// walk follows the segments of rest from n, a literal before a parameter,
// and returns the node where a path ends, or nil.
func (n *segmentNode) walk(rest string, m *match) *segmentNode {
	seg, after, more := strings.Cut(rest, "/")
	try := func(next *segmentNode) *segmentNode {
		if !more {
			if next.ends {
				return next
			}
			return nil
		}
		return next.walk(after, m)
	}
	if next := n.literal[seg]; next != nil {
		if found := try(next); found != nil {
			return found
		}
	}
	if n.param == nil || seg == "" {
		return nil
	}
	m.names[m.n], m.values[m.n] = n.paramName, seg
	m.n++
	if found := try(n.param); found != nil {
		return found
	}
	m.n--
	return nil
}
