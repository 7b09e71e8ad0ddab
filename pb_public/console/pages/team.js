// The team: who works in the console and with which role. Admins see the team, invite
// admins and viewers and re-send the invite of those who haven't chosen a password yet;
// owners also invite owners, change roles and remove people; the last owner can't be
// removed or demoted (the server answers 409 last_owner).
import { h, t, field, heading, fail, toast, api, isOwner, me, forgetStaffNames } from '../app.js';

const ROLES = ['owner', 'admin', 'viewer'];

export default async function team(main, view) {
  const list = h('ul', { class: 'items', 'aria-label': t('page.team') });
  const load = async () => {
    const members = await fetchTeam();
    if (!view.current()) return;
    list.replaceChildren(...members.map((m) => member(m, load)));
  };
  main.append(heading(t('page.team')), h('p', { class: 'muted', text: t('team.roleHelp') }), inviteForm(load), list);
  await load();
}

const fetchTeam = async () => (await api('/team')).items || [];

// The roles the signed-in staff member may give: owners any, admins admin or viewer.
const grantable = () => (isOwner() ? ROLES : ['admin', 'viewer']);

function member(m, reload) {
  const self = m.id === me().id;
  // Only owners change roles; nobody changes their own here.
  const mayChange = !self && isOwner();
  const roleIn = h('select', { name: 'role', 'aria-label': t('team.role') + ': ' + (m.name || m.email), disabled: !mayChange },
    (mayChange ? grantable() : [m.role]).map((r) => h('option', { value: r, text: t('role.' + r), selected: r === m.role })));
  roleIn.addEventListener('change', async () => {
    try {
      await setRole(m.id, roleIn.value);
      toast(t('team.roleChanged'));
      forgetStaffNames();
    } catch (err) {
      roleIn.value = m.role;
      teamError(err);
    }
    reload();
  });
  return h('li', { class: 'item', 'data-id': m.id },
    h('div', { class: 'line' }, h('strong', { text: m.name || m.email }), self ? h('span', { class: 'muted', text: t('team.you') }) : null,
      m.verified === false ? h('span', { class: 'badge', text: t('team.pending') }) : null,
      m.mfa ? h('span', { class: 'badge', text: t('team.mfa') }) : null),
    m.name ? h('p', { class: 'muted', text: m.email }) : null,
    h('div', { class: 'actions' }, roleIn,
      // An owner's invite is an owner's to re-send.
      m.verified === false && (isOwner() || m.role !== 'owner') ? h('button', { type: 'button', text: t('team.resend'),
        'aria-label': t('team.resend') + ': ' + (m.name || m.email), onclick: async () => {
          try {
            await resendInvite(m.id);
            toast(t('team.invited', m.email));
          } catch (err) {
            resendError(err);
          }
        } }) : null,
      isOwner() && !self ? h('button', { type: 'button', class: 'danger', text: t('remove'), onclick: async () => {
        if (!confirm(t('team.confirmRemove', m.name || m.email))) return;
        try {
          await removeMember(m.id);
          toast(t('team.removed'));
          forgetStaffNames();
          reload();
        } catch (err) {
          teamError(err);
        }
      } }) : null));
}

const teamError = (err) => (err.status === 409 ? toast(t('team.lastOwner'), 'error') : fail(err));

// A resend's refusals the page can say in the reader's language.
const resendError = (err) => {
  const key = { rate_limited: 'team.resendWait', mail_unavailable: 'team.noMail', not_pending: 'team.notPending' }[err.code];
  return key ? toast(t(key), 'error') : fail(err);
};

const resendInvite = (id) => api('/team/' + encodeURIComponent(id) + '/resend', { method: 'POST' });
const setRole = (id, role) => api('/team/' + encodeURIComponent(id) + '/role', { method: 'POST', body: { role } });
const removeMember = (id) => api('/team/' + encodeURIComponent(id), { method: 'DELETE' });

function inviteForm(done) {
  const email = h('input', { type: 'email', name: 'invite-email', required: true, autocomplete: 'off' });
  const name = h('input', { type: 'text', name: 'invite-name', maxlength: 200, autocomplete: 'off' });
  const role = h('select', { name: 'invite-role' }, grantable().map((r) => h('option', { value: r, text: t('role.' + r), selected: r === 'viewer' })));
  return h('form', { class: 'card', 'aria-labelledby': 'invite-h', onsubmit: async (e) => {
    e.preventDefault();
    if (!email.value.includes('@')) return email.focus();
    const body = { email: email.value.trim(), name: name.value.trim(), role: role.value };
    try {
      await invite(body);
      toast(t('team.invited', body.email));
      e.target.reset();
      done();
    } catch (err) {
      fail(err);
    }
  } }, h('h2', { id: 'invite-h', text: t('team.invite') }),
  h('div', { class: 'grid2' }, field(t('team.email'), email), field(t('team.name'), name), field(t('team.role'), role)),
  h('button', { type: 'submit', class: 'primary', text: t('team.send') }));
}

// invite adds the colleague; the server emails them a link to choose their password.
const invite = (body) => api('/team/invite', { method: 'POST', body });
