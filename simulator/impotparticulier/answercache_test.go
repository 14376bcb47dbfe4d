package impotparticulier

import (
	"testing"

	"github.com/bacasable/bacasable/simulator/population"
)

// TestAnswerCacheBounded: the cache of answers holds at most maxAnswers
// objects, and answers what appendView writes, from the cache or not.
func TestAnswerCacheBounded(t *testing.T) {
	var c answerCache
	first := &population.Avis{RFR: 1234, SitFam: "C", NbPart: 1}
	w := view{fields: fieldSet(1)<<fieldIndex["rfr"] | fieldSet(1)<<fieldIndex["sitFam"]}
	want := string(appendView(nil, situationObject, first, w))
	for i := range 3 * maxAnswers {
		a := first
		if i > 0 {
			a = &population.Avis{RFR: int64(i)}
		}
		got := string(c.appendAnswer([]byte("x"), situationAnswer, a, w))
		if i == 0 && got != "x"+want {
			t.Fatalf("first answer %s, want x%s", got, want)
		}
	}
	n := 0
	c.m.Range(func(any, any) bool { n++; return true })
	if n == 0 || n > maxAnswers {
		t.Errorf("%d answers kept, want 1 to %d", n, maxAnswers)
	}
	if got := string(c.appendAnswer(nil, situationAnswer, first, w)); got != want {
		t.Errorf("again after the cache was emptied: %s, want %s", got, want)
	}
}
