// One conversation: its messages live, the visitor's lead and booking, and for admins
// and owners the takeover (status human: the assistant stays silent), hand-back, close,
// and the reply box. Viewers read only.
import { pb, h, t, field, heading, fail, toast, canEdit, quote, fmtDate, statusBadge, staffNames } from '../app.js';

export default async function conversation(main, view) {
  const id = view.params[0];
  const [conv, messages, names] = await Promise.all([
    pb.collection('conversations').getOne(id),
    pb.collection('messages').getFullList({ filter: 'conversation = ' + quote(id), sort: 'created,id' }),
    staffNames(),
  ]);
  if (!view.current()) return;
  const status = h('span');
  const assigned = h('span', { class: 'muted' });
  const actions = h('div', { class: 'actions' });
  const log = h('ol', { class: 'log', 'aria-label': t('conv.messages'), 'aria-live': 'polite', 'aria-relevant': 'additions' });
  const side = h('aside', { class: 'side', 'aria-label': t('conv.about') });
  const seen = new Set();
  const add = (m) => {
    if (seen.has(m.id)) return;
    seen.add(m.id);
    log.append(renderMessage(m, names));
  };
  messages.forEach(add);

  let reply = null;
  if (canEdit()) reply = replyBox(conv, () => conv.status);
  main.append(
    heading(t('conv.title'), h('a', { href: '#/inbox', class: 'back', text: t('conv.back') })),
    h('div', { class: 'convbar' }, status, assigned, actions),
    h('div', { class: 'conv' }, h('section', { class: 'thread' }, log, reply), side));

  const show = () => {
    status.replaceChildren(statusBadge(conv.status));
    const holder = conv.assigned_to ? names.get(conv.assigned_to) || t('conv.someone') : '';
    assigned.textContent = conv.status === 'human' && holder ? t('conv.heldBy', holder) : '';
    actions.replaceChildren(...(canEdit() ? statusActions(conv) : []));
  };
  show();
  sideInfo(side, conv);
  scrollDown(log);

  const onMessage = (e) => {
    const { action, record } = e.detail;
    if (action === 'create' && record.conversation === id) {
      const near = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
      add(record);
      if (near || record.role === 'staff') scrollDown(log);
    }
  };
  const onConversation = (e) => {
    const { action, record } = e.detail;
    if (record.id !== id) return;
    if (action === 'delete') return toast(t('conv.deleted'), 'error');
    Object.assign(conv, record);
    show();
  };
  window.addEventListener('fd:messages', onMessage);
  window.addEventListener('fd:conversations', onConversation);
  view.onLeave(() => {
    window.removeEventListener('fd:messages', onMessage);
    window.removeEventListener('fd:conversations', onConversation);
  });
}

const scrollDown = (log) => { log.scrollTop = log.scrollHeight; };

function renderMessage(m, names) {
  const who = m.role === 'staff' ? (names.get(m.author) || t('role.staff')) : t('msg.' + m.role);
  return h('li', { class: 'm ' + m.role, 'data-id': m.id },
    h('span', { class: 'who' }, who, ' · ', h('time', { datetime: m.created, text: fmtDate(m.created) })),
    h('p', { class: 'text', text: m.text }));
}

// setStatus changes the conversation's status: human takes it over (the server records
// who), open hands it back to the assistant, closed ends it.
export async function setStatus(conv, status) {
  const updated = await pb.collection('conversations').update(conv.id, { status });
  Object.assign(conv, updated);
  return updated;
}

function statusActions(conv) {
  const act = (label, status, cls = '') => h('button', { type: 'button', class: cls, text: label, onclick: async (e) => {
    e.target.disabled = true;
    try {
      await setStatus(conv, status);
      toast(t('conv.now.' + status));
    } catch (err) {
      fail(err);
    } finally {
      e.target.disabled = false;
    }
  } });
  const out = [];
  if (conv.status === 'open' || conv.status === 'needs_human') out.push(act(t('conv.takeOver'), 'human', 'primary'));
  if (conv.status === 'human') out.push(act(t('conv.handBack'), 'open'));
  if (conv.status !== 'closed') out.push(act(t('conv.close'), 'closed'));
  else out.push(act(t('conv.reopen'), 'open'));
  return out;
}

function replyBox(conv, currentStatus) {
  const text = h('textarea', { name: 'reply', rows: 3, maxlength: 4000, required: true });
  const send = h('button', { type: 'submit', class: 'primary', text: t('conv.send') });
  const hint = t('conv.replyHelp');
  const form = h('form', { class: 'reply', onsubmit: async (e) => {
    e.preventDefault();
    const body = text.value.trim();
    if (!body) return text.focus();
    send.disabled = true;
    try {
      // Writing to a visitor takes the conversation over first, so the assistant
      // doesn't answer beside the person.
      if (currentStatus() !== 'human') await setStatus(conv, 'human');
      await pb.collection('messages').create({ conversation: conv.id, business: conv.business, role: 'staff', text: body });
      text.value = '';
    } catch (err) {
      fail(err);
    } finally {
      send.disabled = false;
      text.focus();
    }
  } }, field(t('conv.reply'), text, hint), send);
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  return form;
}

async function sideInfo(side, conv) {
  const rows = [
    [t('conv.started'), fmtDate(conv.created)],
    [t('conv.page'), conv.page_url || '–'],
    [t('conv.locale'), conv.locale || '–'],
    [t('conv.count'), String(conv.message_count || 0)],
  ];
  if (conv.health_flagged) rows.push([t('inbox.health'), t('conv.healthNote')]);
  side.append(h('h2', { text: t('conv.about') }), dl(rows));
  const [leads, bookings] = await Promise.all([
    pb.collection('leads').getList(1, 1, { filter: 'conversation = ' + quote(conv.id) }).catch(() => ({ items: [] })),
    pb.collection('bookings').getList(1, 5, { filter: 'conversation = ' + quote(conv.id), sort: '-start' }).catch(() => ({ items: [] })),
  ]);
  const lead = leads.items[0];
  if (lead) {
    side.append(h('h2', { text: t('conv.lead') }), dl([
      [t('leads.name'), lead.name],
      [t('leads.email'), lead.email ? h('a', { href: 'mailto:' + lead.email, text: lead.email }) : '–'],
      [t('leads.phone'), lead.phone ? h('a', { href: 'tel:' + lead.phone, text: lead.phone }) : '–'],
      [t('leads.service'), lead.service || '–'],
      [t('leads.status'), t('lead.' + (lead.status || 'new'))],
    ]), h('a', { href: '#/leads?lead=' + lead.id, text: t('conv.openLead') }));
  }
  for (const b of bookings.items) {
    side.append(h('h2', { text: t('conv.booking') }), dl([
      [t('leads.service'), b.service],
      [t('conv.when'), fmtDate(b.start)],
      [t('leads.status'), t('booking.' + b.status)],
    ]));
  }
}

function dl(rows) {
  return h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', { text: k }), h('dd', null, v)]));
}
