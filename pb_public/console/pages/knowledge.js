// Knowledge: the FAQs, the documents (upload with progress, indexing status live) and
// the questions the assistant could not answer, each turned into an FAQ in one step.
import { pb, h, t, field, heading, fail, toast, api, canEdit, isOwner, me, route, fmtDate, errorText, deleteButton, recordForm } from '../app.js';

const TABS = ['faqs', 'documents', 'gaps'];

export default async function knowledge(main, view) {
  const tab = TABS.includes(route().query.get('tab')) ? route().query.get('tab') : 'faqs';
  main.append(heading(t('page.knowledge')),
    h('nav', { class: 'tabs', 'aria-label': t('page.knowledge') }, TABS.map((k) =>
      h('a', { href: '#/knowledge?tab=' + k, class: 'button', 'aria-current': k === tab ? 'page' : null, text: t('knowledge.' + k) }))));
  const section = h('section', { 'aria-label': t('knowledge.' + tab) });
  main.append(section);
  await { faqs, documents, gaps }[tab](section, view);
}

async function faqs(section, view) {
  const list = h('ul', { class: 'items' });
  const load = async () => {
    const items = await pb.collection('faqs').getFullList({ sort: 'question' });
    if (!view.current()) return;
    list.replaceChildren(...items.map((f) => faqItem(f, load)));
    if (!items.length) list.append(h('li', { class: 'empty', text: t('knowledge.noFaqs') }));
  };
  if (canEdit()) section.append(faqForm(null, load));
  section.append(list);
  await load();
}

function faqItem(f, reload) {
  const li = h('li', { class: 'item' });
  const show = () => li.replaceChildren(
    h('h3', { text: f.question }), h('p', { class: 'text', text: f.answer }),
    h('div', { class: 'actions' },
      canEdit() ? h('button', { type: 'button', text: t('edit'), 'aria-label': t('edit') + ': ' + f.question, onclick: () => li.replaceChildren(faqForm(f, reload, show)) }) : null,
      isOwner() ? deleteButton('faqs', f.id, reload, f.question) : null));
  show();
  return li;
}

// faqForm adds an FAQ, or edits f.
const faqForm = (f, saved, cancel) => recordForm('faqs', f, h('h2', { text: t('knowledge.addFaq') }), [
  [t('knowledge.question'), h('input', { type: 'text', name: 'question', required: true, maxlength: 500, value: f?.question || '' })],
  [t('knowledge.answer'), h('textarea', { name: 'answer', rows: 3, required: true, maxlength: 5000, value: f?.answer || '' })],
], saved, cancel);

async function documents(section, view) {
  const list = h('ul', { class: 'items' });
  const load = async () => {
    const items = await pb.collection('documents').getFullList({ sort: '-created' });
    if (!view.current()) return;
    list.replaceChildren(...items.map((d) => h('li', { class: 'item', 'data-id': d.id },
      h('div', { class: 'line' }, h('strong', { text: d.title || d.file || d.url }),
        h('span', { class: 'badge doc-' + (d.status || 'queued'), text: t('knowledge.doc.' + (d.status || '')) })),
      d.url ? h('p', null, h('a', { href: d.url, rel: 'noopener noreferrer', target: '_blank', text: d.url })) : null,
      d.file && d.title ? h('p', { class: 'muted', text: d.file }) : null,
      d.error ? h('p', { class: 'error', text: d.error }) : null,
      h('p', { class: 'muted' }, fmtDate(d.created), d.chunks ? ' · ' + t('knowledge.chunks', d.chunks) : ''),
      isOwner() ? deleteButton('documents', d.id, load, d.title || d.file || d.url) : null)));
    if (!items.length) list.append(h('li', { class: 'empty', text: t('knowledge.noDocs') }));
  };
  if (canEdit()) section.append(uploadForm(load));
  section.append(list);
  let timer = 0;
  const onDoc = () => { clearTimeout(timer); timer = setTimeout(load, 150); };
  window.addEventListener('fd:documents', onDoc);
  view.onLeave(() => { window.removeEventListener('fd:documents', onDoc); clearTimeout(timer); });
  await load();
}

// uploadForm adds a document from a file (sent with progress) or a web address.
function uploadForm(done) {
  const titleIn = h('input', { type: 'text', name: 'title', maxlength: 300 });
  const fileIn = h('input', { type: 'file', name: 'file', accept: '.pdf,.txt,.md,.html,.htm,application/pdf,text/plain,text/markdown,text/html' });
  const urlIn = h('input', { type: 'url', name: 'url', placeholder: 'https://' });
  const progress = h('progress', { max: 100, value: 0, hidden: true });
  const status = h('p', { role: 'status', class: 'muted' });
  const button = h('button', { type: 'submit', class: 'primary', text: t('knowledge.upload') });
  const form = h('form', { class: 'card', onsubmit: async (e) => {
    e.preventDefault();
    const file = fileIn.files[0];
    if (!file && !urlIn.value.trim()) return (status.textContent = t('knowledge.needSource'));
    const data = new FormData();
    data.append('business', me().business);
    data.append('title', titleIn.value.trim() || file?.name || '');
    if (file) data.append('file', file);
    else data.append('url', urlIn.value.trim());
    button.disabled = true;
    progress.hidden = false;
    try {
      await send(data, (pct) => {
        progress.value = pct;
        status.textContent = t('knowledge.uploading', pct);
      });
      form.reset();
      status.textContent = t('saved');
      done();
    } catch (err) {
      status.textContent = errorText(err);
    } finally {
      button.disabled = false;
      progress.hidden = true;
    }
  } }, h('h2', { text: t('knowledge.addDoc') }),
  field(t('knowledge.title'), titleIn), field(t('knowledge.file'), fileIn), field(t('knowledge.url'), urlIn),
  progress, status, button);
  return form;
}

// send creates the document record with XMLHttpRequest, whose upload reports progress
// (fetch does not).
function send(data, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/collections/documents/records');
    xhr.setRequestHeader('Authorization', pb.authStore.token);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status < 300) resolve(body);
      else reject(Object.assign(new Error(body.message || xhr.statusText), { status: xhr.status, response: body }));
    };
    xhr.onerror = () => reject(Object.assign(new Error(t('err.network')), { status: 0 }));
    xhr.send(data);
  });
}

async function gaps(section, view) {
  const list = h('ul', { class: 'items' });
  const load = async () => {
    const items = await pb.collection('knowledge_gaps').getFullList({ filter: 'resolved = false', sort: '-count,-last_asked' });
    if (!view.current()) return;
    list.replaceChildren(...items.map((g) => gapItem(g, load)));
    if (!items.length) list.append(h('li', { class: 'empty', text: t('knowledge.noGaps') }));
  };
  section.append(h('p', { class: 'muted', text: t('knowledge.answerHelp') }), list);
  await load();
}

function gapItem(g, reload) {
  const li = h('li', { class: 'item', 'data-id': g.id });
  const show = () => li.replaceChildren(
    h('div', { class: 'line' }, h('strong', { text: g.question }), h('span', { class: 'time', text: t('knowledge.asked', g.count || 1) })),
    canEdit() ? h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', text: t('knowledge.answerThis'), 'aria-label': t('knowledge.answerThis') + ': ' + g.question, onclick: () => answer() }),
      h('button', { type: 'button', text: t('knowledge.dismiss'), 'aria-label': t('knowledge.dismiss') + ': ' + g.question, onclick: async () => {
        try {
          await pb.collection('knowledge_gaps').update(g.id, { resolved: true });
          reload();
        } catch (err) {
          fail(err);
        }
      } })) : null);
  const answer = () => {
    const qIn = h('input', { type: 'text', name: 'question', required: true, maxlength: 500, value: g.question });
    const aIn = h('textarea', { name: 'answer', rows: 3, required: true, maxlength: 5000 });
    li.replaceChildren(h('form', { onsubmit: async (e) => {
      e.preventDefault();
      if (!aIn.value.trim()) return aIn.focus();
      try {
        await answerGap(g, qIn.value.trim(), aIn.value.trim());
        toast(t('knowledge.answered'));
        reload();
      } catch (err) {
        fail(err);
      }
    } }, field(t('knowledge.question'), qIn), field(t('knowledge.answer'), aIn),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: t('save') }),
      h('button', { type: 'button', text: t('cancel'), onclick: show }))));
    aIn.focus();
  };
  show();
  return li;
}

// answerGap turns a gap into an FAQ in one step on the server (the gap is resolved).
const answerGap = (g, question, answer) =>
  api('/gaps/' + encodeURIComponent(g.id) + '/answer', { method: 'POST', body: { answer, question } });
