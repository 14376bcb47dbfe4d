package impotparticulier

import "strconv"

// classPattern matches, without regexp, the patterns of the API's path and
// header parameters: ^ then a sequence of ASCII character classes and
// literal characters, each optionally repeated a fixed number of times
// ({n}), then $ or nothing (a prefix). The SPI's ^[0-9]{13}$ and the
// correlation id's UUID pattern are of this form; any other pattern is
// left to regexp (newClassPattern says no).
type classPattern struct {
	steps []classStep
	end   bool // anchored at the end ($)
}

// classStep is n characters of a set (bit c of set[c/64] for ASCII c).
type classStep struct {
	set [2]uint64
	n   int
}

func (s *classStep) add(c byte) { s.set[c/64] |= 1 << (c % 64) }

// newClassPattern compiles p, or says it is not of classPattern's form.
func newClassPattern(p string) (*classPattern, bool) {
	if len(p) < 2 || p[0] != '^' {
		return nil, false
	}
	out := &classPattern{}
	for i := 1; i < len(p); {
		var step classStep
		switch c := p[i]; {
		case c == '$' && i == len(p)-1:
			out.end = true
			return out, true
		case c == '[':
			j := i + 1
			for ; j < len(p) && p[j] != ']'; j++ {
				lo := p[j]
				if !plainByte(lo) {
					return nil, false
				}
				hi := lo
				if j+2 < len(p) && p[j+1] == '-' && p[j+2] != ']' {
					hi = p[j+2]
					if !plainByte(hi) || hi < lo {
						return nil, false
					}
					j += 2
				}
				for b := lo; b <= hi; b++ {
					step.add(b)
				}
			}
			if j == len(p) || j == i+1 {
				return nil, false
			}
			i = j + 1
		case plainByte(c):
			step.add(c)
			i++
		default:
			return nil, false
		}
		step.n = 1
		if i < len(p) && p[i] == '{' {
			j := i + 1
			for j < len(p) && p[j] >= '0' && p[j] <= '9' {
				j++
			}
			n, err := strconv.Atoi(p[i+1 : j])
			if j == len(p) || p[j] != '}' || err != nil || n < 1 || n > 64 {
				return nil, false
			}
			step.n, i = n, j+1
		}
		out.steps = append(out.steps, step)
	}
	return out, true
}

// plainByte is an ASCII letter, digit, '-', ':' or '_': a character that
// stands for itself in a regular expression and inside a class.
func plainByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == ':' || c == '_'
}

// MatchString tells whether v matches, as regexp.MatchString would.
func (p *classPattern) MatchString(v string) bool {
	at := 0
	for _, s := range p.steps {
		if len(v)-at < s.n {
			return false
		}
		for _, c := range []byte(v[at : at+s.n]) {
			if c >= 128 || s.set[c/64]&(1<<(c%64)) == 0 {
				return false
			}
		}
		at += s.n
	}
	return !p.end || at == len(v)
}
