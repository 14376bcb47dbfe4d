package impotparticulier

import (
	"sync"
	"sync/atomic"

	"github.com/bacasable/bacasable/simulator/population"
)

// answerCache keeps the answer objects last written from an avis: a
// client asks the same resource of the same household again and again,
// and writing it was a quarter of an API call. An avis is never modified
// (population.Foyer.Avis), so an object written from it under a view is
// the same bytes every time; a new population or a new calendar year gives
// new avis, hence new keys. At maxAnswers objects the cache is emptied and
// fills again.
type answerCache struct {
	m   sync.Map // answerKey → string
	len atomic.Int32
}

// maxAnswers bounds the cache: about 2 KB an object, a few MB at most.
const maxAnswers = 2048

// answerKey names an object written from an avis.
type answerKey struct {
	object answerObject
	avis   *population.Avis
	view   view
}

// answerObject is which object of body.go is written.
type answerObject int8

const (
	situationAnswer answerObject = iota
	derniereSituationAnswer
	facturesAnswer
	multipleAnswer
)

var answerObjects = [...]object[*population.Avis]{
	situationAnswer:         situationObject,
	derniereSituationAnswer: derniereSituationObject,
	facturesAnswer:          facturesSituationObject,
	multipleAnswer:          multipleSituationObject,
}

// appendAnswer appends the object o written from a as w allows, from the
// cache when it holds it.
func (c *answerCache) appendAnswer(b []byte, o answerObject, a *population.Avis, w view) []byte {
	key := answerKey{o, a, w}
	if s, ok := c.m.Load(key); ok {
		return append(b, s.(string)...)
	}
	start := len(b)
	b = appendView(b, answerObjects[o], a, w)
	if c.len.Add(1) > maxAnswers {
		c.m.Clear()
		c.len.Store(1)
	}
	c.m.Store(key, string(b[start:]))
	return b
}
