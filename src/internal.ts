/**
 * Internal entry for the tests, the benchmark's variant comparison and diagnostics: the public
 * API plus the algorithm list and `algorithmOf`. Not part of the package's API (src/index.ts);
 * built as build/internal.mjs.
 */
export * from './index.ts';
export { ALGORITHMS } from './algorithms/index.ts';
import { Plan } from './plan.ts';
import { geometry } from './geometry.ts';
import { runtime } from './runtime.ts';
import type { ConvPlan } from './types.ts';

/**
 * The algorithm a plan runs ('gemm', 'winograd', 'depthwise', ...; null for plans of other
 * classes, such as chained ones), for an input of `inputShape` if given (a dilated Winograd plan
 * runs some inputs on its GEMM fallback).
 */
export function algorithmOf(plan: ConvPlan, inputShape?: readonly number[]): string | null {
  if (!(plan instanceof Plan)) return null;
  const { spec, algorithm } = plan;
  if (inputShape && algorithm.problem) {
    const g = geometry(spec, inputShape, spec.runFn);
    if (algorithm.problem(spec, g, runtime('algorithmOf').kernels) === null) return 'gemm';
  }
  return algorithm.name;
}
