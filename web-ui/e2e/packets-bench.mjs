// How the packet list copes with a big run, in Chromium against a running control API (a bench,
// not a test: it prints figures). Give it a run with many frames:
//   WIRELAB_URL=http://127.0.0.1:8080 RUN=12 node e2e/packets-bench.mjs
// Prints: time to the first rows, time for each jump to a random place (scrollTop set, rows of
// that place drawn), rows in the DOM, frames held in memory, the page's JS heap.
import { chromium } from 'playwright-core';

const base = (process.env.WIRELAB_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const run = process.env.RUN;
if (!run) {
  console.error('packets-bench: set RUN to a run id');
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const t0 = Date.now();
await page.goto(`${base}/#/runs/${run}/packets`);
await page.waitForSelector('.pl-body .pl-row[data-seq]');
const first = Date.now() - t0;
const total = await page.evaluate(() => Math.round(parseFloat(document.querySelector('.pl-spacer').style.height) / 20));
const jumps = [];
let seed = 7;
for (let i = 0; i < 20; i++) {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  const row = seed % total;
  jumps.push(await page.evaluate(async r => {
    const s = document.querySelector('.pl-scroll');
    const start = performance.now();
    s.scrollTop = r * 20;
    // drawn when a row at or after r (a dropped frame leaves a hole) is in the DOM with its data
    for (;;) {
      await new Promise(res => requestAnimationFrame(res));
      const rows = [...document.querySelectorAll('.pl-body .pl-row[data-seq]')].map(e => Number(e.dataset.seq));
      if (rows.some(x => x >= r && x < r + 40) || document.querySelector(`.pl-row.pl-dropped[data-index="${r}"]`)) break;
      if (performance.now() - start > 10000) return -1;
    }
    return performance.now() - start;
  }, row));
}
const dom = await page.locator('.pl-body .pl-row').count();
const heap = await page.evaluate(() => performance.memory ? Math.round(performance.memory.usedJSHeapSize / 1e6) : null);
jumps.sort((a, b) => a - b);
console.log(`packets-bench: run ${run}, ${total} rows; first rows after ${first} ms`);
console.log(`packets-bench: 20 jumps to random rows: median ${jumps[10].toFixed(0)} ms, max ${jumps[19].toFixed(0)} ms`);
console.log(`packets-bench: ${dom} rows in the DOM; JS heap ${heap} MB`);
await browser.close();
