/**
 * `ready()` of the default entry: the wasm variants are inlined in the bundle
 * (src/generated/wasm.ts) as one deflated, base64-encoded block of the variants interleaved in
 * chunks, inflated on first use with the standard `DecompressionStream`. Only the three backends'
 * variants are inlined; ready() derives the threaded builds from them.
 */
import { CHUNK, PACKED, VARIANTS } from './generated/wasm.ts';
import { type Backend, type ReadyOptions } from './runtime.ts';
import { readyWith } from './ready.ts';

let unpacked: Promise<Map<Backend, Uint8Array<ArrayBuffer>>> | null = null;

/** The engines whose `DecompressionStream` inflates 'deflate-raw', which the inlined variants need. */
const REQUIRED_ENGINES = 'Node 20.12 or newer, Chrome/Edge 103+, Firefox 113+ or Safari 16.4+';

function inflater(): DecompressionStream {
  const running = typeof process === 'object' && process.versions?.node ? `Node ${process.versions.node}`
    : typeof navigator === 'object' ? navigator.userAgent : 'this JavaScript engine';
  if (typeof DecompressionStream !== 'function') {
    throw new Error(`ready: wasmconv needs ${REQUIRED_ENGINES} (DecompressionStream is missing); running: ${running}`);
  }
  try {
    return new DecompressionStream('deflate-raw');
  } catch {
    throw new Error(`ready: wasmconv needs ${REQUIRED_ENGINES} (DecompressionStream lacks 'deflate-raw'); running: ${running}`);
  }
}

async function unpack(): Promise<Map<Backend, Uint8Array<ArrayBuffer>>> {
  const stream = new Blob([decodeBase64(PACKED)]).stream().pipeThrough(inflater());
  const all = new Uint8Array(await new Response(stream).arrayBuffer());
  const out = new Map<Backend, Uint8Array<ArrayBuffer>>(VARIANTS.map(([v, size]) => [v, new Uint8Array(size)]));
  let at = 0;
  for (let offset = 0; at < all.length; offset += CHUNK) {
    for (const [variant, size] of VARIANTS) {
      if (offset >= size) continue;
      const n = Math.min(CHUNK, size - offset);
      out.get(variant)!.set(all.subarray(at, at + n), offset);
      at += n;
    }
  }
  return out;
}

async function inlined(backend: Backend): Promise<Uint8Array<ArrayBuffer>> {
  unpacked ??= unpack();
  try {
    return (await unpacked).get(backend)!;
  } catch (e) {
    unpacked = null;
    throw e;
  }
}

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const B = (globalThis as { Buffer?: { from(s: string, e: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(b64, 'base64'));
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Compiles and instantiates the kernels once; later calls return at once. Asking for a different
 * backend than the one in use rebuilds the instance, which voids every existing plan.
 */
export function ready(options?: ReadyOptions): Promise<void> {
  return readyWith(inlined, options);
}
