/**
 * Bad input to the 8-bit functions: each gets a TypeError or RangeError naming the function, the
 * argument, what was expected and what was given, and the library stays usable afterwards.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wc from '../src/index.ts';
import { BACKEND, backendAvailable, readyBackend } from './backend.ts';

const available = backendAvailable();
beforeAll(async () => {
  if (available) await readyBackend();
});

const x = () => ({ data: new Uint8Array(2 * 5 * 5), shape: [1, 2, 5, 5], scale: 0.1, zeroPoint: 3 });
const w = () => ({ data: new Int8Array(4 * 2 * 3 * 3), shape: [4, 2, 3, 3], scale: 0.02, zeroPoint: 0 });
const output = { scale: 0.5, zeroPoint: 0, type: 'uint8' as const };

function throwsWith(f: () => unknown, type: typeof TypeError | typeof RangeError, ...parts: string[]): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error, `expected a ${type.name}`).toBeInstanceOf(type);
  for (const p of parts) expect((error as Error).message).toContain(p);
}

describe.skipIf(!available)(`8-bit convolution: bad input (${BACKEND})`, () => {
  it('wrong data types', () => {
    throwsWith(() => wc.quantizedConv2d({ ...x(), data: new Float32Array(50) as never }, w(), { output }), TypeError, 'quantizedConv2d', "'input'", 'Uint8Array or an Int8Array', 'Float32Array');
    throwsWith(() => wc.quantizedConv2d(x(), { ...w(), data: [1, 2] as never }, { output }), TypeError, "'weight'", 'Uint8Array or an Int8Array');
    throwsWith(() => wc.quantizedConv2d(null as never, w(), { output }), TypeError, "'input'", 'null');
    throwsWith(() => wc.integerConv2d(x(), 5 as never), TypeError, 'integerConv2d', "'weight'", 'got 5');
  });

  it('zero points out of range or not integers', () => {
    throwsWith(() => wc.quantizedConv2d({ ...x(), zeroPoint: 256 }, w(), { output }), RangeError, 'input.zeroPoint', '0 to 255', 'uint8', 'got 256');
    throwsWith(() => wc.quantizedConv2d({ ...x(), zeroPoint: 1.5 }, w(), { output }), RangeError, 'input.zeroPoint', 'got 1.5');
    throwsWith(() => wc.quantizedConv2d(x(), { ...w(), zeroPoint: -129 }, { output }), RangeError, 'weight.zeroPoint', '-128 to 127', 'int8');
    throwsWith(() => wc.quantizedConv2d(x(), { ...w(), zeroPoint: [0, 0, 0, 200] }, { output }), RangeError, 'weight.zeroPoint[3]', 'got 200');
    throwsWith(() => wc.quantizedConv2d(x(), { ...w(), zeroPoint: [0, 0] }, { output }), RangeError, 'weight.zeroPoint', 'one per output channel (4)', 'got 2 values');
    throwsWith(() => wc.quantizedConv2d(x(), w(), { output: { ...output, zeroPoint: -1 } }), RangeError, "'output.zeroPoint'", '0 to 255');
    throwsWith(() => wc.quantizedConv2d(x(), w(), { output: { ...output, type: 'int8', zeroPoint: 128 } }), RangeError, "'output.zeroPoint'", '-128 to 127');
    throwsWith(() => wc.quantizedConv2d({ ...x(), zeroPoint: '3' as never }, w(), { output }), TypeError, 'input.zeroPoint', "'3'");
    throwsWith(() => wc.integerConv2d({ ...x(), zeroPoint: 300 }, w()), RangeError, 'integerConv2d', 'input.zeroPoint');
  });

  it('scales not positive and finite', () => {
    for (const bad of [0, -1, Infinity, NaN]) {
      throwsWith(() => wc.quantizedConv2d({ ...x(), scale: bad }, w(), { output }), RangeError, 'input.scale', 'positive finite', `got ${bad}`);
      throwsWith(() => wc.quantizedConv2d(x(), { ...w(), scale: [0.1, 0.1, bad, 0.1] }, { output }), RangeError, 'weight.scale[2]');
      throwsWith(() => wc.quantizedConv2d(x(), w(), { output: { ...output, scale: bad } }), RangeError, "'output.scale'");
    }
    throwsWith(() => wc.quantizedConv2d({ ...x(), scale: undefined as never }, w(), { output }), TypeError, 'input.scale', 'undefined');
  });

  it('shape mismatches', () => {
    throwsWith(() => wc.quantizedConv2d({ ...x(), data: new Uint8Array(49) }, w(), { output }), RangeError, "'input'", '50 elements', 'holds 49');
    throwsWith(() => wc.quantizedConv2d({ ...x(), shape: [1, 3, 5, 5], data: new Uint8Array(75) }, w(), { output }), RangeError, '2 channels', 'got 3 channels');
    throwsWith(() => wc.quantizedConv2d({ ...x(), shape: [2, 5, 5], data: new Uint8Array(50) }, w(), { output }), RangeError, "'input.shape'", '4 sizes');
    throwsWith(() => wc.quantizedConv1d(x(), w(), { output }), RangeError, 'quantizedConv1d', "'weight.shape'", '3 sizes');
    throwsWith(() => wc.quantizedConv2d({ ...x(), shape: [1, 2, 1, 1], data: new Uint8Array(2) }, w(), { output }), RangeError, 'smaller than the dilated kernel');
    throwsWith(() => wc.quantizedConv2d(x(), { ...w(), shape: [4, 2, 0, 3], data: new Int8Array(0) }, { output }), RangeError, 'non-zero sizes');
    throwsWith(() => wc.quantizedConv2d(x(), w(), { output, groups: 3 }), RangeError, 'not divisible by groups=3');
  });

  it('options', () => {
    throwsWith(() => wc.quantizedConv2d(x(), w(), {} as never), TypeError, "option 'output'", 'undefined');
    throwsWith(() => wc.quantizedConv2d(x(), w(), { output: { ...output, type: 'int16' as never } }), TypeError, "'output.type'", "'int16'");
    throwsWith(() => wc.quantizedConv2d(x(), w(), { output, bias: new Float32Array(4) as never }), TypeError, "'bias'", 'Int32Array', 'Float32Array');
    throwsWith(() => wc.quantizedConv2d(x(), w(), { output, bias: new Int32Array(3) }), RangeError, "'bias'", '(4)', 'got 3');
    throwsWith(() => wc.quantizedConv2d(x(), w(), { output, activation: 'leakyRelu' as never }), TypeError, "'activation'", "'leakyRelu'");
    throwsWith(() => wc.quantizedConv2d(x(), w(), { output, activation: { type: 'clamp', min: 2, max: 1 } }), RangeError, 'min <= max');
    throwsWith(() => wc.quantizedConv2d(x(), w(), { output, stride: 0 }), RangeError, "'stride'", 'positive integer');
    throwsWith(() => wc.quantizedConv2d(x(), w(), { output, padding: [1] }), RangeError, "'padding'", 'got 1 value');
    throwsWith(() => wc.quantizedConv2d(x(), w(), { output, layout: 'NCW' as never }), TypeError, "'layout'", "'NCHW'");
    throwsWith(() => wc.quantizedConv2d(x(), w(), { output, flip: true } as never), TypeError, "unknown option 'flip'");
    throwsWith(() => wc.integerConv2d(x(), w(), { output } as never), TypeError, 'integerConv2d', "unknown option 'output'");
  });

  it('plans: disposed, outputShape, and the library stays usable after errors', () => {
    const plan = wc.createQuantizedConv2d(w(), { output, padding: 1 });
    expect(plan.outputShape([1, 2, 5, 5])).toEqual([1, 4, 5, 5]);
    throwsWith(() => plan.run({ ...x(), zeroPoint: 999 }), RangeError, 'createQuantizedConv2d(...).run', 'input.zeroPoint');
    const y = plan.run(x());
    expect(y.shape).toEqual([1, 4, 5, 5]);
    expect(y.data).toBeInstanceOf(Uint8Array);
    plan.dispose();
    expect(() => plan.run(x())).toThrow(/disposed/);
    const before = wc.memoryStats().usedBytes;
    for (let i = 0; i < 5; i++) {
      try { wc.quantizedConv2d(x(), w(), { output, bias: new Int32Array(3) }); } catch { /* expected */ }
      wc.quantizedConv2d(x(), w(), { output });
    }
    expect(wc.memoryStats().usedBytes).toBe(before);
  });
});
