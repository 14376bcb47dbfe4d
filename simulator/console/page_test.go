package console

import (
	"encoding/xml"
	"io"
	"io/fs"
	"strings"
	"testing"
)

// node is an element of the page, parsed with encoding/xml in its HTML
// mode (golang.org/x/net/html is not a dependency of the module).
type node struct {
	name     string
	attrs    map[string]string
	children []*node
	parent   *node
	text     strings.Builder
}

func (n *node) attr(k string) (string, bool) {
	v, ok := n.attrs[k]
	return v, ok
}

// allText is the text of the element and its descendants.
func (n *node) allText() string {
	var b strings.Builder
	var walk func(*node)
	walk = func(m *node) {
		b.WriteString(m.text.String())
		for _, c := range m.children {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

func parsePage(t *testing.T, page []byte) (root *node, all []*node) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(strings.TrimPrefix(string(page), "<!doctype html>")))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	root = &node{name: "#document", attrs: map[string]string{}}
	cur := root
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the page does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: strings.ToLower(tok.Name.Local), attrs: map[string]string{}, parent: cur}
			for _, a := range tok.Attr {
				k := a.Name.Local
				if a.Name.Space != "" {
					k = a.Name.Space + ":" + k
				}
				n.attrs[strings.ToLower(k)] = a.Value
			}
			cur.children = append(cur.children, n)
			all = append(all, n)
			cur = n
		case xml.EndElement:
			for m := cur; m != root; m = m.parent {
				if m.name == strings.ToLower(tok.Name.Local) {
					cur = m.parent
					break
				}
			}
		case xml.CharData:
			cur.text.Write(tok)
		}
	}
	return root, all
}

func renderedPage(t *testing.T) []byte {
	t.Helper()
	c, err := build(Config{PublicURL: "http://localhost:8080"}, FS(), templateFiles)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := c.files()
	return f.index
}

// TestPageStructure checks the page's accessibility basics: language,
// landmarks, one h1, a label for every control, unique ids, live regions,
// and nothing inline that the policy would block.
func TestPageStructure(t *testing.T) {
	root, all := parsePage(t, renderedPage(t))
	byID := map[string]*node{}
	count := map[string]int{}
	for _, n := range all {
		count[n.name]++
		if id, ok := n.attr("id"); ok {
			if byID[id] != nil {
				t.Errorf("id %q appears twice", id)
			}
			byID[id] = n
		}
	}
	if len(root.children) != 1 || root.children[0].name != "html" || root.children[0].attrs["lang"] != "fr" {
		t.Fatalf("the page is not one <html lang=fr>")
	}

	for _, landmark := range []string{"header", "nav", "main", "footer", "h1"} {
		if count[landmark] != 1 {
			t.Errorf("%d <%s>, want one", count[landmark], landmark)
		}
	}

	labelled := map[string]bool{}
	for _, n := range all {
		if n.name == "label" {
			target, ok := n.attr("for")
			if !ok {
				t.Errorf("a label without for: %q", n.allText())
				continue
			}
			if c := byID[target]; c == nil || (c.name != "input" && c.name != "select" && c.name != "textarea") {
				t.Errorf("label %q is for %q, which is not a form control", n.allText(), target)
			}
			if n.allText() == "" {
				t.Errorf("label for %q is empty", target)
			}
			labelled[target] = true
		}
	}
	for _, n := range all {
		switch n.name {
		case "input", "select", "textarea":
			if typ := n.attrs["type"]; typ == "hidden" || typ == "submit" || typ == "button" {
				continue
			}
			_, named := n.attr("aria-label")
			_, namedBy := n.attr("aria-labelledby")
			if !labelled[n.attrs["id"]] && !named && !namedBy {
				t.Errorf("<%s id=%q name=%q> has no label", n.name, n.attrs["id"], n.attrs["name"])
			}
		case "button":
			if _, ok := n.attr("type"); !ok {
				t.Errorf("button %q has no type (it would submit its form)", n.allText())
			}
			if n.allText() == "" && n.attrs["aria-label"] == "" {
				t.Errorf("button id=%q has no text", n.attrs["id"])
			}
		case "script":
			if n.attrs["src"] == "" || n.allText() != "" {
				t.Errorf("an inline script: the policy blocks it")
			}
		case "style":
			t.Errorf("a <style> element: the policy blocks it")
		case "a":
			if n.allText() == "" {
				t.Errorf("link %q has no text", n.attrs["href"])
			}
		case "section":
			heading := byID[n.attrs["aria-labelledby"]]
			if heading == nil || !strings.HasPrefix(heading.name, "h") {
				t.Errorf("section %q is not labelled by a heading", n.attrs["id"])
			}
		case "dialog":
			if byID[n.attrs["aria-labelledby"]] == nil {
				t.Errorf("dialog %q is not labelled", n.attrs["id"])
			}
		}
		for k := range n.attrs {
			if k == "style" || strings.HasPrefix(k, "on") {
				t.Errorf("<%s id=%q> has an inline %s attribute: the policy blocks it", n.name, n.attrs["id"], k)
			}
		}
	}

	for _, n := range all {
		if n.name == "a" && n.parent != nil && n.parent.parent != nil && n.parent.parent.parent != nil && n.parent.parent.parent.name == "nav" {
			target := strings.TrimPrefix(n.attrs["href"], "#")
			if s := byID[target]; s == nil || s.name != "section" {
				t.Errorf("the tab %q leads to no section", n.attrs["href"])
			}
		}
	}

	live := map[string]string{"statut": "polite", "journal-annonce": "polite", "personas-resume": "polite"}
	for id, want := range live {
		if n := byID[id]; n == nil || n.attrs["aria-live"] != want {
			t.Errorf("#%s is not an aria-live=%s region", id, want)
		}
	}
	if n := byID["alerte"]; n == nil || n.attrs["role"] != "alert" {
		t.Error("#alerte is not role=alert")
	}
	if n := byID["bandeau-bac-a-sable"]; n == nil || !strings.Contains(n.allText(), "fictives") {
		t.Error("no sandbox banner saying the people are fictitious")
	}
}

// browserTestIDs are the elements a browser test finds by id; the reply
// to the lead lists them, keep both in step.
var browserTestIDs = []string{
	"reinitialiser", "reinitialiser-confirmer", "reinitialiser-annuler", "confirmation-reinitialisation",
	"onglet-personas", "onglet-scenarios", "onglet-horloge", "onglet-journal",
	"vue-personas", "vue-scenarios", "vue-horloge", "vue-journal", "statut", "alerte",
	"personas-recherche", "personas-mode", "personas-scenario", "personas-lignes", "personas-resume",
	"personas-precedents", "personas-suivants", "persona-detail", "persona-detail-titre", "persona-detail-fermer", "personas-zone",
	"scenarios-liste", "activations", "activations-lignes", "activations-tout-retirer",
	"portee-global", "portee-client", "portee-persona", "activation-cible", "activation-appels", "duree-appels", "duree-retrait",
	"activation-formulaire", "activation-valider", "activation-annuler", "bandeau-actif", "bandeau-tout-desactiver",
	"horloge", "horloge-etat", "horloge-annee", "horloge-entete", "horloge-date", "horloge-figee",
	"horloge-duree", "horloge-figer", "horloge-reinitialiser",
	"journal-table", "journal-recherche", "journal-lignes", "journal-detail", "journal-detail-titre", "journal-detail-fermer", "journal-plus", "journal-connexion", "journal-reessayer",
	"journal-service", "journal-persona", "journal-violations", "journal-erreurs",
	"journal-pause", "journal-vider", "journal-jsonl", "journal-har", "journal-etat", "journal-annonce",
	"jeton-dialogue", "jeton", "jeton-valider",
	"onglet-qualification", "vue-qualification", "qualification-client", "qualification-passerelle",
	"qualification-evaluer", "qualification-junit", "qualification-fautes", "qualification-regles", "qualification-attente",
}

func TestBrowserTestHooks(t *testing.T) {
	_, all := parsePage(t, renderedPage(t))
	ids := map[string]bool{}
	advance := map[string]bool{}
	for _, n := range all {
		ids[n.attrs["id"]] = true
		if v, ok := n.attr("data-avance"); ok {
			advance[v] = true
		}
	}
	for _, id := range browserTestIDs {
		if !ids[id] {
			t.Errorf("no #%s", id)
		}
	}
	for _, d := range []string{"1m", "1h", "24h", "720h"} {
		if !advance[d] {
			t.Errorf("no [data-avance=%q] button", d)
		}
	}
	// The attributes the scripts put on what they build.
	js := map[string]string{}
	files, _ := fs.Glob(FS(), "js/*.js")
	for _, f := range files {
		b, _ := fs.ReadFile(FS(), f)
		js[f] = string(b)
	}
	for file, attrs := range map[string][]string{
		"js/personas.js":      {"'data-persona'", "'data-action': 'demoville'", "'data-action': 'copier-curl'", "'data-foyer'"},
		"js/scenarios.js":     {"'data-scenario'", "'data-activation'"},
		"js/journal.js":       {"'data-login'", "'data-entry-id'"},
		"js/qualification.js": {"'data-rule'", "'data-status'", "'data-entry'"},
	} {
		for _, a := range attrs {
			if !strings.Contains(js[file], a) {
				t.Errorf("%s no longer sets %s", file, a)
			}
		}
	}
}
