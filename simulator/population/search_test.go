package population

import (
	"slices"
	"strings"
	"testing"
)

// naiveSearch is the search as first written: each item's fields folded
// and joined by spaces (texts), every word of the query contained in that
// text.
func naiveSearch[T any](items []T, texts []string, query string) []T {
	words := searchWords(query)
	if len(words) == 0 {
		return items
	}
	var out []T
	for i, it := range items {
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(texts[i], w) }) {
			out = append(out, it)
		}
	}
	return out
}

func joinedTexts[T any](items []T, fields func(T) []string) []string {
	texts := make([]string, len(items))
	for i, it := range items {
		texts[i] = Fold(strings.Join(fields(it), " "))
	}
	return texts
}

func personaSearchFields(p *Persona) []string {
	return []string{p.GivenName, p.FamilyName, p.PreferredUsername, p.Login, p.SPI, p.Situation, p.ID}
}

func foyerSearchFields(f *Foyer) []string {
	parts := []string{f.ID, f.Residence.Commune}
	for _, p := range []*Persona{f.Declarant1, f.Declarant2} {
		if p != nil {
			parts = append(parts, p.ID, p.Login, p.SPI, p.GivenName, p.FamilyName, p.PreferredUsername)
		}
	}
	return parts
}

// TestSearchMatchesTheJoinedText: the compact search index finds exactly
// what a search in each item's whole folded text finds.
func TestSearchMatchesTheJoinedText(t *testing.T) {
	pop := generated(t, Generator{N: 3000, Seed: 7})
	queries := []string{
		"", "   ", "martin", "MARTIN", "Martín", "lefèvre", "LEFEVRE", "élodie", "marie", "marié", "mariée",
		"enfant", "2 enfants", "généré", "genere —", "—", "isolé", "veuve", "sans enfant", "célibataire",
		"gen", "gen-", "gen.", "gen-foyer", "foyer", "398", "0001", "gen-000012", "gen-foyer-000012",
		"paris", "lyon", "saint", "st", "arrondissement", "e", "a b", "jean pierre", "-", "'", "d'",
		"dubois", "angela", "dubois angela", "x", "zzz", "martin paris", "marie lyon", "né", "123",
		"demo", "test", "1", "9", ".", "é", "è", "ç", "œ", "ae", "the quick brown fox jumps over it",
	}
	for _, p := range pop.Personas()[:200] {
		queries = append(queries, p.GivenName, p.FamilyName+" "+p.Login, p.SPI, p.ID, p.Situation, p.PreferredUsername)
	}
	for _, f := range pop.Foyers()[:200] {
		queries = append(queries, f.ID, f.Residence.Commune, f.Residence.Commune+" "+f.Declarant1.FamilyName)
	}
	personaTexts, foyerTexts := joinedTexts(pop.Personas(), personaSearchFields), joinedTexts(pop.Foyers(), foyerSearchFields)
	for _, q := range queries {
		if got, want := pop.Search(q), naiveSearch(pop.Personas(), personaTexts, q); !slices.Equal(got, want) {
			t.Errorf("Search(%q): %d personas, want %d", q, len(got), len(want))
		}
		if got, want := pop.SearchFoyers(q), naiveSearch(pop.Foyers(), foyerTexts, q); !slices.Equal(got, want) {
			t.Errorf("SearchFoyers(%q): %d foyers, want %d", q, len(got), len(want))
		}
	}
}

// BenchmarkSearch100k measures the searches of the console and of the
// login page on a large population, once its index is made.
func BenchmarkSearch100k(b *testing.B) {
	pop := generated(b, Generator{N: 100_000, Seed: 1})
	pop.Warm()
	for _, q := range []string{"martin", "marie dubois", "lyon"} {
		b.Run("personas "+q, func(b *testing.B) {
			for b.Loop() {
				pop.Search(q)
			}
		})
		b.Run("foyers "+q, func(b *testing.B) {
			for b.Loop() {
				pop.SearchFoyers(q)
			}
		})
	}
}
