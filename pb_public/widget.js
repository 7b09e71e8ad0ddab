/*! Frontdesk chat widget: <script src="https://HOST/widget.js" data-business="SLUG" defer></script>
 * Optional: data-locale="en|es", data-api="https://HOST" (default: this script's origin).
 * One <frontdesk-chat> element with an open shadow root: the page's CSS and the widget's stay
 * apart. Text a visitor or a model wrote reaches the DOM only by textContent, never as HTML. */
(() => {
  'use strict';
  const script = document.currentScript || document.querySelector('script[data-business][src*="widget.js"]');
  if (!script || !window.customElements || !window.fetch) return;
  const ds = script.dataset;
  const slug = ds.business;
  if (!slug) return console.warn('frontdesk: data-business is missing');
  const api = (ds.api || new URL(script.src, location.href).origin).replace(/\/+$/, '') +
    '/api/widget/' + encodeURIComponent(slug);

  const STRINGS = {
    en: {
      open: 'Open chat', close: 'Close chat', title: 'Chat with {0}', msg: 'Message',
      ph: 'Type your message…', send: 'Send', you: 'You', bot: 'Assistant', staff: 'Team',
      typing: 'Typing…', failed: 'Not sent.', retry: 'Retry', lead: 'Leave your details',
      human: 'Talk to a person', call: 'Call',
      humanOk: 'Thanks. Someone from our team will join you here shortly.',
      callBack: 'Nobody can join right now. Leave your details and we will call you back.',
      joined: '{0} from {1} joined', left: '{0} left; the assistant is back.',
      name: 'Name', email: 'Email', phone: 'Phone', service: 'Service',
      pick: 'Choose a service (optional)', submit: 'Send details', back: 'Back to chat',
      help: 'Your name and an email or phone number, so we can get back to you.',
      thanks: 'Thank you! We will be in touch soon.',
      needName: 'Please enter your name.', needOne: 'Please enter an email or a phone number.',
      badEmail: 'Please enter a valid email address.', badPhone: 'Please enter a valid phone number.',
      invalid_input: 'Please check what you entered and try again.',
      bad_token: 'This conversation has expired. Please send your message again.',
      not_found: 'This chat is not available.',
      too_long: 'That message is too long. Please shorten it.',
      rate_limited: 'Too many messages. Please wait a moment and try again.',
      model_unavailable: 'Our assistant is unavailable right now. Leave your details and we will get back to you.',
      origin_not_allowed: 'Chat is not available on this website.',
      too_many_messages: 'This conversation has reached its limit. Leave your details and we will get back to you.',
      closed: 'This conversation is closed.',
      network: 'Connection problem. Please try again.',
      unknown: 'Something went wrong. Please try again.',
      book: 'Book a visit', day: 'Day', time: 'Time', confirm: 'Confirm booking',
      loading: 'Looking for free times…', noTimes: 'No free times on these days.', later: 'Later dates',
      tzNote: 'Times are in the practice\'s time zone ({0}).', yourTime: 'your time {0}',
      booked: 'Your visit is booked.', manage: 'See, change or cancel your booking',
      bookHelp: 'Choose a time, then your name and an email or phone number for the confirmation.',
      slot_taken: 'Someone just booked that time. Please choose another.',
      slot_unavailable: 'That time can no longer be booked. Please choose another.',
      booking_disabled: 'Online booking is not available right now.',
    },
    es: {
      open: 'Abrir chat', close: 'Cerrar chat', title: 'Chat con {0}', msg: 'Mensaje',
      ph: 'Escriba su mensaje…', send: 'Enviar', you: 'Usted', bot: 'Asistente', staff: 'Equipo',
      typing: 'Escribiendo…', failed: 'No enviado.', retry: 'Reintentar', lead: 'Dejar mis datos',
      human: 'Hablar con una persona', call: 'Llamar',
      humanOk: 'Gracias. Una persona de nuestro equipo se unirá aquí en breve.',
      callBack: 'Ahora no hay nadie disponible. Déjenos sus datos y le llamaremos.',
      joined: '{0} de {1} se ha unido', left: '{0} se ha ido; el asistente vuelve a responder.',
      name: 'Nombre', email: 'Correo electrónico', phone: 'Teléfono', service: 'Servicio',
      pick: 'Elija un servicio (opcional)', submit: 'Enviar datos', back: 'Volver al chat',
      help: 'Su nombre y un correo o teléfono, para poder responderle.',
      thanks: '¡Gracias! Nos pondremos en contacto pronto.',
      needName: 'Escriba su nombre.', needOne: 'Escriba un correo electrónico o un teléfono.',
      badEmail: 'Escriba un correo electrónico válido.', badPhone: 'Escriba un número de teléfono válido.',
      invalid_input: 'Revise lo que escribió e inténtelo de nuevo.',
      bad_token: 'Esta conversación ha caducado. Envíe su mensaje de nuevo.',
      not_found: 'Este chat no está disponible.',
      too_long: 'El mensaje es demasiado largo. Acórtelo, por favor.',
      rate_limited: 'Demasiados mensajes. Espere un momento e inténtelo de nuevo.',
      model_unavailable: 'Nuestro asistente no está disponible ahora. Déjenos sus datos y le contactaremos.',
      origin_not_allowed: 'El chat no está disponible en este sitio web.',
      too_many_messages: 'Esta conversación ha llegado a su límite. Déjenos sus datos y le contactaremos.',
      closed: 'Esta conversación está cerrada.',
      network: 'Problema de conexión. Inténtelo de nuevo.',
      unknown: 'Algo salió mal. Inténtelo de nuevo.',
      book: 'Pedir cita', day: 'Día', time: 'Hora', confirm: 'Confirmar cita',
      loading: 'Buscando horas libres…', noTimes: 'No hay horas libres en estos días.', later: 'Días siguientes',
      tzNote: 'Las horas están en la zona horaria del centro ({0}).', yourTime: 'su hora {0}',
      booked: 'Su cita está reservada.', manage: 'Ver, cambiar o cancelar su cita',
      bookHelp: 'Elija una hora y luego su nombre y un correo o teléfono para la confirmación.',
      slot_taken: 'Alguien acaba de reservar esa hora. Elija otra, por favor.',
      slot_unavailable: 'Esa hora ya no se puede reservar. Elija otra, por favor.',
      booking_disabled: 'La reserva en línea no está disponible ahora.',
    },
  };
  const STATUS_CODES = { 400: 'invalid_input', 403: 'bad_token', 404: 'not_found', 409: 'slot_taken', 413: 'too_long', 429: 'rate_limited', 503: 'model_unavailable' };
  let loc = 'en';
  const t = (k, a, b) => (STRINGS[loc][k] || STRINGS[loc].unknown).replace('{0}', a).replace('{1}', b);
  const pickLocale = (l) => (l = String(l || '').slice(0, 2).toLowerCase()) in STRINGS && l;

  // localStorage, not cookies: the browser never sends it anywhere. It can throw (storage off).
  const KEY = 'frontdesk:' + slug;
  let st = {};
  try { st = JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { /* start empty */ }
  const save = () => { try { localStorage.setItem(KEY, JSON.stringify(st)); } catch (e) { /* memory only */ } };
  if (!st.visitor) {
    st.visitor = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b + 256).toString(16).slice(1)).join('');
    save();
  }
  st.failed = st.failed || [];

  const fail = (code, status, fields) => Object.assign(new Error(code), { code, status, fields });

  async function req(method, path, body, signal, last) {
    const headers = {};
    if (body) headers['Content-Type'] = 'application/json';
    if (path.startsWith('/conversations/')) headers['X-Conversation-Token'] = st.token;
    if (last) headers['Last-Event-ID'] = last;
    let r;
    try {
      r = await fetch(api + path, { method, headers, body: body && JSON.stringify(body), credentials: 'omit', signal });
    } catch (e) {
      throw fail('network');
    }
    if (!r.ok) {
      const j = await r.json().catch(() => ({}));
      throw fail(STRINGS.en[j.code] ? j.code : STATUS_CODES[r.status] || 'unknown', r.status, j.fields);
    }
    return r;
  }

  // Reads a text/event-stream response (EventSource can't POST or send a header).
  async function readEvents(r, on) {
    const reader = r.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    let id = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => { throw fail('network'); });
      buf += dec.decode(value || new Uint8Array(), { stream: !done });
      let m;
      while ((m = /\r?\n\r?\n/.exec(buf))) {
        const block = buf.slice(0, m.index);
        buf = buf.slice(m.index + m[0].length);
        let ev = 'message';
        const data = [];
        for (const line of block.split(/\r?\n/)) {
          const f = /^(event|data|id): ?(.*)$/.exec(line);
          if (f && f[1] === 'event') ev = f[2];
          else if (f && f[1] === 'id') id = f[2];
          else if (f) data.push(f[2]);
        }
        let d;
        try { d = JSON.parse(data.join('\n')); } catch (e) { continue; }
        on(ev, d, id);
      }
      if (done) return;
    }
  }

  function el(tag, props, kids) {
    const e = document.createElement(tag);
    for (const k in props || {}) {
      const v = props[k];
      if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (v !== false && v != null) e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of kids || []) if (c) e.append(c);
    return e;
  }
  function icon(d) {
    const ns = 'http://www.w3.org/2000/svg';
    const s = document.createElementNS(ns, 'svg');
    s.setAttribute('viewBox', '0 0 24 24');
    s.setAttribute('aria-hidden', 'true');
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', d);
    s.append(p);
    return s;
  }

  // Links http(s), mailto, tel, emails and phone numbers (only these schemes: no javascript:
  // URL) and makes **text** bold.
  const LINK = /(?:https?:\/\/|mailto:|tel:)[^\s<>"']+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\+?\(?\b\d{3}\)?[ .-]?\d{3}[ .-]\d{4}\b/gi;
  function rich(node, text) {
    String(text).split(/\*\*(.+?)\*\*/s).forEach((part, i) => {
      const into = i % 2 ? node.appendChild(el('strong')) : node;
      let last = 0;
      part.replace(LINK, (m, at) => {
        let href = m;
        let used = m.length;
        if (/^[a-z]+:/i.test(m)) {
          href = m.replace(/[.,;:!?)\]]+$/, ''); // trailing punctuation ends a sentence, not the URL
          used = href.length;
        } else href = m.includes('@') ? 'mailto:' + m : 'tel:' + m.replace(/[^\d+]/g, '');
        const web = /^https?:/i.test(href);
        into.append(part.slice(last, at), el('a', {
          href, text: m.slice(0, used).replace(/^(mailto|tel):/i, ''), target: web && '_blank', rel: web && 'noopener noreferrer',
        }));
        last = at + used;
        return m;
      });
      into.append(part.slice(last));
    });
  }

  const CSS = `
:host{all:initial!important;display:block!important;position:fixed!important;inset:auto 0 0 auto!important;
 width:0!important;height:0!important;z-index:2147483000!important;visibility:visible!important;opacity:1!important;
 transform:none!important;filter:none!important;clip-path:none!important;pointer-events:auto!important}
*{box-sizing:border-box;margin:0;padding:0;font:inherit;color:inherit;letter-spacing:normal;text-transform:none;text-align:left}
[hidden]{display:none!important}
.w{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2328}
button,input,select,textarea{background:none;border:0}
button{cursor:pointer}
:focus-visible{outline:3px solid #1747c4;outline-offset:2px}
.l{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;display:flex;align-items:center;
 justify-content:center;background:var(--c);color:var(--f);box-shadow:0 4px 14px rgba(0,0,0,.3)}
.l:focus-visible{outline-color:#1f2328;outline-offset:3px;box-shadow:0 0 0 3px #fff}
svg{width:28px;height:28px;fill:currentColor}
.p{position:fixed;right:20px;bottom:92px;width:380px;height:min(620px,calc(100vh - 112px));display:flex;
 flex-direction:column;overflow:hidden;background:#fff;border-radius:14px;box-shadow:0 8px 32px rgba(0,0,0,.3)}
@media (max-width:480px){.p{inset:0;width:100%;height:100%;border-radius:0}.l[aria-expanded=true]{display:none}}
.h{display:flex;align-items:center;gap:10px;padding:12px 14px;background:var(--c);color:var(--f)}
.h :focus-visible{outline-color:currentColor}
.av{flex:none;width:36px;height:36px;border-radius:50%;object-fit:cover;display:flex;align-items:center;
 justify-content:center;font-weight:700;background:rgba(127,127,127,.3)}
h2{flex:1;font-size:16px;font-weight:600}
.x{width:36px;height:36px;border-radius:8px;display:flex;align-items:center;justify-content:center}
.x svg{width:22px;height:22px}
.log{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:8px;background:#f6f7f9}
.m{max-width:85%;padding:8px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}
.visitor{align-self:flex-end;background:var(--c);color:var(--f);border-bottom-right-radius:4px}
.assistant,.staff,.dots{align-self:flex-start;background:#fff;border:1px solid #d5d8dd;border-bottom-left-radius:4px}
.system{align-self:center;max-width:95%;color:#4b5059;font-size:13px;text-align:center}
a{text-decoration:underline;cursor:pointer}
.staff{border-color:var(--c)}
.assistant a,.staff a,.system a{color:#0b57d0}
strong{font-weight:700}
.who{display:block;font-size:12px;font-weight:600;color:#4b5059}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.bad{opacity:.8}
.fail{align-self:flex-end;display:flex;gap:8px;align-items:center;font-size:13px;color:#b3261e}
.fail button{color:#b3261e;font-weight:600;text-decoration:underline}
.offer{align-self:flex-start}
.offer button{font-size:13px;font-weight:600;padding:6px 12px;border:1px solid var(--c);border-radius:999px;background:#fff;color:#1f2328}
.dots i{display:inline-block;width:7px;height:7px;margin:0 2px;border-radius:50%;background:#6b7079;animation:b 1s infinite}
.dots i+i{animation-delay:.2s}.dots i+i+i{animation-delay:.4s}
@keyframes b{50%{opacity:.3}}
@media (prefers-reduced-motion:reduce){.dots i{animation:none}}
.note{padding:8px 14px;background:#fdecea;color:#8c1d18;font-size:14px}
.acts{display:flex;flex-wrap:wrap;gap:6px;padding:8px 12px 0}
.g{display:flex;flex-direction:column;gap:12px}
form .acts{padding:0}
.acts>:not(.s){font-size:13px;padding:5px 10px;border:1px solid #8a9099;border-radius:999px;background:#fff;color:#1f2328;text-decoration:none}
.c{display:flex;gap:8px;padding:10px 12px 12px;align-items:flex-end}
textarea{flex:1;resize:none;min-height:42px;max-height:120px;padding:9px 11px;border:1px solid #8a9099;border-radius:10px;background:#fff}
.s{height:42px;padding:0 14px;border-radius:10px;font-weight:600;background:var(--c);color:var(--f)}
:disabled{opacity:.55;cursor:default}
form.f{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:12px}
label{display:block;font-size:14px;font-weight:600}
.f input:not([type=checkbox]),.f select{display:block;width:100%;margin-top:4px;padding:8px 10px;
 border:1px solid #8a9099;border-radius:8px;background:#fff;font-weight:400}
[aria-invalid=true]{border-color:#b3261e!important}
.err{color:#b3261e;font-size:13px}
.ck{display:flex;gap:8px;font-weight:400;font-size:13px}
.ck input{flex:none;width:18px;height:18px;margin-top:2px;appearance:auto}
.help{font-size:14px;color:#4b5059}
.ok{font-size:16px;font-weight:600}`;

  // Black or white text, whichever contrasts more with the brand colour (WCAG luminance).
  function textOn(hex) {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const v = parseInt(hex.substr(i, 2), 16) / 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 ? '#000' : '#fff';
  }
  function brand(c) {
    c = String(c || '').replace('#', '');
    if (c.length === 3) c = c.replace(/./g, '$&$&');
    return /^[0-9a-f]{6}$/i.test(c) ? '#' + c : '#1d4ed8';
  }

  let cfg = {};
  let launcher, panel, log, input, sendBtn, note, acts, compose, form, bookView, typing, humanBtn;
  let busy = false;
  // The conversation's status; the events stream's last id, AbortController and retry delay.
  let status = 'open';
  let last = '0';
  let stream = null;
  let wait = 0;
  let greeting = '';
  let greeted = false;
  const seen = new Set();

  const scroll = () => { log.scrollTop = log.scrollHeight; };
  function say(code) {
    note.textContent = t(code);
    note.hidden = false;
  }

  function bubble(role, text, author) {
    const staff = role === 'staff';
    const b = el('div', { class: 'm ' + role }, [
      role !== 'system' && el('span', { class: staff ? 'who' : 'sr', text: staff ? author || t('staff') : t(role === 'visitor' ? 'you' : 'bot') + ': ' }),
    ]);
    b.body = b.appendChild(el('span'));
    paint(b, text);
    log.insertBefore(b, typing.isConnected ? typing : null);
    scroll();
    return b;
  }
  function paint(b, text) {
    b.body.textContent = '';
    rich(b.body, text);
    scroll();
  }
  function add(m) {
    if (seen.has(m.id)) return;
    seen.add(m.id);
    // The greeting is already on screen, should the server also store it as a message.
    if (m.role === 'assistant' && m.text === greeting && !greeted) {
      greeted = true;
      return;
    }
    bubble(m.role, m.text, m.author);
    if (m.role === 'assistant') offer(m.actions);
  }
  // A reply that offers the booking form (the answer without a model, to "can I book?")
  // carries a button that opens it.
  function offer(actions) {
    if (!bookView || !(actions || []).includes('book')) return;
    const row = el('div', { class: 'offer' }, [
      el('button', { type: 'button', text: t('book'), onclick: () => show(bookView) }),
    ]);
    log.insertBefore(row, typing.isConnected ? typing : null);
    scroll();
  }
  function showTyping(on) {
    if (on) log.append(typing);
    else typing.remove();
    scroll();
  }

  function reset() {
    delete st.id;
    delete st.token;
    save();
    status = 'open';
    last = '0';
    quiet();
  }

  async function conversation() {
    if (st.id) return;
    const j = await (await req('POST', '/conversations', {
      visitor_id: st.visitor,
      page_url: location.origin + location.pathname, // no query string: it can carry personal data
      locale: loc,
    })).json();
    st.id = j.id;
    st.token = j.token;
    save();
    listen();
  }

  async function history() {
    let j;
    try {
      j = await (await req('GET', '/conversations/' + st.id)).json();
    } catch (e) {
      if (e.code === 'bad_token' || e.code === 'not_found') reset();
      return;
    }
    for (const m of j.messages || []) {
      add(m);
      last = m.id;
    }
    onStatus(j, true);
  }

  // What staff do, while the panel is open: resumed after the last id seen, with backoff.
  async function listen() {
    if (stream || panel.hidden || !st.id) return;
    const ctl = stream = new AbortController();
    try {
      await readEvents(await req('GET', '/conversations/' + st.id + '/events', null, ctl.signal, last), (ev, d, id) => {
        wait = 0;
        if (ev === 'message') add(d);
        else if (ev === 'status') onStatus(d);
        last = id || last;
      });
    } catch (e) {
      if (e.code === 'bad_token' || e.code === 'not_found') return reset();
    }
    if (stream !== ctl) return;
    stream = null;
    if (st.id) setTimeout(listen, wait = Math.min(wait * 2 || 1000, 30000));
  }
  function quiet() {
    if (stream) stream.abort();
    stream = null;
  }

  function onStatus(d, quietly) {
    const was = status;
    status = d.status;
    const who = d.author || t('staff');
    if (!quietly && was !== status) {
      if (status === 'human') bubble('system', t('joined', who, cfg.name));
      else if (was === 'human' && status === 'open') bubble('system', t('left', who));
      else if (status === 'closed') bubble('system', t('closed'));
    }
    humanBtn.disabled = /human/.test(status); // human or needs_human
    if (status === 'closed') reset(); // keep showing it; the next message starts a new one
  }

  function markFailed(b, text) {
    b.classList.add('bad');
    if (!st.failed.includes(text)) st.failed.push(text);
    save();
    const row = el('div', { class: 'fail' }, [
      el('span', { text: t('failed') }),
      el('button', {
        type: 'button', text: t('retry'),
        onclick: () => {
          row.remove();
          input.focus();
          send(text, b);
        },
      }),
    ]);
    b.after(row);
  }

  async function send(text, mine) {
    if (busy || !text) return;
    busy = true;
    sendBtn.disabled = true;
    note.hidden = true;
    if (mine) {
      mine.classList.remove('bad');
      log.insertBefore(mine, null);
    } else mine = bubble('visitor', text);
    st.failed = st.failed.filter((f) => f !== text);
    save();
    let stored = false;
    let done = false;
    let errCode = 'network';
    let reply = null;
    let acc = '';
    log.setAttribute('aria-busy', 'true');
    showTyping(status !== 'human');
    try {
      let r;
      for (let attempt = 0; !r; attempt++) {
        try {
          await conversation();
          r = await req('POST', '/conversations/' + st.id + '/messages', { text });
        } catch (e) {
          // A stale, revoked or closed conversation: start a fresh one and send again, once.
          if (attempt || !st.id || !['bad_token', 'not_found', 'closed'].includes(e.code)) throw e;
          reset();
        }
      }
      await readEvents(r, (ev, d) => {
        if (ev === 'message') {
          stored = true;
          seen.add(d.id);
        } else if (ev === 'held') {
          done = true;
        } else if (ev === 'delta' || ev === 'done') {
          showTyping(false);
          reply = reply || bubble('assistant', '');
          acc = ev === 'done' ? d.text : acc + d.text;
          paint(reply, acc);
          if (ev === 'done') {
            seen.add(d.id);
            done = true;
            reply = null;
            acc = '';
            offer(d.actions);
          }
        } else if (ev === 'error') {
          // A half-written reply is kept; an offline answer may follow in a new one.
          reply = null;
          acc = '';
          errCode = d.code;
          say(d.code);
        }
      });
      if (!stored) throw fail(errCode);
      // The server stores the reply even when the stream broke, so fetch it.
      if (!done) await history();
    } catch (e) {
      if (!stored) markFailed(mine, text);
      say(e.code);
    } finally {
      busy = false;
      sendBtn.disabled = false;
      showTyping(false);
      log.removeAttribute('aria-busy');
    }
  }

  async function handoff() {
    try {
      await conversation();
      const j = await (await req('POST', '/conversations/' + st.id + '/handoff')).json();
      if (j.status === 'human') return;
      const now = j.available && j.open_now;
      bubble('system', t(now ? 'humanOk' : 'callBack'));
      onStatus(j, true);
      if (!now) showForm(true);
    } catch (e) {
      say(e.code);
    }
  }

  function toggle(open) {
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', open);
    launcher.setAttribute('aria-label', t(open ? 'close' : 'open'));
    if (open) {
      (!form.hidden ? form.first() : bookView && !bookView.hidden ? bookView.first() : input).focus();
      scroll();
      listen();
    } else {
      launcher.focus();
      quiet();
    }
  }
  // One view at a time: the chat (null), the contact form or the booking form.
  function show(view) {
    for (const v of [form, bookView]) if (v) v.hidden = v !== view;
    log.hidden = acts.hidden = compose.hidden = !!view;
    if (view) view.start();
    (view ? view.first() : input).focus();
    scroll();
  }
  const showForm = (on) => show(on ? form : null);

  // The contact and booking forms' fields, checks (the server's own) and errors.
  function field(p, errs, into, name, control, label) {
    errs[name] = el('div', { id: p + 'e-' + name, class: 'err' });
    control.id = p + '-' + name;
    control.name = name;
    control.setAttribute('aria-describedby', p + 'e-' + name);
    const box = control.type === 'checkbox';
    into.append(el('div', {}, [
      el('label', { for: control.id, class: box ? 'ck' : '' }, [box && control, label || t(name)]),
      !box && control, errs[name],
    ]));
    return control;
  }
  function check(f, errs) {
    const v = {};
    const bad = {};
    for (const k in errs) {
      const e = f.elements[k];
      v[k] = e.type === 'checkbox' ? e.checked : e.value.trim();
    }
    if (!v.name) bad.name = t('needName');
    if (!v.email && !v.phone) bad.email = t('needOne');
    if (v.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email)) bad.email = t('badEmail');
    if (v.phone && !(/^\+?[\d\s().-]+$/.test(v.phone) && /(\d\D*){7,15}/.test(v.phone))) bad.phone = t('badPhone');
    return [v, bad];
  }
  function showErrs(f, errs, fields) {
    let first;
    for (const k in errs) {
      const bad = fields[k];
      errs[k].textContent = bad || '';
      f.elements[k].setAttribute('aria-invalid', !!bad);
      first = first || (bad && f.elements[k]);
    }
    if (first) first.focus();
    return !first;
  }

  function buildForm() {
    const f = el('form', { class: 'f', novalidate: true, hidden: true });
    const fieldset = el('div', { class: 'g' });
    const errs = {};
    const fld = (name, control, label) => field('i', errs, fieldset, name, control, label);
    fieldset.append(el('p', { class: 'help', text: t('help') }));
    fld('name', el('input', { type: 'text', autocomplete: 'name', 'aria-required': 'true' }));
    fld('email', el('input', { type: 'email', autocomplete: 'email' }));
    fld('phone', el('input', { type: 'tel', autocomplete: 'tel' }));
    if ((cfg.services || []).length) {
      fld('service', el('select', {}, [el('option', { value: '', text: t('pick') })].concat(
        cfg.services.map((s) => el('option', { value: s.name, text: s.name })))));
    }
    if (cfg.sms_consent_text) fld('sms_consent', el('input', { type: 'checkbox' }), cfg.sms_consent_text);
    const submit = el('button', { type: 'submit', class: 's', text: t('submit') });
    const back = () => el('button', { type: 'button', text: t('back'), onclick: () => showForm(false) });
    fieldset.append(el('div', { class: 'acts' }, [submit, back()]));
    const thanks = el('div', { class: 'g', role: 'status', hidden: true }, [el('p', { class: 'ok', text: t('thanks') })]);
    const thanksBack = thanks.appendChild(el('div', { class: 'acts' }, [back()])).firstChild;
    f.append(fieldset, thanks);
    f.start = () => { fieldset.hidden = false; thanks.hidden = true; };
    f.first = () => (thanks.hidden ? f.elements.name : thanksBack);

    const show = (fields) => showErrs(f, errs, fields);
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      note.hidden = true;
      const [v, fields] = check(f, errs);
      if (!show(fields)) return;
      submit.disabled = true;
      try {
        await conversation();
        await req('POST', '/conversations/' + st.id + '/lead', {
          name: v.name, email: v.email, phone: v.phone, service: v.service || '', sms_consent: !!v.sms_consent,
        });
        f.reset();
        fieldset.hidden = true;
        thanks.hidden = false;
        thanksBack.focus();
      } catch (err) {
        // Field errors from the server's checks; anything else is shown by its code.
        if (!err.fields || show(err.fields)) say(err.code);
      } finally {
        submit.disabled = false;
      }
    });
    return f;
  }

  // The practice's zone and the visitor's own, for times shown in both when they differ.
  const fmt = (tz, opts) => new Intl.DateTimeFormat(loc, Object.assign({ timeZone: tz }, opts));
  const dayLabel = (iso, tz) => fmt(tz, { weekday: 'long', day: 'numeric', month: 'long' }).format(new Date(iso));
  function timeLabel(iso, tz) {
    const d = new Date(iso);
    const there = fmt(tz, { hour: '2-digit', minute: '2-digit' }).format(d);
    const here = fmt(undefined, { hour: '2-digit', minute: '2-digit' }).format(d);
    const sameZone = fmt(tz, { timeZoneName: 'longOffset' }).format(d) === fmt(undefined, { timeZoneName: 'longOffset' }).format(d);
    return sameZone ? there : there + ' (' + t('yourTime', here) + ')';
  }
  const isoDate = (d) => d.toISOString().slice(0, 10);

  // "Book a visit": service, day and time pickers filled from the slots route, then the
  // visitor's details; works without any model. Slots are dates in the practice's zone:
  // the first 10 characters of an RFC 3339 start with the practice's offset.
  function buildBooking() {
    const services = (cfg.services || []).filter((s) => s.bookable !== false);
    const f = el('form', { class: 'f', novalidate: true, hidden: true });
    const pick = el('div', { class: 'g' });
    const status = el('p', { id: 'b-status', class: 'help', role: 'status', 'aria-live': 'polite' });
    const errs = {};
    const fld = (name, control, label) => field('b', errs, pick, name, control, label);
    pick.append(el('p', { class: 'help', text: t('bookHelp') }));
    const service = fld('service', el('select', {}, services.map((s) => el('option', { value: s.name, text: s.name }))));
    const day = fld('day', el('select', {}));
    const time = fld('time', el('select', {}));
    const later = el('button', { type: 'button', text: t('later') });
    pick.append(status, el('div', { class: 'acts' }, [later]));
    fld('name', el('input', { type: 'text', autocomplete: 'name', 'aria-required': 'true' }));
    fld('email', el('input', { type: 'email', autocomplete: 'email' }));
    fld('phone', el('input', { type: 'tel', autocomplete: 'tel' }));
    if (cfg.sms_consent_text) fld('sms_consent', el('input', { type: 'checkbox' }), cfg.sms_consent_text);
    const submit = el('button', { type: 'submit', class: 's', text: t('confirm') });
    const back = () => el('button', { type: 'button', text: t('back'), onclick: () => show(null) });
    pick.append(el('div', { class: 'acts' }, [submit, back()]));
    const done = el('div', { class: 'g', role: 'status', hidden: true });
    f.append(pick, done);

    let from = null; // first date asked for; null: today
    let byDay = new Map();
    let tz = '';
    function fillTimes() {
      time.textContent = '';
      for (const s of byDay.get(day.value) || []) time.append(el('option', { value: s.start, text: timeLabel(s.start, tz) }));
      submit.disabled = !time.options.length;
    }
    async function load() {
      status.textContent = t('loading');
      day.textContent = time.textContent = '';
      submit.disabled = true;
      const q = '?service=' + encodeURIComponent(service.value) + '&days=14' + (from ? '&from=' + from : '');
      let j;
      try {
        j = await (await req('GET', '/slots' + q)).json();
      } catch (e) {
        status.textContent = t(e.code);
        return;
      }
      tz = j.timezone;
      byDay = new Map();
      for (const s of j.slots) {
        const d = s.start.slice(0, 10);
        if (!byDay.has(d)) byDay.set(d, []);
        byDay.get(d).push(s);
      }
      for (const d of byDay.keys()) day.append(el('option', { value: d, text: dayLabel(d + 'T12:00:00Z', 'UTC') }));
      status.textContent = byDay.size ? t('tzNote', tz) : t('noTimes');
      fillTimes();
    }
    service.addEventListener('change', () => { from = null; load(); });
    day.addEventListener('change', fillTimes);
    later.addEventListener('click', () => {
      const base = from ? new Date(from + 'T12:00:00Z') : new Date();
      base.setUTCDate(base.getUTCDate() + 14);
      from = isoDate(base);
      load();
    });

    const showErrors = (fields) => showErrs(f, errs, fields);
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      note.hidden = true;
      const [v, fields] = check(f, errs);
      if (!showErrors(fields) || !time.value) return;
      submit.disabled = true;
      try {
        await conversation();
        const b = await (await req('POST', '/conversations/' + st.id + '/bookings', {
          service: service.value, start: time.value, name: v.name, email: v.email, phone: v.phone,
          sms_consent: !!v.sms_consent,
        })).json();
        done.textContent = '';
        const link = el('a', { href: b.manage_url, target: '_blank', rel: 'noopener noreferrer', text: t('manage') });
        done.append(
          el('p', { class: 'ok', text: t('booked') }),
          el('p', { text: b.service + ' · ' + dayLabel(b.start, b.timezone) + ' · ' + timeLabel(b.start, b.timezone) }),
          el('p', {}, [link]),
          el('div', { class: 'acts' }, [back()]),
        );
        pick.hidden = true;
        done.hidden = false;
        link.focus();
      } catch (err) {
        if (err.code === 'slot_taken' || err.code === 'slot_unavailable') {
          say(err.code);
          await load();
          time.focus();
        } else if (!err.fields || showErrors(err.fields)) say(err.code);
      } finally {
        submit.disabled = !time.value;
      }
    });
    f.start = () => {
      pick.hidden = false;
      done.hidden = true;
      from = null;
      load();
    };
    f.first = () => (done.hidden ? service : done.querySelector('a'));
    return f;
  }

  function build(error) {
    const c = brand(cfg.color);
    const name = cfg.name || '';
    const host = document.createElement('frontdesk-chat');
    const root = host.attachShadow({ mode: 'open' });
    const w = el('div', { class: 'w', lang: loc });
    w.style.setProperty('--c', c);
    w.style.setProperty('--f', textOn(c));
    root.append(el('style', { text: CSS }), w);

    launcher = el('button', {
      type: 'button', class: 'l', 'aria-label': t('open'), 'aria-expanded': 'false', 'aria-controls': 'panel',
      onclick: () => toggle(panel.hidden),
    }, [icon('M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z')]);
    const avatar = /^https?:\/\//i.test(cfg.avatar || '')
      ? el('img', { class: 'av', src: cfg.avatar, alt: '' })
      : el('span', { class: 'av', 'aria-hidden': 'true', text: name.charAt(0).toUpperCase() });
    log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', tabindex: '0', 'aria-label': t('msg') });
    typing = el('div', { class: 'm dots' }, [el('i'), el('i'), el('i'), el('span', { class: 'sr', text: t('typing') })]);
    note = el('div', { class: 'note', role: 'alert', hidden: true });
    humanBtn = el('button', { type: 'button', text: t('human'), onclick: handoff });
    const canBook = cfg.booking && (cfg.services || []).some((s) => s.bookable !== false);
    acts = el('div', { class: 'acts' }, [
      canBook && el('button', { type: 'button', text: t('book'), onclick: () => show(bookView) }),
      el('button', { type: 'button', text: t('lead'), onclick: () => showForm(true) }),
      humanBtn,
      cfg.phone && el('a', { href: 'tel:' + cfg.phone.replace(/[^\d+]/g, ''), text: t('call') + ' ' + cfg.phone }),
    ]);
    input = el('textarea', { rows: '1', 'aria-label': t('msg'), placeholder: t('ph') });
    input.value = st.draft || '';
    input.addEventListener('input', () => {
      st.draft = input.value;
      save();
      input.style.height = 'auto';
      input.style.height = Math.min(input.scrollHeight + 2, 120) + 'px';
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        compose.requestSubmit();
      }
    });
    sendBtn = el('button', { type: 'submit', class: 's', text: t('send') });
    compose = el('form', { class: 'c' }, [input, sendBtn]);
    compose.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (busy || !text) return;
      input.value = st.draft = '';
      input.style.height = '';
      send(text);
    });
    form = buildForm();
    bookView = canBook ? buildBooking() : null;
    panel = el('div', { id: 'panel', class: 'p', role: 'dialog', 'aria-label': t('title', name), hidden: true }, [
      el('div', { class: 'h' }, [
        avatar,
        el('h2', { text: name }),
        el('button', { type: 'button', class: 'x', 'aria-label': t('close'), onclick: () => toggle(false) },
          [icon('M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12 19 6.4 17.6 5 12 10.6z')]),
      ]),
      log, form, bookView, note, acts, compose,
    ]);
    panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        toggle(false);
      }
    });
    w.append(panel, launcher);
    document.body.append(host);
    window.Frontdesk = {
      open: () => toggle(true),
      close: () => toggle(false),
      // The booking form, for the page's own "Book" buttons and the assistant's offer.
      book: () => { if (bookView) { toggle(true); show(bookView); } },
    };

    if (error) {
      say(error.code);
      input.disabled = sendBtn.disabled = true;
      acts.hidden = true;
      return;
    }
    greeting = cfg.greeting || '';
    if (greeting) bubble('assistant', greeting);
  }

  async function start() {
    let error;
    try {
      cfg = await (await req('GET', '/config')).json();
    } catch (e) {
      error = e;
    }
    loc = pickLocale(ds.locale) || pickLocale(navigator.language) || pickLocale(cfg.locale) || 'en';
    if (!document.body) await new Promise((r) => addEventListener('DOMContentLoaded', r));
    build(error);
    if (error) return;
    if (st.id) await history();
    for (const text of st.failed) markFailed(bubble('visitor', text), text);
  }
  start();
})();
