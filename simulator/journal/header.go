package journal

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// Header is the headers of a request or an answer as an entry keeps them:
// each name with its values, in no particular order (JSON and the exports
// sort them). A slice rather than an http.Header: building a map for the
// request's headers and another for the answer's was a quarter of an API
// call's cost in process.
type Header []HeaderField

// HeaderField is one header: its name, as net/http or the handler wrote
// it (canonical), and its values.
type HeaderField struct {
	Name   string
	Values []string
}

// Values returns the values of the header name, whatever its case.
func (h Header) Values(name string) []string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Values
		}
	}
	return nil
}

// Get returns the first value of the header name, whatever its case, or "".
func (h Header) Get(name string) string {
	if vs := h.Values(name); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// Sorted returns the fields sorted by name.
func (h Header) Sorted() Header {
	out := slices.Clone(h)
	slices.SortFunc(out, func(a, b HeaderField) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// MarshalJSON writes h as encoding/json writes an http.Header: an object
// of arrays of strings, names sorted.
func (h Header) MarshalJSON() ([]byte, error) {
	m := make(map[string][]string, len(h))
	for _, f := range h {
		m[f.Name] = f.Values
	}
	return json.Marshal(m)
}

// redact hides secrets in the recorded headers and bounds them: each
// Authorization value keeps its scheme only ("Bearer …").
func redact(h http.Header) Header {
	if out, ok := copyWhole(h, true); ok {
		return out
	}
	c := bounded(h)
	for i, f := range c {
		if f.Name != "Authorization" {
			continue
		}
		masked := make([]string, len(f.Values))
		for j, v := range f.Values {
			if scheme, ok := authScheme(v); ok {
				masked[j] = scheme + " …"
			}
		}
		c[i].Values = masked
	}
	return c
}

// authScheme is what the journal keeps of an Authorization value: its
// scheme, cut at 32 bytes, then " …"; nothing of an empty value (ok
// false).
func authScheme(v string) (scheme string, ok bool) {
	if v == "" {
		return "", false
	}
	scheme, _, _ = strings.Cut(v, " ")
	if len(scheme) > 32 {
		scheme = cut(scheme, 32)
	}
	return scheme, true
}

// bounded copies h keeping at most MaxHeaderValue of each value and
// MaxHeaders bytes in all, names sorted; what is cut is marked.
func bounded(h http.Header) Header {
	if out, ok := copyWhole(h, false); ok {
		return out
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make(Header, 0, len(h))
	room := MaxHeaders
	for _, k := range keys {
		var vals []string
		for _, v := range h[k] {
			if room <= 0 {
				if len(vals) > 0 {
					out = append(out, HeaderField{k, vals})
				}
				return append(out, HeaderField{"X-Bacasable-Journal", []string{"en-têtes tronqués"}})
			}
			v = cut(v, min(MaxHeaderValue, room))
			room -= len(k) + len(v)
			vals = append(vals, v)
		}
		if len(vals) > 0 {
			out = append(out, HeaderField{k, vals})
		}
	}
	return out
}

// copyWhole copies h when nothing of it is to be cut (bounded's common
// case, whatever the order), Authorization's values masked when mask is
// set: every value is copied into one buffer and every name's values are
// slices of one array, so that a copy costs three allocations whatever the
// number of headers. The names are the map's (net/http's canonical names
// are strings of their own, not parts of the request).
func copyWhole(h http.Header, mask bool) (Header, bool) {
	// One walk of the map: its fields, still the request's, gathered on
	// the stack (up to 32 names), then copied.
	var stack [32]HeaderField
	fields := stack[:0]
	n, total, size := 0, 0, 0
	for k, vs := range h {
		if len(vs) == 0 {
			continue
		}
		for _, v := range vs {
			if len(v) > MaxHeaderValue {
				return nil, false
			}
			size += len(v)
			total += len(k) + len(v)
		}
		n += len(vs)
		fields = append(fields, HeaderField{k, vs})
	}
	// Strictly under the budget: bounded's room stays positive throughout.
	if total >= MaxHeaders {
		return nil, false
	}
	if n == 0 {
		return Header{}, true
	}
	out := make(Header, len(fields))
	vals := make([]string, n)
	var ends [64]int
	at := ends[:0]
	var b strings.Builder
	b.Grow(size + 8)
	i := 0
	for j, f := range fields {
		out[j] = HeaderField{f.Name, vals[i : i+len(f.Values) : i+len(f.Values)]}
		masked := mask && f.Name == "Authorization"
		for _, v := range f.Values {
			if !masked {
				b.WriteString(v)
			} else if scheme, ok := authScheme(v); ok {
				b.WriteString(scheme)
				b.WriteString(" …")
			}
			at = append(at, b.Len())
		}
		i += len(f.Values)
	}
	all, start := b.String(), 0
	for i, end := range at {
		vals[i] = all[start:end]
		start = end
	}
	return out, true
}

// Shared header fields: values that every answer of a service carries as
// the very same slice (FranceConnect's helmet headers, its Content-Type).
// An entry keeps a reference to such a field instead of a copy: about
// 700 bytes of each FranceConnect answer.
var shared []sharedField

type sharedField struct {
	HeaderField
	first *string // &Values[0]: the identity of the slice
}

// maxShared bounds the shared fields (packed references are uvarints, and
// a packed header looks through them all).
const maxShared = 32

// ShareHeader declares that answers carry values, the same slice each
// time, as the header name (canonical): the journal then keeps a
// reference to it rather than a copy. Nothing may change the slice
// afterwards. It must be called while the packages initialize, before any
// request; past maxShared fields, or for an empty slice, it does nothing.
func ShareHeader(name string, values []string) {
	if len(values) == 0 || len(shared) >= maxShared {
		return
	}
	shared = append(shared, sharedField{HeaderField{name, slices.Clip(values)}, &values[0]})
}

// sharedRef is the reference to k: vs as packed (index+1), or 0 when it is
// not a shared field.
func sharedRef(k string, vs []string) int {
	if len(vs) == 0 {
		return 0
	}
	for i := range shared {
		if f := &shared[i]; f.first == &vs[0] && len(f.Values) == len(vs) && f.Name == k {
			return i + 1
		}
	}
	return 0
}

// packedLen is how many bytes writePacked writes for req and resp.
func packedLen(req, resp http.Header) int {
	size := 0
	for _, h := range [...]http.Header{req, resp} {
		size += uvarintLen(len(h))
		for k, vs := range h {
			if ref := sharedRef(k, vs); ref > 0 {
				size += uvarintLen(ref)
				continue
			}
			size += 1 + uvarintLen(len(k)) + len(k) + uvarintLen(len(vs))
			for _, v := range vs {
				size += uvarintLen(len(v)) + len(v)
			}
		}
	}
	return size
}

// writePacked writes req's then resp's headers without pointers: for each
// header, the number of names, then for each name either a reference to a
// shared field (index+1) or 0, the name, the number of its values and each
// value, every string preceded by its length (uvarints).
func writePacked(b *strings.Builder, req, resp http.Header) {
	for _, h := range [...]http.Header{req, resp} {
		writeUvarint(b, len(h))
		for k, vs := range h {
			if ref := sharedRef(k, vs); ref > 0 {
				writeUvarint(b, ref)
				continue
			}
			b.WriteByte(0)
			writePackedString(b, k)
			writeUvarint(b, len(vs))
			for _, v := range vs {
				writePackedString(b, v)
			}
		}
	}
}

func writeUvarint(b *strings.Builder, n int) {
	var buf [binary.MaxVarintLen64]byte
	b.Write(binary.AppendUvarint(buf[:0], uint64(n)))
}

func writePackedString(b *strings.Builder, s string) {
	writeUvarint(b, len(s))
	b.WriteString(s)
}

// uvarintLen is the length of n as a uvarint.
func uvarintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}

// unpackHeaders reads what writePacked wrote, every name and value a part
// of s (no copy) or a shared field. The string is the journal's own: a
// malformed one (never written) ends the reading with what was read so
// far.
func unpackHeaders(s string) (req, resp http.Header) {
	r := packReader{s: s}
	return r.header(), r.header()
}

// packReader reads s, lengths as uvarints (binary.Uvarint).
type packReader struct {
	s   string
	at  int
	bad bool
}

// uvarint reads a uvarint of at most max.
func (r *packReader) uvarint(max int) int {
	var buf [binary.MaxVarintLen64]byte
	v, n := binary.Uvarint(buf[:copy(buf[:], r.s[r.at:])])
	if n <= 0 || v > uint64(max) {
		r.bad, r.at = true, len(r.s)
		return 0
	}
	r.at += n
	return int(v)
}

// length reads a count of what follows, each at least a byte: at most the
// bytes left after the count's own.
func (r *packReader) length() int {
	n := r.uvarint(len(r.s))
	if n > len(r.s)-r.at {
		r.bad, r.at = true, len(r.s)
		return 0
	}
	return n
}

func (r *packReader) string() string {
	n := r.length()
	v := r.s[r.at : r.at+n]
	r.at += n
	return v
}

func (r *packReader) header() http.Header {
	names := r.length()
	h := make(http.Header, names)
	for range names {
		if ref := r.uvarint(len(shared)); ref > 0 {
			f := shared[ref-1]
			h[f.Name] = f.Values
			continue
		}
		if r.bad {
			break
		}
		k := r.string()
		vs := make([]string, r.length())
		for i := range vs {
			vs[i] = r.string()
		}
		if r.bad {
			break
		}
		h[k] = vs
	}
	return h
}
