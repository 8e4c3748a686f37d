// In-page timings in Chromium and Firefox (Debian's /usr/bin/chromium and /usr/bin/firefox-esr):
// a few workloads on every wasm backend the browser has, side by side with a plain JavaScript
// loop doing the same arithmetic. Medians of whole plan.run calls into a reused output, single
// thread. Prints a Markdown table.   npm run build && node bench/browsers.mjs
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { createStaticServer } from '../demo/serve.mjs';

const WORKLOADS = [
  { name: 'conv2d 3x3, 32 -> 32 channels, 56x56', x: [1, 32, 56, 56], w: [32, 32, 3, 3], groups: 1 },
  { name: 'conv2d 1x1, 64 -> 128 channels, 28x28', x: [1, 64, 28, 28], w: [128, 64, 1, 1], groups: 1 },
  { name: 'depthwise 3x3, 64 channels, 56x56', x: [1, 64, 56, 56], w: [64, 1, 3, 3], groups: 64 },
];

/** Runs in the page: every workload on every backend, then the plain loop. */
async function measure(workloads) {
  const wc = await window.importModule('/dist/browser.js');
  const median = (fn, runs) => {
    for (let i = 0; i < 2; i++) fn();
    const t = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      fn();
      t.push(performance.now() - t0);
    }
    return t.sort((a, b) => a - b)[runs >> 1];
  };
  const random = (shape) => Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => Math.sin(i * 0.731));
  // The plain loop: NCHW, stride 1, padding k >> 1, groups.
  const plain = (x, w, groups, out) => {
    const [, C, H, W] = x.shape, [O, I, KH, KW] = w.shape;
    const ph = KH >> 1, pw = KW >> 1, perGroup = O / groups;
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / perGroup);
      for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) {
        let s = 0;
        for (let i = 0; i < I; i++) {
          const c = g * I + i;
          for (let a = 0; a < KH; a++) {
            const yy = y + a - ph;
            if (yy < 0 || yy >= H) continue;
            for (let b = 0; b < KW; b++) {
              const xb = xx + b - pw;
              if (xb >= 0 && xb < W) s += x.data[(c * H + yy) * W + xb] * w.data[((o * I + i) * KH + a) * KW + b];
            }
          }
        }
        out[(o * H + y) * W + xx] = s;
      }
    }
    return C;
  };
  const rows = [];
  for (const wl of workloads) {
    const x = { data: random(wl.x), shape: wl.x };
    const w = { data: random(wl.w), shape: wl.w };
    const out = new Float32Array(wl.x[2] * wl.x[3] * wl.w[0]);
    const row = { name: wl.name, ms: {} };
    for (const backend of wc.supportedBackends()) {
      await wc.ready({ backend });
      const plan = wc.createConv2d(w, { padding: wl.w[2] >> 1, groups: wl.groups });
      row.ms[backend] = median(() => plan.run(x, out), 21);
      plan.dispose();
    }
    row.ms['plain JavaScript'] = median(() => plain(x, w, wl.groups, out), 5);
    rows.push(row);
  }
  return rows;
}

const server = createStaticServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const results = [];
try {
  if (existsSync('/usr/bin/chromium')) {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    const page = await browser.newPage();
    await page.goto(`${origin}/tests/browser/page.html`);
    await page.waitForFunction(() => window.pageReady === true);
    results.push({ browser: `Chromium ${browser.version()}`, rows: await page.evaluate(measure, WORKLOADS) });
    await browser.close();
  } else console.warn('/usr/bin/chromium is absent: no Chromium timings');
  if (existsSync('/usr/bin/firefox-esr')) {
    const browser = await puppeteer.launch({ browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true });
    const page = await browser.newPage();
    await page.goto(`${origin}/tests/browser/page.html`);
    await page.waitForFunction(() => window.pageReady === true);
    results.push({ browser: (await browser.version()).replace('firefox/', 'Firefox '), rows: await page.evaluate(measure, WORKLOADS) });
    await browser.close();
  } else console.warn('/usr/bin/firefox-esr is absent: no Firefox timings');
} finally {
  server.close();
}

const columns = ['relaxed-simd', 'simd', 'scalar', 'plain JavaScript'];
console.log(`| workload | browser | ${columns.join(' | ')} | simd vs JS |`);
console.log(`| --- | --- |${columns.map(() => ' ---: |').join('')} ---: |`);
for (const wl of WORKLOADS) {
  for (const { browser, rows } of results) {
    const ms = rows.find((r) => r.name === wl.name).ms;
    const cells = columns.map((c) => (ms[c] === undefined ? '-' : `${ms[c].toFixed(2)} ms`));
    console.log(`| ${wl.name} | ${browser} | ${cells.join(' | ')} | ${(ms['plain JavaScript'] / ms.simd).toFixed(1)}x |`);
  }
}
