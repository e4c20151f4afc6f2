// Overview: the fleet's hosts by status, failing rules by severity, the 30-day trend and the
// most-failed rules. Two API calls, both answered from counters, whatever the fleet's size.
import { apiGet } from '../api.js';
import { h, table } from '../dom.js';
import { badge, ruleLink, severities } from '../format.js';
import { trendChart } from '../trend_chart.js';

export async function overview() {
  // The counts come from counters at once; the trend reads every host's day ends and can take
  // longer at fleet scale, so the chart is drawn when it comes, after the rest of the page.
  const trendAnswer = apiGet('/api/v1/compliance/trend', { days: 30 });
  trendAnswer.catch(() => {}); // handled where it is awaited
  const fleet = await apiGet('/api/v1/compliance');
  const count = (status, text) => h('a', { class: `tile ${status}`, href: `/hosts?status=${status}` },
    h('span', { class: 'number', 'data-count': status }, String(fleet.hosts[status])), h('span', {}, text));
  const failingBySeverity = severities.map((severity) => {
    const failing = fleet.rules.filter((r) => r.severity === severity && r.fail + r.error > 0);
    return { severity, rules: failing.length, hosts: failing.reduce((n, r) => n + r.fail + r.error, 0) };
  });
  const mostFailed = fleet.rules.filter((r) => r.fail + r.error > 0)
    .sort((a, b) => b.fail + b.error - (a.fail + a.error) || a.id.localeCompare(b.id)).slice(0, 10);
  const chartBox = h('div', { class: 'chart-slot' }, h('p', { class: 'muted', role: 'status' }, 'Loading the trend…'));
  const mostFailedTable = mostFailed.length === 0 ? h('p', {}, 'No rule fails on any host.') : table([
    { title: 'Rule', cell: (r) => ruleLink(r.id, r.title) },
    { title: 'Severity', cell: (r) => badge(r.severity) },
    { title: 'Hosts failing', cell: (r) => h('a', { href: `/hosts?rule=${encodeURIComponent(r.id)}` }, String(r.fail + r.error)) },
  ], mostFailed, null);
  mostFailedTable.id = 'most-failed';
  const policy = fleet.policy.name ? `${fleet.policy.name} ${fleet.policy.version}` : 'no policy loaded';
  const node = h('section', { 'aria-labelledby': 'overview-title' },
    h('h1', { id: 'overview-title' }, 'Overview'),
    h('p', { class: 'muted' }, `${fleet.hosts.total} hosts · policy ${policy}`),
    h('div', { class: 'tiles' },
      count('compliant', 'compliant'), count('failing', 'failing'), count('stale', 'stale')),
    h('h2', {}, 'Failing rules by severity'),
    table([
      { title: 'Severity', cell: (r) => h('a', { href: `/hosts?severity=${r.severity}` }, badge(r.severity)) },
      { title: 'Failing rules', cell: (r) => String(r.rules) },
      { title: 'Failing host verdicts', cell: (r) => String(r.hosts) },
    ], failingBySeverity, null),
    h('h2', {}, 'The last 30 days'),
    chartBox,
    h('h2', {}, 'Most-failed rules'),
    mostFailedTable);
  node.id = 'overview';
  // Complete (the view's mark) once the chart has drawn too.
  const mounted = async (drawn) => {
    performance.mark('vigia:overview-counts-drawn');
    try {
      const chart = trendChart((await trendAnswer).items);
      chartBox.replaceChildren(chart.node);
      chart.mount(drawn);
    } catch (error) {
      chartBox.replaceChildren(h('p', { class: 'error', role: 'alert' }, `The trend could not be read: ${error.message}`));
      drawn();
    }
  };
  return { title: 'Overview', node, mounted };
}
