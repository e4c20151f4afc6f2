// One URL per view (docs/dashboard.md): the path picks the view, the query holds its filters. Links
// inside the dashboard change the view without reloading, and Back and Forward replay them.

const routes = [];

// `name` names the view's mark on the performance timeline (vigia:<name>-drawn).
export function route(pattern, name, view) {
  const names = [];
  const regex = new RegExp(`^${pattern.replace(/\{(\w+)\}/g, (_, n) => { names.push(n); return '([^/]+)'; })}/?$`);
  routes.push({ regex, names, name, view });
}

export function match(pathname) {
  for (const r of routes) {
    const m = r.regex.exec(pathname);
    if (!m) continue;
    const params = {};
    r.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
    return { name: r.name, view: r.view, params };
  }
  return null;
}

export function start(render) {
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[href]');
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/assets/') ||
        !match(url.pathname)) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  window.addEventListener('popstate', () => render());
  navigate.render = render;
  render();
}

export function navigate(url) {
  if (url !== location.pathname + location.search) history.pushState(null, '', url);
  navigate.render();
}
