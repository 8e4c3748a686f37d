/**
 * The arena: 16-byte aligned blocks in the kernels' linear memory.
 *
 * First fit over a sorted free list with coalescing, so repeated calls with the same shapes reuse
 * the same blocks and memory never grows after the first call. Views are never cached across
 * calls: `f32()` / `u32()` read `memory.buffer` anew, which stays correct after `memory.grow`.
 */
const PAGE = 65536;
/** wasm32 addresses at most 4 GiB (65536 pages). */
const MAX_BYTES = 65536 * PAGE;
const ALIGN = 16;

export class Arena {
  private readonly memory: WebAssembly.Memory;
  /** Free ranges [start, end), sorted by start, never adjacent. */
  private free: Array<[number, number]> = [];
  /** Size of every live block, by address. */
  private readonly live = new Map<number, number>();
  /** First byte past the highest block ever handed out. */
  private top: number;

  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.top = align(base);
  }

  /** Bytes currently handed out. */
  get usedBytes(): number {
    let sum = 0;
    for (const size of this.live.values()) sum += size;
    return sum;
  }

  /** Size of the linear memory in bytes. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Returns the address of a new block of at least `bytes` bytes (16-byte aligned). */
  alloc(bytes: number, what: string): number {
    // Refused before anything is recorded: a size that is not an exact integer would corrupt the free list.
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new RangeError(`wasmconv: cannot allocate ${bytes} bytes for ${what}: a block size must be a non-negative integer of at most 2^53 - 1`);
    }
    const size = Math.max(ALIGN, align(bytes));
    for (let i = 0; i < this.free.length; i++) {
      const [start, end] = this.free[i];
      if (end - start < size) continue;
      if (end - start === size) this.free.splice(i, 1);
      else this.free[i] = [start + size, end];
      this.live.set(start, size);
      return start;
    }
    const start = this.top;
    const end = start + size;
    if (!Number.isSafeInteger(end) || end > MAX_BYTES) {
      throw new RangeError(
        `wasmconv: cannot allocate ${formatBytes(size)} for ${what}: WebAssembly memory is limited to 4 GiB ` +
          `(wasm32) and ${formatBytes(this.top)} is already in use; use smaller tensors or split the batch`,
      );
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch {
        throw new RangeError(
          `wasmconv: cannot allocate ${formatBytes(size)} for ${what}: the WebAssembly memory could not grow ` +
            `from ${formatBytes(have)} to ${formatBytes(end)} (the engine refused more memory)`,
        );
      }
    }
    this.top = end;
    this.live.set(start, size);
    return start;
  }

  /** Returns a block to the arena. Freeing 0 does nothing. */
  release(ptr: number): void {
    if (ptr === 0) return;
    const size = this.live.get(ptr);
    if (size === undefined) throw new Error(`wasmconv: internal error: release of unknown block ${ptr}`);
    this.live.delete(ptr);
    let start = ptr;
    let end = ptr + size;
    // Find the insertion point and merge with neighbours.
    let i = 0;
    while (i < this.free.length && this.free[i][0] < start) i++;
    if (i > 0 && this.free[i - 1][1] === start) {
      start = this.free[i - 1][0];
      this.free.splice(--i, 1);
    }
    if (i < this.free.length && this.free[i][0] === end) {
      end = this.free[i][1];
      this.free.splice(i, 1);
    }
    if (end === this.top) this.top = start;
    else this.free.splice(i, 0, [start, end]);
  }

  /** A Float32Array view of `length` floats at `ptr` (valid until the next allocation). */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  /** An Int32Array view of `length` ints at `ptr` (valid until the next allocation). */
  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} bytes`;
}
