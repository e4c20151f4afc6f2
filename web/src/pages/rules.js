// Rules: every rule of the policy in force with its rationale, remediation and hosts failing.
import { apiGet } from '../api.js';
import { h, table } from '../dom.js';
import { badge, csvButton, ruleLink } from '../format.js';

export async function rules() {
  const [policy, fleet] = await Promise.all([apiGet('/api/v1/policy'), apiGet('/api/v1/compliance')]);
  const counts = new Map(fleet.rules.map((r) => [r.id, r]));
  const node = h('section', { id: 'rules' },
    h('h1', {}, 'Rules'),
    h('p', { class: 'muted' }, policy.name ? `Policy ${policy.name} ${policy.version}, loaded ${policy.loaded_at}` : 'No policy is loaded: every host is compliant unless stale.'),
    h('p', {}, csvButton('Export CSV', '/api/v1/compliance', {}, 'vigia-rules.csv')),
    table([
      { title: 'Rule', cell: (r) => ruleLink(r.id, r.title) },
      { title: 'Id', cell: (r) => h('code', {}, r.id) },
      { title: 'Severity', cell: (r) => badge(r.severity) },
      { title: 'Failing', cell: (r) => h('a', { href: `/hosts?rule=${encodeURIComponent(r.id)}` }, String((counts.get(r.id)?.fail ?? 0) + (counts.get(r.id)?.error ?? 0))) },
      { title: 'Passing', cell: (r) => String(counts.get(r.id)?.pass ?? 0) },
      { title: 'Rationale', cell: (r) => r.rationale || '' },
    ], policy.rules, `${policy.rules.length} rules`));
  return { title: 'Rules', node };
}
