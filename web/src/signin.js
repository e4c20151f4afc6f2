// Asks for a read token when the API refuses the tab's (none, unknown, or an ingest token).
import { token } from './api.js';
import { h } from './dom.js';

export function signIn(error, render) {
  const held = token.get();
  let why = 'This dashboard needs a read token.';
  if (held && error.status === 403) why = 'That token may not read: the dashboard needs a read token, not an ingest token.';
  else if (held) why = 'That token is not known to this server.';
  token.forget();
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, spellcheck: false });
  // POST, and never submitted by the browser itself: a token must not become a query string.
  const form = h('form', {
    method: 'post',
    class: 'sign-in',
    onsubmit: (event) => {
      event.preventDefault();
      token.set(input.value.trim());
      render();
    },
  },
  h('h1', {}, 'Sign in'),
  h('p', { role: held ? 'alert' : null, class: held ? 'error' : null }, why),
  h('label', { for: 'read-token' }, 'Read token'),
  input,
  h('button', { type: 'submit' }, 'Sign in'),
  h('p', { class: 'muted' }, 'The token is kept in this tab only, until you sign out or close it.'));
  input.id = 'read-token';
  queueMicrotask(() => input.focus());
  return form;
}
