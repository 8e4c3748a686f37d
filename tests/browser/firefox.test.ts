/**
 * The browser tests in a second engine: Debian's Firefox ESR (/usr/bin/firefox-esr, SpiderMonkey)
 * driven over WebDriver BiDi by puppeteer-core, pages served from the repository root by the
 * demo's server (cross-origin isolated) on a free port.
 *
 * - dist/browser.js computes in Firefox what src/index.ts computes in Node, on every backend
 *   Firefox supports;
 * - the demo runs every button and backend without a console error;
 * - threads: worker threads on one shared memory in the isolated page;
 * - dist/url.js fetches its wasm file by URL.
 *
 * Without /usr/bin/firefox-esr the suite is skipped with a message. Needs `npm run build` first.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../../src/index.ts';
import { createStaticServer } from '../../demo/serve.mjs';
import { REPO_ROOT, expectClose } from '../helpers.ts';
import { runCases, type CaseResult } from './cases.ts';

const FIREFOX = '/usr/bin/firefox-esr';
const haveFirefox = existsSync(FIREFOX);
if (!haveFirefox) {
  console.warn(`[wasmconv browser tests] ${FIREFOX} is absent: the Firefox tests are skipped (apt-get install -y firefox-esr)`);
}

/** What tests/browser/page.html defines. */
interface PageGlobals {
  pageReady?: boolean;
  computeAll(): Promise<{ backends: string[]; results: Record<string, CaseResult[]> }>;
  importModule(url: string): Promise<any>;
}

function expectMatches(got: { data: ArrayLike<number>; shape: readonly number[] }, expected: { data: ArrayLike<number>; shape: readonly number[] }, label: string): void {
  let scale = 0;
  for (let i = 0; i < expected.data.length; i++) scale = Math.max(scale, Math.abs(expected.data[i]));
  expectClose(got, expected, { atol: 1e-4 * Math.max(scale, 1e-6), rtol: 1e-4 }, label);
}

describe.skipIf(!haveFirefox)('in Firefox', () => {
  const server = createStaticServer(REPO_ROOT);
  let origin = '';
  let browser: Browser;

  /** A new page that records console errors, uncaught exceptions and failed requests. */
  async function open(path: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${(e as Error).message}`));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    await page.goto(origin + path);
    return { page, errors };
  }

  beforeAll(async () => {
    for (const file of ['dist/browser.js', 'dist/url.js', 'dist/wasmconv.simd.wasm']) {
      if (!existsSync(join(REPO_ROOT, file))) throw new Error(`${file} is missing: run 'npm run build' first`);
    }
    // The cases for the test page (the Chromium tests write the same file with the same content).
    mkdirSync(join(REPO_ROOT, 'build/browser-test'), { recursive: true });
    await build({
      entryPoints: [join(REPO_ROOT, 'tests/browser/cases.ts')], bundle: true, format: 'esm', platform: 'browser',
      target: 'es2020', outfile: join(REPO_ROOT, 'build/browser-test/cases.js'), logLevel: 'warning',
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await puppeteer.launch({
      browser: 'firefox', executablePath: FIREFOX, headless: true, defaultViewport: { width: 1000, height: 720 },
      timeout: 60_000,
    });
    await wc.ready();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('computes with dist/browser.js what Node computes, on every backend Firefox supports', async () => {
    const { page, errors } = await open('/tests/browser/page.html');
    await page.waitForFunction(() => (window as unknown as PageGlobals).pageReady === true);
    const { backends, results } = await page.evaluate(() => (window as unknown as PageGlobals).computeAll());
    expect(backends).toContain('simd');
    expect(backends).toContain('scalar');
    console.log(`[wasmconv browser tests] Firefox ${await browser.version()}: backends ${backends.join(', ')}`);
    const expected = runCases(wc);
    for (const backend of backends) {
      expect(results[backend].map((r) => r.name)).toEqual(expected.map((r) => r.name));
      results[backend].forEach((got, i) => expectMatches(got, expected[i], `${got.name} on ${backend} in Firefox vs ${wc.backend()} in Node`));
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('runs the demo, every convolution and backend, without a console error', async () => {
    const { page, errors } = await open('/');
    expect(page.url()).toBe(`${origin}/demo/`);
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    const idle = () => page.waitForSelector('body[data-state="idle"]', { timeout: 60_000 });
    await idle();
    const count = await page.$$eval('#ops button', (bs) => bs.length);
    expect(count).toBe(6);
    for (let i = count - 1; i >= 0; i--) {
      await page.$$eval('#ops button', (bs, n) => (bs[n] as HTMLButtonElement).click(), i);
      await idle();
      expect(await page.$eval('#status', (e) => e.textContent)).not.toMatch(/error/);
    }
    const options = await page.$$eval('#backend option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toContain('simd');
    for (const backend of options) {
      await page.select('#backend', backend);
      await idle();
      expect(await page.$eval('#status', (e) => e.textContent)).toContain(`backend ${backend}`);
    }
    expect(await page.$eval('#timing', (e) => e.textContent)).toMatch(/ms per run/);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('runs threaded asynchronous convolutions (2 workers on shared memory) on the cross-origin isolated page', async () => {
    const { page, errors } = await open('/tests/browser/page.html');
    await page.waitForFunction(() => (window as unknown as PageGlobals).pageReady === true);
    const got = await page.evaluate(async () => {
      const lib = await (window as unknown as PageGlobals).importModule('/dist/browser.js');
      await lib.ready({ threads: 2 });
      const x = { data: Float32Array.from({ length: 16 * 40 * 40 }, (_, i) => Math.sin(i)), shape: [1, 16, 40, 40] };
      const w = { data: Float32Array.from({ length: 32 * 16 * 9 }, (_, i) => Math.cos(i)), shape: [32, 16, 3, 3] };
      const y = await lib.conv2dAsync(x, w, { padding: 1, activation: 'relu' });
      const result = { threads: lib.threads() as number, isolated: crossOriginIsolated, shape: y.shape as number[], data: Array.from(y.data as Float32Array) };
      lib.reset();
      return result;
    });
    expect(got.isolated).toBe(true);
    expect(got.threads).toBe(2);
    const x = { data: Float32Array.from({ length: 16 * 40 * 40 }, (_, i) => Math.sin(i)), shape: [1, 16, 40, 40] };
    const w = { data: Float32Array.from({ length: 32 * 16 * 9 }, (_, i) => Math.cos(i)), shape: [32, 16, 3, 3] };
    expectMatches(got, wc.conv2d(x, w, { padding: 1, activation: 'relu' }), 'conv2dAsync on 2 threads in Firefox');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('loads the wasm file by URL with dist/url.js', async () => {
    const { page, errors } = await open('/tests/browser/page.html');
    await page.waitForFunction(() => (window as unknown as PageGlobals).pageReady === true);
    const got = await page.evaluate(async () => {
      const lib = await (window as unknown as PageGlobals).importModule('/dist/url.js');
      await lib.ready({ backend: 'simd' });
      const x = { data: Float32Array.from({ length: 2 * 8 * 8 }, (_, i) => (i % 7) - 3), shape: [1, 2, 8, 8] };
      const w = { data: Float32Array.from({ length: 3 * 2 * 3 * 3 }, (_, i) => (i % 5) - 2), shape: [3, 2, 3, 3] };
      const y = lib.conv2d(x, w, { padding: 1 });
      const fetched = performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.wasm'));
      return { shape: y.shape as number[], data: Array.from(y.data as Float32Array), fetched };
    });
    const x = { data: Float32Array.from({ length: 2 * 8 * 8 }, (_, i) => (i % 7) - 3), shape: [1, 2, 8, 8] };
    const w = { data: Float32Array.from({ length: 3 * 2 * 3 * 3 }, (_, i) => (i % 5) - 2), shape: [3, 2, 3, 3] };
    expectMatches(got, wc.conv2d(x, w, { padding: 1 }), 'dist/url.js in Firefox');
    expect(got.fetched).toEqual([`${origin}/dist/wasmconv.simd.wasm`]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
