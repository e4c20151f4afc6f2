// What the browser tests stand on: a real vigia-server on 127.0.0.1 (free port, temporary
// data dir), and Debian's Chromium driven by playwright-core, recording every request,
// response, console message, page error and CSP violation.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// playwright-core comes from the build's npm ci (the dashboard's lockfile), not from here.
const requireFromBuild = createRequire(join(resolve(process.env.VIGIA_WEB_MODULES || '.'), 'package.json'));

export async function startServer(serverBin, args) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigia-browser-'));
  const child = spawn(serverBin, ['--listen', '127.0.0.1:0', '--data-dir', join(dataDir, 'data'),
    '--compress', 'none', '--no-fsync', '--rate-limit-rps', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigia-server did not start:\n${log}`)), 20000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const m = /listening on (http:\/\/[^\s]+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => reject(new Error(`vigia-server exited ${code}:\n${log}`)));
  });
  return {
    url,
    log: () => log,
    stop: async () => {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// Debian's Chromium, headless, without the background traffic it makes on its own (the test
// asserts that every request goes to the server).
export async function launchBrowser() {
  const { chromium } = requireFromBuild('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'vigia-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.VIGIA_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const seen = { requests: [], responses: [], console: [], errors: [], csp: [], injected: [] };
  // Kept here, across every page load of the run.
  await context.exposeFunction('__vigiaCsp', (v) => seen.csp.push(v));
  await context.exposeFunction('__vigiaInjected', (v) => seen.injected.push(v));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => window.__vigiaCsp(`${e.violatedDirective} ${e.blockedURI}`));
    // Every element of a kind that could run or load something, whenever it is added.
    new MutationObserver((mutations) => {
      for (const m of mutations) {
        for (const n of m.addedNodes) {
          if (n.nodeType !== 1 || !document.body || !document.body.contains(n)) continue;
          for (const e of [n, ...n.querySelectorAll('*')]) {
            if (/^(IMG|SCRIPT|SVG|IFRAME|OBJECT|EMBED|B|STYLE|LINK)$/i.test(e.tagName)) window.__vigiaInjected(`${e.tagName} in ${location.pathname}`);
          }
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
  context.on('request', (r) => seen.requests.push(r.url()));
  context.on('response', (r) => seen.responses.push(r));
  const page = context.pages()[0] || await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') seen.console.push(m.text()); });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  return {
    page,
    seen,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
