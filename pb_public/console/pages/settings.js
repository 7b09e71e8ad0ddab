// Practice settings: the profile, chat, opening hours and closures, services, insurance,
// booking, privacy and the model (its key write-only); the widget snippet to copy; the
// connected services' keys; and the owner's data tools (export, erasure, deletion).
// Viewers see the settings read-only.
import { pb, h, t, field, heading, fail, toast, api, download, canEdit, isOwner, me, errorText, deleteButton } from '../app.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const lines = (s) => s.split('\n').map((l) => l.trim()).filter(Boolean);
const asList = (v) => (Array.isArray(v) ? v : []);

export default async function settings(main, view) {
  const biz = await pb.collection('businesses').getOne(me().business);
  if (!view.current()) return;
  main.append(heading(t('page.settings')));
  if (!canEdit()) main.append(h('p', { class: 'muted', text: t('readOnly') }));
  main.append(snippet(biz), profileForm(biz));
  if (canEdit()) main.append(await credentials(), googleCalendar());
  if (isOwner()) main.append(dataZone(biz));
}

function snippet(biz) {
  const code = `<script src="${location.origin}/widget.js" data-business="${biz.slug}" defer></script>`;
  const pre = h('pre', { class: 'snippet', id: 'snippet', text: code });
  return h('section', { class: 'card', 'aria-labelledby': 'snippet-h' },
    h('h2', { id: 'snippet-h', text: t('settings.snippet') }),
    h('p', { class: 'muted', text: t('settings.snippetHelp') }), pre,
    h('button', { type: 'button', text: t('settings.copy'), 'aria-describedby': 'snippet', onclick: async () => {
      try {
        await navigator.clipboard.writeText(code);
        toast(t('settings.copied'));
      } catch {
        getSelection().selectAllChildren(pre);
      }
    } }));
}

// Inputs, by the business field they edit, with how to read and write them.
function profileForm(biz) {
  const inputs = {};
  const text = (name, attrs = {}) => (inputs[name] = h('input', { type: 'text', name, value: biz[name] ?? '', ...attrs }));
  const num = (name) => (inputs[name] = h('input', { type: 'number', name, min: 0, step: 1, inputmode: 'numeric', value: biz[name] || '' }));
  const area = (name, value, rows = 3) => (inputs[name] = h('textarea', { name, rows, value }));
  const check = (name) => (inputs[name] = h('input', { type: 'checkbox', name, checked: !!biz[name] }));

  const hours = biz.hours && typeof biz.hours === 'object' ? biz.hours : {};
  const dayInputs = Object.fromEntries(DAYS.map((d) => [d, h('input', { type: 'text', name: 'hours-' + d, placeholder: '09:00-17:00',
    value: asList(hours[d]).map((iv) => iv.open + '-' + iv.close).join(', ') })]));
  const closures = asList(biz.booking_closures).map((c) => [c.label, c.from, c.to !== c.from ? c.to : '', c.start ? c.start + '-' + (c.end || '') : '']
    .filter(Boolean).join(', ')).join('\n');
  // name | minutes | price | description, the empty fields at the end left out.
  const services = asList(biz.services).map((s) => {
    const f = [s.name, s.duration_min ?? '', s.price || '', s.description || ''];
    while (f.length > 1 && f[f.length - 1] === '') f.pop();
    return f.join(' | ');
  }).join('\n');
  const provider = inputs.llm_provider = h('select', { name: 'llm_provider' },
    h('option', { value: '', text: t('settings.providerDefault') }),
    ['ollama', 'anthropic', 'openai', 'offline'].map((p) => h('option', { value: p, text: p, selected: biz.llm_provider === p })));
  const locale = inputs.locale = h('select', { name: 'locale' }, [['en', 'English'], ['es', 'Español']].map(([v, l]) => h('option', { value: v, text: l, selected: biz.locale === v })));
  const apiKey = h('input', { type: 'password', name: 'llm_api_key', autocomplete: 'off' });
  const color = inputs.brand_color = h('input', { type: 'color', name: 'brand_color', value: biz.brand_color || '#0f766e' });

  const fs = h('fieldset', { disabled: !canEdit(), class: 'plain' },
    h('fieldset', null, h('legend', { text: t('settings.profile') }), h('div', { class: 'grid2' },
      field(t('settings.name'), text('name', { required: true, maxlength: 200 })),
      field(t('settings.phone'), text('phone', { type: 'tel' })),
      field(t('settings.email'), text('email', { type: 'email' })),
      field(t('settings.website'), text('website', { type: 'url' })),
      field(t('settings.address'), text('address')),
      field(t('settings.timezone'), text('timezone', { required: true })),
      field(t('settings.locale'), locale),
      field(t('settings.languages'), area('languages', asList(biz.languages).join('\n'), 2), t('settings.oneLine')))),
    h('fieldset', null, h('legend', { text: t('settings.chat') }),
      field(t('settings.greeting'), area('greeting', biz.greeting || '')),
      field(t('settings.color'), color),
      field(t('settings.origins'), area('allowed_origins', asList(biz.allowed_origins).join('\n')), t('settings.originsHelp'))),
    h('fieldset', null, h('legend', { text: t('settings.hours') }),
      h('p', { class: 'help', text: t('settings.hoursHelp') }),
      h('div', { class: 'hours' }, DAYS.map((d) => [h('label', { for: (dayInputs[d].id = 'hours-' + d), text: dayName(d) }), dayInputs[d]])),
      field(t('settings.closures'), area('booking_closures', closures), t('settings.closuresHelp'))),
    h('fieldset', null, h('legend', { text: t('settings.services') }),
      field(t('settings.services'), area('services', services, 6), t('settings.servicesHelp')),
      field(t('settings.insurance'), area('insurance', asList(biz.insurance).join('\n'), 4), t('settings.oneLine')),
      field(t('settings.synonyms'), area('synonyms', biz.synonyms || '', 4), t('settings.synonymsHelp'))),
    h('fieldset', null, h('legend', { text: t('settings.booking') }),
      field(t('settings.bookingEnabled'), check('booking_enabled')),
      h('div', { class: 'grid2' },
        field(t('settings.capacity'), num('booking_capacity')),
        field(t('settings.buffer'), num('booking_buffer_min')),
        field(t('settings.notice'), num('booking_notice_min')),
        field(t('settings.horizon'), num('booking_horizon_days')))),
    h('fieldset', null, h('legend', { text: t('settings.privacy') }),
      h('div', { class: 'grid2' },
        field(t('settings.retention'), num('retention_days'), t('settings.keepForever')),
        field(t('settings.leadRetention'), num('lead_retention_days'), t('settings.keepForever'))),
      'require_mfa' in biz ? field(t('settings.requireMfa'), check('require_mfa')) : null),
    h('fieldset', null, h('legend', { text: t('settings.model') }), h('div', { class: 'grid2' },
      field(t('settings.provider'), provider),
      field(t('settings.modelName'), text('llm_model')),
      field(t('settings.baseUrl'), text('llm_base_url', { type: 'url' })),
      field(t('settings.apiKey'), apiKey, t('settings.apiKeyHelp')))),
    canEdit() ? h('button', { type: 'submit', class: 'primary', text: t('save') }) : null);

  const form = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    let data;
    try {
      data = collect();
    } catch (err) {
      return toast(err.message, 'error');
    }
    try {
      Object.assign(biz, await pb.collection('businesses').update(biz.id, data));
      apiKey.value = '';
      toast(t('saved'));
    } catch (err) {
      fail(err);
    }
  } }, fs);

  // collect reads the form into the business's fields; unparsable hours or closures
  // throw with a message naming the line.
  function collect() {
    const data = {};
    for (const k of ['name', 'phone', 'email', 'website', 'address', 'timezone', 'greeting', 'llm_model', 'llm_base_url']) data[k] = inputs[k].value.trim();
    data.locale = locale.value;
    data.llm_provider = provider.value;
    data.brand_color = color.value;
    for (const k of ['booking_capacity', 'booking_buffer_min', 'booking_notice_min', 'booking_horizon_days', 'retention_days', 'lead_retention_days']) {
      data[k] = inputs[k].value === '' ? null : Number(inputs[k].value);
    }
    data.booking_enabled = inputs.booking_enabled.checked;
    if (inputs.require_mfa) data.require_mfa = inputs.require_mfa.checked;
    data.languages = lines(inputs.languages.value);
    data.allowed_origins = lines(inputs.allowed_origins.value);
    data.insurance = lines(inputs.insurance.value);
    data.synonyms = inputs.synonyms.value.trim();
    data.hours = {};
    for (const d of DAYS) {
      const parts = dayInputs[d].value.split(',').map((s) => s.trim()).filter(Boolean);
      const ivs = parts.map((p) => /^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/.exec(p));
      if (ivs.some((m) => !m)) throw new Error(t('settings.badHours', dayName(d)));
      if (ivs.length) data.hours[d] = ivs.map((m) => ({ open: m[1].padStart(5, '0'), close: m[2].padStart(5, '0') }));
    }
    const old = new Map(asList(biz.services).map((s) => [s.name, s]));
    data.services = lines(inputs.services.value).map((l) => {
      const [name, minutes, price, ...rest] = l.split('|').map((s) => s.trim());
      const s = { ...(old.get(name) || {}), name, duration_min: Number(minutes) || old.get(name)?.duration_min || 30 };
      const description = rest.join(' | ');
      if (price) s.price = price;
      else delete s.price;
      if (description) s.description = description;
      else delete s.description;
      return s;
    });
    data.booking_closures = lines(inputs.booking_closures.value).map((l, i) => {
      const parts = l.split(',').map((s) => s.trim());
      const dates = parts.filter((p) => /^\d{4}-\d{2}-\d{2}$/.test(p));
      const time = parts.map((p) => /^(\d{2}:\d{2})?\s*-\s*(\d{2}:\d{2})?$/.exec(p)).find(Boolean);
      if (!dates.length) throw new Error(t('settings.badClosure', i + 1));
      const c = { label: parts[0] === dates[0] ? '' : parts[0], from: dates[0], to: dates[1] || dates[0] };
      if (time?.[1]) c.start = time[1];
      if (time?.[2]) c.end = time[2];
      return c;
    });
    if (apiKey.value) data.llm_api_key = apiKey.value;
    return data;
  }
  return form;
}

function dayName(d) {
  // 2024-01-01 was a Monday.
  const date = new Date(Date.UTC(2024, 0, 1 + DAYS.indexOf(d)));
  return date.toLocaleDateString(document.documentElement.lang, { weekday: 'short', timeZone: 'UTC' });
}

// credentials lists the keys of connected services by kind; values are write-only.
async function credentials() {
  const section = h('section', { class: 'card', 'aria-labelledby': 'cred-h' });
  const list = h('ul', { class: 'items' });
  const load = async () => {
    const items = await pb.collection('credentials').getFullList({ sort: 'kind' }).catch((err) => (fail(err), []));
    list.replaceChildren(...items.map((c) => {
      const valueIn = h('textarea', { name: 'value', rows: 2, autocomplete: 'off' });
      return h('li', { class: 'item' }, h('div', { class: 'line' }, h('strong', { text: c.kind }), h('span', { class: 'badge', text: t('settings.storedKey') })),
        h('form', { onsubmit: async (e) => {
          e.preventDefault();
          if (!valueIn.value) return valueIn.focus();
          try {
            await pb.collection('credentials').update(c.id, { value: valueIn.value });
            valueIn.value = '';
            toast(t('saved'));
          } catch (err) {
            fail(err);
          }
        } }, field(t('settings.replace'), valueIn), h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('save') }),
          isOwner() ? deleteButton('credentials', c.id, load, c.kind) : null)));
    }));
    if (!items.length) list.append(h('li', { class: 'empty', text: t('settings.noCredentials') }));
  };
  const kindIn = h('input', { type: 'text', name: 'kind', list: 'kinds', required: true, maxlength: 60 });
  const valueIn = h('textarea', { name: 'value', rows: 3, required: true, autocomplete: 'off' });
  section.append(h('h2', { id: 'cred-h', text: t('settings.credentials') }), h('p', { class: 'muted', text: t('settings.credentialsHelp') }), list,
    h('datalist', { id: 'kinds' }, ['caldav', 'google', 'twilio', 'telnyx', 'anthropic', 'openai'].map((k) => h('option', { value: k }))),
    h('form', { onsubmit: async (e) => {
      e.preventDefault();
      if (!kindIn.value.trim() || !valueIn.value) return;
      try {
        await pb.collection('credentials').create({ business: me().business, kind: kindIn.value.trim(), value: valueIn.value });
        e.target.reset();
        toast(t('saved'));
        load();
      } catch (err) {
        fail(err);
      }
    } }, h('div', { class: 'grid2' }, field(t('settings.kind'), kindIn), field(t('settings.value'), valueIn)), h('button', { type: 'submit', text: t('add') })));
  await load();
  return section;
}

// googleCalendar connects the practice's Google Calendar (Google's consent screen, then
// back to the console) or disconnects it, which revokes the token at Google.
function googleCalendar() {
  const out = h('p', { role: 'status' });
  const go = (path, done) => async () => {
    try {
      const res = await api('/calendar/google/' + path, { method: 'POST' });
      done(res);
    } catch (err) {
      out.textContent = errorText(err);
    }
  };
  return h('section', { class: 'card', 'aria-labelledby': 'gcal-h' },
    h('h2', { id: 'gcal-h', text: t('settings.google') }), h('p', { class: 'muted', text: t('settings.googleHelp') }), out,
    h('div', { class: 'actions' },
      h('button', { type: 'button', text: t('settings.googleConnect'), onclick: go('connect', (res) => { location.href = res.url; }) }),
      h('button', { type: 'button', class: 'danger', text: t('settings.googleDisconnect'), onclick: go('disconnect', () => { out.textContent = t('settings.googleDisconnected'); }) })));
}

// dataZone is the owner's: the whole practice's export, a visitor's erasure, and the
// practice's deletion (confirmed by typing its slug).
function dataZone(biz) {
  const email = h('input', { type: 'email', name: 'erase-email', autocomplete: 'off' });
  const phone = h('input', { type: 'tel', name: 'erase-phone', autocomplete: 'off' });
  const conv = h('input', { type: 'text', name: 'erase-conversation', autocomplete: 'off' });
  const eraseOut = h('p', { role: 'status' });
  const slugIn = h('input', { type: 'text', name: 'confirm-slug', autocomplete: 'off' });
  const exportBtn = h('button', { type: 'button', text: t('settings.export'), onclick: async () => {
    exportBtn.disabled = true;
    try {
      await download('/export', biz.slug + '-export.zip');
    } catch (err) {
      fail(err);
    } finally {
      exportBtn.disabled = false;
    }
  } });
  return h('section', { class: 'card danger-zone', 'aria-labelledby': 'data-h' },
    h('h2', { id: 'data-h', text: t('settings.data') }), exportBtn,
    h('form', { onsubmit: async (e) => {
      e.preventDefault();
      const body = {};
      if (email.value.trim()) body.email = email.value.trim();
      if (phone.value.trim()) body.phone = phone.value.trim();
      if (conv.value.trim()) body.conversation = conv.value.trim();
      if (!Object.keys(body).length) return (eraseOut.textContent = t('settings.needOne'));
      if (!confirm(t('settings.confirmErase'))) return;
      try {
        const res = await api('/erasure', { method: 'POST', body });
        const counts = res && typeof res === 'object' ? Object.entries(res.erased || res).filter(([, v]) => typeof v === 'number').map(([k, v]) => k + ' ' + v).join(', ') : '';
        eraseOut.textContent = t('settings.erased', counts || '0');
        e.target.reset();
      } catch (err) {
        eraseOut.textContent = errorText(err);
      }
    } }, h('h3', { text: t('settings.erasure') }), h('p', { class: 'help', text: t('settings.erasureHelp') }),
    h('div', { class: 'grid2' }, field(t('leads.email'), email), field(t('leads.phone'), phone), field(t('settings.conversationId'), conv)),
    eraseOut, h('button', { type: 'submit', class: 'danger', text: t('settings.erase') })),
    h('form', { onsubmit: async (e) => {
      e.preventDefault();
      if (slugIn.value.trim() !== biz.slug) return toast(t('settings.slugMismatch'), 'error');
      try {
        await api('/practice', { method: 'DELETE', body: { confirm: slugIn.value.trim() } });
        toast(t('settings.deleted'));
        pb.authStore.clear();
        location.hash = '#/login';
      } catch (err) {
        fail(err);
      }
    } }, h('h3', { text: t('settings.deletePractice') }), h('p', { class: 'help', text: t('settings.deleteHelp', biz.slug) }),
    field(t('settings.slug'), slugIn), h('button', { type: 'submit', class: 'danger', text: t('settings.deletePractice') })));
}
