// The 30-day trend: hosts compliant, failing and stale at the end of each UTC day, drawn by
// uPlot (canvas; its styles come from style.css, so the strict CSP holds).
import uPlot from 'uplot';
import { h } from './dom.js';

export function trendChart(days) {
  const box = h('div', { class: 'chart', role: 'img', 'aria-label': 'Hosts compliant, failing and stale per day' });
  const x = days.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000);
  const series = ['compliant', 'failing', 'stale'].map((k) => days.map((d) => d[k]));
  // Drawn once the box is in the page (uPlot measures it); `drawn` is called after the first
  // complete draw.
  const mount = (drawn) => {
    let first = true;
    const plot = new uPlot({
      width: Math.max(320, box.clientWidth || 640),
      height: 220,
      scales: { x: { time: true } },
      axes: [{}, { label: 'hosts' }],
      series: [
        { label: 'day', value: (_, v) => (v == null ? '' : new Date(v * 1000).toISOString().slice(0, 10)) },
        { label: 'compliant', stroke: '#2e7d32', width: 2 },
        { label: 'failing', stroke: '#c62828', width: 2 },
        { label: 'stale', stroke: '#8d6e63', width: 2, dash: [6, 4] },
      ],
      hooks: { draw: [() => { if (first) { first = false; drawn(); } }] },
    }, [x, ...series], box);
    new ResizeObserver(() => plot.setSize({ width: Math.max(320, box.clientWidth), height: 220 })).observe(box);
  };
  return { node: box, mount };
}
