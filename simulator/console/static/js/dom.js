// dom.js — building elements without HTML strings (whatever a request
// carried is text, never markup), and the two message regions.

// h creates an element: h('a', {href: '/x', class: 'btn'}, 'text', child…).
// Attributes with a false, null or undefined value are left out; true sets
// an empty attribute. Children are nodes or text; arrays are flattened and
// null children skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// $ returns the element with that id.
export function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`console: pas d'élément #${id}`);
  return el;
}

// hidden text, for screen readers only.
export function srOnly(text) {
  return h('span', { class: 'visually-hidden' }, text);
}

// dl builds a description list from [label, value] pairs, skipping empty
// values.
export function dl(pairs, cls = 'fiche') {
  const el = h('dl', { class: cls });
  for (const [label, value] of pairs) {
    if (value === '' || value === null || value === undefined) continue;
    el.append(h('dt', null, label), h('dd', null, value));
  }
  return el;
}

let statusTimer = 0;

// announce says something in the polite status region (and shows it).
export function announce(message) {
  const el = $('statut');
  $('alerte').textContent = '';
  // Emptying first makes a repeated message announced again.
  el.textContent = '';
  clearTimeout(statusTimer);
  setTimeout(() => { el.textContent = message; }, 50);
  statusTimer = setTimeout(() => { el.textContent = ''; }, 8000);
}

// alertError shows an error in the alert region.
export function alertError(err) {
  const msg = err instanceof Error ? err.message : String(err);
  $('statut').textContent = '';
  const el = $('alerte');
  el.textContent = '';
  setTimeout(() => { el.textContent = msg; }, 50);
}

// clearMessages empties both regions.
export function clearMessages() {
  $('statut').textContent = '';
  $('alerte').textContent = '';
}

// busy disables a button while the promise runs.
export async function busy(button, promise) {
  const was = button.disabled;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await promise;
  } finally {
    button.disabled = was;
    button.removeAttribute('aria-busy');
  }
}

// copyText puts text on the clipboard; outside a secure context (a sandbox
// reached by a LAN address) it falls back to a hidden textarea.
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // refused (permission, page not focused): the old way below
    }
  }
  const ta = h('textarea', { class: 'visually-hidden', readonly: true, 'aria-hidden': 'true', tabindex: '-1' });
  ta.value = text;
  document.body.append(ta);
  ta.select();
  const ok = document.execCommand('copy');
  ta.remove();
  if (!ok) throw new Error('Copie impossible : sélectionnez la commande et copiez-la à la main.');
}

// debounce calls fn once calls stop for ms.
export function debounce(fn, ms) {
  let t = 0;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}
