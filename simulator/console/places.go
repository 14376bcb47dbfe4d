package console

import (
	"encoding/json"
	"net/http"
)

// maxPlaces is how many codes one GET /_bacasable/lieux names.
const maxPlaces = 20

// servePlaces answers GET /_bacasable/lieux?code=75107&code=99100 with the
// names of the Insee codes it knows, {"75107": "Paris 7e Arrondissement",
// "99100": "France"}; an unknown code is left out. The COG is public
// reference data: the route needs no control token.
func (c *Console) servePlaces(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	secureHeaders(h)
	h.Set("Cache-Control", "no-cache")
	codes := r.URL.Query()["code"]
	if len(codes) > maxPlaces {
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": "20 codes au plus par requête"})
		return
	}
	h.Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(namePlaces(codes, c.placeName))
}

// namePlaces returns the names placeName knows for codes.
func namePlaces(codes []string, placeName func(string) (string, bool)) map[string]string {
	out := make(map[string]string, len(codes))
	for _, code := range codes {
		if code == "" || len(code) > 5 {
			continue
		}
		if name, ok := placeName(code); ok {
			out[code] = name
		}
	}
	return out
}
