// The dashboard in a real browser (Debian's Chromium) against a real vigia-server filled by
// real posts: sign-in with each kind of token, every page's counts, hosts and verdicts, the
// filters, sorting, paging and CSV export, a failing rule's evidence, a verdict change on the
// timeline, a fleet search, hostile agent text shown as text, and, over everything, no
// request leaving the origin, no token in a URL, the CSP on every answer and no console error.
//
// node --test dashboard.test.mjs, with VIGIA_SERVER_BIN, VIGIA_WEB_MODULES (the build's
// node_modules' parent), VIGIA_BROWSER_ARTIFACTS (where screenshots go).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { expected, fleet, payloads, post } from './fleet.mjs';
import { launchBrowser, startServer } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const kRead = 'read-3b1f-token-for-the-browser-test';
const kIngest = 'ingest-77c2-token-for-the-browser-test';
const artifacts = process.env.VIGIA_BROWSER_ARTIFACTS || join(here, 'artifacts');

let server;
let browser;
let page;
let base;

before(async () => {
  const bin = process.env.VIGIA_SERVER_BIN;
  const chromium = process.env.VIGIA_CHROMIUM || '/usr/bin/chromium';
  if (!bin || !existsSync(chromium)) {
    const missing = !bin ? 'VIGIA_SERVER_BIN' : chromium;
    if (process.env.CI) throw new Error(`missing ${missing}`);
    console.log(`# SKIP: missing ${missing}`);
    process.exit(77);
  }
  mkdirSync(artifacts, { recursive: true });
  server = await startServer(bin, ['--policy', join(here, 'policy.toml'),
    '--read-token', kRead, '--ingest-token', kIngest]);
  base = server.url;
  await post(base, kIngest, fleet());
  browser = await launchBrowser();
  page = browser.page;
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
const view = () => page.locator('#view');
// Waits for the view to be drawn (its performance mark, set once per render) and answers
// when that was, in ms since the navigation started; the mark is then cleared, so the next
// wait is for the next render.
async function drawn(name) {
  await page.waitForFunction((n) => performance.getEntriesByName(`vigia:${n}-drawn`).length > 0, name);
  await page.waitForFunction(() => !document.getElementById('view').hasAttribute('aria-busy'));
  return page.evaluate((n) => {
    const at = performance.getEntriesByName(`vigia:${n}-drawn`)[0].startTime;
    performance.clearMarks();
    return at;
  }, name);
}
async function go(path, name) {
  await page.evaluate(() => performance.clearMarks());
  await page.goto(`${base}${path}`);
  await drawn(name);
}
const rows = (scope = view()) => scope.locator('table tbody tr');

test('without a token the data is refused and the page asks for one', async () => {
  await page.goto(`${base}/`);
  await page.getByLabel(/token/i).waitFor();
  const status = await page.evaluate(async () => (await fetch('/api/v1/compliance')).status);
  assert.equal(status, 401);
  await shot('sign-in');
});

test('an ingest token is refused', async () => {
  await page.getByLabel(/token/i).fill(kIngest);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('not an ingest token').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assert.equal(await page.locator('[data-count]').count(), 0);
});

test('with a read token the overview shows the fleet', async () => {
  // The 401s and 403s so far are the browser's own console lines; from here on none is allowed.
  assert.ok(browser.seen.console.every((m) => /status of 40[13]/.test(m)), browser.seen.console.join('\n'));
  browser.seen.console.length = 0;
  await page.getByLabel(/token/i).fill(kRead);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const overviewMs = await drawn('overview');
  for (const status of ['compliant', 'failing', 'stale']) {
    assert.equal(await page.locator(`[data-count="${status}"]`).textContent(), String(expected[status]), status);
  }
  assert.match(await view().textContent(), new RegExp(`${expected.total} hosts`));
  assert.match(await view().locator('#most-failed tbody tr').first().textContent(),
    new RegExp(`No telnet server runs.*${expected.telnet}`));
  // The 30-day trend, drawn by uPlot.
  assert.equal(await view().locator('.chart canvas').count(), 1);
  console.log(`# overview drawn ${overviewMs.toFixed(0)} ms after the page load began (sign-in included)`);
  await shot('overview');
});

test('hosts: filters, sorting, paging, back button and CSV export', async () => {
  await page.getByRole('link', { name: 'Hosts', exact: true }).click();
  await drawn('hosts');
  assert.equal(await rows().count(), 50, 'the first page of 50');
  await page.getByRole('link', { name: 'Next page' }).click();
  await drawn('hosts');
  assert.equal(await rows().count(), expected.total - 50);
  assert.match(page.url(), /\/hosts\?cursor=/);
  await page.goBack();
  await drawn('hosts');
  assert.equal(await rows().count(), 50);
  assert.equal(new URL(page.url()).search, '');

  await page.getByLabel('Status', { exact: true }).selectOption('failing');
  await page.getByRole('button', { name: 'Apply' }).click();
  await drawn('hosts');
  assert.equal(new URL(page.url()).search, '?status=failing');
  assert.equal(await rows().count(), expected.failing);

  await page.getByLabel('OS', { exact: true }).fill('ubuntu');
  await page.getByRole('button', { name: 'Apply' }).click();
  await drawn('hosts');
  assert.equal(await rows().count(), expected.ubuntu);
  assert.match(await rows().first().textContent(), /supported-os/);

  await go('/hosts?severity=critical&sort=-last_report_at', 'hosts');
  assert.equal(await rows().count(), expected.telnet + 1);
  assert.equal(await page.getByLabel('Sort by').inputValue(), '-last_report_at');
  await go('/hosts?sort=hostname', 'hosts');
  assert.match(await rows().first().textContent(), /^evil<b>host<\/b>10\.1\.0\.99/);
  await go('/hosts?q=web-03', 'hosts');
  assert.equal(await rows().count(), 1);

  await go('/hosts?status=failing&rule=no-telnet', 'hosts');
  assert.equal(await rows().count(), expected.telnet);
  await shot('hosts');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const csv = readFileSync(await download.path(), 'utf8').trimEnd().split('\n');
  assert.equal(csv[0], 'ip,hostname,last_report_at,status,failing,worst_severity');
  assert.equal(csv.length, 1 + expected.telnet);
  assert.ok(csv.slice(1).every((line) => /,failing,no-telnet,critical$/.test(line)), csv.join('\n'));
});

test('a host page shows a failing rule\'s evidence', async () => {
  await go('/hosts/10.1.0.60', 'host');
  const verdict = view().locator('table').first().locator('tr', { hasText: 'No telnet server runs' });
  assert.match(await verdict.textContent(), /fail/);
  assert.match(await verdict.locator('ul.evidence').textContent(), /name: telnetd.*command: \/usr\/sbin\/telnetd --port 2360/);
  assert.match(await view().locator('dl.facts').textContent(), /Kernel6\.1\.0-13-amd64/);
  // Its processes at the newest report, filtered by name.
  await page.getByLabel('Process name').fill('telnetd');
  await page.getByRole('button', { name: 'Show' }).click();
  await drawn('host');
  const processes = view().locator('table', { has: page.locator('caption', { hasText: 'Processes' }) });
  assert.equal(await processes.locator('tbody tr').count(), 1);
  await shot('host');
});

test('the timeline shows a verdict change', async () => {
  await go('/hosts/10.1.0.1', 'host');
  const lane = view().locator('.lane[data-rule="no-telnet"] .segment');
  assert.deepEqual(await lane.evaluateAll((s) => s.map((e) => e.classList[1])), ['pass', 'fail', 'pass']);
  const changes = view().locator('table', { has: page.locator('caption', { hasText: 'Verdict changes' }) });
  assert.ok(await changes.locator('tr', { hasText: 'no-telnet' }).filter({ hasText: 'fail' }).count() >= 1);
  await shot('timeline');
});

test('rules list and a rule\'s failing hosts', async () => {
  await page.getByRole('link', { name: 'Rules', exact: true }).click();
  await drawn('rules');
  assert.equal(await rows().count(), 4);
  await page.getByRole('link', { name: 'A supported OS release' }).click();
  await drawn('rule');
  assert.match(await view().textContent(), /Upgrade the release/);
  assert.equal(await rows().count(), expected.ubuntu);
  await shot('rule');
});

test('search finds a process on the hosts that ran it', async () => {
  await page.getByRole('link', { name: 'Search', exact: true }).click();
  await drawn('search');
  await page.getByLabel('Process name').fill('cryptominer-x');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await drawn('search');
  assert.match(page.url(), /\/search\?kind=processes&name=cryptominer-x$/);
  const hosts = await rows().evaluateAll((trs) => trs.map((tr) => tr.cells[0].textContent).sort());
  assert.deepEqual(hosts, ['web-05', 'web-07']);
  await shot('search');
});

test('hostile agent text is shown as text: no script ran, no element was injected', async () => {
  await go('/hosts/10.1.0.99', 'host');
  await go(`/search?kind=processes&host=10.1.0.99`, 'search');
  await go('/search?kind=sessions&host=10.1.0.99', 'search');
  await go('/hosts?sort=hostname', 'hosts');
  await go('/rules/no-exec-from-tmp', 'rule');
  await go('/hosts/10.1.0.99', 'host');
  await shot('hostile');
  const text = await view().textContent();
  for (const payload of Object.values(payloads)) assert.ok(text.includes(payload), payload);
  assert.ok(text.includes('evil<b>host</b>'));
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(browser.seen.injected, []);
  assert.equal(await page.locator('#view img, #view script, #view svg, #view iframe, #view b').count(), 0);
});

test('signing out forgets the token', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel(/token/i).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await page.reload();
  await page.getByLabel(/token/i).waitFor();
});

test('every request stayed on the origin, no URL held a token, every answer had the headers', async () => {
  const origin = new URL(base).origin;
  const urls = browser.seen.requests;
  assert.ok(urls.length > 20);
  const away = urls.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(away, []);
  for (const u of urls) {
    assert.ok(!u.includes(kRead) && !u.includes(kIngest), `token in ${u}`);
  }
  const pages = browser.seen.responses.filter((r) => !new URL(r.url()).pathname.startsWith('/api/'));
  assert.ok(pages.length > 10);
  for (const r of pages) {
    if (r.url().startsWith('blob:')) continue;
    const headers = await r.allHeaders();
    assert.match(headers['content-security-policy'] || '', /default-src 'none'; script-src 'self'; style-src 'self';.*frame-ancestors 'none'/, r.url());
    assert.equal(headers['x-content-type-options'], 'nosniff', r.url());
    assert.equal(headers['referrer-policy'], 'no-referrer', r.url());
  }
  for (const r of browser.seen.responses.filter((x) => new URL(x.url()).pathname.startsWith('/api/'))) {
    assert.equal((await r.allHeaders())['x-content-type-options'], 'nosniff', r.url());
  }
});

test('the pages worked under the CSP with no console error', async () => {
  assert.deepEqual(browser.seen.errors, []);
  assert.deepEqual(browser.seen.console.filter((m) => !/status of 401/.test(m)), []);
  assert.deepEqual(browser.seen.csp, []);
});
