package demoville

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
)

// The « compte Démoville » is the other way into the services: an account
// of the municipality's own, created once at the town hall, whose profile
// holds the numéro fiscal (SPI) of the household. With it Démoville calls
// the API in SPI mode, /spi/{spi}/…, without FranceConnect — the citizen
// consented when they gave their SPI, and the habilitation must cover the
// SPI modality.

// accountPage shows the login form, or the profile once logged in.
func (s *Site) accountPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "compte.html", page{
		Title: "Mon compte Démoville", Session: s.sessions.get(r),
		Data: map[string]any{
			"Next": nextService(r.URL.Query().Get("suite")), "Services": []*service{cantine, stationnement},
			"Accounts": s.cfg.Accounts,
		},
	})
}

// accountLogin checks the login and password. A real site stores a slow
// password hash (bcrypt, scrypt, argon2id), limits attempts, and offers a
// way to recover the account; the comparison here is at least constant
// time.
func (s *Site) accountLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, &problem{Status: http.StatusBadRequest, Title: "Formulaire illisible",
			Message: "Nous n'avons pas pu lire le formulaire envoyé.", Back: s.base + "/compte", BackLabel: "Revenir à la connexion",
			Detail: err.Error(), Level: slog.LevelWarn})
		return
	}
	login, password := r.PostForm.Get("identifiant"), r.PostForm.Get("mot_de_passe")
	next := nextService(r.PostForm.Get("suite"))
	acc := s.findAccount(login, password)
	if acc == nil {
		s.log.WarnContext(r.Context(), "demoville: compte Démoville login refused", "login", login)
		s.render(w, r, http.StatusOK, "compte.html", page{
			Title: "Mon compte Démoville", Session: s.sessions.get(r),
			Data: map[string]any{
				"Next": next, "Services": []*service{cantine, stationnement}, "Accounts": s.cfg.Accounts,
				"Error": "Identifiant ou mot de passe incorrect.", "Login": login,
			},
		})
		return
	}
	s.sessions.rotate(w, r, func(ss *session) { ss.Account = acc })
	s.log.InfoContext(r.Context(), "demoville: compte Démoville login", "login", acc.Login)
	target := s.base + "/compte"
	if next != nil {
		target = s.base + "/" + next.Slug
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// findAccount returns the account of login and password, or nil. Every
// account is compared, so that the time taken does not tell which logins
// exist.
func (s *Site) findAccount(login, password string) *LocalAccount {
	var found *LocalAccount
	l, p := sha256.Sum256([]byte(login)), sha256.Sum256([]byte(password))
	for i := range s.cfg.Accounts {
		a := &s.cfg.Accounts[i]
		al, ap := sha256.Sum256([]byte(a.Login)), sha256.Sum256([]byte(a.Password))
		if subtle.ConstantTimeCompare(l[:], al[:])&subtle.ConstantTimeCompare(p[:], ap[:]) == 1 {
			found = a
		}
	}
	if found == nil {
		return nil
	}
	acc := *found
	return &acc
}

// withAccount runs svc in SPI mode with the SPI of the logged-in compte
// Démoville; without one, it asks to log in first.
func (s *Site) withAccount(svc *service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := s.sessions.get(r)
		if sess.Account == nil {
			http.Redirect(w, r, s.base+"/compte?suite="+svc.Slug, http.StatusSeeOther)
			return
		}
		acc := sess.Account
		s.runDemarche(w, r, svc, subject{SPI: acc.SPI}, acc.DisplayName, "", "compte Démoville (numéro fiscal)")
	}
}

// nextService is the service to go back to after logging in, or nil: a
// known slug only, never a URL (no open redirect).
func nextService(slug string) *service {
	for _, svc := range []*service{cantine, stationnement} {
		if svc.Slug == slug {
			return svc
		}
	}
	return nil
}
