/**
 * `ready()` of the default entry: the wasm variants are inlined in the bundle
 * (src/generated/wasm.ts) as one deflated, base64-encoded block, inflated on first use with the
 * standard `DecompressionStream`.
 */
import { PACKED, VARIANTS } from './generated/wasm.ts';
import { readyWith, type ReadyOptions, type Variant } from './runtime.ts';

let unpacked: Promise<Map<Variant, Uint8Array<ArrayBuffer>>> | null = null;

async function unpack(): Promise<Map<Variant, Uint8Array<ArrayBuffer>>> {
  const stream = new Blob([decodeBase64(PACKED)]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  const all = new Uint8Array(await new Response(stream).arrayBuffer());
  const out = new Map<Variant, Uint8Array<ArrayBuffer>>();
  let at = 0;
  for (const [variant, size] of VARIANTS) {
    out.set(variant, all.slice(at, at + size));
    at += size;
  }
  return out;
}

async function inlined(variant: Variant): Promise<Uint8Array<ArrayBuffer>> {
  unpacked ??= unpack();
  return (await unpacked).get(variant)!;
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
