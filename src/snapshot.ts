/**
 * Snapshots of option objects: a plan keeps copies of everything it may read later, so the caller
 * may change or reuse its objects, arrays and buffers once the plan is created.
 */

/** Nesting deeper than any option has (a bias tensor inside the options): deeper values are kept as given. */
const MAX_DEPTH = 4;

/**
 * A deep copy of `options`, each property read once: arrays and plain objects are copied, typed
 * arrays sliced, tensor-like objects ({ data, shape }, e.g. a bias tensor) copied as plain ones.
 */
export function snapshotOptions(options: Record<string, unknown>): Record<string, unknown> {
  return copy(options, 0) as Record<string, unknown>;
}

function copy(v: unknown, depth: number): unknown {
  if (v === null || typeof v !== 'object' || depth > MAX_DEPTH) return v;
  if (ArrayBuffer.isView(v)) return v instanceof DataView ? v : (v as unknown as { slice(): unknown }).slice();
  if (Array.isArray(v)) return v.map((e) => copy(e, depth + 1));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    // A class instance: a tensor (a wasm tensor's data is a view that later calls may move) is
    // copied as { data, shape }; anything else is kept for validation to report.
    if ('data' in v && 'shape' in v) {
      const t = v as { data: unknown; shape: unknown };
      return { data: copy(t.data, depth + 1), shape: copy(t.shape, depth + 1) };
    }
    return v;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) out[key] = copy((v as Record<string, unknown>)[key], depth + 1);
  return out;
}
