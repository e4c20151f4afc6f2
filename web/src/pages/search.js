// Search: the fleet's process or session history (GET /api/v1/processes, /api/v1/sessions),
// with the filters in the URL.
import { apiGet } from '../api.js';
import { h, table } from '../dom.js';
import { navigate } from '../router.js';
import { csvButton, field, hostLink, pager, select, when } from '../format.js';

const kFields = {
  processes: [['name', 'Process name'], ['user', 'User'], ['command', 'Command contains'], ['host', 'Host IP']],
  sessions: [['user', 'User'], ['remote_host', 'Remote host'], ['tty', 'TTY'], ['host', 'Host IP']],
};

const kColumns = {
  processes: [
    { title: 'Host', cell: (x) => hostLink(x.host_ip, x.hostname) },
    { title: 'Name', cell: (x) => x.name },
    { title: 'User', cell: (x) => x.user },
    { title: 'Command', cell: (x) => h('code', { class: 'command' }, x.command) },
    { title: 'First seen', cell: (x) => when(x.first_seen_at) },
    { title: 'Last seen', cell: (x) => when(x.last_seen_at) },
    { title: 'Running', cell: (x) => (x.running ? 'yes' : 'no') },
  ],
  sessions: [
    { title: 'Host', cell: (x) => hostLink(x.host_ip, x.hostname) },
    { title: 'User', cell: (x) => x.user },
    { title: 'TTY', cell: (x) => x.tty },
    { title: 'From', cell: (x) => x.remote_host || 'local' },
    { title: 'First seen', cell: (x) => when(x.first_seen_at) },
    { title: 'Last seen', cell: (x) => when(x.last_seen_at) },
    { title: 'Open', cell: (x) => (x.open ? 'yes' : 'no') },
  ],
};

export async function search(_, query) {
  const kind = query.kind === 'sessions' ? 'sessions' : 'processes';
  const filters = Object.fromEntries(kFields[kind].map(([k]) => [k, query[k] || '']));
  const asked = Object.values(filters).some(Boolean);
  const page = asked ? await apiGet(`/api/v1/${kind}`, { ...filters, limit: 50, cursor: query.cursor }) : null;
  const form = h('form', {
    class: 'filters',
    role: 'search',
    onsubmit: (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const next = new URLSearchParams({ kind: data.get('kind') });
      for (const [k] of kFields[data.get('kind')]) if (data.get(k)) next.set(k, data.get(k));
      navigate(`/search?${next}`);
    },
  },
  field('Search in', select('kind', kind, [['processes', 'processes'], ['sessions', 'sessions']])),
  kFields[kind].map(([k, label]) => field(label, h('input', { type: 'text', name: k, value: filters[k] }))),
  h('button', { type: 'submit' }, 'Search'));
  form.querySelector('select').addEventListener('change', (e) => navigate(`/search?kind=${e.target.value}`));
  const node = h('section', { id: 'search' },
    h('h1', {}, 'Search'),
    form,
    !page ? h('p', { class: 'muted' }, `Give at least one filter to search the fleet's ${kind}.`)
      : [h('p', {}, csvButton('Export CSV', `/api/v1/${kind}`, filters, `vigia-${kind}.csv`)),
        page.items.length === 0 ? h('p', { class: 'empty' }, `No ${kind} match.`)
          : table(kColumns[kind], page.items, `${page.items.length} ${kind} on this page`),
        pager(page.next)]);
  return { title: 'Search', node };
}
