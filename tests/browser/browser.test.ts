/**
 * Real-browser tests: Debian's Chromium (/usr/bin/chromium) driven by playwright-core, pages
 * served from the repository root by the demo's server (cross-origin isolated) on a free port.
 *
 * - dist/browser.js computes in the browser what src/index.ts computes in Node, on every backend
 *   the browser supports;
 * - the demo runs every button without a console error; its screenshot goes to build/demo-screenshot.png;
 * - threads: worker threads on one shared memory, in the page the demo's headers isolate;
 * - `import { ready, conv2d } from 'wasmconv'`, bundled by esbuild through the package's exports
 *   map, runs in Node and in the browser; dist/url.js fetches its wasm file by URL.
 *
 * Without /usr/bin/chromium the suite is skipped with a message. Needs `npm run build` first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../../src/index.ts';
import { createStaticServer } from '../../demo/serve.mjs';
import { REPO_ROOT, expectClose } from '../helpers.ts';
import { runCases, type CaseResult } from './cases.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WORK = join(REPO_ROOT, 'build/browser-test');

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`[wasmconv browser tests] ${CHROMIUM} is absent: the browser tests are skipped (apt-get install -y chromium)`);
}

/** What tests/browser/page.html defines. */
interface PageGlobals {
  pageReady?: boolean;
  computeAll(): Promise<{ backends: string[]; results: Record<string, CaseResult[]> }>;
  importModule(url: string): Promise<any>;
}

/** Within 1e-4 relative to the output's scale (and to each value). */
function expectMatches(got: { data: ArrayLike<number>; shape: readonly number[] }, expected: { data: ArrayLike<number>; shape: readonly number[] }, label: string): void {
  let scale = 0;
  for (let i = 0; i < expected.data.length; i++) scale = Math.max(scale, Math.abs(expected.data[i]));
  expectClose(got, expected, { atol: 1e-4 * Math.max(scale, 1e-6), rtol: 1e-4 }, label);
}

describe.skipIf(!haveChromium)('in Chromium', () => {
  const server = createStaticServer(REPO_ROOT);
  let origin = '';
  let profile = '';
  let context: BrowserContext;

  /** A new page that records console errors, uncaught exceptions and failed requests. */
  async function open(path: string): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console error: ${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    await page.goto(origin + path);
    return { page, errors };
  }

  beforeAll(async () => {
    for (const file of ['dist/browser.js', 'dist/url.js', 'dist/index.js', 'dist/wasmconv.simd.wasm']) {
      if (!existsSync(join(REPO_ROOT, file))) throw new Error(`${file} is missing: run 'npm run build' first`);
    }
    mkdirSync(WORK, { recursive: true });
    // The cases for the test page: only types come from src/, so this is the cases alone.
    await build({
      entryPoints: [join(REPO_ROOT, 'tests/browser/cases.ts')], bundle: true, format: 'esm', platform: 'browser',
      target: 'es2020', outfile: join(WORK, 'cases.js'), logLevel: 'warning',
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'wasmconv-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1000, height: 720 },
    });
    await wc.ready();
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => server.close(resolve));
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('computes with dist/browser.js what Node computes, on every backend the browser supports', async () => {
    const { page, errors } = await open('/tests/browser/page.html');
    await page.waitForFunction(() => (window as unknown as PageGlobals).pageReady === true);
    const { backends, results } = await page.evaluate(() => (window as unknown as PageGlobals).computeAll());
    expect(backends).toContain('simd');
    expect(backends).toContain('scalar');
    const expected = runCases(wc);
    for (const backend of backends) {
      expect(results[backend].map((r) => r.name)).toEqual(expected.map((r) => r.name));
      results[backend].forEach((got, i) => expectMatches(got, expected[i], `${got.name} on ${backend} in Chromium vs ${wc.backend()} in Node`));
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs the demo, every convolution and backend, without a console error (screenshot: build/demo-screenshot.png)', async () => {
    const { page, errors } = await open('/');
    expect(page.url()).toBe(`${origin}/demo/`);
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    const idle = () => page.waitForSelector('body[data-state="idle"]', { timeout: 60_000 });
    await idle();
    const buttons = page.locator('#ops button');
    const count = await buttons.count();
    expect(count).toBe(6);
    for (let i = count - 1; i >= 0; i--) {
      await buttons.nth(i).click();
      await idle();
      expect(await page.locator('#status').textContent()).not.toMatch(/error/);
    }
    const options = await page.locator('#backend option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    for (const backend of options) {
      await page.selectOption('#backend', backend);
      await idle();
      expect(await page.locator('#status').textContent()).toContain(`backend ${backend}`);
    }
    // The screenshot: edge detection (the last button clicked) on the best backend.
    await page.selectOption('#backend', options[0]);
    await idle();
    expect(await page.locator('#timing').textContent()).toMatch(/ms per run/);
    // Written under build/ so a test run never changes the committed demo/screenshot.png.
    await page.screenshot({ path: join(REPO_ROOT, 'build/demo-screenshot.png'), fullPage: true });
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
    expectMatches(got, wc.conv2d(x, w, { padding: 1, activation: 'relu' }), 'conv2dAsync on 2 threads in Chromium');
    expect(errors).toEqual([]);
    await page.close();
  });

  it("bundles `import { ready, conv2d } from 'wasmconv'` with esbuild (the package's exports) for Node and the browser", async () => {
    // A tiny app in build/browser-test whose node_modules/wasmconv is this repository.
    const link = join(WORK, 'node_modules/wasmconv');
    rmSync(link, { force: true, recursive: true });
    mkdirSync(join(WORK, 'node_modules'), { recursive: true });
    symlinkSync(relative(join(WORK, 'node_modules'), REPO_ROOT), link, 'dir');
    writeFileSync(join(WORK, 'app.mjs'), [
      "import { ready, conv2d, backend } from 'wasmconv';",
      'export async function run() {',
      '  await ready();',
      '  const x = { data: Float32Array.from({ length: 3 * 6 * 7 }, (_, i) => Math.sin(i)), shape: [1, 3, 6, 7] };',
      '  const w = { data: Float32Array.from({ length: 2 * 3 * 3 * 3 }, (_, i) => Math.cos(i)), shape: [2, 3, 3, 3] };',
      '  const y = conv2d(x, w, { padding: 1 });',
      '  return { backend: backend(), shape: y.shape, data: Array.from(y.data) };',
      '}',
      '',
    ].join('\n'));
    const bundle = async (platform: 'node' | 'browser', outfile: string) => {
      const result = await build({
        entryPoints: [join(WORK, 'app.mjs')], bundle: true, format: 'esm', platform, outfile, metafile: true, logLevel: 'warning',
      });
      return Object.keys(result.metafile.inputs);
    };
    const nodeOut = join(WORK, 'out/app.node.mjs');
    const browserOut = join(WORK, 'out/app.browser.js');
    expect((await bundle('node', nodeOut)).filter((f) => f.includes('dist/'))).toEqual([expect.stringMatching(/dist\/index\.js$/)]);
    expect((await bundle('browser', browserOut)).filter((f) => f.includes('dist/'))).toEqual([expect.stringMatching(/dist\/browser\.js$/)]);

    const script = `const m = await import(${JSON.stringify(pathToFileURL(nodeOut).href)}); console.log(JSON.stringify(await m.run()));`;
    const inNode = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
    const { page, errors } = await open('/tests/browser/page.html');
    await page.waitForFunction(() => (window as unknown as PageGlobals).pageReady === true);
    const inBrowser = await page.evaluate(async (url) => (await (window as unknown as PageGlobals).importModule(url)).run(), `/${relative(REPO_ROOT, browserOut)}`);

    const x = { data: Float32Array.from({ length: 3 * 6 * 7 }, (_, i) => Math.sin(i)), shape: [1, 3, 6, 7] };
    const w = { data: Float32Array.from({ length: 2 * 3 * 3 * 3 }, (_, i) => Math.cos(i)), shape: [2, 3, 3, 3] };
    const expected = wc.conv2d(x, w, { padding: 1 });
    expectMatches(inNode, expected, 'the esbuild-bundled app in Node');
    expectMatches(inBrowser, expected, 'the esbuild-bundled app in Chromium');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('loads the wasm files by URL with dist/url.js (beside the module, or from wasmUrl)', async () => {
    const { page, errors } = await open('/tests/browser/page.html');
    await page.waitForFunction(() => (window as unknown as PageGlobals).pageReady === true);
    const run = (wasmUrl?: string) => page.evaluate(async (base) => {
      const lib = await (window as unknown as PageGlobals).importModule('/dist/url.js');
      lib.reset();
      await lib.ready(base ? { backend: 'simd', wasmUrl: base } : {});
      const x = { data: Float32Array.from({ length: 2 * 8 * 8 }, (_, i) => (i % 7) - 3), shape: [1, 2, 8, 8] };
      const w = { data: Float32Array.from({ length: 3 * 2 * 3 * 3 }, (_, i) => (i % 5) - 2), shape: [3, 2, 3, 3] };
      const y = lib.conv2d(x, w, { padding: 1 });
      const fetched = performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.wasm'));
      return { backend: lib.backend() as string, shape: y.shape as number[], data: Array.from(y.data as Float32Array), fetched };
    }, wasmUrl);
    const x = { data: Float32Array.from({ length: 2 * 8 * 8 }, (_, i) => (i % 7) - 3), shape: [1, 2, 8, 8] };
    const w = { data: Float32Array.from({ length: 3 * 2 * 3 * 3 }, (_, i) => (i % 5) - 2), shape: [3, 2, 3, 3] };
    const expected = wc.conv2d(x, w, { padding: 1 });

    const beside = await run();
    expectMatches(beside, expected, 'dist/url.js, wasm beside the module');
    expect(beside.fetched).toEqual([`${origin}/dist/wasmconv.${beside.backend}.wasm`]);
    const fromBase = await run(`${origin}/dist`);
    expectMatches(fromBase, expected, 'dist/url.js with wasmUrl');
    expect(fromBase.backend).toBe('simd');

    // Threads: the threaded build is derived from the plain variant it fetches (no other file).
    const threaded = await page.evaluate(async () => {
      const lib = await (window as unknown as PageGlobals).importModule('/dist/url.js');
      lib.reset();
      performance.clearResourceTimings();
      await lib.ready({ threads: 2 });
      const x = { data: Float32Array.from({ length: 2 * 8 * 8 }, (_, i) => (i % 7) - 3), shape: [1, 2, 8, 8] };
      const w = { data: Float32Array.from({ length: 3 * 2 * 3 * 3 }, (_, i) => (i % 5) - 2), shape: [3, 2, 3, 3] };
      const y = await lib.conv2dAsync(x, w, { padding: 1 });
      const fetched = performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.wasm'));
      const result = { backend: lib.backend() as string, threads: lib.threads() as number, shape: y.shape as number[], data: Array.from(y.data as Float32Array), fetched };
      lib.reset();
      return result;
    });
    expect(threaded.threads).toBe(2);
    expectMatches(threaded, expected, 'dist/url.js on 2 threads');
    expect(threaded.fetched).toEqual([`${origin}/dist/wasmconv.${threaded.backend}.wasm`]);

    const failure = await page.evaluate(async () => {
      const lib = await (window as unknown as PageGlobals).importModule('/dist/url.js');
      lib.reset();
      return lib.ready({ wasmUrl: '/nowhere/' }).then(() => 'no error', (e: Error) => e.message);
    });
    expect(failure).toMatch(/ready: could not load the '[a-z-]+' kernels from .*\/nowhere\/wasmconv\.[a-z-]+\.wasm: HTTP 404/);
    expect(errors.filter((e) => !e.includes('/nowhere/'))).toEqual([]);
    await page.close();
  });
});
