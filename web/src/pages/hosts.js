// Hosts: search and filters (status, rule, severity, OS), sorting and paging, all done by the
// server (GET /api/v1/compliance/hosts); the filters live in the URL, so a view can be shared.
import { apiGet } from '../api.js';
import { h, table } from '../dom.js';
import { navigate } from '../router.js';
import { ago, badge, csvButton, field, hostLink, pager, ruleLink, select, severities, when } from '../format.js';

const kPageSize = 50;
const kFilters = ['q', 'status', 'rule', 'severity', 'os', 'sort'];

export async function hosts(_, query) {
  const filters = Object.fromEntries(kFilters.map((k) => [k, query[k] || '']));
  const [page, policy] = await Promise.all([
    apiGet('/api/v1/compliance/hosts', { ...filters, limit: kPageSize, cursor: query.cursor }),
    apiGet('/api/v1/policy'),
  ]);
  const form = h('form', {
    class: 'filters',
    role: 'search',
    onsubmit: (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const next = new URLSearchParams();
      for (const k of kFilters) if (data.get(k)) next.set(k, data.get(k));
      navigate(`/hosts${next.toString() ? `?${next}` : ''}`);
    },
  },
  field('Search hostname or IP', h('input', { type: 'search', name: 'q', value: filters.q })),
  field('Status', select('status', filters.status,
    [['', 'any'], ['compliant', 'compliant'], ['failing', 'failing'], ['stale', 'stale']])),
  field('Failing rule', select('rule', filters.rule,
    [['', 'any'], ...policy.rules.map((r) => [r.id, r.id])])),
  field('Severity at least', select('severity', filters.severity,
    [['', 'any'], ...severities.map((s) => [s, s])])),
  field('OS', h('input', { type: 'text', name: 'os', value: filters.os, placeholder: 'debian' })),
  field('Sort by', select('sort', filters.sort,
    [['', 'first seen'], ['hostname', 'hostname'], ['last_report_at', 'last report, oldest first'],
      ['-last_report_at', 'last report, newest first']])),
  h('button', { type: 'submit' }, 'Apply'));
  const node = h('section', { id: 'hosts' },
    h('h1', {}, 'Hosts'),
    form,
    h('p', {}, csvButton('Export CSV', '/api/v1/compliance/hosts', filters, 'vigia-hosts.csv')),
    page.items.length === 0 ? h('p', { class: 'empty' }, 'No host matches.') : table([
      { title: 'Hostname', cell: (x) => hostLink(x.ip, x.hostname) },
      { title: 'IP', cell: (x) => x.ip },
      { title: 'Status', cell: (x) => badge(x.status) },
      { title: 'Worst severity', cell: (x) => (x.worst_severity ? badge(x.worst_severity) : '—') },
      { title: 'Failing rules', cell: (x) => x.failing.flatMap((id, i) => [i ? ', ' : '', ruleLink(id)]) },
      { title: 'Last report', cell: (x) => h('time', { datetime: x.last_report_at, title: when(x.last_report_at) }, ago(x.last_report_at)) },
    ], page.items, `${page.items.length} hosts on this page`),
    pager(page.next));
  return { title: 'Hosts', node };
}
