/**
 * `ready()` of the default entry: the wasm variants are base64 strings inlined in the bundle
 * (src/generated/wasm.ts), decoded on first use.
 */
import * as binaries from './generated/wasm.ts';
import { readyWith, type ReadyOptions, type Variant } from './runtime.ts';

const BASE64: Record<Variant, string> = {
  'scalar': binaries.scalar,
  'simd': binaries.simd,
  'relaxed-simd': binaries.relaxedSimd,
  'simd-threads': binaries.simdThreads,
  'relaxed-simd-threads': binaries.relaxedSimdThreads,
};
const decoded = new Map<Variant, Uint8Array<ArrayBuffer>>();

function inlined(variant: Variant): Uint8Array<ArrayBuffer> {
  let bytes = decoded.get(variant);
  if (!bytes) {
    bytes = decodeBase64(BASE64[variant]);
    decoded.set(variant, bytes);
  }
  return bytes;
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
