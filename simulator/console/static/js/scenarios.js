// scenarios.js — the Scénarios section: the list with titles and
// descriptions, activation (global, for a client, for a persona, for a
// number of calls), and the activations in force with their remaining calls.

import { call } from './api.js';
import * as F from './fields.js';
import { $, h, srOnly, announce, alertError, busy } from './dom.js';
import { shortDate } from './format.js';

let ctx;
let scenarios = [];
let refreshing = null;

export function init(c) {
  ctx = c;
  for (const radio of document.querySelectorAll('input[name="portee"]')) {
    radio.addEventListener('change', scopeChanged);
  }
  $('activation-portee').addEventListener('submit', (ev) => ev.preventDefault());
  $('activations-tout-retirer').addEventListener('click', async (ev) => {
    try {
      await busy(ev.currentTarget, call('DELETE', F.paths.activations));
      announce('Toutes les activations sont retirées.');
    } catch (err) {
      alertError(err);
    }
    refreshActivations();
  });
  scopeChanged();
}

function scope() {
  const checked = document.querySelector('input[name="portee"]:checked');
  return checked ? checked.value : 'global';
}

function scopeChanged() {
  const s = scope();
  const target = $('activation-cible');
  target.disabled = s === 'global';
  target.required = s !== 'global';
  $('activation-cible-aide').textContent = {
    global: 'Inutile pour tout le bac à sable.',
    client: 'Le client_id FranceConnect ou le client de la passerelle DGFiP (ex. bacasable-demo).',
    persona: "L'identifiant du persona (ex. angela-dubois), affiché dans sa fiche.",
  }[s];
  fillTargets();
}

// fillTargets proposes the personas seen so far, or the known clients.
function fillTargets() {
  const list = $('activation-cibles');
  const values = scope() === 'persona'
    ? ctx.knownPersonas().map((p) => [p.id || p.login, `${p.givenName} ${p.familyName}`.trim()])
    : scope() === 'client'
      ? [[ctx.demovilleClient, 'Démoville'], [F.demoClient.id, 'client de démonstration'], ['bacasable-demo', 'passerelle : démo'],
        ['bacasable-complet', 'passerelle : complet'], ['bacasable-banque', 'passerelle : banque']]
      : [];
  list.replaceChildren(...values.map(([v, label]) => h('option', { value: v }, label)));
}

// forPersona prepares an activation for one persona.
export function forPersona(id) {
  $('portee-persona').checked = true;
  scopeChanged();
  $('activation-cible').value = id;
}

// load fetches the scenarios and shows them.
export async function load() {
  try {
    scenarios = F.items(await call('GET', F.paths.scenarios)).map(F.scenario);
  } catch (err) {
    alertError(err);
    return [];
  }
  $('scenarios-liste').replaceChildren(...scenarios.map(card));
  return scenarios;
}

function titleOf(name) {
  const s = scenarios.find((x) => x.name === name);
  return s ? s.title : name;
}

const services = { franceconnect: 'FranceConnect', impotparticulier: 'API Impôt particulier' };

function card(s) {
  const headingId = `scenario-titre-${s.name}`;
  return h('article', { class: 'carte', 'data-scenario-card': s.name, 'aria-labelledby': headingId },
    h('h4', { id: headingId }, s.title),
    h('p', { class: 'muted' }, h('code', null, s.name), s.calls ? ` — ${s.calls} appel${s.calls > 1 ? 's' : ''} par défaut` : ''),
    h('p', null, s.description),
    s.effects.length ? h('ul', { class: 'effets', 'aria-label': 'Effets' }, s.effects.map((e) =>
      h('li', null, `${services[e.service] || e.service}${e.step ? ' (' + e.step + ')' : ''} : ${e.what}`))) : null,
    h('div', { class: 'boutons' },
      h('button', { type: 'button', class: 'btn', 'data-scenario': s.name, onclick: (ev) => activate(ev, s) }, 'Activer', srOnly(` « ${s.title} »`))),
  );
}

async function activate(ev, s) {
  const sc = scope();
  const target = $('activation-cible').value.trim();
  const callsText = $('activation-appels').value.trim();
  if (sc !== 'global' && !target) {
    alertError(sc === 'client' ? 'Indiquez le client_id visé.' : "Indiquez l'identifiant du persona visé.");
    $('activation-cible').focus();
    return;
  }
  const calls = callsText === '' ? null : Number(callsText);
  if (calls !== null && (!Number.isInteger(calls) || calls < 0)) {
    alertError("Le nombre d'appels est un entier positif ou nul.");
    $('activation-appels').focus();
    return;
  }
  try {
    const a = F.activation(await busy(ev.currentTarget, call('POST', F.paths.activations, F.activationBody({ scenario: s.name, scope: sc, target, calls }))));
    announce(`Scénario « ${s.title} » activé ${scopeText(a.scope || sc, a.target || target)}${remainingText(a.remaining)}.`);
  } catch (err) {
    alertError(err);
  }
  refreshActivations();
}

function scopeText(sc, target) {
  if (sc === 'client') return `pour le client ${target}`;
  if (sc === 'persona') return `pour le persona ${target}`;
  return 'pour tout le bac à sable';
}

function remainingText(n) {
  return n ? `, pour ${n} appel${n > 1 ? 's' : ''}` : " jusqu'au retrait";
}

// refreshActivations reloads the activations in force; concurrent calls
// share one request.
export function refreshActivations() {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const list = F.items(await call('GET', F.paths.activations)).map(F.activation);
        renderActivations(list);
      } catch (err) {
        if (err.status !== 401) alertError(err);
      } finally {
        refreshing = null;
      }
    })();
  }
  return refreshing;
}

function renderActivations(list) {
  $('activations-lignes').replaceChildren(...list.map((a) => h('tr', { 'data-activation': a.id, 'data-activation-scenario': a.scenario },
    h('th', { scope: 'row' }, titleOf(a.scenario), ' ', h('code', null, a.scenario)),
    h('td', null, scopeText(a.scope, a.target)),
    h('td', { 'data-testid': 'appels-restants' }, a.remaining === null ? "jusqu'au retrait" : String(a.remaining)),
    h('td', null, a.since ? shortDate(new Date(a.since)) : ''),
    h('td', null, h('button', {
      type: 'button', class: 'btn secondaire petit', 'data-action': 'retirer',
      onclick: async (ev) => {
        try {
          await busy(ev.currentTarget, call('DELETE', F.paths.activation(a.id)));
          announce(`Activation de « ${titleOf(a.scenario)} » retirée.`);
        } catch (err) {
          alertError(err);
        }
        await refreshActivations();
        $('titre-activations').focus(); // the row and its button are gone
      },
    }, 'Retirer', srOnly(` l'activation de « ${titleOf(a.scenario)} » ${scopeText(a.scope, a.target)}`))),
  )));
  $('activations-vide').hidden = list.length > 0;
  $('activations-tout-retirer').disabled = list.length === 0;
}
