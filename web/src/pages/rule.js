// One rule: what it checks and why, how to fix it, and the hosts failing it (paged, CSV).
import { apiGet } from '../api.js';
import { h, table } from '../dom.js';
import { ago, badge, csvButton, hostLink, pager } from '../format.js';

export async function rule(params, query) {
  const [policy, page] = await Promise.all([
    apiGet('/api/v1/policy'),
    apiGet('/api/v1/compliance/hosts', { rule: params.id, limit: 50, cursor: query.cursor }),
  ]);
  const r = policy.rules.find((x) => x.id === params.id);
  if (!r) return { title: 'Unknown rule', node: h('section', {}, h('h1', {}, 'Unknown rule'), h('p', {}, `The policy in force has no rule ${params.id}.`)) };
  const node = h('section', { id: 'rule' },
    h('h1', {}, r.title),
    h('p', {}, h('code', {}, r.id), ' ', badge(r.severity), ' ', r.kind),
    h('dl', {},
      h('dt', {}, 'Rationale'), h('dd', {}, r.rationale || '—'),
      h('dt', {}, 'Remediation'), h('dd', {}, r.remediation || '—'),
      h('dt', {}, 'References'), h('dd', {}, (r.references || []).join('; ') || '—')),
    h('h2', {}, 'Hosts failing it'),
    h('p', {}, csvButton('Export CSV', '/api/v1/compliance/hosts', { rule: r.id }, `vigia-${r.id}-failing.csv`)),
    page.items.length === 0 ? h('p', { class: 'empty' }, 'No host fails this rule.') : table([
      { title: 'Hostname', cell: (x) => hostLink(x.ip, x.hostname) },
      { title: 'IP', cell: (x) => x.ip },
      { title: 'Status', cell: (x) => badge(x.status) },
      { title: 'Last report', cell: (x) => ago(x.last_report_at) },
    ], page.items, null),
    pager(page.next));
  return { title: r.title, node };
}
