// personas.js — the Personas section: search, a persona's identity and
// household, « Se connecter en tant que… sur Démoville » and the curl
// command for CI.

import { call } from './api.js';
import * as F from './fields.js';
import { $, h, dl, srOnly, announce, alertError, copyText, debounce, busy } from './dom.js';
import { birthDate, euros } from './format.js';

const pageSize = 25;

let ctx;
let offset = 0;
let lastCount = 0;
let searchSeq = 0;
let selected = '';

export function init(c) {
  ctx = c;
  const form = $('personas-filtres');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    offset = 0;
    search();
  });
  const later = debounce(() => { offset = 0; search(); }, 300);
  $('personas-recherche').addEventListener('input', later);
  $('personas-mode').addEventListener('change', () => { offset = 0; search(); });
  $('personas-scenario').addEventListener('change', () => { offset = 0; search(); });
  $('personas-precedents').addEventListener('click', () => { offset = Math.max(0, offset - pageSize); search(); });
  $('personas-suivants').addEventListener('click', () => { offset += pageSize; search(); });
  $('persona-detail-fermer').addEventListener('click', closeDetail);
}

// closeDetail closes the persona's card; the focus goes back to its row.
function closeDetail() {
  const key = selected;
  selected = '';
  $('persona-detail').hidden = true;
  $('personas-zone').classList.remove('avec-detail');
  for (const tr of $('personas-lignes').children) {
    if (tr.getAttribute('aria-current') === 'true') {
      tr.removeAttribute('aria-current');
      const b = tr.querySelector('button[data-action="detail"]');
      if (b) { b.focus(); return; }
    }
  }
  if (key) $('personas-recherche').focus();
}

// setScenarios fills the « Scénario porté » filter with the scenarios
// some persona carries — asked of the control API, one GET
// /personas?scenario=…&limit=1 each, so that no choice finds nobody.
export async function setScenarios(scenarios) {
  const counts = await Promise.all(scenarios.map(async (s) => {
    try {
      const body = await call('GET', `${F.paths.personas}?${F.personasQuery({ scenario: s.name, limit: 1 })}`);
      const total = F.total(body);
      return total !== null ? total : F.items(body).length;
    } catch {
      return 0;
    }
  }));
  const carried = scenarios.map((s, i) => ({ s, n: counts[i] })).filter((x) => x.n > 0);
  const select = $('personas-scenario');
  const keep = select.value;
  select.replaceChildren(h('option', { value: '' }, 'Peu importe'),
    ...carried.map(({ s, n }) => h('option', { value: s.name }, `${s.title} (${s.name}) — ${n} persona${n > 1 ? 's' : ''}`)));
  select.value = carried.some((x) => x.s.name === keep) ? keep : '';
}

// search runs the current search; only the latest answer is shown.
export async function search() {
  const seq = ++searchSeq;
  const q = {
    q: $('personas-recherche').value.trim(),
    declarant: $('personas-mode').value,
    scenario: $('personas-scenario').value,
    limit: pageSize,
    offset,
  };
  let body;
  try {
    body = await call('GET', `${F.paths.personas}?${F.personasQuery(q)}`);
  } catch (err) {
    if (seq === searchSeq) alertError(err);
    return;
  }
  if (seq !== searchSeq) return;
  const personas = F.items(body).map(F.persona);
  const total = F.total(body);
  lastCount = personas.length;
  render(personas, total);
}

function render(personas, total) {
  $('personas-lignes').replaceChildren(...personas.map(row));
  const from = personas.length ? offset + 1 : 0;
  const to = offset + personas.length;
  let summary;
  if (personas.length === 0) summary = 'Aucun persona ne correspond.';
  else if (total !== null) summary = `Personas ${from} à ${to} sur ${total}.`;
  else summary = `Personas ${from} à ${to}.`;
  $('personas-resume').textContent = summary;
  $('personas-precedents').disabled = offset === 0;
  $('personas-suivants').disabled = total !== null ? to >= total : lastCount < pageSize;
  ctx.rememberPersonas(personas);
}

function fullName(p) {
  const family = p.preferredUsername && p.preferredUsername !== p.familyName
    ? `${p.familyName} (usage ${p.preferredUsername})` : p.familyName;
  return [p.givenName, family].filter(Boolean).join(' ') || p.login || p.id;
}

function row(p) {
  const key = p.id || p.login;
  return h('tr', { 'data-persona': p.login, 'aria-current': key === selected ? 'true' : false },
    h('td', null, h('button', { type: 'button', class: 'lien-bouton', 'data-action': 'detail', 'aria-controls': 'persona-detail', onclick: () => showDetail(key) }, fullName(p))),
    h('td', null, h('code', null, p.login)),
    h('td', null, p.spi ? h('code', null, p.spi) : h('span', { class: 'muted' }, 'non déclarant')),
    h('td', null, p.situation),
    h('td', null, p.scenario ? h('span', { class: 'badge scenario' }, p.scenario) : ''),
    h('td', null, h('div', { class: 'actions-persona' }, demovilleLink(p, true), copyCurlButton(p, true))),
  );
}

// demovilleLink queues the persona's login for Démoville's next
// FranceConnect login, then opens Démoville.
function demovilleLink(p, short) {
  const who = fullName(p);
  const text = short
    ? ['Démoville', srOnly(` : se connecter en tant que ${who}`)]
    : `Se connecter en tant que ${who} sur Démoville`;
  return h('a', {
    href: '/demoville/', target: 'demoville', class: short ? 'btn petit' : 'btn', 'data-action': 'demoville',
    onclick: (ev) => loginOnDemoville(ev, p),
  }, text);
}

async function loginOnDemoville(ev, p) {
  const link = ev.currentTarget;
  const modified = ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey;
  const body = F.queueBody(ctx.demovilleClient, p.login);
  if (modified) {
    // The browser opens its own tab; the queue request must outlive nothing.
    call('POST', F.paths.queue, body).then(() => queued(p), alertError);
    return;
  }
  ev.preventDefault();
  try {
    await call('POST', F.paths.queue, body);
  } catch (err) {
    alertError(err);
    return;
  }
  queued(p);
  const win = window.open(link.href, 'demoville');
  if (!win) window.location.assign(link.href);
}

function queued(p) {
  announce(`La prochaine connexion FranceConnect sur Démoville sera celle de ${fullName(p)} (${p.login}).`);
}

// curlCommand is the command that logs the persona in at FranceConnect's
// authorize endpoint without a browser, for CI.
export function curlCommand(base, login) {
  const q = new URLSearchParams({
    client_id: F.demoClient.id,
    redirect_uri: F.demoClient.redirectURI,
    response_type: 'code',
    acr_values: 'eidas1',
    scope: F.demoClient.scope,
    nonce: 'nonce-0123456789abcdefgh',
    state: 'state-0123456789abcdefgh',
  });
  const url = `${base}/api/v2/authorize?${q.toString().replaceAll('+', '%20')}`;
  return `curl -s -o /dev/null -w '%{redirect_url}\\n' -H ${shellQuote(`${F.personaHeader}: ${login}`)} ${shellQuote(url)}`;
}

function shellQuote(s) {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

function copyCurlButton(p, short) {
  const label = short ? ['Copier curl', srOnly(` pour ${p.login}`)] : 'Copier la commande curl';
  return h('button', {
    type: 'button', class: short ? 'btn secondaire petit' : 'btn secondaire', 'data-action': 'copier-curl',
    onclick: async (ev) => {
      try {
        await busy(ev.currentTarget, copyText(curlCommand(ctx.publicURL, p.login)));
        announce(`Commande curl copiée : elle connecte ${p.login} au client de démonstration (en-tête ${F.personaHeader}).`);
      } catch (err) {
        alertError(err);
      }
    },
  }, label);
}

const genders = { female: 'féminin', male: 'masculin' };

const personaCache = new Map(); // id → persona, for the names of co-declarants and dependants

async function personaByID(id) {
  if (!personaCache.has(id)) {
    personaCache.set(id, call('GET', F.paths.persona(id)).then(F.persona).catch(() => null));
  }
  return personaCache.get(id);
}

// forgetPersonas empties the cache (after a reset, the population may differ).
export function forgetPersonas() {
  personaCache.clear();
}

// showDetail opens a persona's card: identity, login, household.
export async function showDetail(key) {
  selected = key;
  for (const tr of $('personas-lignes').children) tr.removeAttribute('aria-current');
  let p;
  try {
    p = F.persona(await call('GET', F.paths.persona(key)));
  } catch (err) {
    alertError(err);
    return;
  }
  for (const tr of $('personas-lignes').children) {
    if (tr.dataset.persona === p.login) tr.setAttribute('aria-current', 'true');
  }
  const foyers = await Promise.all(p.foyers.map(async (id) => {
    try {
      const f = F.foyer(await call('GET', F.paths.foyer(id)));
      const others = [f.declarant1, f.declarant2].filter((d) => d && d !== p.id);
      const names = new Map(await Promise.all(others.map(async (d) => [d, await personaByID(d)])));
      return { id, foyer: f, names };
    } catch (err) {
      return { id, error: err };
    }
  }));
  const box = $('persona-detail');
  box.setAttribute('data-persona-detail', p.login);
  $('persona-detail-titre').textContent = fullName(p);
  $('persona-detail-contenu').replaceChildren(...detail(p, foyers));
  box.hidden = false;
  $('personas-zone').classList.add('avec-detail');
  // Beside the list on a wide screen, after it on a narrow one: either way
  // in view, its heading focused.
  $('persona-detail-titre').focus({ preventScroll: true });
  box.scrollIntoView({ block: 'nearest' });
  namePlaces(p);
}

// namePlaces fills in the commune and country names the persona's JSON
// does not carry, from the console's lookup of Insee codes.
async function namePlaces(p) {
  const missing = [p.birthplace, p.birthcountry].filter((pl) => pl.code && !pl.name).map((pl) => pl.code);
  if (!missing.length) return;
  const names = await lookupPlaces(missing);
  for (const el of $('persona-detail-contenu').querySelectorAll('[data-lieu]')) {
    const name = names[el.dataset.lieu];
    if (name) el.textContent = `${name} (${el.dataset.lieu})`;
  }
}

const placeNames = new Map();

async function lookupPlaces(codes) {
  const ask = codes.filter((c) => !placeNames.has(c));
  if (ask.length) {
    try {
      const q = new URLSearchParams();
      for (const c of ask) q.append('code', c);
      const res = await fetch(`${F.places}?${q}`, { headers: { Accept: 'application/json' } });
      const body = res.ok ? await res.json() : {};
      for (const c of ask) placeNames.set(c, typeof body[c] === 'string' ? body[c] : '');
    } catch {
      // codes alone, then
    }
  }
  return Object.fromEntries(codes.map((c) => [c, placeNames.get(c) || '']));
}

function placeText(pl) {
  if (!pl.code) return '';
  return h('span', { 'data-lieu': pl.code }, pl.name ? `${pl.name} (${pl.code})` : pl.code);
}

function detail(p, foyers) {
  const bornAbroad = p.birthcountry.code && p.birthcountry.code !== F.countryFrance;
  const identity = dl([
    ['Prénoms', p.givenName || '(aucun prénom)'],
    ['Nom de naissance', p.familyName || '(aucun nom de naissance)'],
    ["Nom d'usage", p.preferredUsername],
    ['Sexe', genders[p.gender] || p.gender],
    ['Date de naissance', p.birthdate ? `${birthDate(p.birthdate)} — ${p.birthdate}` : ''],
    ['Lieu de naissance', placeText(p.birthplace) || (bornAbroad ? 'à l’étranger (pas de commune)' : '')],
    ['Pays de naissance', placeText(p.birthcountry)],
    ['Courriel', p.email],
  ]);
  const account = dl([
    ['Identifiant (login)', h('code', null, p.login)],
    ['Mot de passe', h('code', null, p.password)],
    ['SPI (numéro fiscal)', p.spi ? h('code', null, p.spi) : 'aucun'],
    ['Identifiant du persona', h('code', null, p.id)],
    ['Rôle fiscal', F.foyerRoleLabel(p.foyerRole)],
    ['Scénario porté', p.scenario ? h('span', { class: 'badge scenario' }, p.scenario) : ''],
  ]);
  const out = [
    p.situation ? h('p', null, p.situation) : null,
    h('div', { class: 'colonnes' },
      h('div', null, h('h4', null, 'Identité pivot'), identity),
      h('div', null, h('h4', null, 'Connexion'), account)),
    h('h4', null, foyers.length > 1 ? 'Foyers fiscaux' : 'Foyer fiscal'),
  ];
  if (foyers.length === 0) out.push(h('p', { class: 'muted' }, 'Inconnu de la DGFiP : aucun foyer fiscal.'));
  for (const f of foyers) out.push(foyerCard(f, p));
  out.push(
    h('h4', null, 'Se connecter en tant que ce persona'),
    h('div', { class: 'boutons' }, demovilleLink(p, false), copyCurlButton(p, false),
      h('button', { type: 'button', class: 'btn secondaire', 'data-action': 'scenario-persona', onclick: () => ctx.scenarioFor(p.id) }, 'Activer un scénario pour ce persona')),
    h('p', { class: 'aide' }, `En CI, cette commande fait la connexion et le consentement d'un coup, et affiche l'adresse de retour avec le code (client de démonstration, redirect_uri ${F.demoClient.redirectURI}).`),
    h('pre', { class: 'commande', 'data-testid': 'commande-curl', tabindex: '0', 'aria-label': 'Commande curl' }, curlCommand(ctx.publicURL, p.login)),
  );
  return out;
}

function roleIn(f, p) {
  if (f.declarant1 === p.id) return 'déclarant 1';
  if (f.declarant2 === p.id) return 'déclarant 2';
  if (f.dependants.some((d) => d.persona === p.id)) return 'personne à charge';
  return '';
}

function foyerCard({ id, foyer: f, names, error }, p) {
  if (error) {
    return h('div', { class: 'carte', 'data-foyer': id }, h('p', null, 'Foyer ', h('code', null, id)), h('p', { class: 'erreur-texte' }, error.message));
  }
  const declarant = (pid) => {
    if (!pid) return null;
    if (pid === p.id) return `${fullName(p)} (ce persona)`;
    const other = names.get(pid);
    return other ? `${fullName(other)} — ${other.login}` : pid;
  };
  const dependants = f.dependants.map((d) => [d.name, d.birthdate && `né(e) le ${birthDate(d.birthdate)}`, d.category && `case ${d.category}`, d.persona === p.id ? 'ce persona' : ''].filter(Boolean).join(', '));
  const card = h('div', { class: 'carte', 'data-foyer': f.id },
    dl([
      ['Foyer', h('code', null, f.id)],
      ['Rôle du persona', roleIn(f, p)],
      ['Déclarant 1', declarant(f.declarant1)],
      ['Déclarant 2', declarant(f.declarant2)],
      ['Personnes à charge', dependants.length ? dependants.join(' ; ') : 'aucune'],
      ['Résidence', f.residence],
    ]));
  const latest = f.years.find((y) => y.available && y.avis.length);
  if (latest) {
    const a = latest.avis[latest.avis.length - 1];
    card.append(h('p', null, h('strong', null, `Dernier avis disponible : revenus ${latest.year} (${latest.relative})`), ' — ',
      [`revenu fiscal de référence ${euros(a.rfr)}`, `${number(a.nbPart)} part${a.nbPart > 1 ? 's' : ''}`, sitFamText(a.sitFam), `impôt ${euros(a.impot)}`].join(', '), '.'));
  } else {
    card.append(h('p', null, h('strong', null, 'Aucun avis disponible'), ' pour l’API à la date de l’horloge.'));
  }
  if (f.years.length) card.append(yearsTable(f));
  return card;
}

function yearsTable(f) {
  const rows = [];
  for (const y of f.years) {
    const year = [`${y.year} (${y.relative})`, y.available ? '' : h('span', { class: 'muted' }, ' — pas encore disponible')];
    if (!y.avis.length) {
      rows.push(h('tr', null, h('th', { scope: 'row' }, year), h('td', { colspan: '6' }, 'aucun avis (pas de déclaration ou foyer inexistant)')));
      continue;
    }
    for (const a of y.avis) {
      rows.push(h('tr', null,
        h('th', { scope: 'row' }, year),
        h('td', null, `${typeAvis[a.type] || a.type}`, a.from && a.to ? h('span', { class: 'muted' }, ` ${a.from} → ${a.to}`) : ''),
        h('td', null, sitFamText(a.sitFam)),
        h('td', null, number(a.nbPart)),
        h('td', null, euros(a.rfr)),
        h('td', null, euros(a.revImposable)),
        h('td', null, euros(a.impot))));
    }
  }
  return h('div', { class: 'tableau-defilant', tabindex: '0', role: 'region', 'aria-label': `Avis du foyer ${f.id} (défile horizontalement)` }, h('table', { class: 'annees' },
    h('caption', { class: 'visually-hidden' }, `Avis du foyer ${f.id} par année de revenus`),
    h('thead', null, h('tr', null, ...['Revenus', 'Avis', 'Situation', 'Parts', 'RFR', 'Revenu imposable', 'Impôt'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, rows)));
}

const sitFam = { M: 'marié(e)s', O: 'pacsé(e)s', C: 'célibataire', D: 'divorcé(e)', V: 'veuf ou veuve' };
const typeAvis = { 1: 'initial', 2: 'après décès', 3: 'rectificatif' };

function sitFamText(code) {
  return sitFam[code] ? `${sitFam[code]} (${code})` : code;
}

function number(n) {
  return typeof n === 'number' ? n.toLocaleString('fr-FR') : String(n ?? '');
}
