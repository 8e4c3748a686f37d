/**
 * Bad input matrix: every argument of every public function, given values of the wrong type, the
 * wrong rank, channels that disagree with groups, non-integer / zero / negative / NaN / infinite
 * sizes, kernels larger than the padded input, empty outputs, and sizes whose buffers overflow
 * 32-bit arithmetic or exceed the 4 GiB of a wasm32 memory (fake data objects with a huge
 * `length`: nothing that size is ever allocated). Each must throw (or reject with) a TypeError or
 * RangeError whose message names the function, the argument, what was expected and what was given.
 * Afterwards the same instance, its memory and a plan made before the matrix still compute
 * correctly. Extreme but valid geometry (huge strides, paddings, dilations with tiny outputs)
 * must either compute what the reference computes or be refused with a RangeError.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { runtime } from '../src/runtime.ts';
import { refConv, refConvTranspose } from './reference.ts';
import { expectClose, randomTensor, rng, tolFor } from './helpers.ts';

type Value = unknown;
/** A word the message must contain; an array gives alternatives (any one of them). */
type Word = string | string[];
interface Bad {
  /** What the case is, for the report. */
  what: string;
  call: () => unknown;
  /** The function the message must start with. */
  fn: string;
  words: Word[];
  type?: typeof TypeError | typeof RangeError;
}

const tensor = (shape: number[], fill = 0.5) => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill), shape });
/** A tensor-like object whose data pretends to hold `length` values (nothing is allocated). */
const fake = (shape: number[], length = shape.reduce((a, b) => a * b, 1)) => ({ data: { length } as unknown as Float32Array, shape });
/** Runs `f` on a plan and disposes the plan, whatever happens. */
function using<T>(plan: wc.ConvPlan, f: (p: wc.ConvPlan) => T): T {
  try {
    return f(plan);
  } finally {
    plan.dispose();
  }
}
/** How a given value reads in a message. */
function shown(v: Value): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map((e) => (Array.isArray(e) ? shown(e) : typeof e === 'string' ? `'${e}'` : String(e))).join(', ')}]`;
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return String(v);
}
/** Words that say what was expected. */
const EXPECTED = /must|expected|needs?|at least|at most|smaller|larger|one of|not divisible|not reachable|not defined|give one|more than|instead|but its data holds|known options/;

const failures: string[] = [];
let checked = 0;

/** Runs one bad case; collects a description of what is wrong with its error, if anything. */
async function probe(b: Bad): Promise<void> {
  checked++;
  let error: unknown;
  try {
    const r = b.call();
    if (r instanceof Promise) await r;
  } catch (e) {
    error = e;
  }
  const problems: string[] = [];
  if (error === undefined) problems.push('did not throw');
  else if (!(error instanceof TypeError) && !(error instanceof RangeError)) problems.push(`threw ${(error as Error)?.constructor?.name} instead of a TypeError or RangeError`);
  else if (b.type && !(error instanceof b.type)) problems.push(`threw ${error.constructor.name}, expected ${b.type.name}`);
  if (error instanceof Error) {
    const m = error.message;
    if (!m.startsWith(`${b.fn}:`) && !m.startsWith(`${b.fn}(...)`)) problems.push(`does not start with the function name '${b.fn}'`);
    if (!EXPECTED.test(m)) problems.push('does not say what was expected');
    for (const w of b.words) {
      const alternatives = Array.isArray(w) ? w : [w];
      if (!alternatives.some((a) => m.includes(a))) problems.push(`does not contain ${alternatives.map((a) => JSON.stringify(a)).join(' or ')}`);
    }
  }
  if (problems.length) failures.push(`${b.what}: ${problems.join('; ')}${error instanceof Error ? `\n      message: ${error.message}` : ''}`);
}

async function probeAll(cases: Bad[]): Promise<void> {
  const before = failures.length;
  for (const c of cases) await probe(c);
  const mine = failures.slice(before);
  expect(mine, `${mine.length} of ${cases.length} bad inputs were not reported properly:\n  ${mine.join('\n  ')}`).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Bad values by kind of argument: [value, how the message shows it, the error type if fixed]
// ---------------------------------------------------------------------------------------------

type Entry = [Value, Word, (typeof TypeError | typeof RangeError)?];

/**
 * Bad values of a tensor argument of `rank` dimensions whose valid form is `valid`. `unbatched`:
 * an activation input, valid without its batch axis too (`rank - 1` dimensions).
 */
function badTensors(valid: { data: Float32Array; shape: number[] }, rank: number, signal = false, unbatched = false): Array<[string, Value, Word[], (typeof TypeError | typeof RangeError)?]> {
  const s = valid.shape;
  const n = valid.data.length;
  const withShape = (shape: Value) => ({ data: valid.data, shape });
  const at = (i: number, v: Value) => { const c: Value[] = [...s]; c[i] = v; return c; };
  const last = s.length - 1;
  const out: Array<[string, Value, Word[], (typeof TypeError | typeof RangeError)?]> = [
    ['null', null, ['null'], TypeError],
    ['undefined', undefined, ['undefined'], TypeError],
    ['a number', 42, ['42'], TypeError],
    ['a string', 'abc', ["'abc'"], TypeError],
    ['an empty object', {}, ['an object'], TypeError],
    ['an array', [1, 2, 3], ['[1, 2, 3]'], TypeError],
    ['no shape', { data: valid.data }, ['an object'], TypeError],
    ['no data', { shape: s }, ['an object'], TypeError],
    ["shape 'abc'", withShape('abc'), ["'abc'"], TypeError],
    ['shape 5', withShape(5), ['5'], TypeError],
    ['data 5', { data: 5, shape: s }, ['5'], TypeError],
    ['data null', { data: null, shape: s }, ['null'], TypeError],
    ['data a string', { data: 'x'.repeat(n), shape: s }, ["'"], TypeError],
    ['data an object without length', { data: {}, shape: s }, ['an object'], TypeError],
    ['a NaN size', withShape(at(last, NaN)), ['NaN']],
    ['an infinite size', withShape(at(last, Infinity)), ['Infinity']],
    ['a fractional size', withShape(at(last, 1.5)), ['1.5']],
    ['a negative size', withShape(at(last, -2)), ['-2']],
    ['a string size', withShape(at(last, String(s[last]))), [[`'${s[last]}'`, `${s[last]}`]]],
    ['a null size', withShape(at(last, null)), ['null']],
    unbatched
      ? [`rank ${rank - 2}`, { data: valid.data, shape: s.slice(2) }, [`${rank}-D or ${rank - 1}-D`, [`${rank - 2}-D`, `[${s.slice(2).join(', ')}]`]], RangeError]
      : [`rank ${rank - 1}`, { data: valid.data, shape: s.slice(1) }, [[`${rank}-D`, `${rank} dimensions`, `1 to 3`], [`${rank - 1}-D`, `[${s.slice(1).join(', ')}]`]], RangeError],
    [`rank ${rank + 1}`, { data: valid.data, shape: [1, ...s] }, [[`${rank}-D`, `1 to 3`, 'same number of dimensions'], [`${rank + 1}-D`, `[1, ${s.join(', ')}]`]], RangeError],
    ['data one value short', { data: valid.data.subarray(1), shape: s }, [`${n}`, `${n - 1}`], RangeError],
    ['data one value long', { data: new Float32Array(n + 1), shape: s }, [`${n}`, `${n + 1}`], RangeError],
  ];
  if (signal) return out.filter(([w]) => !w.startsWith('rank'));
  return out;
}

/** Bad values of a per-axis positive option (stride, dilation). */
function badPositiveAxis(rank: number): Entry[] {
  const ones = (k: number) => new Array(k).fill(1);
  return [
    [0, '0', RangeError], [-1, '-1', RangeError], [1.5, '1.5', RangeError], [NaN, 'NaN', RangeError],
    [Infinity, 'Infinity', RangeError], [-Infinity, '-Infinity', RangeError], ['2', "'2'", TypeError], [true, 'true', TypeError],
    [null, 'null', TypeError], [{}, 'an object', TypeError],
    [ones(rank + 1), `[${ones(rank + 1).join(', ')}]`, RangeError],
    [[...ones(rank - 1), NaN], 'NaN', RangeError], [[...ones(rank - 1), 0], '0', RangeError],
    [[...ones(rank - 1), Infinity], 'Infinity', RangeError], [[...ones(rank - 1), 2.5], '2.5', RangeError], [[...ones(rank - 1), '1'], "'1'", TypeError],
  ];
}

function badPadding(rank: number, transposed: boolean): Entry[] {
  const zeros = (k: number) => new Array(k).fill(0);
  const pairs = (k: number) => new Array(k).fill(0).map(() => [0, 0]);
  const out: Entry[] = [
    [-1, '-1', RangeError], [1.5, '1.5', RangeError], [NaN, 'NaN', RangeError], [Infinity, 'Infinity', RangeError],
    [-Infinity, '-Infinity', RangeError], ['full', "'full'"], [true, 'true', TypeError], [{}, 'an object', TypeError], [null, 'null', TypeError],
    [zeros(rank + 1), `[${zeros(rank + 1).join(', ')}]`, RangeError],
    [[...zeros(rank - 1), NaN], 'NaN', RangeError], [[...zeros(rank - 1), -3], '-3', RangeError], [[...zeros(rank - 1), Infinity], 'Infinity', RangeError],
    [[...pairs(rank - 1), [1, NaN]], 'NaN', RangeError], [[...pairs(rank - 1), [Infinity, 0]], 'Infinity', RangeError],
    [[...pairs(rank - 1), [0, -1]], '-1', RangeError], [[...pairs(rank - 1), [0, 0.5]], '0.5', RangeError],
    [[...pairs(rank - 1), [1, 2, 3]], '[1, 2, 3]', RangeError], [[...pairs(rank - 1), ['1', 0]], "'1'", TypeError],
  ];
  if (transposed) out.push(['same', "'same'", RangeError]);
  return out;
}

const BAD_GROUPS: Entry[] = [
  [0, '0', RangeError], [-2, '-2', RangeError], [1.5, '1.5', RangeError], [NaN, 'NaN', RangeError], [Infinity, 'Infinity', RangeError],
  ['1', "'1'", TypeError], [null, 'null', TypeError], [[1], '[1]', TypeError],
];

const BAD_ACTIVATION: Entry[] = [
  ['gelu', "'gelu'", TypeError], [5, '5', TypeError], [true, 'true', TypeError], [[], '[]', TypeError], [{ type: 'gelu' }, 'an object', TypeError],
  [{ type: 'leakyRelu', alpha: NaN }, 'NaN'], [{ type: 'leakyRelu', alpha: Infinity }, 'Infinity'], [{ type: 'leakyRelu', alpha: -Infinity }, '-Infinity'],
  [{ type: 'leakyRelu', alpha: '0.1' }, "'0.1'", TypeError],
  [{ type: 'clamp', min: NaN, max: 1 }, 'min=NaN'], [{ type: 'clamp', min: 0, max: NaN }, 'max=NaN'], [{ type: 'clamp', min: NaN, max: NaN }, 'NaN'],
  [{ type: 'clamp', min: 2, max: 1 }, 'min=2, max=1', RangeError], [{ type: 'clamp', min: Infinity, max: -Infinity }, 'min=Infinity', RangeError],
  [{ type: 'clamp', min: 0 }, 'max=undefined', TypeError], [{ type: 'clamp', min: '0', max: 1 }, "min='0'", TypeError],
];

const BAD_FLIP: Entry[] = [[1, '1', TypeError], ['yes', "'yes'", TypeError], [null, 'null', TypeError]];
const BAD_MODE: Entry[] = [['mirror', "'mirror'", TypeError], ['ZEROS', "'ZEROS'", TypeError], [1, '1', TypeError], [null, 'null', TypeError]];
const BAD_OPTIONS: Entry[] = [[3, '3', TypeError], ['x', "'x'", TypeError], [null, 'null', TypeError], [[], '[]', TypeError], [true, 'true', TypeError]];

function badBias(cout: number): Entry[] {
  return [
    ['b', "'b'", TypeError], [5, '5', TypeError], [NaN, 'NaN', TypeError], [true, 'true', TypeError], [{}, 'an object', TypeError],
    [new Float32Array(cout + 1), `${cout + 1}`, RangeError], [new Array(Math.max(0, cout - 1)).fill(0), `${cout - 1}`, RangeError],
    [{ data: new Float32Array(cout), shape: [cout, 1] }, '2-D', RangeError], [{ data: new Float32Array(cout), shape: [cout + 1] }, `${cout + 1}`, RangeError],
    [{ data: 'abc', shape: [cout] }, "'abc'", TypeError],
  ];
}

// ---------------------------------------------------------------------------------------------
// The functions
// ---------------------------------------------------------------------------------------------

const LAYOUTS: Record<number, [string, string]> = { 1: ['NCW', 'NWC'], 2: ['NCHW', 'NHWC'], 3: ['NCDHW', 'NDHWC'] };
const CONV = { 1: wc.conv1d, 2: wc.conv2d, 3: wc.conv3d } as const;
const CONV_ASYNC = { 1: wc.conv1dAsync, 2: wc.conv2dAsync, 3: wc.conv3dAsync } as const;
const CREATE = { 1: wc.createConv1d, 2: wc.createConv2d, 3: wc.createConv3d } as const;
const TRANSPOSE = { 1: wc.convTranspose1d, 2: wc.convTranspose2d, 3: wc.convTranspose3d } as const;
const TRANSPOSE_ASYNC = { 1: wc.convTranspose1dAsync, 2: wc.convTranspose2dAsync, 3: wc.convTranspose3dAsync } as const;
const CREATE_TRANSPOSE = { 1: wc.createConvTranspose1d, 2: wc.createConvTranspose2d, 3: wc.createConvTranspose3d } as const;

/** A function with a valid call: tensors by name, then options. */
interface Subject {
  fn: string;
  tensors: Array<{ name: Word; value: { data: Float32Array; shape: number[] }; rank: number }>;
  options: Record<string, unknown>;
  call: (tensors: Value[], options: Value) => unknown;
  /** Per option key: bad values. */
  bad: Record<string, Entry[]>;
}

function convSubjects(rank: 1 | 2 | 3, transposed: boolean): Subject[] {
  const sp = new Array(rank).fill(5);
  const x = tensor([1, 4, ...sp]);
  const w = tensor(transposed ? [4, 3, ...new Array(rank).fill(2)] : [6, 4, ...new Array(rank).fill(3)]);
  const cout = transposed ? 3 : 6;
  const base = `${transposed ? 'convTranspose' : 'conv'}${rank}d`;
  const bad: Record<string, Entry[]> = {
    stride: badPositiveAxis(rank), dilation: badPositiveAxis(rank), padding: badPadding(rank, transposed), groups: BAD_GROUPS,
    layout: [['CHWN', "'CHWN'", TypeError], [LAYOUTS[rank][0].toLowerCase(), `'${LAYOUTS[rank][0].toLowerCase()}'`, TypeError], [1, '1', TypeError], [null, 'null', TypeError],
      [LAYOUTS[rank === 3 ? 1 : rank + 1][0], `'${LAYOUTS[rank === 3 ? 1 : rank + 1][0]}'`, TypeError]],
    activation: BAD_ACTIVATION, bias: badBias(cout), flip: BAD_FLIP,
    paddingMode: transposed ? [...BAD_MODE, ['reflect', "'reflect'", RangeError], ['circular', "'circular'", RangeError]] : BAD_MODE,
  };
  if (transposed) {
    const ones = new Array(rank).fill(1);
    bad.outputPadding = [
      [-1, '-1', RangeError], [NaN, 'NaN', RangeError], [Infinity, 'Infinity', RangeError], [1.5, '1.5', RangeError], ['1', "'1'", TypeError],
      [1, 'outputPadding=1', RangeError], [[...ones, 0], `[${[...ones, 0].join(', ')}]`, RangeError],
    ];
    const natural = new Array(rank).fill(6);
    bad.outputSize = [
      [[...natural.slice(1), 0], '0', RangeError], [[...natural.slice(1), NaN], 'NaN', RangeError], [[...natural.slice(1), Infinity], 'Infinity', RangeError],
      [[...natural.slice(1), 6.5], '6.5', RangeError], [[...natural, 6], `[${[...natural, 6].join(', ')}]`, RangeError], ['6', "'6'", TypeError], [NaN, 'NaN', RangeError],
    ];
  }
  // Sizes only an input can refute (the plan constructors take them): an outputSize out of reach.
  const withInput: Record<string, Entry[]> = transposed ? {
    outputSize: [...bad.outputSize, [[...new Array(rank - 1).fill(6), 9], '9', RangeError], [[...new Array(rank - 1).fill(6), 5], '5', RangeError]],
  } : {};
  const make = (name: string, call: Subject['call'], withX: boolean): Subject => ({
    fn: name,
    tensors: withX ? [{ name: "'input'", value: x, rank: rank + 2 }, { name: "'weight'", value: w, rank: rank + 2 }] : [{ name: "'weight'", value: w, rank: rank + 2 }],
    options: {},
    call,
    bad: withX ? { ...bad, ...withInput } : bad,
  });
  const oneShot = transposed ? TRANSPOSE[rank] : CONV[rank];
  const async = transposed ? TRANSPOSE_ASYNC[rank] : CONV_ASYNC[rank];
  const create = transposed ? CREATE_TRANSPOSE[rank] : CREATE[rank];
  return [
    make(base, ([a, b], o) => oneShot(a as never, b as never, o as never), true),
    make(`${base}Async`, ([a, b], o) => async(a as never, b as never, o as never), true),
    make(`create${base[0].toUpperCase()}${base.slice(1)}`, ([b], o) => create(b as never, o as never).dispose(), false),
  ];
}

function separableSubjects(): Subject[] {
  const x = tensor([1, 4, 6, 6]);
  const dw = tensor([8, 1, 3, 3]);
  const pw = tensor([5, 8, 1, 1]);
  const col = tensor([6, 2, 3, 1]);
  const row = tensor([6, 1, 1, 3]);
  const spatialBad = (cout: number): Record<string, Entry[]> => ({
    stride: badPositiveAxis(2).filter(([v]) => !Array.isArray(v) || v.length === 2), dilation: badPositiveAxis(2).filter(([v]) => !Array.isArray(v) || v.length === 2),
    padding: badPadding(2, false).filter(([v]) => !Array.isArray(v) || v.length === 2),
    layout: [['CHWN', "'CHWN'", TypeError], ['NCW', "'NCW'", TypeError]],
    activation: BAD_ACTIVATION, bias: badBias(cout), flip: BAD_FLIP, paddingMode: BAD_MODE,
  });
  const dm: Entry[] = [[0, '0', RangeError], [NaN, 'NaN', RangeError], [Infinity, 'Infinity', RangeError], [1.5, '1.5', RangeError], ['2', "'2'", TypeError], [3, '3', RangeError]];
  const dwName: Word = ["'depthwiseWeight'", "'weight'"];
  return [
    { fn: 'depthwiseConv2d', tensors: [{ name: "'input'", value: x, rank: 4 }, { name: dwName, value: dw, rank: 4 }], options: { depthMultiplier: 2 },
      call: ([a, b], o) => wc.depthwiseConv2d(a as never, b as never, o as never), bad: { ...spatialBad(8), depthMultiplier: dm } },
    { fn: 'createDepthwiseConv2d', tensors: [{ name: dwName, value: dw, rank: 4 }], options: { depthMultiplier: 2 },
      call: ([b], o) => wc.createDepthwiseConv2d(b as never, o as never).dispose(), bad: { ...spatialBad(8), depthMultiplier: dm } },
    { fn: 'separableConv2d', tensors: [{ name: "'input'", value: x, rank: 4 }, { name: dwName, value: dw, rank: 4 }, { name: "'pointwiseWeight'", value: pw, rank: 4 }],
      options: { depthMultiplier: 2 }, call: ([a, b, c], o) => wc.separableConv2d(a as never, b as never, c as never, o as never), bad: { ...spatialBad(5), depthMultiplier: dm } },
    { fn: 'createSeparableConv2d', tensors: [{ name: dwName, value: dw, rank: 4 }, { name: "'pointwiseWeight'", value: pw, rank: 4 }],
      options: { depthMultiplier: 2 }, call: ([b, c], o) => wc.createSeparableConv2d(b as never, c as never, o as never).dispose(), bad: { ...spatialBad(5), depthMultiplier: dm } },
    { fn: 'spatiallySeparableConv2d', tensors: [{ name: "'input'", value: x, rank: 4 }, { name: ["'column'", "'weight'"], value: col, rank: 4 }, { name: ["'row'", "'weight'"], value: row, rank: 4 }],
      options: { groups: 2 }, call: ([a, b, c], o) => wc.spatiallySeparableConv2d(a as never, b as never, c as never, o as never), bad: { ...spatialBad(6), groups: BAD_GROUPS } },
    { fn: 'createSpatiallySeparableConv2d', tensors: [{ name: ["'column'", "'weight'"], value: col, rank: 4 }, { name: ["'row'", "'weight'"], value: row, rank: 4 }],
      options: { groups: 2 }, call: ([b, c], o) => wc.createSpatiallySeparableConv2d(b as never, c as never, o as never).dispose(), bad: { ...spatialBad(6), groups: BAD_GROUPS } },
  ];
}

/** Every bad value of every tensor argument and every option of a subject. */
function subjectCases(s: Subject): Bad[] {
  const cases: Bad[] = [];
  const values = s.tensors.map((t) => t.value);
  s.tensors.forEach((t, i) => {
    for (const [what, v, words, type] of badTensors(t.value, t.rank, false, t.name === "'input'")) {
      const args: Value[] = [...values];
      args[i] = v;
      cases.push({ what: `${s.fn} ${JSON.stringify(t.name)} ${what}`, fn: s.fn, call: () => s.call(args, s.options), words: [t.name, ...words], type });
    }
  });
  for (const [key, entries] of Object.entries(s.bad)) {
    for (const [v, given, type] of entries) {
      cases.push({ what: `${s.fn} option ${key} = ${shown(v)}`, fn: s.fn, call: () => s.call(values, { ...s.options, [key]: v }), words: [key, given], type });
    }
  }
  for (const [v, given, type] of BAD_OPTIONS) {
    cases.push({ what: `${s.fn} options = ${shown(v)}`, fn: s.fn, call: () => s.call(values, v), words: ["'options'", given], type });
  }
  cases.push({ what: `${s.fn} unknown option`, fn: s.fn, call: () => s.call(values, { ...s.options, strides: 2 }), words: ["'strides'"], type: TypeError });
  return cases;
}

// ---------------------------------------------------------------------------------------------

describe('bad input: every argument of every function throws a precise TypeError or RangeError', () => {
  let before: { plan: wc.ConvPlan; x: wc.Tensor; y: wc.Tensor; used: number; backend: string | null; generation: number };

  beforeAll(async () => {
    await wc.ready();
    const r = rng(11);
    const x = randomTensor(r, [2, 5, 9, 7]);
    const w = randomTensor(r, [4, 5, 3, 3]);
    const plan = wc.createConv2d(w, { padding: 1, bias: randomTensor(r, [4]).data, activation: 'relu' });
    before = { plan, x, y: plan.run(x), used: wc.memoryStats().usedBytes, backend: wc.backend(), generation: runtime('test').generation };
  });

  afterAll(() => {
    console.log(`[badinput] ${checked} bad inputs checked`);
  });

  for (const rank of [1, 2, 3] as const) {
    for (const transposed of [false, true]) {
      it(`${transposed ? 'convTranspose' : 'conv'}${rank}d, its Async form and its plan constructor`, async () => {
        await probeAll(convSubjects(rank, transposed).flatMap(subjectCases));
      });
    }
  }

  it('depthwise, separable and spatially separable functions and plan constructors', async () => {
    await probeAll(separableSubjects().flatMap(subjectCases));
  });

  it('plan methods: run, runAsync, outputShape, workspaceBytes', async () => {
    const cases: Bad[] = [];
    const plans: wc.ConvPlan[] = [];
    for (const rank of [1, 2, 3] as const) {
      for (const transposed of [false, true]) {
        const create = transposed ? CREATE_TRANSPOSE[rank] : CREATE[rank];
        const fn = `create${transposed ? 'ConvTranspose' : 'Conv'}${rank}d`;
        const w = tensor(transposed ? [4, 3, ...new Array(rank).fill(2)] : [6, 4, ...new Array(rank).fill(3)]);
        const x = tensor([1, 4, ...new Array(rank).fill(5)]);
        const plan = create(w as never);
        plans.push(plan);
        for (const method of ['run', 'runAsync'] as const) {
          for (const [what, v, words, type] of badTensors(x, rank + 2, false, true)) {
            cases.push({ what: `${fn}(...).${method} ${what}`, fn, call: () => plan[method](v as never), words: ["'input'", ...words], type });
          }
        }
        for (const method of ['outputShape', 'workspaceBytes'] as const) {
          const shapes: Array<[Value, Word]> = [
            [null, 'null'], ['abc', "'abc'"], [5, '5'], [{}, 'an object'], [[1, 4, ...new Array(rank - 1).fill(5), NaN], 'NaN'],
            [[1, 4, ...new Array(rank - 1).fill(5), 2.5], '2.5'], [[1, 4, ...new Array(rank - 1).fill(5), -5], '-5'],
            [[1, 4, ...new Array(rank - 1).fill(5), Infinity], 'Infinity'], [[1, '4', ...new Array(rank).fill(5)], "'4'"],
            [[1, 4, ...new Array(rank - 1).fill(5)], `[1, 4, ${new Array(rank - 1).fill(5).join(', ')}]`.replace(/, \]$/, ']')],
            [[1, 4, ...new Array(rank + 1).fill(5)], `[1, 4, ${new Array(rank + 1).fill(5).join(', ')}]`],
            [[1, 3, ...new Array(rank).fill(5)], '3 channels'], [[0, 3, ...new Array(rank).fill(5)], '3 channels'],
          ];
          for (const [v, given] of shapes) {
            cases.push({ what: `${fn}(...).${method}(${shown(v)})`, fn, call: () => plan[method](v as never), words: [["'inputShape'", 'input'], given] });
          }
        }
      }
    }
    try {
      await probeAll(cases);
    } finally {
      plans.forEach((p) => p.dispose());
    }
  });

  it('convolve and correlate', async () => {
    const cases: Bad[] = [];
    for (const fn of ['convolve', 'correlate'] as const) {
      const f = fn === 'convolve' ? wc.convolve : wc.correlate;
      const a = tensor([6, 5]), v = tensor([3, 2]);
      for (const [which, i] of [["'in1'", 0], ["'in2'", 1]] as const) {
        for (const [what, bad, words, type] of badTensors(i === 0 ? a : v, 2, true)) {
          const args = i === 0 ? [bad, v] : [a, bad];
          cases.push({ what: `${fn} ${which} ${what}`, fn, call: () => f(args[0] as never, args[1] as never), words: [which, ...words], type });
        }
        const other = i === 0 ? v : a;
        for (const [what, shape] of [['rank 0', []], ['rank 4', [1, 1, 1, 2]], ['a zero size', [2, 0]]] as const) {
          const bad = { data: new Float32Array(shape.reduce((p: number, q: number) => p * q, 1)), shape: [...shape] };
          const args = i === 0 ? [bad, other] : [other, bad];
          cases.push({ what: `${fn} ${which} ${what}`, fn, call: () => f(args[0] as never, args[1] as never), words: [which, `[${shape.join(', ')}]`], type: RangeError });
        }
      }
      cases.push({ what: `${fn} ranks differ`, fn, call: () => f(a, tensor([3])), words: ["'in1'", "'in2'", '[6, 5]', '[3]'], type: RangeError });
      cases.push({ what: `${fn} 'valid' without cover`, fn, call: () => f(a, tensor([7, 2]), { mode: 'valid' }), words: ["'valid'", '[6, 5]', '[7, 2]'], type: RangeError });
      for (const [key, bad, given] of [['mode', 'large', "'large'"], ['mode', 1, '1'], ['boundary', 'zero', "'zero'"], ['boundary', 2, '2'],
        ['fillValue', '1', "'1'"], ['fillValue', [1], '[1]'], ['fillValue', true, 'true']] as const) {
        cases.push({ what: `${fn} option ${key} = ${shown(bad)}`, fn, call: () => f(a, v, { [key]: bad } as never), words: [key, given], type: TypeError });
      }
      for (const [bad, given] of BAD_OPTIONS) {
        cases.push({ what: `${fn} options = ${shown(bad)}`, fn, call: () => f(a, v, bad as never), words: ["'options'", given], type: TypeError });
      }
      cases.push({ what: `${fn} unknown option`, fn, call: () => f(a, v, { boundry: 'wrap' } as never), words: ["'boundry'"], type: TypeError });
    }
    await probeAll(cases);
  });

  it('ready() options (the instance in use stays)', async () => {
    const cases: Bad[] = [];
    for (const [v, given] of [[5, '5'], ['simd', "'simd'"], [null, 'null'], [true, 'true']] as const) {
      cases.push({ what: `ready(${shown(v)})`, fn: 'ready', call: () => wc.ready(v as never), words: ["'options'", given], type: TypeError });
    }
    for (const [v, given, type] of [['gpu', "'gpu'", TypeError], [1, '1', TypeError], [null, 'null', TypeError], ['SIMD', "'SIMD'", TypeError]] as const) {
      cases.push({ what: `ready backend ${shown(v)}`, fn: 'ready', call: () => wc.ready({ backend: v as never }), words: ["'backend'", given], type });
    }
    for (const [v, given, type] of [[0, '0', RangeError], [-1, '-1', RangeError], [1.5, '1.5', RangeError], [NaN, 'NaN', RangeError], [Infinity, 'Infinity', RangeError],
      [257, '257', RangeError], ['2', "'2'", TypeError], [null, 'null', TypeError], ['all', "'all'", TypeError]] as const) {
      cases.push({ what: `ready threads ${shown(v)}`, fn: 'ready', call: () => wc.ready({ threads: v as never }), words: ["'threads'", given], type });
    }
    await probeAll(cases);
    expect(runtime('test').generation).toBe(before.generation);
  });

  it('channels against groups, kernels larger than the padded input, empty outputs', async () => {
    const t = tensor;
    const cases: Bad[] = [
      { what: 'input channels', fn: 'conv2d', call: () => wc.conv2d(t([1, 5, 8, 8]), t([6, 4, 3, 3])), words: ["input", 'groups=1', '4 channels', 'got 5'], type: RangeError },
      { what: 'input channels NHWC', fn: 'conv2d', call: () => wc.conv2d(t([1, 8, 8, 5]), t([6, 4, 3, 3]), { layout: 'NHWC' }), words: ['input', 'NHWC', '4 channels', 'got 5'], type: RangeError },
      { what: 'out channels not divisible', fn: 'conv2d', call: () => wc.conv2d(t([1, 4, 8, 8]), t([6, 2, 3, 3]), { groups: 4 }), words: ['weight', 'groups=4', '6'], type: RangeError },
      { what: 'in channels versus groups', fn: 'conv1d', call: () => wc.conv1d(t([1, 6, 8]), t([6, 2, 3]), { groups: 2 }), words: ['input', 'groups=2', '4 channels', 'got 6'], type: RangeError },
      { what: 'groups larger than channels', fn: 'conv3d', call: () => wc.conv3d(t([1, 2, 4, 4, 4]), t([8, 1, 1, 1, 1]), { groups: 8 }), words: ['input', 'groups=8', '8 channels', 'got 2'], type: RangeError },
      { what: 'transposed in channels', fn: 'convTranspose2d', call: () => wc.convTranspose2d(t([1, 3, 4, 4]), t([4, 2, 2, 2])), words: ['input', '4 channels', 'got 3'], type: RangeError },
      { what: 'transposed groups', fn: 'convTranspose1d', call: () => wc.convTranspose1d(t([1, 6, 4]), t([6, 2, 2]), { groups: 4 }), words: ['weight', 'groups=4', '6'], type: RangeError },
      { what: 'depthwise multiplier versus channels', fn: 'depthwiseConv2d', call: () => wc.depthwiseConv2d(t([1, 4, 6, 6]), t([8, 1, 3, 3])), words: ['input', '8 channels', 'got 4'], type: RangeError },
      { what: 'depthwise weight not [C*m, 1, ...]', fn: 'depthwiseConv2d', call: () => wc.depthwiseConv2d(t([1, 4, 6, 6]), t([4, 2, 3, 3])), words: ['depthwiseWeight', '[4, 2, 3, 3]'], type: RangeError },
      { what: 'separable pointwise channels', fn: 'separableConv2d', call: () => wc.separableConv2d(t([1, 4, 6, 6]), t([4, 1, 3, 3]), t([5, 3, 1, 1])), words: ['pointwiseWeight', '[5, 3, 1, 1]', '4'], type: RangeError },
      { what: 'separable pointwise not 1x1', fn: 'separableConv2d', call: () => wc.separableConv2d(t([1, 4, 6, 6]), t([4, 1, 3, 3]), t([5, 4, 3, 3])), words: ['pointwiseWeight', '[5, 4, 3, 3]'], type: RangeError },
      { what: 'spatial row count', fn: 'spatiallySeparableConv2d', call: () => wc.spatiallySeparableConv2d(t([1, 4, 6, 6]), t([6, 4, 3, 1]), t([5, 1, 1, 3])), words: ['row', '[5, 1, 1, 3]', '6'], type: RangeError },
      { what: 'spatial column not a column', fn: 'spatiallySeparableConv2d', call: () => wc.spatiallySeparableConv2d(t([1, 4, 6, 6]), t([6, 4, 3, 2]), t([6, 1, 1, 3])), words: ['column', '[6, 4, 3, 2]'], type: RangeError },
      { what: 'spatial groups', fn: 'spatiallySeparableConv2d', call: () => wc.spatiallySeparableConv2d(t([1, 4, 6, 6]), t([6, 2, 3, 1]), t([6, 1, 1, 3]), { groups: 3 }), words: ['input', 'groups=3', 'got 4'], type: RangeError },
      { what: 'kernel larger than the input', fn: 'conv2d', call: () => wc.conv2d(t([1, 4, 2, 8]), t([6, 4, 3, 3])), words: ['input', '2 x 8', '3 x 3'], type: RangeError },
      { what: 'dilated kernel larger than the padded input', fn: 'conv1d', call: () => wc.conv1d(t([1, 1, 6]), t([1, 1, 3]), { dilation: 4, padding: 1 }), words: ['input', '8', '9'], type: RangeError },
      { what: 'kernel larger, 3-D', fn: 'conv3d', call: () => wc.conv3d(t([1, 1, 2, 9, 9]), t([1, 1, 3, 1, 1])), words: ['input', '2 x 9 x 9', '3 x 1 x 1'], type: RangeError },
      { what: 'kernel larger, depthwise', fn: 'depthwiseConv2d', call: () => wc.depthwiseConv2d(t([1, 2, 2, 2]), t([2, 1, 3, 3])), words: ['input', '2 x 2', '3 x 3'], type: RangeError },
      { what: 'kernel larger, separable', fn: 'separableConv2d', call: () => wc.separableConv2d(t([1, 2, 2, 2]), t([2, 1, 3, 3]), t([3, 2, 1, 1])), words: ['input', '2 x 2', '3 x 3'], type: RangeError },
      { what: 'kernel larger, spatial', fn: 'spatiallySeparableConv2d', call: () => wc.spatiallySeparableConv2d(t([1, 2, 2, 5]), t([2, 2, 3, 1]), t([2, 1, 1, 3])), words: ['input', '2 x 5', '3 x 1'], type: RangeError },
      { what: 'kernel larger, plan run', fn: 'createConv2d', call: () => using(wc.createConv2d(t([6, 4, 3, 3])), (p) => p.run(t([1, 4, 8, 2]))), words: ['input', '8 x 2', '3 x 3'], type: RangeError },
      { what: 'reflect padding not below the size', fn: 'conv1d', call: () => wc.conv1d(t([1, 1, 3]), t([1, 1, 3]), { padding: 3, paddingMode: 'reflect' }), words: ['reflect', 'padding', '3'], type: RangeError },
      { what: 'circular padding above the size', fn: 'conv2d', call: () => wc.conv2d(t([1, 1, 2, 6]), t([1, 1, 1, 1]), { padding: [[3, 0], [0, 0]], paddingMode: 'circular' }), words: ['circular', 'padding', '3', '2'], type: RangeError },
      { what: 'transposed empty output', fn: 'convTranspose2d', call: () => wc.convTranspose2d(t([1, 4, 1, 1]), t([4, 2, 1, 1]), { padding: 1 }), words: ['output would be empty', '[1, 4, 1, 1]'], type: RangeError },
      { what: 'transposed empty output, pairs', fn: 'convTranspose1d', call: () => wc.convTranspose1d(t([1, 1, 2]), t([1, 1, 2]), { padding: [[2, 2]], stride: 1 }), words: ['output would be empty', '[1, 1, 2]'], type: RangeError },
      { what: 'transposed outputSize unreachable', fn: 'convTranspose3d', call: () => wc.convTranspose3d(t([1, 1, 2, 2, 2]), t([1, 1, 2, 2, 2]), { stride: 2, outputSize: [4, 4, 7] }), words: ['outputSize', '7', '4', '5'], type: RangeError },
      { what: 'transposed outputPadding and outputSize', fn: 'convTranspose2d', call: () => wc.convTranspose2d(t([1, 1, 2, 2]), t([1, 1, 2, 2]), { stride: 2, outputPadding: 1, outputSize: [5, 5] }), words: ['outputPadding', 'outputSize', 'both'], type: TypeError },
      { what: 'signal zero-size input', fn: 'convolve', call: () => wc.convolve({ data: [], shape: [0] }, { data: [1], shape: [1] }), words: ['in1', '[0]'], type: RangeError },
      { what: 'zero batch, wrong channels', fn: 'conv2d', call: () => wc.conv2d(t([0, 3, 8, 8]), t([6, 4, 3, 3])), words: ['input', '[0, 3, 8, 8]', '3 channels'], type: RangeError },
      { what: 'unbatched, wrong channels', fn: 'conv2d', call: () => wc.conv2d(t([3, 8, 8]), t([6, 4, 3, 3])), words: ['input', '[3, 8, 8]', 'unbatched', '3 channels'], type: RangeError },
      { what: 'unbatched, kernel past the input', fn: 'conv1d', call: () => wc.conv1d(t([4, 2]), t([6, 4, 3])), words: ['padded input size', '[4, 2]'], type: RangeError },
      { what: 'zero spatial size', fn: 'convTranspose1d', call: () => wc.convTranspose1d(t([1, 4, 0]), t([4, 2, 3])), words: ['input', '[1, 4, 0]'], type: RangeError },
      { what: 'zero kernel', fn: 'conv3d', call: () => wc.conv3d(t([1, 1, 4, 4, 4]), t([1, 1, 0, 1, 1])), words: ['weight', '[1, 1, 0, 1, 1]'], type: RangeError },
      { what: 'zero output channels', fn: 'conv2d', call: () => wc.conv2d(t([1, 4, 4, 4]), t([0, 4, 1, 1])), words: ['weight', '[0, 4, 1, 1]'], type: RangeError },
    ];
    await probeAll(cases);
  });

  it('sizes past 32-bit arithmetic and the 4 GiB memory (fake data: nothing is allocated)', async () => {
    const before2 = wc.memoryStats();
    const g = 2 ** 30;
    const cases: Bad[] = [
      // One tensor alone past 2^30 floats (4 GiB); products that wrap around in 32-bit arithmetic.
      { what: 'input of 2^31 values', fn: 'conv2d', call: () => wc.conv2d(fake([1, 1, 2 ** 16, 2 ** 15]), tensor([2, 1, 1, 1])), words: ['input', '[1, 1, 65536, 32768]', '4 GiB'], type: RangeError },
      { what: 'input of 2^32 + 2^16 values (wraps to 2^16)', fn: 'conv2d', call: () => wc.conv2d(fake([1, 1, 65536, 65537]), tensor([1, 1, 1, 1])), words: ['input', '65537', '4 GiB'], type: RangeError },
      { what: 'batch of 2^32', fn: 'conv1d', call: () => wc.conv1d(fake([2 ** 32, 1, 1]), tensor([1, 1, 1])), words: ['input', '4294967296', '4 GiB'], type: RangeError },
      { what: 'input of 2^60 values', fn: 'conv3d', call: () => wc.conv3d(fake([2 ** 20, 1, 2 ** 20, 2 ** 10, 2 ** 10]), tensor([1, 1, 1, 1, 1])), words: ['input', '4 GiB'], type: RangeError },
      { what: 'output of 2^31 values (channels)', fn: 'conv2d', call: () => wc.conv2d(fake([1, 1, 2 ** 12, 2 ** 12]), fake([2 ** 7, 1, 1, 1])), words: ['input', '4 GiB'], type: RangeError },
      { what: 'transposed output past 4 GiB', fn: 'convTranspose2d', call: () => wc.convTranspose2d(fake([1, 1, 2 ** 12, 2 ** 12]), tensor([1, 1, 1, 1]), { stride: 16 }), words: ['input', '4 GiB'], type: RangeError },
      { what: 'transposed stride huge', fn: 'convTranspose1d', call: () => wc.convTranspose1d(tensor([1, 1, 3]), tensor([1, 1, 1]), { stride: 2 ** 30 }), words: ['input', '4 GiB'], type: RangeError },
      // Each fits, together they do not: no memory may grow for it.
      { what: 'input and output 2 GiB each', fn: 'conv2d', call: () => wc.conv2d(fake([1, 1, 2 ** 15, 2 ** 14]), tensor([1, 1, 1, 1])), words: ['input', '4 GiB'], type: RangeError },
      { what: 'input 4 GiB exactly and output', fn: 'conv1d', call: () => wc.conv1d(fake([1, 1, g]), tensor([1, 1, 1])), words: ['input', '4 GiB'], type: RangeError },
      // Weights past 4 GiB: refused before any packing.
      { what: 'weight of 2^34 values', fn: 'createConv2d', call: () => wc.createConv2d(fake([2 ** 17, 2 ** 17, 1, 1])), words: ['weight', '[131072, 131072, 1, 1]', '4 GiB'], type: RangeError },
      { what: 'weight of 2^31 values (wraps to 0)', fn: 'conv2d', call: () => wc.conv2d(tensor([1, 1, 1, 1]), fake([2 ** 31, 1, 1, 1])), words: ['weight', '2147483648', '4 GiB'], type: RangeError },
      { what: 'transposed weight past 4 GiB', fn: 'createConvTranspose3d', call: () => wc.createConvTranspose3d(fake([2 ** 11, 2 ** 11, 2 ** 4, 2 ** 4, 2 ** 4])), words: ['weight', '4 GiB'], type: RangeError },
      { what: 'depthwise weight past 4 GiB', fn: 'depthwiseConv2d', call: () => wc.depthwiseConv2d(tensor([1, 1, 1, 1]), fake([2 ** 31, 1, 1, 1])), words: [['weight', 'depthwiseWeight'], '4 GiB'], type: RangeError },
      { what: 'pointwise weight past 4 GiB', fn: 'createSeparableConv2d', call: () => wc.createSeparableConv2d(tensor([4, 1, 1, 1]), fake([2 ** 29, 4, 1, 1])), words: ['pointwiseWeight', '4 GiB'], type: RangeError },
      { what: 'spatial column past 4 GiB', fn: 'createSpatiallySeparableConv2d', call: () => wc.createSpatiallySeparableConv2d(fake([2, 2 ** 30, 2, 1]), fake([2, 1, 1, 2])), words: [['weight', 'column'], '4 GiB'], type: RangeError },
      { what: 'data length that is not a safe integer', fn: 'conv2d', call: () => wc.conv2d(fake([1, 1, 2 ** 30, 2 ** 30], 2 ** 60 + 1), tensor([1, 1, 1, 1])), words: ['input', '4 GiB'], type: RangeError },
      { what: 'plan run past 4 GiB', fn: 'createConv2d', call: () => using(wc.createConv2d(tensor([3, 1, 1, 1])), (p) => p.run(fake([1, 1, 2 ** 15, 2 ** 14]))), words: ['input', '4 GiB'], type: RangeError },
      { what: 'outputShape past 4 GiB', fn: 'createConvTranspose1d', call: () => using(wc.createConvTranspose1d(tensor([1, 1, 1]), { stride: 2 ** 20 }), (p) => p.outputShape([1, 1, 2 ** 12])), words: ['input', '4 GiB'], type: RangeError },
      { what: 'padding past 32-bit coordinates', fn: 'conv1d', call: () => wc.conv1d(tensor([1, 1, 4]), tensor([1, 1, 1]), { padding: 2 ** 31, stride: 2 ** 33 }), words: ['padding', '2147483648'], type: RangeError },
      { what: 'padding pair past 32-bit coordinates', fn: 'conv2d', call: () => wc.conv2d(tensor([1, 1, 4, 4]), tensor([1, 1, 1, 1]), { padding: [[0, 0], [2 ** 40, 0]], stride: [1, 2 ** 41] }), words: ['padding', '1099511627776'], type: RangeError },
    ];
    await probeAll(cases);
    expect(wc.memoryStats(), 'no memory grew for refused sizes').toEqual(before2);
  });

  it('extreme but valid geometry computes what the reference computes, or is refused with a RangeError', () => {
    const r = rng(21);
    const problems: string[] = [];
    const forward: Array<[number[], number[], Record<string, unknown>]> = [];
    for (const layout of ['NCHW', 'NHWC']) {
      const xs = (c: number) => (layout === 'NCHW' ? [1, c, 5, 6] : [1, 5, 6, c]);
      for (const [c, w, groups] of [[2, [3, 2, 3, 3], 1], [2, [2, 1, 3, 3], 2], [2, [4, 1, 3, 3], 2], [3, [3, 1, 2, 2], 3]] as const) {
        for (const o of [
          { stride: 2 ** 16 }, { stride: 2 ** 20 }, { stride: 2 ** 30 }, { stride: 2 ** 31 - 1 }, { stride: 2 ** 31 }, { stride: 2 ** 40 }, { stride: [1, 2 ** 31] },
          { stride: 2 ** 16, padding: 4 }, { stride: [2 ** 20, 3], padding: [[1, 2 ** 20], [0, 0]] }, { padding: 2 ** 16, stride: 2 ** 16 },
          { dilation: 2 ** 14, padding: 2 ** 15, stride: 2 ** 16 }, { dilation: [1, 2 ** 20], padding: [0, 2 ** 20], stride: 2 ** 21 },
          { padding: 2 ** 30 - 2, stride: 2 ** 30 }, { padding: [[2 ** 30, 0], [0, 0]], stride: 2 ** 31 },
        ]) forward.push([xs(c), [...w], { ...o, layout, groups }]);
      }
    }
    for (const [xs, ws, o] of forward) {
      const x = randomTensor(r, xs), w = randomTensor(r, ws);
      const label = `conv2d x [${xs}] w [${ws}] ${JSON.stringify(o)}`;
      try {
        const y = wc.conv2d(x, w, o as never);
        try {
          expectClose(y, refConv(x, w, o), tolFor(9), label);
        } catch (e) {
          problems.push(`${label}: ${(e as Error).message.split('\n')[0]}`);
        }
      } catch (e) {
        if (!(e instanceof RangeError) || !e.message.startsWith('conv2d:')) problems.push(`${label}: threw ${(e as Error).constructor.name}: ${(e as Error).message}`);
      }
    }
    for (const layout of ['NCW', 'NWC']) {
      for (const o of [
        { stride: 2 ** 31 }, { stride: 2 ** 31, padding: [[2 ** 30, 2 ** 30]] }, { stride: 2 ** 20, outputPadding: 5 },
        { stride: 2 ** 31 - 1, outputSize: [3] }, { dilation: 2 ** 31, stride: 1 }, { dilation: 2 ** 20, padding: [[2 ** 20 - 1, 2 ** 20 - 1]] },
      ]) {
        const x = randomTensor(r, layout === 'NCW' ? [1, 2, 1] : [1, 1, 2]), w = randomTensor(r, [2, 3, 2]);
        const label = `convTranspose1d x [${x.shape}] w [2, 3, 2] ${JSON.stringify({ ...o, layout })}`;
        try {
          const y = wc.convTranspose1d(x, w, { ...o, layout } as never);
          try {
            expectClose(y, refConvTranspose(x, w, { ...o, layout }), tolFor(4), label);
          } catch (e) {
            problems.push(`${label}: ${(e as Error).message.split('\n')[0]}`);
          }
        } catch (e) {
          if (!(e instanceof RangeError) || !e.message.startsWith('convTranspose1d:')) problems.push(`${label}: threw ${(e as Error).constructor.name}: ${(e as Error).message}`);
        }
      }
    }
    expect(problems, `extreme geometry:\n  ${problems.join('\n  ')}`).toEqual([]);
  });

  it('NaN and infinite clamp bounds: NaN is refused, infinite bounds are one-sided clamps', () => {
    const r = rng(31);
    const x = randomTensor(r, [1, 3, 6, 6]), w = randomTensor(r, [4, 3, 3, 3]);
    for (const a of [{ type: 'clamp', min: -Infinity, max: 0.25 }, { type: 'clamp', min: -0.25, max: Infinity }, { type: 'clamp', min: -Infinity, max: Infinity }] as const) {
      expectClose(wc.conv2d(x, w, { activation: a }), refConv(x, w, { activation: a }), tolFor(27), JSON.stringify(a));
    }
  });

  it('afterwards: the same instance, its memory and an earlier plan still compute correctly', () => {
    expect(wc.backend()).toBe(before.backend);
    expect(runtime('test').generation).toBe(before.generation);
    expect(before.plan.run(before.x).data).toEqual(before.y.data);
    expect(wc.memoryStats().usedBytes, 'every block of the failed calls went back').toBe(before.used);
    const r = rng(41);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const x = randomTensor(r, layout === 'NCHW' ? [2, 6, 9, 7] : [2, 9, 7, 6]);
      const w = randomTensor(r, [4, 3, 3, 3]);
      const o = { padding: 1, groups: 2, layout, activation: 'relu6' as const, bias: randomTensor(r, [4]).data };
      expectClose(wc.conv2d(x, w, o), refConv(x, w, o), tolFor(27), `conv2d ${layout} after the matrix`);
      const wt = randomTensor(r, [6, 2, 3, 3]);
      const ot = { stride: 2, padding: 1, outputPadding: 1, groups: 3, layout };
      expectClose(wc.convTranspose2d(x, wt, ot), refConvTranspose(x, wt, ot), tolFor(18), `convTranspose2d ${layout} after the matrix`);
    }
    before.plan.dispose();
  });
});
