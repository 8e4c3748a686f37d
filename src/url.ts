/**
 * The URL entry, `wasmconv/url`: the API of the default entry, but the wasm variants are separate
 * files (dist/wasmconv.<variant>.wasm) that `ready()` fetches, only the one it uses, instead of
 * base64 inlined in the JavaScript. Browsers and bundlers fetch them; under Node, files (file:
 * URLs, as the default folder is there) are read from disk. With threads, ready() derives the
 * threaded build from the fetched variant.
 */
import { describe, type Backend, type ReadyOptions as BaseReadyOptions } from './runtime.ts';
import { readyWith } from './ready.ts';

export * from './index.ts';

export interface ReadyOptions extends BaseReadyOptions {
  /**
   * The folder holding the wasmconv.<variant>.wasm files (absolute, or relative to the page).
   * Default: the folder of this module, `new URL('./', import.meta.url)`.
   */
  wasmUrl?: string | URL;
}

// One literal `new URL(..., import.meta.url)` per file: the form bundlers recognise as an asset.
function besideThisModule(variant: Backend): URL {
  if (variant === 'scalar') return new URL('./wasmconv.scalar.wasm', import.meta.url);
  if (variant === 'simd') return new URL('./wasmconv.simd.wasm', import.meta.url);
  return new URL('./wasmconv.relaxed-simd.wasm', import.meta.url);
}

function inFolder(folder: string | URL, variant: Backend): URL {
  let base: URL;
  try {
    base = new URL(folder, (globalThis as { location?: { href: string } }).location?.href);
  } catch {
    throw new TypeError(`ready: option 'wasmUrl' must be an absolute URL here (there is no page to resolve it against), got ${describe(String(folder))}`);
  }
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return new URL(`wasmconv.${variant}.wasm`, base);
}

async function fetchBinary(url: URL, variant: Backend): Promise<Uint8Array<ArrayBuffer>> {
  const what = `ready: could not load the '${variant}' kernels from ${url.href}`;
  if (url.protocol === 'file:' && typeof process === 'object' && process.versions?.node) {
    const { readFile } = await import('node:fs/promises');
    try {
      return new Uint8Array(await readFile(url));
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`);
    }
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Fetches, compiles and instantiates the kernels once; later calls return at once. Asking for a
 * different backend than the one in use rebuilds the instance, which voids every existing plan.
 */
export function ready(options?: ReadyOptions): Promise<void> {
  const folder = options !== null && typeof options === 'object' ? options.wasmUrl : undefined;
  if (folder !== undefined && typeof folder !== 'string' && !(folder instanceof URL)) {
    return Promise.reject(new TypeError(
      `ready: option 'wasmUrl' must be a string or URL, the folder of the wasmconv.<variant>.wasm files, got ${describe(folder)}`,
    ));
  }
  return readyWith((b) => fetchBinary(folder === undefined ? besideThisModule(b) : inFolder(folder, b), b), options);
}
