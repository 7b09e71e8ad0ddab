// Bookings: the practice's visits day by day in the practice's own time zone, upcoming
// by default, past or cancelled on request. Owners and admins book a visit (a free time
// or any other: staff may book outside hours), move one and cancel one; the server fills
// in the end, the lead and the visitor's emails and texts. Viewers read.
import { pb, h, t, field, heading, fail, toast, canEdit, me, route, quote, errorText, lang } from '../app.js';

const PER_PAGE = 50;
const SHOW = ['upcoming', 'past', 'cancelled'];

export default async function bookings(main, view) {
  const biz = await pb.collection('businesses').getOne(me().business, { fields: 'id,slug,timezone,services,booking_enabled' });
  if (!view.current()) return;
  const tz = biz.timezone || 'UTC';
  const services = (Array.isArray(biz.services) ? biz.services : []).filter((s) => s.name);
  const show = SHOW.includes(route().query.get('show')) ? route().query.get('show') : 'upcoming';
  const showIn = h('select', { name: 'show' }, SHOW.map((s) => h('option', { value: s, text: t('bookings.show.' + s), selected: s === show })));
  showIn.addEventListener('change', () => { location.hash = '#/bookings' + (showIn.value === 'upcoming' ? '' : '?show=' + showIn.value); });
  const list = h('div', { class: 'days' });
  const more = h('button', { type: 'button', hidden: true, text: t('bookings.more') });
  const edit = canEdit();
  main.append(heading(t('page.bookings')),
    edit ? newForm(biz, tz, services, () => load(true)) : h('p', { class: 'muted', text: t('readOnly') }),
    h('div', { class: 'filters' }, field(t('bookings.show'), showIn)), list, more);

  let page = 1;
  let shown = [];
  const load = async (fresh) => {
    if (fresh) page = 1;
    const today = toInstant(dayOf(new Date(), tz), '00:00', tz).toISOString().replace('T', ' ');
    const filter = show === 'cancelled' ? 'status = "cancelled"'
      : 'status = "confirmed" && start ' + (show === 'past' ? '<' : '>=') + ' ' + quote(today);
    let res;
    try {
      res = await pb.collection('bookings').getList(page, PER_PAGE, { filter, sort: show === 'upcoming' ? 'start' : '-start' });
    } catch (err) {
      return fail(err);
    }
    // The visitors' names, from their leads: one list, audited like every read of leads.
    const ids = [...new Set(res.items.map((b) => b.lead).filter(Boolean))];
    const leads = new Map();
    if (ids.length) {
      const found = await pb.collection('leads').getList(1, ids.length, { filter: ids.map((id) => 'id = ' + quote(id)).join(' || '), fields: 'id,name,conversation' }).catch(() => ({ items: [] }));
      for (const l of found.items) leads.set(l.id, l);
    }
    if (!view.current()) return;
    shown = (page === 1 ? [] : shown).concat(res.items.map((b) => ({ b, lead: leads.get(b.lead) })));
    list.replaceChildren(...days(shown, { biz, tz, edit: edit && show !== 'cancelled', reload: () => load(true) }));
    if (!shown.length) list.append(h('p', { class: 'empty', text: t('bookings.empty.' + show) }));
    more.hidden = res.page >= res.totalPages;
  };
  more.addEventListener('click', () => { page++; load(false); });
  let timer = 0;
  const onChange = () => { clearTimeout(timer); timer = setTimeout(() => load(true), 200); };
  window.addEventListener('fd:bookings', onChange);
  window.addEventListener('fd:reconnect', onChange);
  view.onLeave(() => {
    window.removeEventListener('fd:bookings', onChange);
    window.removeEventListener('fd:reconnect', onChange);
    clearTimeout(timer);
  });
  await load(true);
}

// days groups the bookings under a heading per day of the practice. ctx is {biz, tz,
// edit, reload}: edit shows the buttons, reload reads the list again.
function days(items, ctx) {
  const { tz } = ctx;
  const out = [];
  let day = '';
  let ul = null;
  for (const it of items) {
    const d = dayOf(new Date(it.b.start.replace(' ', 'T')), tz);
    if (d !== day) {
      day = d;
      ul = h('ul', { class: 'items' });
      out.push(h('h2', { text: fmt(it.b.start, tz, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }) }), ul);
    }
    ul.append(item(it, ctx));
  }
  return out;
}

function item({ b, lead }, ctx) {
  const { tz, edit, reload } = ctx;
  const time = fmt(b.start, tz, { timeStyle: 'short' }) + '–' + fmt(b.end, tz, { timeStyle: 'short' });
  const conv = b.conversation || lead?.conversation;
  const li = h('li', { class: 'item', 'data-id': b.id },
    h('div', { class: 'line' }, h('strong', { text: time + ' · ' + b.service }),
      h('span', { class: 'badge bk-' + b.status, text: t('booking.' + b.status) }),
      h('span', { class: 'badge', text: t('bookings.src.' + b.source) })),
    h('p', null, lead ? h('a', { href: '#/leads?lead=' + lead.id, text: lead.name || t('bookings.noName') }) : h('span', { class: 'muted', text: t('bookings.noLead') }),
      conv ? [' · ', h('a', { href: '#/conversation/' + conv, text: t('leads.conversation') })] : null));
  if (!edit || b.status !== 'confirmed') return li;
  const actions = h('div', { class: 'actions' },
    h('button', { type: 'button', text: t('bookings.move'), onclick: () => {
      actions.hidden = true;
      li.append(moveForm(b, ctx, () => { actions.hidden = false; actions.querySelector('button').focus(); }));
      li.querySelector('form select, form input')?.focus();
    } }),
    h('button', { type: 'button', class: 'danger', text: t('bookings.cancel'), onclick: async () => {
      if (!confirm(t('bookings.confirmCancel', b.service, fmt(b.start, tz, { dateStyle: 'full', timeStyle: 'short' })))) return;
      try {
        await pb.collection('bookings').update(b.id, { status: 'cancelled' });
        toast(t('bookings.cancelDone'));
        reload();
      } catch (err) {
        fail(err);
      }
    } }));
  li.append(actions);
  return li;
}

// newForm books a visit: a service, a day, a free time or any other, and the visitor.
function newForm(biz, tz, services, done) {
  // Services with a duration: the server sets the end from it.
  const timed = services.filter((s) => s.duration_min > 0);
  const service = h('select', { name: 'service', required: true }, timed.map((s) => h('option', { value: s.name, text: s.name })));
  const when = picker(biz, tz, () => service.value);
  service.addEventListener('change', when.refresh);
  const name = h('input', { name: 'name', required: true, maxlength: 200, autocomplete: 'off' });
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'off' });
  const phone = h('input', { name: 'phone', type: 'tel', autocomplete: 'off' });
  const sms = h('input', { name: 'sms_consent', type: 'checkbox' });
  const err = h('p', { class: 'error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary', text: t('bookings.book') });
  const form = h('form', { class: 'card', 'aria-labelledby': 'new-booking-h', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    err.hidden = true;
    const start = when.value();
    if (!start) return showError(err, t('bookings.needTime'));
    if (!name.value.trim() || !(email.value.trim() || phone.value.trim())) return showError(err, t('bookings.needVisitor'));
    submit.disabled = true;
    try {
      await pb.collection('bookings').create({ business: biz.id, service: service.value, start, source: 'staff',
        name: name.value.trim(), email: email.value.trim(), phone: phone.value.trim(), sms_consent: sms.checked });
      toast(t('bookings.booked'));
      // The visitor's details go; the service and day stay, for the next booking.
      for (const el of [name, email, phone]) el.value = '';
      sms.checked = false;
      when.clear();
      done();
    } catch (e2) {
      showError(err, bookingError(e2));
      when.refresh();
    } finally {
      submit.disabled = false;
    }
  } }, h('h2', { id: 'new-booking-h', text: t('bookings.new') }),
  timed.length ? null : h('p', { class: 'muted', text: t('bookings.noServices') }),
  h('div', { class: 'grid2' }, field(t('leads.service'), service), when.el),
  h('div', { class: 'grid2' }, field(t('leads.name'), name), field(t('leads.email'), email), field(t('leads.phone'), phone)),
  field(t('bookings.sms'), sms), err, submit);
  when.refresh();
  return form;
}

// moveForm gives booking b a new start; the server moves its end with it.
function moveForm(b, { biz, tz, reload }, close) {
  const when = picker(biz, tz, () => b.service, dayOf(new Date(b.start.replace(' ', 'T')), tz));
  const err = h('p', { class: 'error', role: 'alert', hidden: true });
  const form = h('form', { class: 'move', 'aria-label': t('bookings.move'), novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    err.hidden = true;
    const start = when.value();
    if (!start) return showError(err, t('bookings.needTime'));
    try {
      await pb.collection('bookings').update(b.id, { start });
      toast(t('bookings.moved'));
      reload();
    } catch (e2) {
      showError(err, bookingError(e2));
      when.refresh();
    }
  } }, h('div', { class: 'grid2' }, when.el), err,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: t('bookings.moveTo') }),
    h('button', { type: 'button', text: t('cancel'), onclick: () => { form.remove(); close(); } })));
  when.refresh();
  return form;
}

// picker chooses a start: a day, then one of the free times the widget would offer for
// the service, or any other time typed in (the practice's time zone either way).
function picker(biz, tz, service, day = dayOf(new Date(), tz)) {
  const date = h('input', { type: 'date', name: 'day', required: true, value: day });
  const slot = h('select', { name: 'slot' });
  const other = h('input', { type: 'time', name: 'time', step: 300 });
  let asked = 0;
  const refresh = async () => {
    const n = ++asked;
    slot.replaceChildren(h('option', { value: '', text: t('bookings.loading') }));
    let slots = [];
    if (biz.booking_enabled && date.value && service()) {
      const q = new URLSearchParams({ service: service(), from: date.value, days: '1' });
      try {
        const res = await fetch('/api/widget/' + encodeURIComponent(biz.slug) + '/slots?' + q);
        if (res.ok) slots = (await res.json()).slots || [];
      } catch { /* no free times shown: a time can still be typed */ }
    }
    if (n !== asked) return;
    slot.replaceChildren(h('option', { value: '', text: t(slots.length ? 'bookings.pick' : 'bookings.noSlots') }),
      ...slots.map((s) => h('option', { value: s.start, text: s.start.slice(11, 16) })));
  };
  date.addEventListener('change', refresh);
  return {
    el: [field(t('bookings.day'), date, t('bookings.tz', tz)), field(t('bookings.free'), slot), field(t('bookings.other'), other, t('bookings.otherHelp'))],
    refresh,
    clear: () => { other.value = ''; refresh(); },
    /** value is the chosen start as an ISO instant, or ''. */
    value: () => {
      if (other.value && date.value) return toInstant(date.value, other.value, tz).toISOString();
      return slot.value ? new Date(slot.value).toISOString() : '';
    },
  };
}

function showError(el, text) {
  el.textContent = text;
  el.hidden = false;
}

const LABELS = { name: 'leads.name', email: 'leads.email', phone: 'leads.phone', service: 'leads.service', start: 'bookings.time', end: 'bookings.end' };

// bookingError is a failed booking write in words: a full time, or what is wrong with
// each field, or the general message.
function bookingError(err) {
  const data = err?.response?.data || {};
  if (data.start?.code === 'slot_taken') return t('bookings.taken');
  const fields = Object.entries(data).filter(([, v]) => v?.message);
  if (fields.length) return fields.map(([k, v]) => (LABELS[k] ? t(LABELS[k]) : k) + ': ' + v.message).join(' ');
  return errorText(err);
}

// ---- the practice's time zone ---------------------------------------------

function fmt(iso, tz, opts) {
  return new Date(iso.replace(' ', 'T')).toLocaleString(lang(), { ...opts, timeZone: tz });
}

/** dayOf is the practice's date (YYYY-MM-DD) at instant d. */
const dayOf = (d, tz) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);

/** offset is how far tz is ahead of UTC at instant ms, in ms. */
function offset(ms, tz) {
  const p = {};
  for (const x of new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(ms)) p[x.type] = Number(x.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - Math.floor(ms / 60000) * 60000;
}

/** toInstant is the instant the practice's clocks show time (HH:MM) on day. */
function toInstant(day, time, tz) {
  const [y, m, d] = day.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  let ms = wall - offset(wall, tz);
  ms = wall - offset(ms, tz); // again, in case the first guess crossed a DST change
  return new Date(ms);
}
