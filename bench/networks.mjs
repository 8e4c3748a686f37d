#!/usr/bin/env node
// The conv layers of published architectures, built from the layer tables of their papers, for
// the networks benchmark (`node bench/run.mjs --networks`). Batch 1, float32, NCHW / NCW shapes in
// the notation of workloads.json. Only convolutions are listed (what the benchmark times); pools,
// activations, normalizations and additions are not, but a layer whose input passed through one
// says so in `via`, so the chain of shapes can be checked (selftest.mjs).
//
// Each layer: { name, op, cin, cout, in, k, stride, pad, dilation, groups, outputPadding?,
//   from: the layer whose output it reads ('input' for the network's input),
//   via?: { pool: [k, s, p] } (max/avg pool in between) | 'global-pool' (to 1x1) ,
//   concat?: channels appended from a skip connection at the same size (UNet) }.
//
// Run directly, it prints each network's layer count, distinct shapes and GFLOP.
import { describeWorkload } from './lib/workload.mjs';

/** Tracks the running tensor (channels, spatial size) while a network's convolutions are listed. */
class Net {
  constructor(id, name, source, input) {
    this.net = { id, name, source, input, layers: [] };
    this.cur = { name: 'input', c: input.c, size: input.size.slice() };
    this.pending = {};
  }

  /** A convolution reading the running tensor; `pad` defaults to (k - 1) * d / 2 ('same' at stride 1). */
  conv(name, cout, k, { stride = 1, pad, groups = 1, dilation = 1 } = {}) {
    const rank = this.cur.size.length;
    const ax = (v) => (Array.isArray(v) ? v : Array(rank).fill(v));
    const kk = ax(k);
    const d = ax(dilation);
    const layer = {
      name, op: 'conv', cin: this.cur.c, cout, in: this.cur.size.slice(), k: kk, stride: ax(stride),
      pad: pad === undefined ? kk.map((v, a) => ((v - 1) * d[a]) >> 1) : ax(pad), dilation: d, groups,
      from: this.cur.name, ...this.pending,
    };
    return this.push(layer);
  }

  /** Depthwise convolution (groups = channels). */
  dw(name, k, stride = 1) {
    return this.conv(name, this.cur.c, k, { stride, groups: this.cur.c });
  }

  convT(name, cout, k, stride, pad = 0, outputPadding = 0) {
    const rank = this.cur.size.length;
    const ax = (v) => (Array.isArray(v) ? v : Array(rank).fill(v));
    return this.push({
      name, op: 'convTranspose', cin: this.cur.c, cout, in: this.cur.size.slice(), k: ax(k), stride: ax(stride),
      pad: ax(pad), dilation: ax(1), groups: 1, outputPadding: ax(outputPadding), from: this.cur.name, ...this.pending,
    });
  }

  push(layer) {
    this.pending = {};
    this.net.layers.push(layer);
    const wl = describeWorkload({ id: layer.name, ...layer });
    this.cur = { name: layer.name, c: layer.cout, size: wl.out };
    return this;
  }

  /** A pooling layer (not timed) between two convolutions. */
  pool(k, s, p = 0) {
    this.cur.size = this.cur.size.map((n) => Math.floor((n + 2 * p - k) / s) + 1);
    this.pending.via = { pool: [k, s, p] };
    return this;
  }

  /** Squeeze-and-excitation: 1x1 convs on the globally pooled tensor; the running tensor is unchanged after. */
  se(prefix, squeeze) {
    const keep = { ...this.cur, size: this.cur.size.slice() };
    this.cur = { ...keep, size: keep.size.map(() => 1) };
    this.pending.via = 'global-pool';
    this.conv(`${prefix}.se.reduce`, squeeze, 1).conv(`${prefix}.se.expand`, keep.c, 1);
    this.cur = keep;
    return this;
  }

  /** Continue from an earlier layer's output (a residual branch). */
  at(name) {
    const l = this.net.layers.find((v) => v.name === name);
    const wl = describeWorkload({ id: name, ...l });
    this.cur = { name, c: l.cout, size: wl.out };
    return this;
  }

  /** Channels appended from a skip connection (UNet) before the next convolution. */
  concat(channels) {
    this.cur.c += channels;
    this.pending.concat = channels;
    return this;
  }

  done() {
    return this.net;
  }
}

// ResNet (He et al., "Deep Residual Learning for Image Recognition", 2015, Table 1), 224x224.
// Stride on the 3x3 of a bottleneck (torchvision's "v1.5"); 1x1 stride-2 projection shortcuts.
function resnet(id, name, blocks, bottleneck) {
  const n = new Net(id, name, 'He et al. 2015, Table 1', { c: 3, size: [224, 224] });
  n.conv('conv1', 64, 7, { stride: 2 }).pool(3, 2, 1);
  const widths = [64, 128, 256, 512];
  blocks.forEach((count, s) => {
    for (let b = 0; b < count; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      const p = `layer${s + 1}.${b}`;
      const outC = bottleneck ? widths[s] * 4 : widths[s];
      const inC = n.cur.c;
      const blockIn = n.cur.name;
      const via = n.pending.via;
      if (bottleneck) n.conv(`${p}.conv1`, widths[s], 1).conv(`${p}.conv2`, widths[s], 3, { stride }).conv(`${p}.conv3`, outC, 1);
      else n.conv(`${p}.conv1`, widths[s], 3, { stride }).conv(`${p}.conv2`, widths[s], 3);
      const last = n.cur.name;
      if (stride !== 1 || inC !== outC) {
        n.at(blockIn);
        if (via) n.pool(...via.pool);
        n.conv(`${p}.downsample`, outC, 1, { stride });
        n.at(last);
      }
    }
  });
  return n.done();
}

// MobileNetV2 (Sandler et al. 2018, Table 2), 224x224: inverted residuals (t, c, n, s).
function mobilenetV2() {
  const n = new Net('mobilenetv2', 'MobileNetV2', 'Sandler et al. 2018, Table 2', { c: 3, size: [224, 224] });
  n.conv('conv0', 32, 3, { stride: 2 });
  const rows = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  let i = 0;
  for (const [t, c, count, s] of rows) {
    for (let b = 0; b < count; b++, i++) {
      const p = `block${i}`;
      if (t !== 1) n.conv(`${p}.expand`, n.cur.c * t, 1);
      n.dw(`${p}.dw`, 3, b === 0 ? s : 1).conv(`${p}.project`, c, 1);
    }
  }
  n.conv('conv_last', 1280, 1);
  return n.done();
}

/** The nearest multiple of 8, not below 90% of v (the channel rounding of the MobileNet papers' code). */
function divisible8(v) {
  const r = Math.max(8, Math.floor((v + 4) / 8) * 8);
  return r < 0.9 * v ? r + 8 : r;
}

// MobileNetV3-Large (Howard et al. 2019, Table 1), 224x224; SE squeeze = exp / 4 rounded to 8.
function mobilenetV3Large() {
  const n = new Net('mobilenetv3', 'MobileNetV3-Large', 'Howard et al. 2019, Table 1', { c: 3, size: [224, 224] });
  n.conv('conv0', 16, 3, { stride: 2 });
  // k, exp, out, SE, s
  const rows = [[3, 16, 16, 0, 1], [3, 64, 24, 0, 2], [3, 72, 24, 0, 1], [5, 72, 40, 1, 2], [5, 120, 40, 1, 1], [5, 120, 40, 1, 1],
    [3, 240, 80, 0, 2], [3, 200, 80, 0, 1], [3, 184, 80, 0, 1], [3, 184, 80, 0, 1], [3, 480, 112, 1, 1], [3, 672, 112, 1, 1],
    [5, 672, 160, 1, 2], [5, 960, 160, 1, 1], [5, 960, 160, 1, 1]];
  rows.forEach(([k, exp, out, se, s], i) => {
    const p = `bneck${i}`;
    if (exp !== n.cur.c) n.conv(`${p}.expand`, exp, 1);
    n.dw(`${p}.dw`, k, s);
    if (se) n.se(p, divisible8(exp / 4));
    n.conv(`${p}.project`, out, 1);
  });
  n.conv('conv_last', 960, 1);
  n.pending.via = 'global-pool';
  n.cur.size = [1, 1];
  n.conv('head', 1280, 1).conv('classifier', 1000, 1);
  return n.done();
}

// EfficientNet-B0 (Tan & Le 2019, Table 1), 224x224: MBConv stages (expand, k, stride, channels,
// layers); SE squeeze = a quarter of the block's input channels.
function efficientNetB0() {
  const n = new Net('efficientnet-b0', 'EfficientNet-B0', 'Tan & Le 2019, Table 1', { c: 3, size: [224, 224] });
  n.conv('stem', 32, 3, { stride: 2 });
  const stages = [[1, 3, 1, 16, 1], [6, 3, 2, 24, 2], [6, 5, 2, 40, 2], [6, 3, 2, 80, 3], [6, 5, 1, 112, 3], [6, 5, 2, 192, 4], [6, 3, 1, 320, 1]];
  let i = 0;
  for (const [t, k, s, c, count] of stages) {
    for (let b = 0; b < count; b++, i++) {
      const p = `mbconv${i}`;
      const cin = n.cur.c;
      if (t !== 1) n.conv(`${p}.expand`, cin * t, 1);
      n.dw(`${p}.dw`, k, b === 0 ? s : 1).se(p, Math.max(1, Math.floor(cin / 4))).conv(`${p}.project`, c, 1);
    }
  }
  n.conv('head', 1280, 1);
  return n.done();
}

// U-Net decoder (Ronneberger et al. 2015, Fig. 1) with the paper's widths and 'same' padding, for a
// 128x128 input (bottleneck 1024 x 8x8): 2x2 stride-2 up-convolutions, concatenation with the
// encoder's skip, two 3x3 convolutions per level, a final 1x1 to 2 classes.
function unetDecoder() {
  const n = new Net('unet-decoder', 'U-Net decoder', 'Ronneberger et al. 2015, Fig. 1', { c: 1024, size: [8, 8] });
  for (const c of [512, 256, 128, 64]) {
    n.convT(`up${c}`, c, 2, 2).concat(c).conv(`dec${c}.conv1`, c, 3).conv(`dec${c}.conv2`, c, 3);
  }
  n.conv('out', 2, 1);
  return n.done();
}

// DCGAN generator (Radford et al. 2015, Fig. 1): z = 100 as 100x1x1, 4x4 transposed convolutions
// to 1024x4x4 (stride 1) then stride 2 up to 3x64x64.
function dcganGenerator() {
  const n = new Net('dcgan', 'DCGAN generator', 'Radford et al. 2015, Fig. 1', { c: 100, size: [1, 1] });
  n.convT('project', 1024, 4, 1, 0).convT('up1', 512, 4, 2, 1).convT('up2', 256, 4, 2, 1).convT('up3', 128, 4, 2, 1).convT('rgb', 3, 4, 2, 1);
  return n.done();
}

// wav2vec 2.0 feature encoder (Baevski et al. 2020, section 4.2): seven 1-D convolutions of 512
// channels, kernels (10, 3, 3, 3, 3, 2, 2), strides (5, 2, 2, 2, 2, 2, 2), no padding, on one
// second of 16 kHz audio.
function wav2vec2Encoder() {
  const n = new Net('wav2vec2-fe', 'wav2vec 2.0 feature encoder', 'Baevski et al. 2020, section 4.2', { c: 1, size: [16000] });
  [[10, 5], [3, 2], [3, 2], [3, 2], [3, 2], [2, 2], [2, 2]].forEach(([k, s], i) => n.conv(`conv${i}`, 512, k, { stride: s, pad: 0 }));
  return n.done();
}

// HiFi-GAN V2 generator (Kong et al. 2020, Appendix A): an 80-band mel input of 32 frames,
// conv 7 to 128 channels, transposed upsamplings (rates 8, 8, 2, 2, kernels 16, 16, 4, 4, channels
// halved each time), each followed by a multi-receptive-field block (kernels 3, 7, 11, each with
// dilations 1, 3, 5 and a dilation-1 convolution after each), then conv 7 to one channel.
function hifiganV2() {
  const n = new Net('hifigan-v2', 'HiFi-GAN V2 generator', 'Kong et al. 2020, Appendix A', { c: 80, size: [32] });
  n.conv('conv_pre', 128, 7);
  [[8, 16], [8, 16], [2, 4], [2, 4]].forEach(([u, k], i) => {
    n.convT(`up${i}`, n.cur.c / 2, k, u, (k - u) / 2);
    const stageIn = n.cur.name;
    for (const kr of [3, 7, 11]) {
      for (const d of [1, 3, 5]) {
        n.conv(`mrf${i}.k${kr}.d${d}.a`, n.cur.c, kr, { dilation: d }).conv(`mrf${i}.k${kr}.d${d}.b`, n.cur.c, kr);
      }
      n.at(stageIn);
    }
    n.at(`mrf${i}.k11.d5.b`);
  });
  n.conv('conv_post', 1, 7);
  return n.done();
}

export const NETWORKS = [
  mobilenetV2(),
  mobilenetV3Large(),
  efficientNetB0(),
  resnet('resnet18', 'ResNet-18', [2, 2, 2, 2], false),
  resnet('resnet50', 'ResNet-50', [3, 4, 6, 3], true),
  unetDecoder(),
  dcganGenerator(),
  wav2vec2Encoder(),
  hifiganV2(),
];

/** The geometry key of a layer: layers with equal keys are timed once and counted `count` times. */
export function layerKey(l) {
  const r = (a) => a.join('x');
  return `${l.op === 'conv' ? 'c' : 't'}${l.cin}-${l.cout}_i${r(l.in)}_k${r(l.k)}_s${r(l.stride)}_p${r(l.pad)}_d${r(l.dilation)}_g${l.groups}${l.outputPadding && l.outputPadding.some((v) => v) ? `_op${r(l.outputPadding)}` : ''}`;
}

/** A network's distinct layer shapes: [{ key, count, layer (the first of them), names }]. */
export function distinctLayers(net) {
  const map = new Map();
  for (const l of net.layers) {
    const key = layerKey(l);
    if (!map.has(key)) map.set(key, { key, count: 0, layer: l, names: [] });
    const e = map.get(key);
    e.count++;
    e.names.push(l.name);
  }
  return [...map.values()];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const net of NETWORKS) {
    const macs = net.layers.reduce((s, l) => s + describeWorkload({ id: l.name, ...l }).macs, 0);
    const distinct = distinctLayers(net);
    console.log(`${net.name.padEnd(30)} ${String(net.layers.length).padStart(3)} conv layers, ${String(distinct.length).padStart(3)} distinct, ${(2 * macs / 1e9).toFixed(2)} GFLOP`);
  }
}
