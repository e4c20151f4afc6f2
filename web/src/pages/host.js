// One host: its facts, each rule's verdict with since, evidence and waiver, its processes and
// sessions at the newest report or at a chosen time, and its verdict history as a timeline.
import { apiGet } from '../api.js';
import { h, table } from '../dom.js';
import { navigate } from '../router.js';
import { ago, badge, csvButton, field, pager, ruleLink, when } from '../format.js';

// An evidence entry or a waiver, as "key: value" text.
const pairs = (object) => Object.entries(object || {}).map(([k, v]) => `${k}: ${v === null ? 'null' : v}`).join(', ');

function evidence(list) {
  if (!list || list.length === 0) return '';
  return h('ul', { class: 'evidence' }, list.map((e) => h('li', {}, h('code', {}, pairs(e)))));
}

function facts(ip, summary, report) {
  const os = report?.os || {};
  const cpu = report?.cpu || {};
  const row = (k, v) => [h('dt', {}, k), h('dd', {}, v ?? '—')];
  return h('dl', { class: 'facts' },
    row('IP', ip),
    row('Hostname', report?.host?.hostname ?? summary?.hostname),
    row('OS', [os.name, os.version].filter(Boolean).join(' ') || null),
    row('Kernel', os.kernel),
    row('CPU', [cpu.model, cpu.arch || os.arch, cpu.cores ? `${cpu.cores} cores` : null].filter(Boolean).join(', ') || null),
    row('Last report', summary ? `${when(summary.last_report_at)} (${ago(summary.last_report_at)})` : null),
    row('Status', summary ? [badge(summary.status), summary.status === 'stale' ? ' no recent report' : ''] : null));
}

// Per rule, its runs as bars over the history's span; below, the same runs as a table.
function timeline(runs) {
  if (runs.length === 0) return h('p', { class: 'empty' }, 'No verdict yet.');
  const times = runs.flatMap((r) => [Date.parse(r.first_seen_at), Date.parse(r.last_seen_at)]);
  const start = Math.min(...times);
  const span = Math.max(1, Math.max(...times) - start);
  const byRule = new Map();
  for (const r of [...runs].reverse()) byRule.set(r.rule, [...(byRule.get(r.rule) || []), r]);
  const lanes = h('div', { class: 'timeline', role: 'list', 'aria-label': 'Verdict timeline' },
    [...byRule].map(([id, list]) => h('div', { class: 'lane', role: 'listitem', 'data-rule': id },
      h('span', { class: 'lane-name' }, id),
      h('span', { class: 'lane-bar' }, list.map((r, i) => {
        // A status holds from its run's first report until the next run's first report.
        const from = Date.parse(r.first_seen_at);
        const until = i + 1 < list.length ? Date.parse(list[i + 1].first_seen_at) : start + span;
        const segment = h('span', { class: `segment ${r.status}`, title: `${r.status} from ${when(r.first_seen_at)}` });
        // Positions through the CSSOM: allowed by the CSP, unlike style attributes.
        segment.style.left = `${((from - start) / span) * 100}%`;
        segment.style.width = `max(3px, ${((until - from) / span) * 100}%)`;
        return segment;
      })))));
  return [lanes, table([
    { title: 'Rule', cell: (r) => ruleLink(r.rule) },
    { title: 'Status', cell: (r) => badge(r.status) },
    { title: 'From', cell: (r) => when(r.first_seen_at) },
    { title: 'Until', cell: (r) => when(r.last_seen_at) },
    { title: 'Evidence', cell: (r) => evidence(r.evidence) },
  ], runs, 'Verdict changes, newest first')];
}

export async function host(params, query) {
  const ip = params.ip;
  // The form's time is UTC, as every time the dashboard shows.
  const utc = (t) => (/(Z|[+-]\d\d:?\d\d)$/i.test(t) ? t : `${t}Z`);
  const at = query.at ? new Date(utc(query.at)).toISOString() : new Date().toISOString();
  const processFilters = { name: query.name, user: query.user, command: query.command };
  const [summaryPage, verdicts, history, newest, processes, sessions] = await Promise.all([
    apiGet('/api/v1/compliance/hosts', { host: ip, limit: 1 }),
    apiGet(`/api/v1/servers/${encodeURIComponent(ip)}/compliance`),
    apiGet(`/api/v1/servers/${encodeURIComponent(ip)}/compliance/history`, { limit: 200 }),
    apiGet(`/api/v1/servers/${encodeURIComponent(ip)}/reports`, { limit: 1 }),
    apiGet('/api/v1/processes', { host: ip, at, ...processFilters, limit: 50, cursor: query.pcursor }),
    apiGet('/api/v1/sessions', { host: ip, at, limit: 50, cursor: query.scursor }),
  ]);
  const summary = summaryPage.items[0];
  const report = newest.items[0] ? await apiGet(`/api/v1/reports/${encodeURIComponent(newest.items[0].id)}`) : null;
  const form = h('form', {
    class: 'filters',
    onsubmit: (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const next = new URLSearchParams();
      for (const k of ['at', 'name', 'user', 'command']) if (data.get(k)) next.set(k, data.get(k));
      navigate(`/hosts/${encodeURIComponent(ip)}${next.toString() ? `?${next}` : ''}`);
    },
  },
  field('At (UTC)', h('input', { type: 'datetime-local', name: 'at', step: 1, value: query.at || '' })),
  field('Process name', h('input', { type: 'text', name: 'name', value: query.name || '' })),
  field('User', h('input', { type: 'text', name: 'user', value: query.user || '' })),
  field('Command contains', h('input', { type: 'text', name: 'command', value: query.command || '' })),
  h('button', { type: 'submit' }, 'Show'));
  const node = h('section', { id: 'host' },
    h('h1', {}, report?.host?.hostname ?? summary?.hostname ?? ip),
    facts(ip, summary, report),
    h('h2', {}, 'Verdicts'),
    h('p', {}, csvButton('Export CSV', `/api/v1/servers/${encodeURIComponent(ip)}/compliance`, {}, `vigia-${ip}-verdicts.csv`)),
    table([
      { title: 'Rule', cell: (v) => ruleLink(v.rule, v.title) },
      { title: 'Severity', cell: (v) => badge(v.severity) },
      { title: 'Status', cell: (v) => badge(v.status) },
      { title: 'Since', cell: (v) => when(v.since) },
      { title: 'Evidence', cell: (v) => evidence(v.evidence) },
      { title: 'Waiver', cell: (v) => (v.waiver ? pairs(v.waiver) : '') },
    ], verdicts.items, null),
    h('h2', {}, `Processes and sessions ${query.at ? `at ${when(at)}` : 'at the newest report'}`),
    form,
    processes.items.length === 0 ? h('p', { class: 'empty' }, 'No process matches.') : table([
      { title: 'PID', cell: (p) => String(p.pid) },
      { title: 'Name', cell: (p) => p.name },
      { title: 'User', cell: (p) => p.user },
      { title: 'Command', cell: (p) => h('code', { class: 'command' }, p.command) },
      { title: 'Started', cell: (p) => when(p.started_at) },
    ], processes.items, 'Processes'),
    pager(processes.next, 'pcursor'),
    sessions.items.length === 0 ? h('p', { class: 'empty' }, 'No session.') : table([
      { title: 'User', cell: (s) => s.user },
      { title: 'TTY', cell: (s) => s.tty },
      { title: 'From', cell: (s) => s.remote_host || 'local' },
      { title: 'Login', cell: (s) => when(s.login_time) },
    ], sessions.items, 'Sessions'),
    pager(sessions.next, 'scursor'),
    h('h2', {}, 'Verdict history'),
    timeline(history.items));
  return { title: report?.host?.hostname ?? ip, node };
}
