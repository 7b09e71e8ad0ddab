// The dashboard: conversations, leads, conversion, hand-offs, bookings and the time to a
// first staff reply, per day or per week, as small SVG charts drawn here (no chart
// library), with the figures in a table too; the top questions and the knowledge gaps.
import { h, t, heading, api, route, fmtDuration, lang } from '../app.js';

const PERIODS = [7, 30, 90, 365];

export default async function dashboard(main, view) {
  const days = PERIODS.includes(Number(route().query.get('days'))) ? Number(route().query.get('days')) : 30;
  const period = h('select', { name: 'days', 'aria-label': t('dash.period') },
    PERIODS.map((d) => h('option', { value: d, text: t('dash.days', d), selected: d === days })));
  period.addEventListener('change', () => { location.hash = '#/dashboard?days=' + period.value; });
  main.append(heading(t('page.dashboard'), period));
  const data = await api('/dashboard?days=' + days);
  if (!view.current()) return;
  const tot = data.totals || {};
  const num = (n) => (n == null ? '–' : Number(n).toLocaleString(lang()));
  const conversion = tot.conversion ?? (tot.conversations ? tot.leads / tot.conversations : null);
  main.append(h('div', { class: 'totals' },
    total(t('dash.conversations'), num(tot.conversations)),
    total(t('dash.leads'), num(tot.leads)),
    total(t('dash.conversion'), conversion == null ? '–' : (conversion * 100).toLocaleString(lang(), { maximumFractionDigits: 1 }) + ' %'),
    total(t('dash.handoffs'), num(tot.handoffs)),
    total(t('dash.bookings'), num(tot.bookings)),
    total(t('dash.firstReply'), fmtDuration(tot.first_reply_seconds_median))));

  // Up to a month per day; longer periods per week.
  const weekly = days > 31 && Array.isArray(data.weeks) && data.weeks.length;
  const series = (weekly ? data.weeks : data.days || []).map((p) => ({ ...p, label: p.date || p.week || p.start || '' }));
  main.append(h('section', { class: 'card', 'aria-labelledby': 'chart-h' },
    h('h2', { id: 'chart-h', text: weekly ? t('dash.perWeek') : t('dash.perDay') }),
    h('div', { class: 'legend' },
      h('span', null, h('span', { class: 'key bar' }), t('dash.conversations')),
      h('span', null, h('span', { class: 'key bar2' }), t('dash.leads')),
      h('span', null, h('span', { class: 'key line' }), t('dash.firstReply'))),
    chart(series),
    h('details', null, h('summary', { text: t('dash.chartLabel') }), h('div', { class: 'scroll' }, table(series)))));

  main.append(h('div', { class: 'grid2' },
    h('section', { class: 'card', 'aria-labelledby': 'top-h' }, h('h2', { id: 'top-h', text: t('dash.top') }),
      ranked((data.top_questions || []).map((q) => [q.text, q.count]))),
    h('section', { class: 'card', 'aria-labelledby': 'gaps-h' }, h('h2', { id: 'gaps-h', text: t('dash.gaps') }),
      ranked((data.gaps || []).map((g) => [g.question, g.count])),
      h('a', { href: '#/knowledge?tab=gaps', text: t('knowledge.gaps') }))));
}

const total = (label, value) => h('div', { class: 'total' }, h('span', { class: 'muted', text: label }), h('b', { text: value }));

function ranked(rows) {
  if (!rows.length) return h('p', { class: 'muted', text: t('dash.none') });
  return h('ol', null, rows.map(([text, count]) => h('li', null, text, ' ', h('span', { class: 'muted', text: t('dash.count', count) }))));
}

// chart draws conversations and leads as bars and the median first reply as a line on
// its own scale, in a viewBox that scales to the card's width.
function chart(series) {
  const W = 640, H = 220, pad = { l: 34, r: 40, t: 10, b: 24 };
  const iw = W - pad.l - pad.r, ih = H - pad.t - pad.b;
  const max = Math.max(1, ...series.map((p) => Math.max(p.conversations || 0, p.leads || 0)));
  const maxReply = Math.max(1, ...series.map((p) => p.first_reply_seconds_median || 0));
  const n = Math.max(1, series.length), slot = iw / n, bw = Math.max(1, (slot * 0.8) / 2);
  const y = (v) => pad.t + ih - (v / max) * ih;
  const yr = (v) => pad.t + ih - (v / maxReply) * ih;
  const svg = h('svg:svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': t('dash.chartLabel') });
  svg.append(h('svg:line', { class: 'axis', x1: pad.l, x2: W - pad.r, y1: pad.t + ih, y2: pad.t + ih }),
    h('svg:text', { x: pad.l - 4, y: pad.t + 10, 'text-anchor': 'end', text: String(max) }),
    h('svg:text', { x: pad.l - 4, y: pad.t + ih, 'text-anchor': 'end', text: '0' }),
    h('svg:text', { x: W - pad.r + 4, y: pad.t + 10, text: fmtDuration(maxReply) }));
  const points = [];
  series.forEach((p, i) => {
    const x = pad.l + i * slot + slot * 0.1;
    const title = `${p.label}: ${t('dash.conversations')} ${p.conversations || 0}, ${t('dash.leads')} ${p.leads || 0}`;
    svg.append(
      h('svg:rect', { class: 'bar', x, y: y(p.conversations || 0), width: bw, height: ih - (y(p.conversations || 0) - pad.t) }, h('svg:title', { text: title })),
      h('svg:rect', { class: 'bar2', x: x + bw, y: y(p.leads || 0), width: bw, height: ih - (y(p.leads || 0) - pad.t) }, h('svg:title', { text: title })));
    if (p.first_reply_seconds_median != null) points.push(`${(x + bw).toFixed(1)},${yr(p.first_reply_seconds_median).toFixed(1)}`);
    // A few date labels along the bottom.
    if (i === 0 || i === n - 1 || (n > 8 && i === Math.floor(n / 2))) {
      svg.append(h('svg:text', { x: x + bw, y: H - 6, 'text-anchor': 'middle', text: shortDate(p.label) }));
    }
  });
  if (points.length > 1) svg.append(h('svg:polyline', { class: 'line', points: points.join(' ') }));
  return svg;
}

function shortDate(s) {
  const d = new Date(s + (s.length === 10 ? 'T00:00:00' : ''));
  return isNaN(d) ? s : d.toLocaleDateString(lang(), { month: 'short', day: 'numeric' });
}

function table(series) {
  const cols = [['label', ''], ['conversations', t('dash.conversations')], ['leads', t('dash.leads')], ['handoffs', t('dash.handoffs')],
    ['bookings', t('dash.bookings')], ['first_reply_seconds_median', t('dash.firstReply')]];
  return h('table', null,
    h('thead', null, h('tr', null, cols.map(([, l]) => h('th', { scope: 'col', text: l })))),
    h('tbody', null, series.map((p) => h('tr', null, cols.map(([k], i) => (i === 0
      ? h('th', { scope: 'row', text: p.label })
      : h('td', { text: k === 'first_reply_seconds_median' ? fmtDuration(p[k]) : String(p[k] ?? 0) })))))));
}
