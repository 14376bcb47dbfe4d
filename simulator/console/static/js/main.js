// main.js — the console's entry point: the sections (one shown at a time,
// chosen by the address's #fragment, so that the back button and links
// work), the reset button, and the start of every section.

import { call } from './api.js';
import { paths } from './fields.js';
import { $, announce, alertError, clearMessages } from './dom.js';
import * as personas from './personas.js';
import * as scenarios from './scenarios.js';
import * as clock from './clock.js';
import * as journal from './journal.js';
import * as qualification from './qualification.js';
import * as banner from './banner.js';

const views = ['vue-personas', 'vue-scenarios', 'vue-horloge', 'vue-journal', 'vue-qualification'];
const known = new Map(); // personas met in searches, by id or login

let activationsTimer = 0;

const ctx = {
  publicURL: (document.body.dataset.publicUrl || window.location.origin).replace(/\/+$/, ''),
  demovilleClient: document.body.dataset.demovilleClient || 'demoville',
  latestYear: () => clock.latestYear(),
  isVisible: (id) => !$(id).hidden,
  rememberPersonas(list) {
    for (const p of list) known.set(p.id || p.login, p);
  },
  knownPersonas: () => [...known.values()],
  scenarioFor(id) {
    scenarios.forPersona(id);
    show('vue-scenarios', true);
    window.history.pushState(null, '', '#vue-scenarios');
  },
  // onEntry: a request went through; the activations' remaining calls may
  // have changed. At most one refresh a second.
  onEntry() {
    if (activationsTimer) return;
    activationsTimer = setTimeout(() => {
      activationsTimer = 0;
      scenarios.refreshActivations();
    }, 1000);
  },
};

// show displays one section; focus moves to its heading when the person
// chose it (not at page load).
function show(id, moveFocus) {
  if (!views.includes(id)) id = views[0];
  for (const v of views) $(v).hidden = v !== id;
  for (const a of document.querySelectorAll('nav.onglets a[data-vue]')) {
    if (a.dataset.vue === id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (id === 'vue-journal') journal.seen();
  if (id === 'vue-scenarios') scenarios.refreshActivations();
  if (id === 'vue-horloge') clock.refresh();
  if (id === 'vue-qualification') qualification.refresh();
  if (moveFocus) {
    const heading = $(id).querySelector('h2');
    if (heading) heading.focus();
  }
}

function fromHash() {
  return window.location.hash.slice(1);
}

function setupNavigation() {
  window.addEventListener('hashchange', () => {
    if (!views.includes(fromHash())) return; // e.g. the skip link's #contenu
    clearMessages();
    show(fromHash(), true);
  });
  show(fromHash(), false);
}

function setupReset() {
  const dialog = $('confirmation-reinitialisation');
  $('reinitialiser').addEventListener('click', () => {
    dialog.returnValue = '';
    dialog.showModal();
    $('reinitialiser-annuler').focus(); // the safe choice first
  });
  dialog.addEventListener('close', async () => {
    if (dialog.returnValue !== 'confirmer') {
      $('reinitialiser').focus();
      return;
    }
    try {
      await call('POST', paths.reset);
    } catch (err) {
      alertError(err);
      $('reinitialiser').focus();
      return;
    }
    personas.forgetPersonas();
    announce('Bac à sable réinitialisé : population des fixtures, aucune activation, horloge de départ.');
    $('reinitialiser').focus();
    await Promise.all([clock.refresh(), scenarios.refreshActivations(), personas.search()]);
  });
}

async function start() {
  setupNavigation();
  setupReset();
  banner.init(() => Promise.all([scenarios.refreshActivations(), clock.refresh()]));
  personas.init(ctx);
  scenarios.init(ctx);
  clock.init();
  journal.init(ctx);
  qualification.init(ctx);
  // The clock first: a control token, if any, is asked once.
  await clock.refresh();
  const list = await scenarios.load();
  await Promise.all([personas.search(), personas.setScenarios(list), scenarios.refreshActivations(), journal.start()]);
  // Another tab, a test or a CI job may move the clock: read it again now and then.
  // The banner follows them too.
  setInterval(() => {
    if (document.hidden) return;
    clock.refresh();
    scenarios.refreshActivations();
  }, 30000);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) {
      clock.refresh();
      scenarios.refreshActivations();
    }
  });
}

start().catch(alertError);
