// Package qualification judges a service's integration from the sandbox's
// journal, as FranceConnect's qualification of a service provider and the
// DGFiP's review of API calls would: each rule is passed, failed (with the
// requests that show it), or not exercised. It reads journal entries only;
// it knows nothing of the services' code.
package qualification

import (
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bacasable/bacasable/simulator/franceconnect"
	"github.com/bacasable/bacasable/simulator/journal"
)

// Status is a rule's outcome.
type Status string

const (
	Passed       Status = "passed"
	Failed       Status = "failed"
	NotExercised Status = "not_exercised"
)

// Rule is one rule of the qualification: what is checked, where the rule
// comes from, and, in French, what to change when it fails.
type Rule struct {
	ID      string `json:"id"`
	Service string `json:"service"` // franceconnect or impotparticulier
	Title   string `json:"title"`
	Source  string `json:"source"`
	Advice  string `json:"advice"`
}

// Evidence is one request that shows a failure.
type Evidence struct {
	Entry   int64  `json:"entry"` // the journal entry's id
	Login   string `json:"login,omitempty"`
	Message string `json:"message"`
}

// Result is a rule's outcome for one client.
type Result struct {
	Rule
	Status   Status     `json:"status"`
	Checked  int        `json:"checked"` // requests the rule looked at
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Report is the qualification of one service: its FranceConnect service
// provider and its gateway client.
type Report struct {
	Client       string   `json:"client,omitempty"`  // FranceConnect client_id
	Gateway      string   `json:"gateway,omitempty"` // gateway client_id
	Passed       int      `json:"passed"`
	Failed       int      `json:"failed"`
	NotExercised int      `json:"not_exercised"`
	Results      []Result `json:"results"`
}

// checker evaluates one rule over the entries of the client.
type checker struct {
	Rule
	check func(c *run)
}

// run is one rule's evaluation: the requests it looked at and what failed.
type run struct {
	fc, gw   []journal.Entry // the client's FranceConnect and DGFiP entries, oldest first
	gateway  bool            // a gateway client was named: its calls can be looked for
	checked  int
	evidence []Evidence
}

func (r *run) look(n int) { r.checked += n }

func (r *run) fail(e journal.Entry, format string, args ...any) {
	r.evidence = append(r.evidence, Evidence{Entry: e.ID, Login: e.Login, Message: fmt.Sprintf(format, args...)})
}

// Evaluate judges client (a FranceConnect client_id, or "") and gateway
// (a gateway client_id, or "") from the journal's entries.
func Evaluate(entries []journal.Entry, client, gateway string) Report {
	rep := Report{Client: client, Gateway: gateway, Results: []Result{}}
	base := run{}
	for _, e := range entries {
		switch {
		case client != "" && e.Service == "franceconnect" && e.Client == client:
			base.fc = append(base.fc, e)
		case gateway != "" && (e.Service == "impotparticulier" || e.Service == "passerelle") && e.Client == gateway:
			base.gw = append(base.gw, e)
		}
	}
	for _, ck := range append(slices.Clone(Rules), hostileRules()...) {
		if (ck.Service == "franceconnect" && client == "") || (ck.Service == "impotparticulier" && gateway == "") {
			continue
		}
		r := run{fc: base.fc, gw: base.gw, gateway: gateway != ""}
		ck.check(&r)
		res := Result{Rule: ck.Rule, Checked: r.checked, Evidence: r.evidence}
		switch {
		case len(r.evidence) > 0:
			res.Status = Failed
			rep.Failed++
		case r.checked == 0:
			res.Status = NotExercised
			rep.NotExercised++
		default:
			res.Status = Passed
			rep.Passed++
		}
		rep.Results = append(rep.Results, res)
	}
	return rep
}

// ── Reading entries ─────────────────────────────────────────────────────

func is(e journal.Entry, method, suffix string) bool {
	return e.Method == method && strings.HasSuffix(e.Path, suffix)
}

// isAuthorize: an authorization request, in GET or POST.
func isAuthorize(e journal.Entry) bool {
	return is(e, "GET", "/authorize") || is(e, "POST", "/authorize")
}

// eachAuthorize calls f for each of the client's authorization requests,
// each counted as looked at.
func (r *run) eachAuthorize(f func(e journal.Entry)) {
	for _, e := range r.fc {
		if isAuthorize(e) {
			r.look(1)
			f(e)
		}
	}
}

// params are an authorize or logout request's parameters (query, or a
// form body for a POST).
func params(e journal.Entry) url.Values {
	q, _ := url.ParseQuery(e.Query)
	if e.Method == "POST" {
		if mt, _, _ := mime.ParseMediaType(e.RequestHeader.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
			body, _ := url.ParseQuery(e.RequestBody)
			for k, v := range body {
				q[k] = append(q[k], v...)
			}
		}
	}
	return q
}

func form(e journal.Entry) url.Values {
	v, _ := url.ParseQuery(e.RequestBody)
	return v
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func apiCall(e journal.Entry) bool { return e.Service == "impotparticulier" && e.Method == "GET" }

// ── The rules ───────────────────────────────────────────────────────────

// Rules are every rule, FranceConnect's first.
var Rules = []checker{
	{Rule{"fc-state", "franceconnect", "state présent, d'au moins 22 caractères, jamais réutilisé",
		"FranceConnect, documentation des partenaires (qualification : state) ; OpenID Connect Core §3.1.2.1",
		"Générez un state aléatoire (au moins 22 caractères) pour chaque connexion, gardez-le en session et comparez-le au retour."},
		func(r *run) { uniqueParam(r, "state") }},
	{Rule{"fc-nonce", "franceconnect", "nonce présent, d'au moins 22 caractères, jamais réutilisé",
		"france-connect/sources back/apps/core-fcp/src/dto/authorize-params.dto.ts (MinLength 22) ; qualification : nonce",
		"Générez un nonce aléatoire (au moins 22 caractères) par connexion et vérifiez qu'il revient dans l'ID token."},
		func(r *run) { uniqueParam(r, "nonce") }},
	{Rule{"fc-acr", "franceconnect", "acr_values=eidas1",
		"back/instances/core-fcp-low/src/config/oidc-acr.ts : fcp-low ne délivre que eidas1",
		"Demandez acr_values=eidas1 ; FranceConnect (fcp-low) refuse eidas2 et eidas3."},
		func(r *run) {
			r.eachAuthorize(func(e journal.Entry) {
				if got := params(e).Get("acr_values"); got != "eidas1" {
					r.fail(e, "acr_values=%q", got)
				}
			})
		}},
	{Rule{"fc-parameters", "franceconnect", "seulement les paramètres qu'accepte FranceConnect (pas de PKCE, pas de response_mode)",
		"back/apps/core-fcp/src/dto/authorize-params.dto.ts (forbidNonWhitelisted) ; page d'erreur Y030007",
		"N'envoyez à authorize que client_id, redirect_uri, response_type, scope, acr_values, state, nonce (et claims, prompt, idp_hint, ui_locales) : FranceConnect refuse code_challenge et response_mode."},
		func(r *run) {
			r.eachAuthorize(func(e journal.Entry) {
				for k := range params(e) {
					if !slices.Contains(franceconnect.AuthorizeParams, k) {
						r.fail(e, "paramètre refusé par FranceConnect : %s", k)
					}
				}
			})
		}},
	{Rule{"fc-redirect-uri", "franceconnect", "la redirect_uri exacte enregistrée",
		"FranceConnect : correspondance exacte des redirect_uris (erreur Y04C013C)",
		"Envoyez exactement l'URL de retour déclarée sur l'espace partenaires (même schéma, hôte, port, chemin)."},
		func(r *run) {
			r.eachAuthorize(func(e journal.Entry) {
				if e.Error == "invalid_redirect_uri" {
					r.fail(e, "redirect_uri non enregistrée : %s", params(e).Get("redirect_uri"))
				}
			})
		}},
	{Rule{"fc-code", "franceconnect", "code échangé une seule fois, dans les 30 secondes",
		"back/instances/core-fcp-low/src/config/oidc-provider.ts (ttl AuthorizationCode 30) ; RFC 6749 §4.1.2",
		"Échangez le code dès le retour sur la redirect_uri, une seule fois ; ne rejouez pas une requête de jeton."},
		func(r *run) {
			for _, e := range r.fc {
				if is(e, "POST", "/token") {
					r.look(1)
					if e.Error == "invalid_grant" && (strings.Contains(e.ResponseBody, "consumed") || strings.Contains(e.ResponseBody, "expired")) {
						r.fail(e, "code rejoué ou expiré : %s", errorDescription(e))
					}
				}
			}
		}},
	{Rule{"fc-client-auth", "franceconnect", "authentification client_secret_post ou private_key_jwt",
		"back/instances/core-fcp-low/src/config/oidc-provider.ts (clientAuthMethods) ; discovery token_endpoint_auth_methods_supported",
		"Passez client_id et client_secret dans le corps du formulaire (client_secret_post), pas en HTTP Basic."},
		func(r *run) {
			for _, e := range r.fc {
				if is(e, "POST", "/token") || is(e, "POST", "/token/revocation") {
					r.look(1)
					f := form(e)
					if strings.HasPrefix(e.RequestHeader.Get("Authorization"), "Basic") || (!f.Has("client_secret") && !f.Has("client_assertion")) {
						r.fail(e, "ni client_secret ni client_assertion dans le corps")
					}
				}
			}
		}},
	{Rule{"fc-userinfo", "franceconnect", "userinfo appelé avec le jeton d'accès frais (60 s), en GET",
		"api-userinfo.feature ; ttl AccessToken 60 (core-fcp-low config)",
		"Appelez userinfo juste après l'échange du code, en GET avec Authorization: Bearer, et vérifiez la signature du JWT reçu."},
		func(r *run) {
			for _, e := range r.fc {
				if strings.HasSuffix(e.Path, "/userinfo") {
					r.look(1)
					if e.Status >= 400 {
						r.fail(e, "%s userinfo : %d %s", e.Method, e.Status, errorDescription(e))
					}
				}
			}
		}},
	{Rule{"fc-logout", "franceconnect", "déconnexion par session/end avec id_token_hint, post_logout_redirect_uri enregistrée et state",
		"back/libs/oidc-provider/src/dto/logout-params.dto.ts ; documentation des partenaires (déconnexion)",
		"Déconnectez l'usager de FranceConnect : redirigez vers session/end avec l'ID token reçu, l'URL de retour déclarée et un state."},
		func(r *run) {
			for _, e := range r.fc {
				if strings.HasSuffix(e.Path, "/session/end") {
					r.look(1)
					p := params(e)
					switch {
					case e.Status >= 400:
						r.fail(e, "session/end refusé : %d", e.Status)
					case p.Get("id_token_hint") == "" || p.Get("post_logout_redirect_uri") == "" || p.Get("state") == "":
						r.fail(e, "il manque id_token_hint, post_logout_redirect_uri ou state")
					}
				}
			}
		}},
	{Rule{"fc-minimisation", "franceconnect", "les données demandées sont utilisées (minimisation)",
		"RGPD art. 5.1.c ; FranceConnect, habilitation aux données",
		"Ne demandez que les scopes dont la démarche a besoin : des données DGFiP demandées doivent mener à un appel de l'API, les données d'identité à un appel de userinfo."},
		func(r *run) { minimisation(r) }},

	{Rule{"dgfip-token-reuse", "impotparticulier", "un jeton de la passerelle réutilisé pendant sa durée de vie",
		"guide de l'API Impôt particulier (jeton OAuth2 client credentials, durée de vie) ",
		"Gardez le jeton de la passerelle en cache jusqu'à son expiration (expires_in) au lieu d'en demander un à chaque appel."},
		func(r *run) {
			var tokens []journal.Entry
			calls := 0
			for _, e := range r.gw {
				if e.Service == "passerelle" && e.Status == 200 {
					tokens = append(tokens, e)
				}
				if apiCall(e) {
					calls++
				}
			}
			r.look(calls)
			if calls >= 3 && len(tokens)*2 > calls {
				for _, e := range tokens {
					r.fail(e, "%d jetons demandés pour %d appels", len(tokens), calls)
				}
			}
		}},
	{Rule{"dgfip-correlation", "impotparticulier", "un X-Correlation-ID nouveau (UUID) à chaque appel",
		"contrat publié de l'API Impôt particulier (en-tête X-Correlation-ID, format uuid)",
		"Générez un UUID par appel et envoyez-le dans X-Correlation-ID ; gardez-le dans vos journaux pour le support."},
		func(r *run) {
			seen := map[string]bool{}
			for _, e := range r.gw {
				if !apiCall(e) {
					continue
				}
				r.look(1)
				id := e.RequestHeader.Get("X-Correlation-ID")
				switch {
				case !uuidPattern.MatchString(id):
					r.fail(e, "X-Correlation-ID %q n'est pas un UUID", id)
				case seen[strings.ToLower(id)]:
					r.fail(e, "X-Correlation-ID %s déjà envoyé", id)
				}
				seen[strings.ToLower(id)] = true
			}
		}},
	{Rule{"dgfip-teleservice", "impotparticulier", "ID_Teleservice envoyé",
		"guide de l'API Impôt particulier §5.4 (« le partenaire doit renseigner l'ID_TELESERVICE »)",
		"Envoyez l'en-tête ID_Teleservice avec l'identifiant de votre habilitation, même si vous n'en avez qu'une."},
		func(r *run) {
			for _, e := range r.gw {
				if apiCall(e) {
					r.look(1)
					if e.RequestHeader.Get("ID_Teleservice") == "" {
						r.fail(e, "ID_Teleservice absent")
					}
				}
			}
		}},
	{Rule{"dgfip-fc-token", "impotparticulier", "le jeton FranceConnect utilisé dans ses 60 secondes, pour son usager",
		"guide de l'API Impôt particulier (mode FranceConnect) ; erreur 403/4033",
		"Appelez l'API juste après la connexion FranceConnect, avec le jeton d'accès de cette connexion."},
		func(r *run) {
			for _, e := range r.gw {
				if apiCall(e) && e.RequestHeader.Get("X-FranceConnect-OAuth") != "" {
					r.look(1)
					if e.Error == "4033" {
						r.fail(e, "jeton FranceConnect refusé (403/4033)")
					}
				}
			}
		}},
	{Rule{"dgfip-retry-after", "impotparticulier", "après un 429 ou un 503 avec Retry-After, pas de nouvel appel avant le délai",
		"RFC 9110 §10.2.3 ; contrat publié (429, 503)",
		"Respectez l'en-tête Retry-After : attendez le délai indiqué avant de rappeler l'API, et prévenez l'usager."},
		func(r *run) {
			var until time.Time
			var cause journal.Entry
			for _, e := range r.gw {
				if !apiCall(e) {
					continue
				}
				if !until.IsZero() {
					r.look(1)
					if e.Time.Before(until) {
						r.fail(e, "rappel %s avant la fin du Retry-After de l'entrée %d", until.Sub(e.Time).Round(time.Second), cause.ID)
					}
					until = time.Time{}
				}
				if e.Status == 429 || e.Status == 503 {
					if s, err := strconv.Atoi(e.ResponseHeader.Get("Retry-After")); err == nil {
						until, cause = e.Time.Add(time.Duration(s)*time.Second), e
					}
				}
			}
		}},
	{Rule{"dgfip-year", "impotparticulier", "pas d'appel pour une année pas encore taxée",
		"guide de l'API Impôt particulier §6.3 (calendrier de taxation, ressource deuxans)",
		"Avant la fin juillet, les revenus N-1 ne sont pas taxés : utilisez la ressource « deuxans » ou demandez N-2."},
		func(r *run) {
			for _, e := range r.gw {
				if apiCall(e) && strings.Contains(e.Path, "/annrev/") {
					r.look(1)
					if e.Error == "4101" {
						r.fail(e, "aucun résultat pour cette année (410/4101)")
					}
				}
			}
		}},
	{Rule{"dgfip-contract", "impotparticulier", "aucune violation du contrat de l'API",
		"contrat publié de l'API Impôt particulier (openapi/impot-particulier.yaml)",
		"Corrigez les requêtes signalées : chemin, paramètres et en-têtes tels que le contrat les décrit."},
		func(r *run) {
			for _, e := range r.gw {
				if e.Service != "impotparticulier" {
					continue
				}
				r.look(1)
				for _, v := range e.Violations {
					r.fail(e, "%s", v)
				}
			}
		}},
}

// hostileRules are the active checks: one rule per fault of a hostile
// FranceConnect (franceconnect.Faults), exercised when a qualification run
// queued faults for the client (POST /_bacasable/api/qualification/faults).
// The journal marks the answer that carried the fault; what the client did
// next in the same login says whether it refused it.
func hostileRules() []checker {
	var out []checker
	for _, f := range franceconnect.Faults {
		f := f
		rule := Rule{ID: "fc-refuses-" + f.ID, Service: "franceconnect", Title: "refuse : " + f.Title,
			Source: "OpenID Connect Core §3.1.3.7 (validation de l'ID token), §5.3.4 (userinfo) ; RFC 9207 (iss) ; FranceConnect, qualification",
			Advice: "Vérifiez l'état (state), l'émetteur (iss), la signature de l'ID token et du userinfo avec les clés du JWKS (kid connu, alg attendu), l'audience, l'expiration, la date d'émission, le nonce et le sub ; refusez la connexion sinon."}
		if f.ID == "key-rotation" {
			rule.Title = "accepte une clé nouvellement publiée dans le JWKS"
			rule.Advice = "Quand le kid d'un ID token est inconnu, rechargez le JWKS de FranceConnect avant de refuser : ses clés changent."
		}
		out = append(out, checker{rule, func(r *run) { faultOutcome(r, f) }})
	}
	return out
}

// faultOutcome: each login that met fault f; the client went on if it
// redeemed the code (callback faults), called userinfo or the API
// (ID token faults) or the API (userinfo faults) in the same login.
func faultOutcome(r *run, f franceconnect.Fault) {
	for i, e := range r.fc {
		if !slices.ContainsFunc(e.Why, func(w string) bool { return strings.HasPrefix(w, franceconnect.FaultTag+f.ID+" ") }) {
			continue
		}
		r.look(1)
		went := false
		for _, next := range append(slices.Clone(r.fc[i+1:]), r.gw...) {
			if next.Login != e.Login || next.ID <= e.ID {
				continue
			}
			switch f.Where {
			case "callback":
				went = went || (is(next, "POST", "/token") && next.Status == 200)
			case "id_token":
				went = went || strings.HasSuffix(next.Path, "/userinfo") || apiCall(next)
			case "userinfo":
				went = went || apiCall(next)
			}
		}
		switch {
		case f.ID == "key-rotation" && !went:
			r.fail(e, "le client n'a pas poursuivi la connexion avec un ID token signé par une clé publiée dans le JWKS")
		case f.ID != "key-rotation" && went:
			r.fail(e, "le client a poursuivi la connexion malgré : %s", f.Title)
		}
	}
}

// uniqueParam: each authorize carries param, 22 characters or more, never
// seen before from this client.
func uniqueParam(r *run, param string) {
	seen := map[string]int64{}
	r.eachAuthorize(func(e journal.Entry) {
		v := params(e).Get(param)
		switch {
		case v == "":
			r.fail(e, "%s absent", param)
		case len([]rune(v)) < 22:
			r.fail(e, "%s de %d caractères", param, len([]rune(v)))
		case seen[v] != 0:
			r.fail(e, "%s déjà envoyé (entrée %d)", param, seen[v])
		}
		if v != "" && seen[v] == 0 {
			seen[v] = e.ID
		}
	})
}

// minimisation: in each login (an authorize that gave a code), DGFiP
// scopes lead to an API call, identity scopes to userinfo.
func minimisation(r *run) {
	used := map[string]map[string]bool{} // login → "api" / "userinfo"
	mark := func(login, what string) {
		if used[login] == nil {
			used[login] = map[string]bool{}
		}
		used[login][what] = true
	}
	for _, e := range r.fc {
		if strings.HasSuffix(e.Path, "/userinfo") && e.Status == 200 {
			mark(e.Login, "userinfo")
		}
	}
	for _, e := range r.gw {
		if apiCall(e) {
			mark(e.Login, "api")
		}
	}
	// The logins that gave the service a code (at authorize with the
	// persona header, or at the consent page).
	coded := map[string]bool{}
	for _, e := range r.fc {
		if strings.Contains(e.ResponseHeader.Get("Location"), "code=") {
			coded[e.Login] = true
		}
	}
	for _, e := range r.fc {
		if !isAuthorize(e) || !coded[e.Login] {
			continue
		}
		r.look(1)
		scopes := strings.Fields(params(e).Get("scope"))
		dgfip := slices.ContainsFunc(scopes, func(s string) bool { return strings.HasPrefix(s, "dgfip_") })
		identity := slices.ContainsFunc(scopes, func(s string) bool { return s != "openid" && !strings.HasPrefix(s, "dgfip_") })
		if dgfip && r.gateway && !used[e.Login]["api"] {
			r.fail(e, "données DGFiP demandées (%s) sans appel de l'API pour cette connexion", strings.Join(scopes, " "))
		}
		if identity && !used[e.Login]["userinfo"] {
			r.fail(e, "données d'identité demandées sans appel de userinfo pour cette connexion")
		}
	}
}

func errorDescription(e journal.Entry) string {
	if i := strings.Index(e.ResponseBody, `"error_description":"`); i >= 0 {
		rest := e.ResponseBody[i+len(`"error_description":"`):]
		if j := strings.Index(rest, `"`); j >= 0 {
			return rest[:j]
		}
	}
	return e.Error
}

// ── JUnit ───────────────────────────────────────────────────────────────

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Name    string       `xml:"name,attr"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML: one test case per rule, a
// failure naming the journal entries that show it, a skip when the rule
// was not exercised. journalURL prefixes the entries' links.
func WriteJUnit(w io.Writer, rep Report, journalURL string) error {
	suites := junitSuites{Name: "bacasable qualification"}
	for _, service := range []string{"franceconnect", "impotparticulier"} {
		s := junitSuite{Name: "qualification " + service}
		for _, res := range rep.Results {
			if res.Service != service {
				continue
			}
			c := junitCase{Name: res.ID + " — " + res.Title, ClassName: "bacasable." + service, SystemOut: "Source : " + res.Source}
			switch res.Status {
			case Failed:
				var b strings.Builder
				fmt.Fprintf(&b, "%s\n", res.Advice)
				for _, ev := range res.Evidence {
					fmt.Fprintf(&b, "- %s (%s?after=%d&limit=1)\n", ev.Message, journalURL, ev.Entry-1)
				}
				c.Failure = &junitMessage{Message: fmt.Sprintf("%d requête(s) en cause", len(res.Evidence)), Text: b.String()}
				s.Failures++
			case NotExercised:
				c.Skipped = &junitMessage{Message: "non exercé : aucune requête du journal ne le concerne"}
				s.Skipped++
			}
			s.Cases = append(s.Cases, c)
			s.Tests++
		}
		if s.Tests > 0 {
			suites.Suites = append(suites.Suites, s)
		}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suites); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
