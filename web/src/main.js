// The dashboard's entry: the views by URL, the sign-in when the API asks for a token, and
// the marks (performance timeline) that the tests and the benchmark time each view by.
import { AuthError, token } from './api.js';
import { fill, h } from './dom.js';
import { match, route, start } from './router.js';
import { signIn } from './signin.js';
import { overview } from './pages/overview.js';
import { hosts } from './pages/hosts.js';
import { host } from './pages/host.js';
import { rules } from './pages/rules.js';
import { rule } from './pages/rule.js';
import { search } from './pages/search.js';

route('/', 'overview', overview);
route('/hosts', 'hosts', hosts);
route('/hosts/{ip}', 'host', host);
route('/rules', 'rules', rules);
route('/rules/{id}', 'rule', rule);
route('/search', 'search', search);

let generation = 0; // a view whose data comes after the user moved on is dropped

async function render() {
  const mine = ++generation;
  const view = document.getElementById('view');
  const signOut = document.getElementById('sign-out');
  signOut.hidden = !token.get();
  const found = match(location.pathname);
  if (!found) {
    fill(view, h('h1', {}, 'Not found'), h('p', {}, 'No view has this address. ', h('a', { href: '/' }, 'Overview')));
    return;
  }
  view.setAttribute('aria-busy', 'true');
  try {
    const query = Object.fromEntries(new URL(location.href).searchParams);
    const shown = await found.view(found.params, query);
    if (mine !== generation) return;
    document.title = `${shown.title} · vigia`;
    fill(view, shown.node);
    // Complete once the view's last piece is drawn (the overview's chart draws after this).
    const drawn = () => performance.mark(`vigia:${found.name}-drawn`);
    if (shown.mounted) shown.mounted(drawn);
    else drawn();
  } catch (error) {
    if (mine !== generation) return;
    if (error instanceof AuthError) {
      document.title = 'Sign in · vigia';
      fill(view, signIn(error, render));
      signOut.hidden = true;
    } else {
      fill(view, h('h1', {}, 'Something went wrong'), h('p', { class: 'error', role: 'alert' }, error.message));
    }
  } finally {
    if (mine === generation) view.removeAttribute('aria-busy');
  }
}

document.getElementById('sign-out').addEventListener('click', () => {
  token.forget();
  render();
});

start(render);
