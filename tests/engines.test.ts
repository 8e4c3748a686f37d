// On an engine whose DecompressionStream cannot inflate 'deflate-raw' (Node 18, Node 20.0-20.11,
// older browsers), ready() says which versions are needed and which one is running.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';

const original = globalThis.DecompressionStream;
afterEach(() => {
  globalThis.DecompressionStream = original;
  vi.resetModules();
});

describe('engine requirements', () => {
  it('names the running and the required Node version when deflate-raw is missing', async () => {
    globalThis.DecompressionStream = class {
      constructor(format: string) {
        if (format === 'deflate-raw') throw new TypeError(`The argument 'format' is invalid. Received '${format}'`);
      }
    } as unknown as typeof DecompressionStream;
    vi.resetModules();
    const { ready } = await import('../src/index.ts');
    const attempt = ready({ backend: 'scalar' });
    await expect(attempt).rejects.toThrow(`running: Node ${process.versions.node}`);
    await expect(attempt).rejects.toThrow(/needs Node 20\.12 or newer.*lacks 'deflate-raw'/);
  });

  it('says so when DecompressionStream is absent, and works again once it is there', async () => {
    globalThis.DecompressionStream = undefined as unknown as typeof DecompressionStream;
    vi.resetModules();
    const wasmconv = await import('../src/index.ts');
    await expect(wasmconv.ready({ backend: 'scalar' })).rejects.toThrow(/needs Node 20\.12 or newer.*DecompressionStream is missing/);
    globalThis.DecompressionStream = original;
    await wasmconv.ready({ backend: 'scalar' });
    expect(wasmconv.backend()).toBe('scalar');
    wasmconv.reset();
  });

  it('package.json engines and the README state the same versions', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.engines.node).toBe('^20.12.0 || >=22');
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain('Node 20.12+, 22, 24 and 26');
  });
});
