// Small shared pieces of the views: times, status badges, links, paging and the CSV button.
import { h } from './dom.js';
import { downloadCsv } from './api.js';

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

export function ago(iso) {
  if (!iso) return '';
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 90) return `${Math.round(seconds)} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 129600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}

export const badge = (status) => h('span', { class: `badge ${status || 'none'}` }, status || '—');

export const hostLink = (ip, text) => h('a', { href: `/hosts/${encodeURIComponent(ip)}` }, text ?? ip);
export const ruleLink = (id, text) => h('a', { href: `/rules/${encodeURIComponent(id)}` }, text ?? id);

// The current URL with `changes` applied to its query (an empty value removes the key).
export function withQuery(changes) {
  const url = new URL(location.href);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === null || value === '') url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  return url.pathname + url.search;
}

// Cursor paging: the cursor is in the page's URL, so Back returns to the previous page.
export function pager(next, cursorKey = 'cursor') {
  const here = new URL(location.href).searchParams.get(cursorKey);
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    here ? h('a', { href: withQuery({ [cursorKey]: '' }) }, 'First page') : null,
    next ? h('a', { href: withQuery({ [cursorKey]: next }), rel: 'next' }, 'Next page') : null);
}

export function csvButton(label, path, params, filename) {
  const status = h('span', { class: 'muted', role: 'status' });
  const button = h('button', {
    type: 'button',
    onclick: async () => {
      button.disabled = true;
      try {
        await downloadCsv(path, params, filename);
        status.textContent = '';
      } catch (e) {
        status.textContent = `Export failed: ${e.message}`;
      } finally {
        button.disabled = false;
      }
    },
  }, label);
  return h('span', {}, button, ' ', status);
}

// A labelled form control: the label's text is its accessible name.
export function field(label, control) {
  const id = `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

export function select(name, value, options) {
  return h('select', { name },
    options.map(([v, text]) => h('option', { value: v, selected: v === (value ?? '') }, text)));
}

export const severities = ['critical', 'high', 'medium', 'low', 'info'];
