// Leads: the contact details visitors left, with a pipeline status and notes, the
// conversation one click away, and for owners the CSV export over a date range.
import { pb, h, t, field, heading, fail, toast, canEdit, isOwner, route, quote, fmtDate, download } from '../app.js';

const STATUSES = ['new', 'contacted', 'booked', 'closed'];
const PER_PAGE = 25;

export default async function leads(main, view) {
  const q = route().query;
  const state = { status: q.get('status') || '', q: q.get('q') || '', lead: q.get('lead') || '', page: Number(q.get('page')) || 1 };
  const statusIn = h('select', { name: 'status' }, h('option', { value: '', text: t('leads.all') }),
    STATUSES.map((s) => h('option', { value: s, text: t('lead.' + s), selected: s === state.status })));
  const searchIn = h('input', { type: 'search', name: 'q', value: state.q });
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (statusIn.value) p.set('status', statusIn.value);
    if (searchIn.value.trim()) p.set('q', searchIn.value.trim());
    location.hash = '#/leads' + (p.size ? '?' + p : '');
  } }, field(t('leads.status'), statusIn), field(t('inbox.search'), searchIn), h('button', { type: 'submit', text: t('inbox.apply') }));
  statusIn.addEventListener('change', () => form.requestSubmit());
  const list = h('ul', { class: 'items', 'aria-label': t('page.leads') });
  const summary = h('p', { class: 'muted', 'aria-live': 'polite' });
  const pager = h('nav', { class: 'pager', 'aria-label': t('pager') });
  main.append(heading(t('page.leads')), isOwner() ? exportForm() : null, form, summary, list, pager);

  const load = async () => {
    const f = [];
    if (state.status) f.push('status = ' + quote(state.status));
    if (state.lead) f.push('id = ' + quote(state.lead));
    if (state.q) f.push(['name', 'email', 'phone', 'service'].map((k) => k + ' ~ ' + quote(state.q)).join(' || '));
    let res;
    try {
      res = await pb.collection('leads').getList(state.page, PER_PAGE, { filter: f.map((x) => '(' + x + ')').join(' && '), sort: '-created' });
    } catch (err) {
      return fail(err);
    }
    if (!view.current()) return;
    list.replaceChildren(...res.items.map(renderLead));
    if (!res.items.length) list.append(h('li', { class: 'empty', text: t('leads.empty') }));
    summary.textContent = t('leads.total', res.totalItems);
    const pages = Math.max(1, res.totalPages);
    const to = (p) => { const u = new URLSearchParams(route().query); u.set('page', p); return '#/leads?' + u; };
    pager.replaceChildren(h('div', { class: 'actions' },
      state.page > 1 ? h('a', { href: to(state.page - 1), text: t('pager.prev') }) : null,
      h('span', { text: t('pager.of', state.page, pages) }),
      state.page < pages ? h('a', { href: to(state.page + 1), text: t('pager.next') }) : null));
  };
  let timer = 0;
  const onLead = () => { clearTimeout(timer); timer = setTimeout(load, 200); };
  window.addEventListener('fd:leads', onLead);
  view.onLeave(() => { window.removeEventListener('fd:leads', onLead); clearTimeout(timer); });
  await load();
}

function renderLead(lead) {
  const edit = canEdit();
  const statusIn = h('select', { name: 'status', disabled: !edit },
    STATUSES.map((s) => h('option', { value: s, text: t('lead.' + s), selected: s === (lead.status || 'new') })));
  statusIn.addEventListener('change', async () => {
    try {
      await pb.collection('leads').update(lead.id, { status: statusIn.value });
      toast(t('saved'));
    } catch (err) {
      fail(err);
    }
  });
  let notes = null;
  // Notes exist once the server's leads carry them.
  if ('notes' in lead) {
    const notesIn = h('textarea', { name: 'notes', rows: 2, maxlength: 5000, readonly: !edit, value: lead.notes || '' });
    notes = h('form', { onsubmit: async (e) => {
      e.preventDefault();
      try {
        await pb.collection('leads').update(lead.id, { notes: notesIn.value });
        toast(t('saved'));
      } catch (err) {
        fail(err);
      }
    } }, field(t('leads.notes'), notesIn), edit ? h('button', { type: 'submit', text: t('save') }) : null);
  }
  return h('li', { class: 'item', 'data-id': lead.id },
    h('div', { class: 'line' }, h('strong', { text: lead.name }),
      lead.possible_duplicate ? h('span', { class: 'badge', text: t('leads.duplicate') }) : null,
      h('span', { class: 'time', text: fmtDate(lead.created) })),
    h('dl', { class: 'facts' },
      h('dt', { text: t('leads.email') }), h('dd', null, lead.email ? h('a', { href: 'mailto:' + lead.email, text: lead.email }) : '–'),
      h('dt', { text: t('leads.phone') }), h('dd', null, lead.phone ? h('a', { href: 'tel:' + lead.phone, text: lead.phone }) : '–'),
      h('dt', { text: t('leads.service') }), h('dd', { text: lead.service || '–' })),
    field(t('leads.status'), statusIn),
    notes,
    lead.conversation ? h('a', { href: '#/conversation/' + lead.conversation, text: t('leads.conversation') }) : null);
}

// exportForm downloads the leads as CSV, optionally within a date range (owners only).
function exportForm() {
  const fromIn = h('input', { type: 'date', name: 'from' });
  const toIn = h('input', { type: 'date', name: 'to' });
  const button = h('button', { type: 'submit', class: 'primary', text: t('leads.export') });
  return h('form', { class: 'card', 'aria-label': t('leads.exportTitle'), onsubmit: async (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (fromIn.value) p.set('from', fromIn.value);
    if (toIn.value) p.set('to', toIn.value);
    button.disabled = true;
    try {
      await download('/leads.csv' + (p.size ? '?' + p : ''), 'leads.csv');
    } catch (err) {
      fail(err);
    } finally {
      button.disabled = false;
    }
  } }, h('div', { class: 'filters' }, field(t('leads.from'), fromIn), field(t('leads.to'), toIn), button));
}
