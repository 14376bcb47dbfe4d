package demoville

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// stationnement grants the residential parking permit to households whose
// fiscal address on 1 January lies in the parking zone. It asks
// FranceConnect for the identity and the fiscal address only (dgfip_aft):
// no income, no family data — a service asks for what it needs.
var stationnement = &service{
	Slug:    "stationnement",
	Name:    "Carte de stationnement résidentiel",
	Summary: "Le tarif résident est réservé aux foyers dont l'adresse fiscale est dans la zone de stationnement résidentiel.",
	Scopes:  []string{"openid", "identite_pivot", "dgfip_aft"},
	Data:    []string{"adresse fiscale au 1er janvier"},
	decide:  (*Site).decideStationnement,
}

// parkingResult is the decision and its reason.
type parkingResult struct {
	Granted bool
	Reason  string
	Address string // the fiscal address, one line, as the DGFiP writes it
	OnDate  string // « 1er janvier 2026 »
	Zone    []string
}

func (s *Site) decideStationnement(sit *situationIR) (*outcome, *problem) {
	addr, ok := fiscalAddress(sit)
	if !ok || sit.AnnRevenu == nil {
		return nil, missingData("adresse fiscale")
	}
	// The aft of the revenues of year N is the address on 1 January N+1.
	res := &parkingResult{Address: addr.Line, OnDate: "1er janvier " + strconv.Itoa(*sit.AnnRevenu+1), Zone: s.zoneLabels()}
	if z, in := s.inZone(addr.PostalCode, addr.Commune); in {
		res.Granted = true
		res.Reason = fmt.Sprintf("votre adresse fiscale au %s est à %s (%s), dans la zone de stationnement résidentiel", res.OnDate, z.Commune, z.PostalCode)
	} else {
		res.Reason = fmt.Sprintf("votre adresse fiscale au %s est à %s (%s), hors de la zone de stationnement résidentiel", res.OnDate, addr.Commune, addr.PostalCode)
	}
	return &outcome{Year: *sit.AnnRevenu, Parking: res}, nil
}

// address is a fiscal address reduced to what the zone needs.
type address struct {
	Line       string
	PostalCode string
	Commune    string
}

// fiscalAddress reads the fiscal address: from aftDetail when it carries the
// postal code and commune, else from the last « 5 digits + commune » of the
// one-line aft (« BAT 3 APT 93 10 RUE DU CENTRE 93160 NOISY LE GRAND »).
func fiscalAddress(sit *situationIR) (address, bool) {
	var a address
	if sit.Aft != nil {
		a.Line = strings.TrimSpace(*sit.Aft)
	}
	if d := sit.AftDetail; d != nil {
		cp, commune := first(d.CodePostal, d.CodePostal2019), first(d.Commune, d.Commune2019)
		if cp != "" && commune != "" {
			a.PostalCode, a.Commune = cp, commune
			if a.Line == "" {
				a.Line = strings.Join(nonEmpty(first(d.Complement), first(d.Voie), cp, commune), " ")
			}
			return a, true
		}
	}
	words := strings.Fields(a.Line)
	for i := len(words) - 2; i >= 0; i-- {
		if postalCode.MatchString(words[i]) {
			a.PostalCode, a.Commune = words[i], strings.Join(words[i+1:], " ")
			return a, true
		}
	}
	return a, false
}

var postalCode = regexp.MustCompile(`^[0-9]{5}$`)

// zoneEntry is one place of the parking zone.
type zoneEntry struct {
	PostalCode string
	Commune    string // as configured, for display
	key        string // normalised commune
}

func parseZone(entries []string) ([]zoneEntry, error) {
	if len(entries) == 0 {
		return nil, fmt.Errorf("demoville: ParkingZone is empty")
	}
	zone := make([]zoneEntry, 0, len(entries))
	for _, e := range entries {
		cp, commune, _ := strings.Cut(strings.TrimSpace(e), " ")
		commune = strings.TrimSpace(commune)
		if !postalCode.MatchString(cp) || commune == "" {
			return nil, fmt.Errorf("demoville: ParkingZone entry %q must be a postal code and a commune, like \"33130 Bègles\"", e)
		}
		zone = append(zone, zoneEntry{PostalCode: cp, Commune: commune, key: normaliseCommune(commune)})
	}
	return zone, nil
}

// inZone tells whether the postal code and the commune match one entry of
// the zone.
func (s *Site) inZone(cp, commune string) (zoneEntry, bool) {
	key := normaliseCommune(commune)
	for _, z := range s.zone {
		if z.PostalCode == cp && z.key == key {
			return z, true
		}
	}
	return zoneEntry{}, false
}

// zoneLabels lists the zone for the pages: « Bègles (33130) ».
func (s *Site) zoneLabels() []string {
	out := make([]string, len(s.zone))
	for i, z := range s.zone {
		out[i] = z.Commune + " (" + z.PostalCode + ")"
	}
	return out
}

// normaliseCommune makes commune names comparable the way the DGFiP writes
// them on the avis: upper case, no accents, hyphens and apostrophes as
// spaces, SAINT/SAINTE abbreviated ST/STE. « Villenave-d'Ornon » and
// « VILLENAVE D ORNON » are the same commune.
func normaliseCommune(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune("ÀÂÄÁÃ", r):
			b.WriteByte('A')
		case r == 'Ç':
			b.WriteByte('C')
		case strings.ContainsRune("ÉÈÊË", r):
			b.WriteByte('E')
		case strings.ContainsRune("ÎÏÍ", r):
			b.WriteByte('I')
		case strings.ContainsRune("ÔÖÓ", r):
			b.WriteByte('O')
		case strings.ContainsRune("ÙÛÜÚ", r):
			b.WriteByte('U')
		case r == 'Ÿ':
			b.WriteByte('Y')
		case r == 'Æ':
			b.WriteString("AE")
		case r == 'Œ':
			b.WriteString("OE")
		default: // hyphens, apostrophes, spaces, punctuation
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(b.String())
	for i, w := range words {
		switch w {
		case "SAINT":
			words[i] = "ST"
		case "SAINTE":
			words[i] = "STE"
		}
	}
	return strings.Join(words, " ")
}

// first returns the first non-empty value.
func first(values ...*string) string {
	for _, v := range values {
		if v != nil && strings.TrimSpace(*v) != "" {
			return strings.TrimSpace(*v)
		}
	}
	return ""
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
