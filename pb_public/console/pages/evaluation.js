// Evaluation: the owner's own check of the assistant. The practice's questions, each with
// a fact its right answer contains (eval_questions, through PocketBase's API); a run asks
// the practice's real engine every one (POST /api/frontdesk/eval) and is stored with its
// score; the runs (GET /api/frontdesk/eval) say what each fixed and broke since the one
// before. Owners and admins edit and run; viewers read.
import { pb, h, t, heading, fail, api, canEdit, fmtDate, fmtDuration, lang, deleteButton, recordForm } from '../app.js';

export default async function evaluation(main, view) {
  const latest = h('section', { class: 'card', 'aria-labelledby': 'latest-h' });
  const history = h('ul', { class: 'items' });
  const questions = h('ul', { class: 'items' });
  const qCount = h('span');
  const status = h('div', { role: 'status', class: 'running' });
  const run = h('button', { type: 'button', class: 'primary', text: t('eval.run') });
  let qs = [];
  let runs = [];

  // showRuns draws the runs and the button's state; showQuestions the questions too (an
  // edit in progress is lost when they are redrawn, so a finished run doesn't).
  const showRuns = () => {
    const [r] = runs;
    const edited = r && qs.some((q) => new Date(q.updated.replace(' ', 'T')) > new Date(r.started));
    latest.replaceChildren(h('h2', { id: 'latest-h', text: t('eval.latest') }), ...(r ? runView(r, edited) : [h('p', { class: 'muted', text: t('eval.none') })]).filter(Boolean));
    history.replaceChildren(...runs.map((r) => h('li', { class: 'item' },
      h('div', { class: 'line' }, h('strong', { text: fmtDate(r.started) }), h('span', { text: score(r) })),
      h('p', { class: 'muted' }, provider(r.provider), r.changes ? ' · ' + t('eval.counts', r.changes.fixed.length, r.changes.broken.length, r.changes.new.length) : ''))));
    if (!runs.length) history.append(h('li', { class: 'empty', text: t('eval.none') }));
    run.disabled = !qs.length || status.dataset.busy === '1';
    run.title = qs.length ? '' : t('eval.needQuestions');
  };
  const showQuestions = () => {
    qCount.textContent = t('eval.questions', qs.length);
    questions.replaceChildren(...qs.map((q) => questionItem(q, loadQuestions)));
    if (!qs.length) questions.append(h('li', { class: 'empty', text: t('eval.noQuestions') }));
    showRuns();
  };
  const loadRuns = async () => {
    const data = await api('/eval?limit=20');
    runs = data.items || [];
    if (view.current()) showRuns();
  };
  const loadQuestions = async () => {
    qs = await pb.collection('eval_questions').getFullList({ sort: 'created,id' });
    if (view.current()) showQuestions();
  };

  run.addEventListener('click', async () => {
    const before = runs[0]?.id;
    const started = Date.now();
    const timer = h('span', { class: 'muted', 'aria-hidden': 'true' });
    const tick = () => { timer.textContent = fmtDuration((Date.now() - started) / 1000); };
    const every = setInterval(tick, 1000);
    tick();
    status.dataset.busy = '1';
    run.disabled = true;
    latest.setAttribute('aria-busy', 'true');
    status.replaceChildren(h('progress', { 'aria-label': t('eval.run') }), h('p', null, t('eval.running', qs.length), ' ', timer));
    try {
      const r = await api('/eval', { method: 'POST' });
      if (!view.current()) return;
      status.replaceChildren(h('p', { text: t('eval.done', score(r)) }));
      await loadRuns();
    } catch (err) {
      // A long run may outlast the connection while the server finishes and stores it.
      await loadRuns().catch(() => {});
      if (runs[0]?.id === before) fail(err);
      if (view.current()) status.replaceChildren();
    } finally {
      clearInterval(every);
      delete status.dataset.busy;
      latest.removeAttribute('aria-busy');
      if (view.current()) {
        showRuns();
        // The button lost the focus while disabled: give it back to the keyboard.
        if (document.activeElement === document.body) run.focus();
      }
    }
  });

  main.append(heading(t('page.evaluation'), canEdit() ? run : null),
    h('p', { class: 'muted', text: t('eval.intro') }), status, latest,
    h('section', { 'aria-labelledby': 'questions-h' }, h('h2', { id: 'questions-h' }, qCount),
      canEdit() ? questionForm(null, loadQuestions) : null, questions),
    h('section', { 'aria-labelledby': 'runs-h' }, h('h2', { id: 'runs-h', text: t('eval.runs') }), history));
  await Promise.all([loadQuestions(), loadRuns()]);
}

const pct = (x) => Number(x || 0).toLocaleString(lang(), { style: 'percent', maximumFractionDigits: 1 });
const score = (r) => t('eval.score', r.correct, r.total, pct(r.score));
const provider = (p) => t('eval.by', (p || 'offline').split('+').map((x) => (x === 'offline' ? t('eval.offline') : x)).join(' + '));

// runView is a run's score, what changed since the run before, and each answer.
function runView(r, edited) {
  const c = r.changes;
  const fixed = new Set(c?.fixed), broken = new Set(c?.broken);
  const changed = c && (c.fixed.length || c.broken.length || c.new.length);
  const list = (kind, qs) => qs.map((q) => h('li', { class: kind }, h('span', { class: 'badge ' + kind, text: t('eval.' + kind) }), ' ', q));
  return [
    h('p', { class: 'score' }, h('strong', { id: 'eval-score', text: score(r) })),
    h('p', { class: 'muted' }, fmtDate(r.started), ' · ', provider(r.provider)),
    edited ? h('p', { class: 'note', text: t('eval.stale') }) : null,
    h('div', { class: 'changes' },
      h('p', { text: !c ? t('eval.first') : changed ? t('eval.since', fmtDate(c.previous_started), pct(c.previous_score)) : t('eval.same', fmtDate(c.previous_started)) }),
      changed ? h('ul', null, list('broken', c.broken), list('fixed', c.fixed), list('new', c.new)) : null),
    h('h3', { text: t('eval.answers') }),
    h('ul', { class: 'items results' }, (r.results || []).map((x) => h('li', { class: 'item result', 'data-ok': String(x.ok) },
      h('div', { class: 'line' }, h('strong', { text: x.question }),
        fixed.has(x.question) ? h('span', { class: 'badge fixed', text: t('eval.fixed') }) : null,
        broken.has(x.question) ? h('span', { class: 'badge broken', text: t('eval.broken') }) : null,
        h('span', { class: 'badge ' + (x.ok ? 'right' : 'wrong'), text: t(x.ok ? 'eval.right' : 'eval.wrong') })),
      h('p', { class: 'muted', text: t(x.ok ? 'eval.holds' : 'eval.lacks', x.expect) }),
      h('p', { class: 'text answer', text: x.answer }),
      x.error ? h('p', { class: 'muted', text: t('eval.modelError') }) : null))),
  ];
}

function questionItem(q, reload) {
  const li = h('li', { class: 'item', 'data-id': q.id });
  const show = () => li.replaceChildren(
    h('strong', { text: q.question }), h('p', { class: 'muted', text: t('eval.mustContain', q.expect) }),
    h('div', { class: 'actions', hidden: !canEdit() }, canEdit() && [
      h('button', { type: 'button', text: t('edit'), 'aria-label': t('edit') + ': ' + q.question, onclick: () => li.replaceChildren(questionForm(q, reload, show)) }),
      deleteButton('eval_questions', q.id, reload, q.question)]));
  show();
  return li;
}

// questionForm adds a question, or edits q.
const questionForm = (q, saved, cancel) => recordForm('eval_questions', q, h('h3', { text: t('eval.add') }), [
  [t('eval.question'), h('input', { type: 'text', name: 'question', required: true, maxlength: 500, value: q?.question || '' })],
  [t('eval.expect'), h('input', { type: 'text', name: 'expect', required: true, maxlength: 300, value: q?.expect || '' }), t('eval.expectHelp')],
], saved, cancel);
