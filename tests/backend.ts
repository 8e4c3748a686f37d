/**
 * The backend a test file runs on: the vitest project sets WASMCONV_BACKEND. A backend the engine
 * lacks (relaxed-simd without its flag) makes the suite skip with a visible message.
 */
import * as wc from '../src/index.ts';

export const BACKEND = (process.env.WASMCONV_BACKEND ?? 'simd') as wc.Backend;

export function backendAvailable(): boolean {
  const ok = wc.supportedBackends().includes(BACKEND);
  if (!ok) console.warn(`[wasmconv tests] backend '${BACKEND}' is not supported by this engine: its tests are skipped`);
  return ok;
}

/** Initialises the library on the project's backend. */
export async function readyBackend(): Promise<void> {
  await wc.ready({ backend: BACKEND });
}
