package demoville

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// This file is Démoville's client of the DGFiP's API Impôt particulier:
//
//  1. a token of the API gateway, by OAuth 2.0 client credentials, with the
//     one scope Démoville needs (RessourceIRDerniere2, which opens
//     …/dernieresituation/ir/assiettes/deuxans), cached until it expires;
//  2. the call, in one of two modes: FranceConnect (the citizen's access
//     token in X-FranceConnect-OAuth, only the data they consented to) or
//     SPI (/spi/{spi}/…, the numéro fiscal of a compte Démoville); with a
//     fresh X-Correlation-ID and Démoville's ID_Teleservice;
//  3. the answer, or the error envelope {"erreur":{"code","message"}}
//     turned into a sentence the citizen understands (apiProblem).
//
// « deuxans » answers the latest avis available, whatever the date: N-1
// after the taxation in late July, N-2 before. Démoville therefore needs no
// tax calendar of its own.

// gatewayScope is the only gateway scope Démoville asks for.
const gatewayScope = "RessourceIRDerniere2"

// impotsConfig configures the API client.
type impotsConfig struct {
	APIURL       string // …/impotparticulier/1.0
	TokenURL     string // the gateway's token endpoint
	ClientID     string
	ClientSecret string
	Teleservice  string // ID_Teleservice of the habilitation
	Client       *http.Client
	Logger       *slog.Logger
}

// impotsClient calls API Impôt particulier.
type impotsClient struct {
	cfg     impotsConfig
	gateway *clientcredentials.Config

	mu     sync.Mutex
	tokens oauth2.TokenSource // caches the gateway token until it expires
}

func newImpotsClient(cfg impotsConfig) *impotsClient {
	return &impotsClient{cfg: cfg, gateway: &clientcredentials.Config{
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: cfg.TokenURL,
		Scopes: []string{gatewayScope},
		// The gateway takes both; HTTP Basic is the OAuth 2.0 default.
		AuthStyle: oauth2.AuthStyleInHeader,
	}}
}

// subject is whose household is asked for: exactly one field is set.
type subject struct {
	FranceConnectToken string // FranceConnect mode: the citizen's access token (60 s)
	SPI                string // SPI mode: the numéro fiscal of declarant 1 or 2
}

// situationIR is what Démoville reads of the answer. Every field may be
// null or absent: the API sends only the data of the habilitation and, in
// FranceConnect mode, those the citizen consented to.
type situationIR struct {
	AnnRevenu *int        `json:"annRevenu"` // the revenue year of the avis
	RFR       *int64      `json:"rfr"`       // revenu fiscal de référence, euros
	NbPart    *float64    `json:"nbPart"`    // nombre de parts
	SitFam    *string     `json:"sitFam"`    // M, O, C, D, V
	Aft       *string     `json:"aft"`       // fiscal address on 1 January of AnnRevenu+1, one line
	AftDetail *aftDetail  `json:"aftDetail"` // the same, structured
	Pac       *pacSummary `json:"pac"`
}

// aftDetail is the structured fiscal address. The DGFiP's published file
// names the fields getcommune/getcodePostal, a 2019 version
// commune/codePostal; which one production sends is unknown, so both are
// read.
type aftDetail struct {
	Complement     *string `json:"complementAdresse"`
	Voie           *string `json:"voie"`
	Commune        *string `json:"getcommune"`
	CodePostal     *string `json:"getcodePostal"`
	Commune2019    *string `json:"commune"`
	CodePostal2019 *string `json:"codePostal"`
}

type pacSummary struct {
	NbPac *int `json:"nbPac"`
}

// apiError is a failed call: no answer (Err), or an HTTP error with the
// DGFiP's envelope.
type apiError struct {
	Status        int    // 0 when no answer came
	Code          int    // the envelope's code, e.g. 4101; 0 when absent
	Message       string // the envelope's message
	RetryAfter    time.Duration
	CorrelationID string
	Err           error // transport error, timeout, or gateway token error
}

func (e *apiError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("API Impôt particulier (X-Correlation-ID %s): %v", e.CorrelationID, e.Err)
	}
	return fmt.Sprintf("API Impôt particulier (X-Correlation-ID %s): HTTP %d, code %d: %s", e.CorrelationID, e.Status, e.Code, e.Message)
}

func (e *apiError) Unwrap() error { return e.Err }

// timeout tells whether the call gave up waiting.
func (e *apiError) timeout() bool {
	var ne net.Error
	return errors.Is(e.Err, context.DeadlineExceeded) || (errors.As(e.Err, &ne) && ne.Timeout())
}

// derniereSituation returns the household's latest tax situation, and the
// X-Correlation-ID of the call for the support. When the gateway refuses
// its token (401: revoked, or expired earlier than announced), it takes a
// new one and tries once more.
func (c *impotsClient) derniereSituation(ctx context.Context, who subject) (*situationIR, string, error) {
	sit, corr, err := c.call(ctx, who)
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
		c.mu.Lock()
		c.tokens = nil
		c.mu.Unlock()
		sit, corr, err = c.call(ctx, who)
	}
	return sit, corr, err
}

// token returns the cached gateway token, or a new one.
func (c *impotsClient) token() (*oauth2.Token, error) {
	c.mu.Lock()
	if c.tokens == nil {
		// The token source outlives the request: its context only carries
		// the HTTP client (whose timeout bounds the call).
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, c.cfg.Client)
		c.tokens = c.gateway.TokenSource(ctx)
	}
	ts := c.tokens
	c.mu.Unlock()
	return ts.Token()
}

const (
	pathDeuxAns              = "/dernieresituation/ir/assiettes/deuxans"
	mediaDerniereSituationIR = "application/prs.dgfip.part.derniere.situations.ir.assiettes.v1+json"
	maxAnswerBytes           = 1 << 20
)

// call makes one request.
func (c *impotsClient) call(ctx context.Context, who subject) (*situationIR, string, error) {
	corr := uuid.NewString()
	mode := "FranceConnect"
	path := pathDeuxAns
	if who.SPI != "" {
		mode = "SPI"
		path = "/spi/" + url.PathEscape(who.SPI) + pathDeuxAns
	}
	start := time.Now() // the real duration of the call, whatever the sandbox's clock says
	log := c.cfg.Logger.With("mode", mode, "correlation_id", corr)

	tok, err := c.token()
	if err != nil {
		return nil, corr, &apiError{CorrelationID: corr, Err: fmt.Errorf("gateway token: %w", err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.APIURL+path, nil)
	if err != nil {
		return nil, corr, &apiError{CorrelationID: corr, Err: err}
	}
	// The header names are written as the DGFiP documents them (Go would
	// send ID_Teleservice as « Id_teleservice »; HTTP says case does not
	// matter, but a gateway's configuration may not). Mind the underscore:
	// some reverse proxies (nginx by default) drop such headers.
	h := req.Header
	h.Set("Authorization", "Bearer "+tok.AccessToken)
	h["X-Correlation-ID"] = []string{corr}
	h["ID_Teleservice"] = []string{c.cfg.Teleservice}
	if who.FranceConnectToken != "" {
		h["X-FranceConnect-OAuth"] = []string{who.FranceConnectToken}
	}
	h.Set("Accept", mediaDerniereSituationIR+", application/json")

	resp, err := c.cfg.Client.Do(req)
	if err != nil {
		log.WarnContext(ctx, "demoville: API Impôt particulier unreachable", "err", err, "duration", time.Since(start))
		return nil, corr, &apiError{CorrelationID: corr, Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return nil, corr, &apiError{CorrelationID: corr, Err: fmt.Errorf("reading the answer: %w", err)}
	}
	log.InfoContext(ctx, "demoville: API Impôt particulier", "status", resp.StatusCode, "duration", time.Since(start))

	switch {
	case resp.StatusCode == http.StatusOK:
		var sit situationIR
		if err := json.Unmarshal(body, &sit); err != nil {
			return nil, corr, &apiError{Status: resp.StatusCode, CorrelationID: corr, Err: fmt.Errorf("decoding the answer: %w", err)}
		}
		return &sit, corr, nil
	case resp.StatusCode == http.StatusNoContent:
		// Documented for the LEP only, observed elsewhere: « no answer can be
		// given », to be handled as « not found ».
		return nil, corr, &apiError{Status: resp.StatusCode, CorrelationID: corr, Message: "204 No Content"}
	}
	ae := &apiError{Status: resp.StatusCode, CorrelationID: corr}
	var env struct {
		Erreur struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"erreur"`
	}
	if json.Unmarshal(body, &env) == nil && env.Erreur.Code != 0 {
		ae.Code, ae.Message = env.Erreur.Code, env.Erreur.Message
	} else {
		ae.Message = fmt.Sprintf("%.200s", body) // e.g. a gateway's own 401 body
	}
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
		ae.RetryAfter = time.Duration(secs) * time.Second
	}
	return nil, corr, ae
}

// apiProblem turns a failed call into the page the citizen sees. The rule:
// say what happened in their words, and what they can do — retry, or bring
// their avis d'imposition to the town hall.
func apiProblem(err error, spiMode bool) *problem {
	p := &problem{Detail: err.Error()}
	var ae *apiError
	if !errors.As(err, &ae) {
		p.Status, p.Level = http.StatusInternalServerError, slog.LevelError
		p.Title = "Une erreur technique est survenue"
		p.Message = "Un problème technique de notre côté nous empêche d'obtenir vos informations fiscales."
		p.Hint = depositHint
		return p
	}
	p.Ref = ae.CorrelationID
	unavailable := func(status int, level slog.Level) *problem {
		p.Status, p.Level = status, level
		p.Title = "Le service des impôts ne répond pas"
		p.Message = "Le service des impôts ne répond pas pour le moment : nous n'avons pas pu obtenir vos informations fiscales."
		p.Hint = "Réessayez plus tard, ou déposez votre avis d'imposition à l'accueil de la mairie."
		return p
	}
	switch {
	case ae.Err != nil && ae.Status == 0 && ae.timeout():
		return unavailable(http.StatusGatewayTimeout, slog.LevelWarn)
	case ae.Err != nil && ae.Status == 0 && !isGatewayTokenRefusal(ae.Err):
		return unavailable(http.StatusBadGateway, slog.LevelWarn)
	case ae.Status == http.StatusInternalServerError:
		return unavailable(http.StatusBadGateway, slog.LevelError)
	case ae.Status >= 500:
		return unavailable(http.StatusBadGateway, slog.LevelWarn)
	case ae.Status == http.StatusTooManyRequests:
		p.Status, p.Level = http.StatusServiceUnavailable, slog.LevelWarn
		p.Title = "Le service des impôts est très sollicité"
		p.Message = "Le service des impôts reçoit trop de demandes en ce moment : nous n'avons pas pu obtenir vos informations fiscales."
		p.Hint = "Réessayez dans " + minutes(ae.RetryAfter) + ", ou déposez votre avis d'imposition à l'accueil de la mairie."
		return p
	case ae.Status == http.StatusNotFound || ae.Status == http.StatusNoContent:
		p.Status, p.Level = http.StatusOK, slog.LevelInfo
		p.Title = "Nous ne trouvons pas votre foyer fiscal"
		p.Message = "L'administration fiscale ne vous connaît pas comme déclarant : nous ne pouvons pas obtenir votre revenu fiscal de référence."
		p.Hint = "Si vous êtes rattaché(e) au foyer fiscal de vos parents, c'est le déclarant du foyer qui doit faire la démarche. Sinon, " + depositHintLower
		return p
	case ae.Status == http.StatusGone && ae.Code == 4102:
		p.Status, p.Level = http.StatusOK, slog.LevelWarn
		p.Title = "Numéro fiscal inconnu"
		p.Message = "Le numéro fiscal enregistré dans votre compte Démoville ne correspond à aucun usager connu de l'administration fiscale."
		p.Hint = "Vérifiez votre numéro fiscal (13 chiffres, en haut de la première page de votre avis d'imposition) auprès de l'accueil de la mairie, ou déposez votre avis d'imposition."
		return p
	case ae.Status == http.StatusGone:
		p.Status, p.Level = http.StatusOK, slog.LevelInfo
		p.Title = "Informations fiscales pas encore disponibles"
		p.Message = "Vos informations fiscales pour cette année ne sont pas encore disponibles auprès de l'administration fiscale."
		p.Hint = "Elles le seront après le calcul de votre impôt, à la fin de l'été. En attendant, " + depositHintLower
		return p
	case ae.Status == http.StatusForbidden && ae.Code == 4033 && !spiMode:
		p.Status, p.Level = http.StatusOK, slog.LevelInfo
		p.Title = "Partage de vos informations fiscales non autorisé"
		p.Message = "Vous n'avez pas autorisé Démoville à consulter vos informations fiscales, ou votre connexion FranceConnect a expiré."
		p.Hint = "Recommencez la démarche et acceptez le partage de vos informations fiscales, ou déposez votre avis d'imposition à l'accueil de la mairie."
		return p
	}
	// 400 (a malformed request), 401 (the gateway refused our credentials),
	// 403/4031 (the habilitation does not cover the call): Démoville's bug
	// or configuration, never the citizen's.
	p.Status, p.Level = http.StatusInternalServerError, slog.LevelError
	p.Title = "Une erreur technique est survenue"
	p.Message = "Un problème technique de notre côté nous empêche d'obtenir vos informations fiscales. Nos équipes sont prévenues."
	p.Hint = depositHint
	return p
}

const (
	depositHint      = "Réessayez plus tard, ou déposez votre avis d'imposition à l'accueil de la mairie."
	depositHintLower = "déposez votre avis d'imposition à l'accueil de la mairie, qui traitera votre demande."
)

// isGatewayTokenRefusal tells a gateway that refused Démoville's
// credentials (its configuration) from one that did not answer.
func isGatewayTokenRefusal(err error) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re)
}

// minutes says a Retry-After in words, rounded up to the minute.
func minutes(d time.Duration) string {
	n := int((d + time.Minute - 1) / time.Minute)
	if n <= 1 {
		return "une minute"
	}
	return strconv.Itoa(n) + " minutes"
}
