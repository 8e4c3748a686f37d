// A minimal protobuf writer and an ONNX model builder for one Conv / ConvTranspose node.
//
// Only what the benchmark needs: varints, length-delimited fields, packed repeated int64 and
// the handful of ONNX messages (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
// ValueInfoProto) a single-node model with its weights stored as initializers requires.
// Field numbers follow onnx/onnx.proto3.

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_LEN = 2;

const utf8 = new TextEncoder();

/** Growable byte buffer with the protobuf primitives. */
class Writer {
  constructor() {
    this.buf = new Uint8Array(256);
    this.len = 0;
  }

  reserve(n) {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b) {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** Unsigned or non-negative varint (int64 values here are small, exact in a double). */
  varint(value) {
    let v = value;
    if (v < 0) throw new RangeError(`protobuf writer: negative varint ${value} is not needed here`);
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  bytes(arr) {
    this.reserve(arr.length);
    this.buf.set(arr, this.len);
    this.len += arr.length;
  }

  tag(field, wire) {
    this.varint(field * 8 + wire);
  }

  /** int32 / int64 / enum field. */
  int(field, value) {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  float(field, value) {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.bytes(b);
  }

  /** bytes / string / embedded message field. */
  lenDelimited(field, payload) {
    this.tag(field, WIRE_LEN);
    this.varint(payload.length);
    this.bytes(payload);
  }

  string(field, s) {
    this.lenDelimited(field, utf8.encode(s));
  }

  message(field, build) {
    const inner = new Writer();
    build(inner);
    this.lenDelimited(field, inner.finish());
  }

  /** Packed repeated int64 field. */
  packedInts(field, values) {
    const inner = new Writer();
    for (const v of values) inner.varint(v);
    this.lenDelimited(field, inner.finish());
  }

  finish() {
    return this.buf.slice(0, this.len);
  }
}

// ONNX enums used below.
const TENSOR_FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_INT = 2; // AttributeProto.AttributeType.INT
const ATTR_INTS = 7; // AttributeProto.AttributeType.INTS

/** AttributeProto: name = 1, i = 3, ints = 8, type = 20. */
function attribute(w, name, value) {
  w.message(5 /* NodeProto.attribute */, (a) => {
    a.string(1, name);
    if (Array.isArray(value)) {
      a.packedInts(8, value);
      a.int(20, ATTR_INTS);
    } else {
      a.int(3, value);
      a.int(20, ATTR_INT);
    }
  });
}

/** TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian float32). */
function tensor(w, field, name, dims, data) {
  w.message(field, (t) => {
    t.packedInts(1, dims);
    t.int(2, TENSOR_FLOAT);
    t.string(8, name);
    const raw = new Uint8Array(data.length * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
    t.lenDelimited(9, raw);
  });
}

/**
 * ValueInfoProto: name = 1, type = 2 → TypeProto.tensor_type = 1 → { elem_type = 1,
 * shape = 2 → TensorShapeProto.dim = 1 → Dimension.dim_value = 1 }.
 */
function valueInfo(w, field, name, dims) {
  w.message(field, (v) => {
    v.string(1, name);
    v.message(2, (type) => {
      type.message(1, (tt) => {
        tt.int(1, TENSOR_FLOAT);
        tt.message(2, (shape) => {
          for (const d of dims) shape.message(1, (dim) => dim.int(1, d));
        });
      });
    });
  });
}

/**
 * Builds the bytes of an ONNX model computing Y = Conv(X, W, B) or ConvTranspose(X, W, B).
 *
 * @param {object} p
 * @param {'conv'|'convTranspose'} p.op
 * @param {number[]} p.xShape   [N, C, ...spatial]
 * @param {number[]} p.yShape   [N, Cout, ...spatial]
 * @param {number[]} p.wShape   conv [Cout, Cin/g, ...k]; transposed [Cin, Cout/g, ...k]
 * @param {Float32Array} p.w
 * @param {Float32Array|null} p.b
 * @param {number[]} p.stride @param {number[]} p.pad (symmetric, per axis) @param {number[]} p.dilation
 * @param {number} p.groups @param {number[]} [p.outputPadding]
 * @param {number} [p.opset] default 17
 * @returns {Uint8Array}
 */
export function buildConvModel(p) {
  const opset = p.opset ?? 17;
  const k = p.wShape.slice(2);
  const inputs = ['X', 'W'];
  if (p.b) inputs.push('B');
  const m = new Writer();
  m.int(1, 8); // ir_version 8 (opset 17/18 era)
  m.string(2, 'wasmconv-bench'); // producer_name
  m.message(7, (g) => { // graph
    g.message(1, (n) => { // node
      for (const name of inputs) n.string(1, name);
      n.string(2, 'Y');
      n.string(3, 'conv0');
      n.string(4, p.op === 'conv' ? 'Conv' : 'ConvTranspose');
      attribute(n, 'kernel_shape', k);
      attribute(n, 'strides', p.stride);
      attribute(n, 'pads', [...p.pad, ...p.pad]); // all begins, then all ends
      attribute(n, 'dilations', p.dilation);
      attribute(n, 'group', p.groups);
      if (p.op === 'convTranspose' && p.outputPadding && p.outputPadding.some((v) => v !== 0)) {
        attribute(n, 'output_padding', p.outputPadding);
      }
    });
    g.string(2, 'single_conv');
    tensor(g, 5, 'W', p.wShape, p.w);
    if (p.b) tensor(g, 5, 'B', [p.b.length], p.b);
    valueInfo(g, 11, 'X', p.xShape);
    valueInfo(g, 12, 'Y', p.yShape);
  });
  m.message(8, (o) => { // opset_import: domain '' (default), version
    o.string(1, '');
    o.int(2, opset);
  });
  return m.finish();
}

// Exposed for a self-check of the encoder.
export { Writer };
