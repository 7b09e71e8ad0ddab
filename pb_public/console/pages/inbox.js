// The inbox: the practice's conversations, visitors waiting for a person first, then the
// newest activity; filters, search and paging; live through the realtime subscription.
import { h, t, api, field, heading, fail, route, fmtDate, fmtDuration, since, statusBadge } from '../app.js';

const PER_PAGE = 25;

export default async function inbox(main, view) {
  const q = route().query;
  const state = {
    filter: q.get('filter') || 'all', q: q.get('q') || '', from: q.get('from') || '', to: q.get('to') || '',
    page: Number(q.get('page')) || 1,
  };
  const filterIn = h('select', { name: 'filter' },
    ['all', 'needs_human', 'has_lead'].map((f) => h('option', { value: f, text: t('inbox.f.' + f), selected: f === state.filter })));
  const searchIn = h('input', { type: 'search', name: 'q', value: state.q, placeholder: t('inbox.searchPh') });
  const fromIn = h('input', { type: 'date', name: 'from', value: state.from });
  const toIn = h('input', { type: 'date', name: 'to', value: state.to });
  const list = h('ul', { class: 'rows', 'aria-label': t('page.inbox') });
  const pager = h('nav', { class: 'pager', 'aria-label': t('pager') });
  const summary = h('p', { class: 'muted', 'aria-live': 'polite' });
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const [k, el] of [['filter', filterIn], ['q', searchIn], ['from', fromIn], ['to', toIn]]) {
      if (el.value && !(k === 'filter' && el.value === 'all')) p.set(k, el.value.trim());
    }
    location.hash = '#/inbox' + (p.size ? '?' + p : '');
  } }, field(t('inbox.show'), filterIn), field(t('inbox.search'), searchIn), field(t('inbox.from'), fromIn), field(t('inbox.to'), toIn),
  h('button', { type: 'submit', text: t('inbox.apply') }));
  filterIn.addEventListener('change', () => form.requestSubmit());
  main.append(heading(t('page.inbox')), form, summary, list, pager);

  const rows = new Map();
  let reloadTimer = 0;
  const load = async () => {
    let res;
    try {
      res = await fetchInbox(state);
    } catch (err) {
      return fail(err);
    }
    if (!view.current()) return;
    rows.clear();
    list.replaceChildren(...res.items.map((c) => {
      const row = renderRow(c);
      rows.set(c.id, { row, item: c });
      return row;
    }));
    if (!res.items.length) list.append(h('li', { class: 'empty', text: t('inbox.empty') }));
    summary.textContent = t('inbox.total', res.totalItems);
    renderPager(pager, state, res);
  };
  const reloadSoon = () => {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(load, 150);
  };
  view.onLeave(() => clearTimeout(reloadTimer));

  // Live, from the realtime records themselves, at once: a known row is updated and
  // moved to its place; a new conversation is added when the first page shows every new
  // one (no search, end date or lead filter could leave it out). Anything else (activity
  // in a conversation beyond this page) reloads the page.
  const showsNew = () => state.page === 1 && !state.q && !state.to && state.filter !== 'has_lead';
  const place = (item) => {
    const old = rows.get(item.id)?.row;
    const row = renderRow(item);
    rows.set(item.id, { row, item });
    list.querySelector('.empty')?.remove();
    if (old && state.page !== 1) return old.replaceWith(row);
    old?.remove();
    const next = [...list.children].find((li) => rows.get(li.dataset.id) && before(item, rows.get(li.dataset.id).item));
    list.insertBefore(row, next || null);
  };
  const onConversation = (e) => {
    const { action, record } = e.detail;
    const known = rows.get(record.id);
    if (action === 'delete') {
      known?.row.remove();
      rows.delete(record.id);
      return;
    }
    if (!known) {
      if (action === 'create' && showsNew() && (state.filter === 'all' || record.status === state.filter)) {
        place({ ...pick(record), id: record.id, created: record.created, preview: '', lead: null });
      } else {
        reloadSoon();
      }
      return;
    }
    Object.assign(known.item, pick(record));
    if (state.filter === 'needs_human' && record.status !== 'needs_human') return reloadSoon();
    place(known.item);
  };
  const onMessage = (e) => {
    const { action, record } = e.detail;
    if (action !== 'create') return;
    const known = rows.get(record.conversation);
    if (!known) return reloadSoon();
    known.item.preview = record.text;
    known.item.last_message_at = record.created;
    // message_count counts the visitor's messages (models.Conversation), as the server does.
    if (record.role === 'visitor') known.item.message_count = (known.item.message_count || 0) + 1;
    place(known.item);
  };
  window.addEventListener('fd:conversations', onConversation);
  window.addEventListener('fd:messages', onMessage);
  window.addEventListener('fd:reconnect', reloadSoon);
  view.onLeave(() => {
    window.removeEventListener('fd:conversations', onConversation);
    window.removeEventListener('fd:messages', onMessage);
    window.removeEventListener('fd:reconnect', reloadSoon);
  });
  // The time a visitor has waited keeps counting while the page is open.
  const tick = setInterval(() => {
    for (const r of rows.values()) {
      const w = r.row.querySelector('.waited');
      if (w) w.textContent = t('inbox.waited', fmtDuration(since(r.item.needs_human_at || r.item.last_message_at)));
    }
  }, 30000);
  view.onLeave(() => clearInterval(tick));
  await load();
}

// before is the inbox's order, as the server sorts it: visitors waiting for a person
// first, the longest waiting first; then the newest activity.
function before(a, b) {
  const wa = a.status === 'needs_human', wb = b.status === 'needs_human';
  if (wa !== wb) return wa;
  if (wa) return (a.needs_human_at || a.updated || '') < (b.needs_human_at || b.updated || '');
  return (a.last_message_at || a.created || '') > (b.last_message_at || b.created || '');
}

const pick = ({ status, assigned_to, needs_human_at, last_message_at, message_count, health_flagged, updated }) =>
  ({ status, assigned_to, needs_human_at, last_message_at, message_count, health_flagged, updated });

function renderRow(c) {
  const waiting = c.status === 'needs_human';
  return h('li', { class: 'row' + (waiting ? ' waiting' : ''), 'data-id': c.id, 'data-status': c.status },
    h('a', { href: '#/conversation/' + c.id, class: 'rowlink' },
      h('span', { class: 'line' },
        statusBadge(c.status),
        c.lead ? h('span', { class: 'badge lead', text: t('inbox.lead', c.lead.name) }) : null,
        c.has_booking ? h('span', { class: 'badge booking', text: t('inbox.booking') }) : null,
        c.health_flagged ? h('span', { class: 'badge health', text: t('inbox.health') }) : null,
        h('span', { class: 'time', text: fmtDate(c.last_message_at || c.created) })),
      h('span', { class: 'preview', text: c.preview || t('inbox.noPreview') }),
      waiting ? h('span', { class: 'waited', text: t('inbox.waited', fmtDuration(since(c.needs_human_at || c.last_message_at))) }) : null,
      h('span', { class: 'sr', text: t('inbox.messages', c.message_count || 0) })));
}

function renderPager(pager, state, res) {
  const pages = Math.max(1, Math.ceil(res.totalItems / res.perPage));
  const to = (p) => {
    const q = new URLSearchParams(route().query);
    q.set('page', p);
    return '#/inbox?' + q;
  };
  pager.replaceChildren(h('div', { class: 'actions' },
    state.page > 1 ? h('a', { href: to(state.page - 1), text: t('pager.prev') }) : null,
    h('span', { text: t('pager.of', state.page, pages) }),
    state.page < pages ? h('a', { href: to(state.page + 1), text: t('pager.next') }) : null));
}

async function fetchInbox(s) {
  const p = new URLSearchParams({ filter: s.filter, page: s.page, perPage: PER_PAGE });
  for (const k of ['q', 'from', 'to']) if (s[k]) p.set(k, s[k]);
  return api('/inbox?' + p);
}
