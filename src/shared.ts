/**
 * The threaded build of a variant, derived from the variant's own bytes.
 *
 * A threaded build differs from the plain one only in its memory: instead of defining it (the
 * memory section, id 5), the module imports `env.memory`, a shared memory with the same limits,
 * which the worker threads' instances import too. Their code is byte for byte the same (the
 * kernels use no atomics), so the package ships the plain variants only and this rewrites the
 * module's sections: the memory section goes, an import section entry takes its place.
 */

const MAGIC_AND_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const TYPE_SECTION = 1;
const IMPORT_SECTION = 2;
const MEMORY_SECTION = 5;
const MEMORY_KIND = 0x02;
const LIMITS_HAS_MAXIMUM = 0x01;
const LIMITS_SHARED = 0x02;

/** One section of a module: its id, where it begins (its id byte) and where its contents lie. */
interface Section { id: number; header: number; start: number; end: number }

class Reader {
  at: number;
  constructor(readonly bytes: Uint8Array, at: number) { this.at = at; }

  byte(): number {
    if (this.at >= this.bytes.length) throw malformed(`it ends at byte ${this.at} in the middle of a section`);
    return this.bytes[this.at++];
  }

  /** An unsigned LEB128 number of at most 32 bits. */
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) break;
        return result;
      }
    }
    throw malformed(`a size or count before byte ${this.at} is not a 32-bit LEB128 number`);
  }
}

function malformed(what: string): Error {
  return new Error(`wasmconv: cannot derive the threaded build: the module is malformed (${what})`);
}

function sections(bytes: Uint8Array): Section[] {
  if (bytes.length < 8 || MAGIC_AND_VERSION.some((b, i) => bytes[i] !== b)) {
    throw malformed('no WebAssembly version 1 header');
  }
  const out: Section[] = [];
  const r = new Reader(bytes, 8);
  while (r.at < bytes.length) {
    const header = r.at;
    const id = r.byte();
    const size = r.u32();
    if (r.at + size > bytes.length) throw malformed(`section ${id} at byte ${r.at} runs past the end`);
    out.push({ id, header, start: r.at, end: r.at + size });
    r.at += size;
  }
  return out;
}

/** Unsigned LEB128 bytes of `n` (a 32-bit unsigned integer). */
export function leb128(n: number): number[] {
  const out: number[] = [];
  do {
    const b = n % 128;
    n = Math.floor(n / 128);
    out.push(n > 0 ? b | 0x80 : b);
  } while (n > 0);
  return out;
}

function name(s: string): number[] {
  return [...leb128(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

/**
 * The bytes of `module` with its one defined memory (limits with a maximum, not shared) turned
 * into an import `env.memory` of a shared memory with the same minimum and maximum. Every other
 * section is copied unchanged; imports the module already has keep their indices (a module
 * with its own memory imports none, so the memory stays memory 0).
 */
export function withSharedMemory(module: Uint8Array): Uint8Array<ArrayBuffer> {
  const all = sections(module);
  const memories = all.filter((s) => s.id === MEMORY_SECTION);
  if (memories.length !== 1) throw malformed(`${memories.length} memory sections, expected 1`);
  const memory = new Reader(module, memories[0].start);
  if (memory.u32() !== 1) throw malformed('the memory section defines more or fewer than 1 memory');
  const flags = memory.u32();
  if (flags !== LIMITS_HAS_MAXIMUM) throw malformed(`memory limits flags ${flags}, expected ${LIMITS_HAS_MAXIMUM} (a maximum, not shared)`);
  const minimum = memory.u32();
  const maximum = memory.u32();
  if (memory.at !== memories[0].end) throw malformed('bytes after the memory in the memory section');

  const entry = [...name('env'), ...name('memory'), MEMORY_KIND, LIMITS_HAS_MAXIMUM | LIMITS_SHARED, ...leb128(minimum), ...leb128(maximum)];
  const imports = all.find((s) => s.id === IMPORT_SECTION);
  let importSection: number[];
  if (imports) {
    const r = new Reader(module, imports.start);
    const count = r.u32();
    importSection = [...leb128(count + 1), ...module.subarray(r.at, imports.end), ...entry];
  } else {
    importSection = [1, ...entry];
  }
  const importBytes = [IMPORT_SECTION, ...leb128(importSection.length), ...importSection];

  const parts: ArrayLike<number>[] = [MAGIC_AND_VERSION];
  let placed = false;
  for (const s of all) {
    // The import section follows the type section (if any) and precedes every other known section.
    if (!placed && s.id !== TYPE_SECTION && s.id !== 0) {
      parts.push(importBytes);
      placed = true;
    }
    if (s.id === MEMORY_SECTION || s.id === IMPORT_SECTION) continue;
    parts.push(module.subarray(s.header, s.end));
  }
  if (!placed) parts.push(importBytes);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
