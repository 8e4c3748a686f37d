import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { leb128, withSharedMemory } from '../src/shared.ts';

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const section = (id: number, body: number[]) => [id, ...leb128(body.length), ...body];
/** `(func (result i32) i32.const 0 i32.load)`, exported as 'load', with a memory of the given limits. */
function tinyModule(memoryLimits: number[], extra: number[][] = []): Uint8Array<ArrayBuffer> {
  return new Uint8Array([
    ...HEADER,
    ...section(1, [1, 0x60, 0, 1, 0x7f]),
    ...extra.flat(),
    ...section(3, [1, 0]),
    ...section(5, [1, ...memoryLimits]),
    ...section(7, [1, 4, ...Array.from('load', (c) => c.charCodeAt(0)), 0, 0]),
    ...section(10, [1, ...[7, 0, 0x41, 0, 0x28, 2, 0, 0x0b]]),
  ]);
}

describe('withSharedMemory (the threaded build derived from a variant)', () => {
  it('encodes LEB128 sizes', () => {
    expect(leb128(0)).toEqual([0]);
    expect(leb128(127)).toEqual([127]);
    expect(leb128(128)).toEqual([0x80, 1]);
    expect(leb128(65536)).toEqual([0x80, 0x80, 4]);
    expect(leb128(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });

  it('turns the memory section into an imported shared env.memory with the same limits', () => {
    const plain = tinyModule([1, 2, ...leb128(300)]);
    expect(WebAssembly.validate(plain)).toBe(true);
    const threaded = withSharedMemory(plain);
    expect(WebAssembly.validate(threaded)).toBe(true);
    const module = new WebAssembly.Module(threaded);
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(module)).toEqual([{ name: 'load', kind: 'function' }]);
    // Instantiable only with a shared memory within the limits (2 .. 300 pages), which it then reads.
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 300, shared: true });
    new Int32Array(memory.buffer)[0] = 1234;
    const { load } = new WebAssembly.Instance(module, { env: { memory } }).exports as { load(): number };
    expect(load()).toBe(1234);
    expect(() => new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 2, maximum: 300 }) } })).toThrow();
    expect(() => new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 300, shared: true }) } })).toThrow();
  });

  it('adds the memory after imports the module already has', () => {
    const importFunction = section(2, [1, 1, 0x6d, 1, 0x66, 0x00, 0]); // m.f: a function of type 0
    const plain = tinyModule([1, 0, 1], [importFunction]);
    const threaded = withSharedMemory(plain);
    expect(WebAssembly.validate(threaded)).toBe(true);
    expect(WebAssembly.Module.imports(new WebAssembly.Module(threaded))).toEqual([
      { module: 'm', name: 'f', kind: 'function' },
      { module: 'env', name: 'memory', kind: 'memory' },
    ]);
  });

  it('rejects what it cannot rewrite with a clear error', () => {
    expect(() => withSharedMemory(new Uint8Array([1, 2, 3]))).toThrow(/cannot derive the threaded build: .*no WebAssembly version 1 header/);
    expect(() => withSharedMemory(tinyModule([0, 1]))).toThrow(/memory limits flags 0, expected 1/);
    expect(() => withSharedMemory(tinyModule([3, 1, 2]))).toThrow(/memory limits flags 3/);
    const noMemory = new Uint8Array([...HEADER, ...section(1, [0])]);
    expect(() => withSharedMemory(noMemory)).toThrow(/0 memory sections, expected 1/);
    const truncated = tinyModule([1, 0, 1]).subarray(0, 30);
    expect(() => withSharedMemory(truncated)).toThrow(/malformed/);
  });

  const build = (v: string) => fileURLToPath(new URL(`../build/wasmconv.${v}.wasm`, import.meta.url));
  it.skipIf(!existsSync(build('simd')))('derives valid threaded builds of the SIMD variants, sections other than memory unchanged', () => {
    for (const variant of ['simd', 'relaxed-simd']) {
      const plain = readFileSync(build(variant));
      const threaded = withSharedMemory(plain);
      // Only the memory section (8 bytes) becomes an import section (20 bytes).
      expect(threaded.length).toBe(plain.length - 8 + 20);
      if (variant === 'relaxed-simd' && !WebAssembly.validate(plain)) continue; // Node 20 without its flag
      expect(WebAssembly.validate(threaded)).toBe(true);
      const module = new WebAssembly.Module(threaded);
      expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
      expect(WebAssembly.Module.exports(module)).toEqual(WebAssembly.Module.exports(new WebAssembly.Module(plain)));
      // The sections after it (exports and code) are the same bytes, at the end of both modules.
      const tail = plain.length - 2000;
      expect(Buffer.from(threaded.subarray(threaded.length - tail)).equals(plain.subarray(plain.length - tail))).toBe(true);
    }
  });
});
