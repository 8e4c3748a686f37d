/**
 * Test helpers: a seeded random source, random tensors, a float comparison with a useful failure
 * message, the tolerances float32 results are held to, and where the shared conformance data is.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export type Rng = () => number;

/** A small seeded generator (mulberry32): floats in [0, 1), the same sequence for the same seed. */
export function rng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random integer in [lo, hi], both ends included. */
export function randInt(r: Rng, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** A tensor of the given shape with values uniform in [-1, 1). */
export function randomTensor(r: Rng, shape: number[]): { data: Float32Array; shape: number[] } {
  const n = shape.reduce((p, v) => p * v, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = r() * 2 - 1;
  return { data, shape: [...shape] };
}

export interface Tolerance {
  atol: number;
  rtol: number;
}

/** The default tolerance for float32 results against the float64 reference. */
export function tolerance(): Tolerance {
  return { atol: 1e-4, rtol: 1e-4 };
}

/**
 * Tolerance for a result whose every element sums `reductionLength` products: float32 rounding
 * error grows roughly with the square root of the number of terms (the reference sums in float64).
 */
export function tolFor(reductionLength: number): Tolerance {
  return { atol: 1e-5 * Math.sqrt(Math.max(1, reductionLength)) + 1e-4, rtol: 1e-4 };
}

type Comparable = { data: ArrayLike<number>; shape: readonly number[] };

/**
 * Asserts equal shapes and `|a - b| <= atol + rtol * |b|` for every element (b = expected).
 * NaN must meet NaN and an infinity the same infinity. On failure the message names the label,
 * the first bad element (flat index and multi-index), both values, how many elements are bad
 * and the largest error.
 */
export function expectClose(actual: Comparable, expected: Comparable, tol: Partial<Tolerance> = {}, label = ''): void {
  const atol = tol.atol ?? 1e-4;
  const rtol = tol.rtol ?? 1e-4;
  const what = label ? `${label}: ` : '';
  expect([...actual.shape], `${what}shape`).toEqual([...expected.shape]);
  expect(actual.data.length, `${what}data length`).toBe(expected.data.length);

  let firstBad = -1;
  let bad = 0;
  let maxErr = 0;
  let maxAt = -1;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const b = expected.data[i];
    let ok: boolean;
    if (Number.isNaN(a) || Number.isNaN(b)) ok = Number.isNaN(a) && Number.isNaN(b);
    else if (!Number.isFinite(a) || !Number.isFinite(b)) ok = a === b;
    else {
      const err = Math.abs(a - b);
      if (err > maxErr) {
        maxErr = err;
        maxAt = i;
      }
      ok = err <= atol + rtol * Math.abs(b);
    }
    if (!ok) {
      bad++;
      if (firstBad < 0) firstBad = i;
    }
  }
  if (firstBad >= 0) {
    const idx = unravel(firstBad, expected.shape);
    const msg =
      `${what}${bad} of ${expected.data.length} elements differ (atol ${atol}, rtol ${rtol}); ` +
      `first at flat index ${firstBad} [${idx.join(', ')}] of shape [${expected.shape.join(', ')}]: ` +
      `actual ${actual.data[firstBad]}, expected ${expected.data[firstBad]}; ` +
      `max |error| ${maxErr} at flat index ${maxAt}`;
    expect(bad, msg).toBe(0);
  }
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

/** The repository root (the parent of tests/). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The shared data folder next to the repository (conformance data lives there, never copied in). */
export const SHARED_DIR = resolve(REPO_ROOT, '..', 'shared');

/** Whether the shared data folder exists. */
export function sharedAvailable(): boolean {
  try {
    return existsSync(SHARED_DIR) && statSync(SHARED_DIR).isDirectory();
  } catch {
    return false;
  }
}
