// scenarios.js — the Scénarios section: the list with titles and
// descriptions, activation with an explicit scope (a persona, a client or
// the whole sandbox) and duration (a number of calls, or until removed),
// and the activations in force with their remaining calls.
//
// « Activer… » opens the one activation form inside the scenario's card;
// the confirmation, or the activation already in force, is said in that
// card, where the click was. The button is disabled while the request
// runs, and an activation identical to one in force is not made twice.

import { call } from './api.js';
import * as F from './fields.js';
import { $, h, srOnly, announce, alertError, busy } from './dom.js';
import { shortDate, scopeText, durationText } from './format.js';
import * as banner from './banner.js';

let ctx;
let scenarios = [];
let current = []; // the activations in force, as last read
let refreshing = null;
let openFor = null; // the scenario whose card holds the form
let presetPersona = ''; // « Activer un scénario pour ce persona »

export function init(c) {
  ctx = c;
  for (const radio of document.querySelectorAll('input[name="portee"]')) radio.addEventListener('change', scopeChanged);
  for (const radio of document.querySelectorAll('input[name="duree"]')) radio.addEventListener('change', durationChanged);
  $('activation-appels').addEventListener('input', () => { $('duree-appels').checked = true; });
  $('activation-formulaire').addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit(ev.submitter || $('activation-valider'));
  });
  $('activation-annuler').addEventListener('click', () => {
    const s = openFor;
    closeForm();
    if (s) cardButton(s.name).focus();
  });
  $('activations-tout-retirer').addEventListener('click', async (ev) => {
    try {
      await busy(ev.currentTarget, call('DELETE', F.paths.activations));
      announce('Toutes les activations sont retirées.');
    } catch (err) {
      alertError(err);
    }
    refreshActivations();
  });
}

function scope() {
  const checked = document.querySelector('input[name="portee"]:checked');
  return checked ? checked.value : '';
}

function duration() {
  const checked = document.querySelector('input[name="duree"]:checked');
  return checked ? checked.value : '';
}

function scopeChanged() {
  const s = scope();
  const target = $('activation-cible');
  $('activation-cible-champ').hidden = s === 'global';
  target.disabled = s === '' || s === 'global';
  $('activation-cible-aide').textContent = {
    '': "Choisissez d'abord pour qui.",
    global: '',
    client: 'Le client_id FranceConnect ou le client de la passerelle DGFiP (ex. demoville, bacasable-demo).',
    persona: "L'identifiant ou le login du persona (ex. angela-dubois ou test), affiché dans sa fiche.",
  }[s];
  fillTargets();
}

function durationChanged() {
  if (duration() === 'appels' && !$('activation-appels').value) $('activation-appels').value = String(openFor && openFor.calls ? openFor.calls : 1);
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

// forPersona prepares an activation for one persona: the next « Activer… »
// opens with this persona chosen.
export function forPersona(id) {
  presetPersona = id;
  announce(`Choisissez « Activer… » sur un scénario : il vaudra pour le persona ${id}.`);
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
  markActive();
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
      h('button', {
        type: 'button', class: 'btn', 'data-scenario': s.name, 'aria-expanded': 'false', 'aria-controls': 'activation-formulaire',
        onclick: () => openForm(s),
      }, 'Activer…', srOnly(` « ${s.title} »`))),
    h('div', { class: 'formulaire-carte' }),
    h('div', { class: 'confirmation', role: 'status', 'data-confirmation': s.name }),
  );
}

function cardOf(name) {
  return document.querySelector(`[data-scenario-card="${CSS.escape(name)}"]`);
}

function cardButton(name) {
  return cardOf(name).querySelector('button[data-scenario]');
}

// openForm moves the activation form into the scenario's card.
function openForm(s) {
  if (openFor === s) {
    $('activation-formulaire').querySelector('input').focus();
    return;
  }
  closeForm();
  openFor = s;
  const form = $('activation-formulaire');
  form.setAttribute('aria-label', `Activer « ${s.title} »`);
  form.reset();
  $('activation-erreur').textContent = '';
  if (presetPersona) {
    $('portee-persona').checked = true;
    $('activation-cible').value = presetPersona;
  }
  // A scenario with its own number of calls stops by itself: « until
  // removed » is for those that have none (the control API's rule).
  $('duree-retrait').disabled = s.calls > 0;
  $('duree-retrait-aide').textContent = s.calls > 0
    ? `Ce scénario s'arrête de lui-même après ${s.calls} appel${s.calls > 1 ? 's' : ''} ; choisissez un nombre d'appels.` : '';
  if (s.calls > 0) {
    $('duree-appels').checked = true;
    $('activation-appels').value = String(s.calls);
  }
  scopeChanged();
  cardOf(s.name).querySelector('.formulaire-carte').append(form);
  cardOf(s.name).querySelector('.confirmation').replaceChildren();
  cardButton(s.name).setAttribute('aria-expanded', 'true');
  (document.querySelector('input[name="portee"]:checked') || $('portee-persona')).focus();
}

function closeForm() {
  if (!openFor) return;
  cardButton(openFor.name).setAttribute('aria-expanded', 'false');
  $('activation-rangement').append($('activation-formulaire'));
  openFor = null;
}

function formError(msg, field) {
  $('activation-erreur').textContent = msg;
  if (field) field.focus();
}

// submit activates the scenario of the open form. The button is disabled
// at once, before anything is awaited: a second click cannot make a second
// activation.
async function submit(button) {
  if (!openFor || button.disabled) return;
  await busy(button, activate(openFor));
}

async function activate(s) {
  const sc = scope();
  const target = $('activation-cible').value.trim();
  if (!sc) return formError('Choisissez pour qui : un persona, un client, ou tout le bac à sable.', $('portee-persona'));
  if (sc !== 'global' && !target) {
    return formError(sc === 'client' ? 'Indiquez le client_id visé.' : "Indiquez l'identifiant ou le login du persona visé.", $('activation-cible'));
  }
  const d = duration();
  if (!d) return formError("Choisissez pour combien de temps : un nombre d'appels, ou jusqu'au retrait.", $('duree-appels'));
  let calls = null;
  if (d === 'appels') {
    calls = Number($('activation-appels').value.trim());
    if (!Number.isInteger(calls) || calls < 1) return formError("Le nombre d'appels est un entier d'au moins 1.", $('activation-appels'));
  }
  $('activation-erreur').textContent = '';
  const box = cardOf(s.name).querySelector('.confirmation');
  // The same activation in force: say so, make no second one.
  await refreshActivations();
  const same = current.find((a) => a.scenario === s.name && a.scope === sc && (sc === 'global' || a.target === target));
  if (same) {
    closeForm();
    confirm(box, s, same, 'Déjà activé');
    return;
  }
  let a;
  try {
    a = F.activation(await call('POST', F.paths.activations, F.activationBody({ scenario: s.name, scope: sc, target, calls })));
  } catch (err) {
    formError(err.message);
    return;
  }
  presetPersona = '';
  closeForm();
  confirm(box, s, { ...a, scope: a.scope || sc, target: a.target || target }, 'Activé');
  await refreshActivations();
}

// confirm says, in the card, what is in force and offers to remove it.
function confirm(box, s, a, verb) {
  const text = `${verb} ${scopeText(a.scope, a.target)}, ${durationText(a.remaining)}.`;
  const p = h('p', { tabindex: '-1', 'data-activation': a.id }, h('strong', null, '✓ '), text);
  box.replaceChildren(p, h('button', {
    type: 'button', class: 'btn secondaire petit', 'data-action': 'retirer',
    onclick: async (ev) => {
      try {
        await busy(ev.currentTarget, call('DELETE', F.paths.activation(a.id)));
        box.replaceChildren(h('p', { tabindex: '-1' }, `Activation de « ${s.title} » retirée.`));
      } catch (err) {
        box.replaceChildren(h('p', { class: 'erreur-texte', tabindex: '-1' }, err.message));
      }
      box.firstElementChild.focus();
      refreshActivations();
    },
  }, 'Retirer', srOnly(` l'activation de « ${s.title} » ${scopeText(a.scope, a.target)}`)));
  p.focus();
}

// refreshActivations reloads the activations in force; concurrent calls
// share one request.
export function refreshActivations() {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        current = F.items(await call('GET', F.paths.activations)).map(F.activation);
        renderActivations(current);
      } catch (err) {
        if (err.status !== 401) alertError(err);
      } finally {
        refreshing = null;
      }
    })();
  }
  return refreshing;
}

// markActive marks the cards of the scenarios in force.
function markActive() {
  const on = new Set(current.map((a) => a.scenario));
  for (const el of document.querySelectorAll('[data-scenario-card]')) {
    el.classList.toggle('en-cours', on.has(el.dataset.scenarioCard));
  }
}

function renderActivations(list) {
  banner.setActivations(list.map((a) => ({ ...a, title: titleOf(a.scenario) })));
  markActive();
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
