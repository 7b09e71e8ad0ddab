// Sign-in: email and password, then, when the practice requires it, a one-time code
// emailed by PocketBase (its multi-factor login answers 401 with an mfaId); the
// forgotten-password request; and the reset link's page (#/reset/TOKEN).
import { pb, h, t, field, heading, errorText, signedIn, route } from '../app.js';

const staff = () => pb.collection('staff');

export default function login(main) {
  const { name, params } = route();
  const box = h('section', { class: 'auth card' });
  main.append(box);
  if (name === 'reset') resetForm(box, params[0] || '');
  else passwordForm(box);
}

function errorLine() {
  return h('p', { class: 'error', role: 'alert', hidden: true });
}
function showError(el, text) {
  el.textContent = text;
  el.hidden = !text;
}

function passwordForm(box, email = '') {
  const emailIn = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, value: email });
  const passIn = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const err = errorLine();
  const submit = h('button', { type: 'submit', class: 'primary', text: t('login.submit') });
  const form = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    if (!emailIn.value || !passIn.value) return showError(err, t('login.needBoth'));
    submit.disabled = true;
    showError(err, '');
    try {
      await staff().authWithPassword(emailIn.value.trim(), passIn.value);
      await signedIn();
    } catch (e2) {
      if (e2.status === 401 && e2.response?.mfaId) return otpForm(box, emailIn.value.trim(), e2.response.mfaId);
      showError(err, e2.status === 400 ? t('login.wrong') : errorText(e2));
      passIn.select();
    } finally {
      submit.disabled = false;
    }
  } },
  field(t('login.email'), emailIn), field(t('login.password'), passIn), err, submit);
  box.replaceChildren(heading(t('login.title')), form,
    h('p', null, h('button', { type: 'button', class: 'link', text: t('login.forgot'), onclick: () => forgotForm(box, emailIn.value) })));
  (email ? passIn : emailIn).focus();
}

// The second step of PocketBase's multi-factor login: a code sent to the staff member's
// email, checked together with the mfaId of the password step.
async function otpForm(box, email, mfaId) {
  const codeIn = h('input', { type: 'text', name: 'otp', inputmode: 'numeric', autocomplete: 'one-time-code', required: true, maxlength: 12 });
  const err = errorLine();
  const note = h('p', { class: 'muted', role: 'status', text: t('login.otpSending') });
  const submit = h('button', { type: 'submit', class: 'primary', text: t('login.otpSubmit') });
  let otpId = '';
  const send = async () => {
    showError(err, '');
    note.textContent = t('login.otpSending');
    try {
      otpId = (await staff().requestOTP(email)).otpId;
      note.textContent = t('login.otpSent', email);
    } catch (e) {
      note.textContent = '';
      showError(err, errorText(e));
    }
  };
  const form = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    if (!codeIn.value.trim()) return showError(err, t('login.otpNeed'));
    submit.disabled = true;
    try {
      await staff().authWithOTP(otpId, codeIn.value.trim(), { mfaId });
      await signedIn();
    } catch (e2) {
      showError(err, e2.status === 400 ? t('login.otpWrong') : errorText(e2));
      codeIn.select();
    } finally {
      submit.disabled = false;
    }
  } }, note, field(t('login.otp'), codeIn), err, submit);
  box.replaceChildren(heading(t('login.otpTitle')), form, h('p', null,
    h('button', { type: 'button', class: 'link', text: t('login.otpResend'), onclick: send }), ' · ',
    h('button', { type: 'button', class: 'link', text: t('login.back'), onclick: () => passwordForm(box, email) })));
  codeIn.focus();
  await send();
}

function forgotForm(box, email) {
  const emailIn = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, value: email });
  const err = errorLine();
  const done = h('p', { role: 'status' });
  const submit = h('button', { type: 'submit', class: 'primary', text: t('login.sendLink') });
  const form = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    if (!emailIn.value.includes('@')) return showError(err, t('login.needEmail'));
    submit.disabled = true;
    try {
      await staff().requestPasswordReset(emailIn.value.trim());
      showError(err, '');
      done.textContent = t('login.linkSent');
    } catch (e2) {
      showError(err, errorText(e2));
    } finally {
      submit.disabled = false;
    }
  } }, h('p', { class: 'muted', text: t('login.forgotHelp') }), field(t('login.email'), emailIn), err, done, submit);
  box.replaceChildren(heading(t('login.forgotTitle')), form,
    h('p', null, h('button', { type: 'button', class: 'link', text: t('login.back'), onclick: () => passwordForm(box, emailIn.value) })));
  emailIn.focus();
}

function resetForm(box, token) {
  const passIn = h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
  const againIn = h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
  const err = errorLine();
  const submit = h('button', { type: 'submit', class: 'primary', text: t('login.resetSubmit') });
  const form = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    if (passIn.value.length < 8) return showError(err, t('login.tooShort'));
    if (passIn.value !== againIn.value) return showError(err, t('login.mismatch'));
    submit.disabled = true;
    try {
      await staff().confirmPasswordReset(token, passIn.value, againIn.value);
      box.replaceChildren(heading(t('login.resetDone')), h('p', null, h('a', { href: '#/login', text: t('login.submit') })));
    } catch (e2) {
      showError(err, e2.status === 400 ? t('login.badLink') : errorText(e2));
    } finally {
      submit.disabled = false;
    }
  } }, field(t('login.newPassword'), passIn), field(t('login.again'), againIn), err, submit);
  box.replaceChildren(heading(t('login.resetTitle')), form);
}
