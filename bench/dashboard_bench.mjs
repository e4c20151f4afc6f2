// Times the dashboard in Debian's Chromium by its own marks on the performance timeline
// (vigia:<view>-drawn, set once a view is completely drawn; startTime counts from the start
// of the navigation): each target ROUNDS fresh page loads, reported as median and worst.
// Usage: node bench/dashboard_bench.mjs URL ROUNDS   (a server without tokens, on loopback)
import { launchBrowser } from '../tests/browser/harness.mjs';

const [url, rounds = '5'] = process.argv.slice(2);
const targets = [
  ['overview', '/', 'overview'],
  ['hosts, failing a high-severity rule', '/hosts?status=failing&severity=high', 'hosts'],
  ['hosts, by hostname, OS filter', '/hosts?os=debian&sort=hostname', 'hosts'],
];
const browser = await launchBrowser();
const { page } = browser;
console.log('\n| view | first complete draw, median | worst | API answers |');
console.log('| --- | --- | --- | --- |');
for (const [label, path, mark] of targets) {
  const times = [];
  const counts = [];
  let api = 0;
  for (let i = 0; i < Number(rounds); i++) {
    await page.goto(`${url}${path}`);
    await page.waitForFunction((m) => performance.getEntriesByName(`vigia:${m}-drawn`).length > 0, mark, { timeout: 60000 });
    const t = await page.evaluate((m) => ({
      drawn: performance.getEntriesByName(`vigia:${m}-drawn`)[0].startTime,
      // The overview's counts and tables, drawn before its chart.
      counts: performance.getEntriesByName(`vigia:${m}-counts-drawn`)[0]?.startTime,
      api: performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/'))
        .reduce((worst, r) => Math.max(worst, r.responseEnd - r.startTime), 0),
    }), mark);
    times.push(t.drawn);
    if (t.counts !== undefined) counts.push(t.counts);
    api = Math.max(api, t.api);
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  times.sort((a, b) => a - b);
  const early = counts.length ? ` (counts and tables: ${median(counts).toFixed(0)} ms)` : '';
  console.log(`| ${label} (\`${path}\`) | ${median(times).toFixed(0)} ms${early} | ${times.at(-1).toFixed(0)} ms | slowest ${api.toFixed(0)} ms |`);
}
await browser.close();
