/* Frontdesk staff console: the shell (auth, hash router, navigation, realtime) and the
 * small helpers every page uses. No build step: ES modules served as they are. Text a
 * visitor, a model or a staff member wrote reaches the DOM only through textContent. */
// The vendored SDK is imported by its content hash, so the server can cache it for a
// year; hooks/web's test checks this hash against vendor/VERSION.
import PocketBase from './vendor/pocketbase.es.mjs?v=0e826c69f647eca4';
import { t, lang, setLang } from './i18n.js';

export { t, lang };

export const pb = new PocketBase(location.origin);
pb.autoCancellation(false);

// Roles, as the API rules read them (migrations/rules.go).
export const me = () => pb.authStore.record;
export const role = () => me()?.role || '';
export const canEdit = () => role() === 'owner' || role() === 'admin';
export const isOwner = () => role() === 'owner';

const SVG = 'http://www.w3.org/2000/svg';
const PROPS = new Set(['value', 'checked', 'selected', 'indeterminate']);

/** h builds an element: h('button', {class: 'x', onclick: fn, text: 'Go'}, child, ...).
 * Strings become text nodes; null, false and undefined are skipped. */
export function h(tag, props, ...kids) {
  const svg = tag.startsWith('svg:');
  const el = svg ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  const later = [];
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (PROPS.has(k)) later.push([k, v]);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, kids);
  for (const [k, v] of later) el[k] = v;
  return el;
}

function append(el, kids) {
  for (const k of kids) {
    if (k == null || k === false) continue;
    if (Array.isArray(k)) append(el, k);
    else el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
}

let seq = 0;
/** field is a labelled form control: the label names the input for screen readers. */
export function field(label, input, help) {
  const id = input.id || (input.id = 'f' + ++seq);
  let hint = null;
  if (help) {
    hint = h('small', { id: id + '-h', class: 'help', text: help });
    input.setAttribute('aria-describedby', hint.id);
  }
  const wrap = input.type === 'checkbox' ? 'check' : 'field';
  return h('div', { class: wrap }, h('label', { for: id, text: label }), input, hint);
}

/** heading is a page's h1; the router moves the focus to it after navigating. */
export const heading = (text, ...extra) => h('div', { class: 'head' }, h('h1', { tabindex: '-1', text }), ...extra);

export function toast(message, kind = 'ok') {
  const el = h('div', { class: 'toast ' + kind, text: message });
  document.getElementById('toasts').append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

/** errorText is a readable message for a failed request (PocketBase's or ours). */
export function errorText(err) {
  const r = err?.response || err?.data || {};
  if (err?.status === 0 || err?.isAbort) return t('err.network');
  if (err?.status === 403) return r.message || t('err.forbidden');
  // PocketBase names bad fields in data ({name: {message}}), Frontdesk's routes in fields.
  const fields = r.data && typeof r.data === 'object' ? Object.entries(r.data).filter(([, v]) => v?.message) : [];
  if (fields.length) return fields.map(([k, v]) => k + ': ' + v.message).join('; ');
  const named = r.fields && typeof r.fields === 'object' ? Object.entries(r.fields).map(([k, v]) => k + ': ' + v).join('; ') : '';
  return (r.message || err?.message || t('err.unknown')) + (named ? ' (' + named + ')' : '');
}

/** fail shows an error toast; pages pass it to catch(). */
export const fail = (err) => toast(errorText(err), 'error');

/** api calls a Frontdesk staff route (/api/frontdesk/...) with the staff member's token;
 * bad answers throw an Error carrying status and the {code, message} body. */
export async function api(path, { method = 'GET', body, raw = false } = {}) {
  const headers = { Authorization: pb.authStore.token };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch('/api/frontdesk' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw Object.assign(new Error(t('err.network')), { status: 0 });
  }
  if (!res.ok) {
    const data = await res.json().catch(() => ({}));
    throw Object.assign(new Error(data.message || res.statusText), { status: res.status, code: data.code, response: data });
  }
  if (raw) return res;
  return res.status === 204 ? null : res.json();
}

/** download saves a staff route's answer (CSV, ZIP) as a file: the route needs the auth
 * header, so it is fetched and handed to the browser as a blob. */
export async function download(path, fallbackName) {
  const res = await api(path, { raw: true });
  const cd = res.headers.get('Content-Disposition') || '';
  const name = /filename="?([^";]+)"?/.exec(cd)?.[1] || fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// Dates and durations in the console's language.
export const when = (iso) => (iso ? new Date(iso.replace(' ', 'T')) : null);
export function fmtDate(iso, withTime = true) {
  const d = when(iso);
  if (!d || isNaN(d)) return '';
  return d.toLocaleString(lang(), withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' });
}
export function fmtDuration(seconds) {
  if (seconds == null || isNaN(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t('dur.s', s);
  if (s < 3600) return t('dur.m', Math.round(s / 60));
  if (s < 86400) return t('dur.h', Math.floor(s / 3600), Math.round((s % 3600) / 60));
  return t('dur.d', Math.floor(s / 86400));
}
export const since = (iso) => (when(iso) ? (Date.now() - when(iso)) / 1000 : null);

/** statusBadge shows a conversation's status. */
export const statusBadge = (status) => h('span', { class: 'badge st-' + status, text: t('status.' + status) });

/** staffNames maps staff ids to names (for message authors and assignees), loaded once. */
let names = null;
export async function staffNames() {
  if (!names) {
    names = pb.collection('staff').getFullList({ fields: 'id,name,email', sort: 'name' })
      .then((list) => new Map(list.map((s) => [s.id, s.name || s.email])))
      .catch(() => new Map());
  }
  return names;
}
export const forgetStaffNames = () => { names = null; };

/** deleteButton deletes record id of collection once confirmed, then calls after; what
 * names the record for screen readers. */
export const deleteButton = (collection, id, after, what) => h('button', { type: 'button', class: 'danger', text: t('delete'), 'aria-label': t('delete') + ': ' + what, onclick: async () => {
  if (!confirm(t('confirmDelete'))) return;
  try {
    await pb.collection(collection).delete(id);
    after();
  } catch (err) {
    fail(err);
  }
} });

/** recordForm adds a record of the practice to collection, or edits rec: controls are
 * [label, input, help?], each input named after its field and required. title heads a
 * new record's form; cancel, if given, leaves an edit. */
export function recordForm(collection, rec, title, controls, saved, cancel) {
  return h('form', { class: rec ? '' : 'card', onsubmit: async (e) => {
    e.preventDefault();
    const empty = controls.find(([, input]) => !input.value.trim());
    if (empty) return empty[1].focus();
    const data = Object.fromEntries(controls.map(([, input]) => [input.name, input.value.trim()]));
    try {
      if (rec) await pb.collection(collection).update(rec.id, data);
      else await pb.collection(collection).create({ ...data, business: me().business });
      toast(t('saved'));
      if (!rec) e.target.reset();
      saved();
    } catch (err) {
      fail(err);
    }
  } }, rec ? null : title, controls.map(([label, input, help]) => field(label, input, help)),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: t('save') }),
    cancel ? h('button', { type: 'button', text: t('cancel'), onclick: cancel }) : null));
}

/** escapeFilter quotes a value for a PocketBase filter. */
export const quote = (s) => JSON.stringify(String(s));

// ---- realtime -------------------------------------------------------------
// One subscription per collection while a staff member is signed in: it keeps the
// pages live and is how the practice counts the staff who are available. Pages listen
// to the window events fd:NAME for each collection below ({action, record}), and to
// fd:reconnect: after the connection was lost, events may have been missed.
let subscribed = false;
async function subscribe() {
  if (subscribed) return;
  subscribed = true;
  let connects = 0;
  pb.realtime.subscribe('PB_CONNECT', () => {
    if (connects++ > 0) window.dispatchEvent(new CustomEvent('fd:reconnect'));
  }).catch(() => {});
  for (const name of ['conversations', 'messages', 'leads', 'documents', 'bookings']) {
    pb.collection(name).subscribe('*', (e) => {
      window.dispatchEvent(new CustomEvent('fd:' + name, { detail: e }));
    }).catch(() => {});
  }
}
async function unsubscribe() {
  subscribed = false;
  await pb.realtime.unsubscribe().catch(() => {});
}

// ---- router ---------------------------------------------------------------
const PAGES = {
  inbox: { roles: null },
  conversation: { roles: null },
  leads: { roles: null },
  bookings: { roles: null },
  knowledge: { roles: null },
  evaluation: { roles: null },
  dashboard: { roles: ['owner', 'admin'] },
  settings: { roles: null },
  team: { roles: ['owner', 'admin'] },
};
const PUBLIC = new Set(['login', 'reset']);
const NAV = ['inbox', 'leads', 'bookings', 'knowledge', 'evaluation', 'dashboard', 'settings', 'team'];

/** go navigates to a console route, e.g. go('conversation', id). */
export const go = (...parts) => { location.hash = '#/' + parts.map(encodeURIComponent).join('/'); };

/** route is the current route: its page name and parameters. */
export function route() {
  const [name = '', ...params] = location.hash.replace(/^#\/?/, '').split('?')[0].split('/').map(decodeURIComponent);
  const query = new URLSearchParams(location.hash.split('?')[1] || '');
  return { name: name || 'inbox', params, query };
}

const main = document.getElementById('main');
let leave = [];
let rendering = 0;

async function render() {
  const n = ++rendering;
  for (const fn of leave.splice(0)) {
    try { fn(); } catch { /* a page's cleanup never stops the next page */ }
  }
  let { name, params, query } = route();
  const authed = pb.authStore.isValid && pb.authStore.record?.collectionName === 'staff';
  if (!authed && !PUBLIC.has(name)) name = 'login';
  if (authed && name === 'login') name = 'inbox';
  const page = PAGES[name];
  if (!page && !PUBLIC.has(name)) name = 'notfound';
  shell(authed && !PUBLIC.has(name), name);
  document.title = t('page.' + name) + ' · Frontdesk';
  main.replaceChildren();
  main.setAttribute('aria-busy', 'true');
  const view = {
    params, query,
    onLeave: (fn) => leave.push(fn),
    /** current is false once the staff member has navigated away. */
    current: () => n === rendering,
  };
  try {
    if (name === 'notfound' || (page?.roles && !page.roles.includes(role()))) {
      main.append(heading(t('page.notfound')), h('p', { text: t('err.nopage') }), h('a', { href: '#/inbox', text: t('page.inbox') }));
    } else {
      const mod = await import('./pages/' + (name === 'reset' ? 'login' : name) + '.js');
      if (n !== rendering) return;
      await mod.default(main, view);
    }
  } catch (err) {
    if (n === rendering) main.append(h('p', { class: 'error', role: 'alert', text: errorText(err) }));
  }
  if (n !== rendering) return;
  main.removeAttribute('aria-busy');
  // Focus the new page's heading, so a screen reader announces where the staff member is.
  if (document.activeElement === document.body || !main.contains(document.activeElement)) {
    (main.querySelector('h1') || main).focus({ preventScroll: true });
  }
}

function shell(show, current) {
  const top = document.querySelector('.top');
  top.hidden = !show;
  if (!show) return;
  const nav = document.getElementById('nav');
  const active = current === 'conversation' ? 'inbox' : current;
  nav.replaceChildren(h('ul', null, NAV.filter((p) => !PAGES[p].roles || PAGES[p].roles.includes(role())).map((p) =>
    h('li', null, h('a', { href: '#/' + p, 'aria-current': p === active ? 'page' : null, text: t('page.' + p) },
      p === 'inbox' ? h('span', { class: 'count', id: 'waiting', hidden: true }) : null)))));
  const who = me();
  document.getElementById('me').textContent = (who?.name || who?.email || '') + ' · ' + t('role.' + role());
  updateWaiting();
}

/** updateWaiting shows how many visitors wait for a person beside the inbox link. */
let waitingTimer = 0;
export function updateWaiting() {
  clearTimeout(waitingTimer);
  waitingTimer = setTimeout(async () => {
    const el = document.getElementById('waiting');
    if (!el || !pb.authStore.isValid) return;
    try {
      const r = await pb.collection('conversations').getList(1, 1, { filter: 'status = "needs_human"', fields: 'id', skipTotal: false });
      el.hidden = r.totalItems === 0;
      el.textContent = r.totalItems;
      el.setAttribute('aria-label', t('inbox.waitingCount', r.totalItems));
    } catch { /* the count is a hint; the inbox shows the truth */ }
  }, 200);
}

function translateShell() {
  document.documentElement.lang = lang();
  document.getElementById('skip').textContent = t('skip');
  document.querySelector('.lang .sr').textContent = t('language');
  document.getElementById('logout').textContent = t('logout');
  document.getElementById('lang').value = lang();
}

function showPractice() {
  if (!me()?.business) return;
  pb.collection('businesses').getOne(me().business, { fields: 'id,name' })
    .then((b) => { document.getElementById('practice-name').textContent = b.name; }).catch(() => {});
}

/** signedIn starts what a signed-in staff member needs and shows the page asked for. */
export async function signedIn() {
  forgetStaffNames();
  await subscribe();
  showPractice();
  if (route().name === 'login' || route().name === 'reset') go('inbox');
  else render();
}

async function start() {
  translateShell();
  document.getElementById('skip').addEventListener('click', () => (main.querySelector('h1') || main).focus());
  document.getElementById('lang').addEventListener('change', (e) => {
    setLang(e.target.value);
    translateShell();
    render();
  });
  document.getElementById('logout').addEventListener('click', async () => {
    await unsubscribe();
    pb.authStore.clear();
    go('login');
  });
  // A token that expires or is revoked sends the staff member back to the login.
  pb.afterSend = (res, data) => {
    if (res.status === 401 && pb.authStore.isValid && !res.url.includes('/auth-with-') && !res.url.includes('/request-otp')) {
      pb.authStore.clear();
      unsubscribe();
      go('login');
    }
    return data;
  };
  window.addEventListener('hashchange', render);
  window.addEventListener('fd:conversations', updateWaiting);
  if (pb.authStore.isValid && pb.authStore.record?.collectionName === 'staff') {
    try {
      await pb.collection('staff').authRefresh();
    } catch {
      pb.authStore.clear();
    }
  }
  if (pb.authStore.isValid) {
    await subscribe();
    showPractice();
  }
  render();
}

start();
