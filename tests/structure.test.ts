/**
 * The shape of the source: no import cycles in src/, and the algorithm list (src/algorithms/)
 * consistent with what goes by it — every algorithm's warm-up cases run on that algorithm and
 * together on each of its kernels, and the `algorithm` option values are the list's.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHMS, ALGORITHM_OPTIONS } from '../src/algorithms/index.ts';
import { algorithmOf } from '../src/internal.ts';
import { Plan } from '../src/plan.ts';
import { convSpec } from '../src/options.ts';
import { geometry } from '../src/geometry.ts';
import { runtime } from '../src/runtime.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('source structure', () => {
  it('src/ has no import cycles (type-only imports included)', () => {
    const graph = new Map<string, string[]>();
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8');
      const deps = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)]
        .map((m) => resolve(dirname(file), m[1]))
        .filter((dep) => dep.startsWith(SRC + '/'));
      graph.set(file, deps);
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => f.slice(SRC.length + 1)).join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const dep of graph.get(file) ?? []) visit(dep, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(graph.size).toBeGreaterThan(10);
    expect(cycles).toEqual([]);
  });

  it("the 'algorithm' option values are the list's", () => {
    expect(ALGORITHM_OPTIONS.map((o) => o.value)).toEqual(ALGORITHMS.filter((a) => a.option).map((a) => a.name));
    const kernels = ALGORITHMS.flatMap((a) => a.kernels);
    expect(new Set(kernels).size).toBe(kernels.length);
    // Without a kernel of its own, an algorithm runs a pipeline of calls.
    for (const a of ALGORITHMS) expect(a.kernels.length > 0 !== Boolean(a.pipeline), a.name).toBe(true);
  });
});

describe.skipIf(!backendAvailable())(`the algorithm list on the ${BACKEND} backend`, () => {
  beforeAll(readyBackend);

  it("every algorithm's warm-up cases run on it and on each of its kernels, in both layouts", () => {
    const tensor = (shape: number[]) => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.01), shape });
    for (const algorithm of ALGORITHMS) {
      expect(algorithm.warmUp.length, algorithm.name).toBeGreaterThan(0);
      for (const layout of ['NCHW', 'NHWC']) {
        const warmed = new Set<number>();
        for (const { weight, size = 12, transposed = false, stride = 1, groups, pointwise, padding: casePadding } of algorithm.warmUp) {
          const label = `${algorithm.name} ${JSON.stringify(weight)} ${size} ${layout}`;
          const padding = casePadding ?? (weight[2] === 3 ? 1 : 0);
          const spec = convSpec({ fn: 'test', rank: 2, transposed }, tensor(weight), { layout, stride, padding, groups }, { pointwise: pointwise && tensor(pointwise) });
          const plan = new Plan(spec);
          const shape = layout === 'NCHW' ? [1, 16, size, size] : [1, size, size, 16];
          expect(algorithmOf(plan, shape), label).toBe(algorithm.name);
          warmed.add(algorithm.problem?.(spec, geometry(spec, shape, 'test'), runtime('test').kernels)?.kernel ?? 0);
          plan.dispose();
        }
        if (algorithm.kernels.length > 0) expect([...warmed].sort(), `${algorithm.name} ${layout}: kernels warmed up`).toEqual(algorithm.kernels.map((_, i) => i));
      }
    }
  });
});
