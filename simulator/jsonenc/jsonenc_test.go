package jsonenc

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

func reference(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func same(t testing.TB, v any) {
	t.Helper()
	got, err := Append(nil, v)
	if err != nil {
		t.Fatalf("%#v: %v", v, err)
	}
	if want := reference(t, v); !bytes.Equal(got, want) {
		t.Errorf("%#v:\n got %s\nwant %s", v, got, want)
	}
}

var strings = []string{
	"", "plain", "Dubois Angela Claire", "é à ç œ €", "<b>&amp;</b>", `quo"te \ back`, "\b\f\n\r\t\x00\x01\x1f\x7f",
	"\u2028\u2029", "\xff\xfe invalid", "a\xc3", "😀 emoji", "\u00a0\u202f", "line\u2028sep",
}

var floats = []float64{
	0, 1, -1, 2.5, 0.1, 1.0 / 3, 1e-6, 9.99e-7, 1e-7, 1.5e-9, 1e20, 1e21, 1.5e21, 123456789.125, -0.000001,
	math.MaxFloat64, math.SmallestNonzeroFloat64, 1e-10, 3e-100, 12345e-12,
}

// TestLikeEncodingJSON: scalars, strings with every kind of escape,
// floats either side of the exponent cutoffs, and the fallback types.
func TestLikeEncodingJSON(t *testing.T) {
	for _, s := range strings {
		same(t, s)
		same(t, map[string]any{s: s})
	}
	for _, f := range floats {
		same(t, f)
		same(t, -f)
	}
	for _, v := range []any{nil, true, false, 0, -42, int64(1) << 62, int32(-7), uint64(1) << 63,
		map[string]any(nil), []any(nil), []any{}, []string{"a", "b"}, []map[string]any{{"code": "1AJ", "valeur": 12000}},
		float32(2.5), struct {
			A int `json:"a"`
		}{1}, json.Number("12.50"), []int{1, 2}} {
		same(t, v)
	}
	if _, err := Append(nil, math.NaN()); err == nil {
		t.Error("NaN encoded without error")
	}
}

// TestRandomTrees compares random trees of the answers' shapes.
func TestRandomTrees(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var tree func(depth int) any
	tree = func(depth int) any {
		switch n := r.IntN(9); {
		case depth > 3 || n == 0:
			return strings[r.IntN(len(strings))]
		case n == 1:
			return floats[r.IntN(len(floats))] * float64(r.IntN(3)-1)
		case n == 2:
			return r.IntN(1 << 30)
		case n == 3:
			return nil
		case n == 4:
			return r.IntN(2) == 0
		case n <= 6:
			m := map[string]any{}
			for range r.IntN(8) {
				m[strings[r.IntN(len(strings))]+string(rune('a'+r.IntN(26)))] = tree(depth + 1)
			}
			return m
		default:
			s := make([]any, r.IntN(5))
			for i := range s {
				s[i] = tree(depth + 1)
			}
			return s
		}
	}
	for range 2000 {
		same(t, tree(0))
	}
}

func FuzzLikeEncodingJSON(f *testing.F) {
	for _, s := range strings {
		f.Add(s, 2.5)
	}
	f.Fuzz(func(t *testing.T, s string, x float64) {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return
		}
		same(t, map[string]any{s: []any{s, x, map[string]any{"k": s}}})
	})
}

func BenchmarkAppend(b *testing.B) {
	v := map[string]any{"rfr": 30000, "nbPart": 2.5, "sitFam": "M", "pac": map[string]any{"nbPac": 2, "nbPacF": 0},
		"aft": "12 RUE DE LA PAIX 75002 PARIS", "rev": map[string]any{"tspr": []map[string]any{{"code": "1AJ", "valeur": 30000}}},
		"nmNaiDec1": "DUBOIS", "prnmDec1": "Angela Claire Louise", "dateNaisDec1": "24/08/1962", "fipNum": nil}
	b.Run("jsonenc", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf, _ = Append(buf[:0], v)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			reference(b, v)
		}
	})
}

// TestAppendStringHTML: the HTML-escaping variant writes what json.Marshal
// writes (encoding/json's default), the other what SetEscapeHTML(false) does.
func TestAppendStringHTML(t *testing.T) {
	for _, s := range []string{"", "plain", "<script>a&b</script>", "\"quote\" \\ \n\t\x01", "é\u2028\u2029", "\xff<>", "a>b&c<d"} {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendStringHTML(nil, s); string(got) != string(want) {
			t.Errorf("AppendStringHTML(%q) = %s, want %s", s, got, want)
		}
		if got, want := AppendString(nil, s), reference(t, s); string(got) != string(want) {
			t.Errorf("AppendString(%q) = %s, want %s", s, got, want)
		}
	}
}
