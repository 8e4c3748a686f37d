#!/usr/bin/env node
// Side-by-side convolution benchmark: wasmconv against tfjs and ONNX Runtime, on one or more Node
// binaries, in both API modes, on the workload suite and on the conv layers of whole networks.
//
//   node bench/run.mjs [--node current,26] [--quick] [--suite | --networks] [--workloads r3,p1]
//                      [--nets resnet18] [--impls wasmconv,ort-web] [--modes plain] [--rounds N]
//
// Each implementation runs in its own child process (child.mjs) per Node binary, started once and
// kept for the whole run. Per workload (a suite entry or a distinct network layer) the parent makes
// seeded data and a float64 reference, every column (implementation x mode x Node) prepares and
// makes a first, separately timed call whose output is checked against the reference, then warms
// up, then the timed rounds interleave all columns (A, B, C, A, B, C, ...). One child computes at
// a time. Medians over rounds are reported. See README.md beside this file.
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { DEFAULT_IMPLS, IMPLS, MODES, NETWORK_IMPLS } from './lib/impls.mjs';
import { boundedReference, compare, describeWorkload, makeData } from './lib/workload.mjs';
import { installNode, labelNodes, locateNode, probeNode } from './lib/node.mjs';
import { markdown, svg } from './lib/report.mjs';
import { NETWORKS, distinctLayers, layerKey } from './networks.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const log = (...a) => console.error(...a);

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/** The Node binaries run by default: the running one and the newest release line. */
const DEFAULT_NODES = 'current,26';

const USAGE = `Usage: node bench/run.mjs [options]

  --node a,b           Node binaries for the children: 'current', a major version (26: the newest
                       26.x, installed from npm into bench/.node/ on first use), an exact version
                       or a path (default: ${DEFAULT_NODES})
  --quick              small budgets (2-3 minutes for everything on two Node versions)
  --suite              only the workload suite
  --networks           only the networks benchmark
  --workloads a,b      workload ids from bench/workloads.json (default: all)
  --nets a,b           network ids from bench/networks.mjs (default: all)
  --impls a,b          implementations (default suite: ${DEFAULT_IMPLS.join(',')};
                       default networks: ${NETWORK_IMPLS.join(',')})
  --modes a,b          API modes: plain, resident (default: both)
  --rounds N           timed rounds per workload and column (default 9 suite / 5 networks, quick 3 / 2)
  --out DIR            where latest.{json,md,svg} go (default bench/results)
  --help               this text

Implementations: ${Object.keys(IMPLS).join(', ')}
Networks: ${NETWORKS.map((n) => n.id).join(', ')}`;

let args;
try {
  args = parseArgs({
    options: {
      node: { type: 'string', default: DEFAULT_NODES },
      quick: { type: 'boolean', default: false },
      suite: { type: 'boolean', default: false },
      networks: { type: 'boolean', default: false },
      workloads: { type: 'string' },
      nets: { type: 'string' },
      impls: { type: 'string' },
      modes: { type: 'string' },
      rounds: { type: 'string' },
      out: { type: 'string', default: join(here, 'results') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (err) {
  log(`${err.message}\n\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const fail = (msg) => {
  log(msg);
  process.exit(2);
};

// Budgets. warm: calls until minCalls and minMs are both reached, or capMs has passed (at least
// one call); batchMs: the length of one timed batch (one round) of one column. A workload whose
// slowest column takes more than slowMs per call gets slowRounds rounds (big network layers).
const BUDGETS = {
  suite: args.quick
    ? { rounds: 3, warm: { minCalls: 2, minMs: 100, capMs: 400, batchMs: 30 } }
    : { rounds: 9, warm: { minCalls: 5, minMs: 300, capMs: 2000, batchMs: 100 } },
  networks: args.quick
    ? { rounds: 2, warm: { minCalls: 1, minMs: 0, capMs: 0, batchMs: 5 }, slowMs: 30, slowRounds: 1 }
    : { rounds: 5, warm: { minCalls: 2, minMs: 20, capMs: 500, batchMs: 10 }, slowMs: 100, slowRounds: 3 },
};
let roundsOverride;
if (args.rounds !== undefined) {
  roundsOverride = Number(args.rounds);
  if (!Number.isInteger(roundsOverride) || roundsOverride < 1) fail(`--rounds must be a positive integer, got '${args.rounds}'`);
  for (const b of Object.values(BUDGETS)) Object.assign(b, { rounds: roundsOverride, slowRounds: roundsOverride });
}
// Network layers above this many multiply-adds get their float64 reference on a few output
// channels only (the direct loops run at 0.1-0.3 GMAC/s); suite workloads always get all of it.
const REFERENCE_MACS = 3e7;

const list = (s) => s.split(',').map((v) => v.trim()).filter(Boolean);
const pickIds = (flag, value, known) => {
  if (!value) return known.slice();
  const wanted = list(value);
  const unknown = wanted.filter((id) => !known.includes(id));
  if (unknown.length) fail(`${flag}: unknown id(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return wanted;
};

const runSuite = args.suite || !args.networks;
const runNetworks = args.networks || !args.suite;
const allWorkloads = JSON.parse(readFileSync(join(here, 'workloads.json'), 'utf8')).workloads;
const workloadIds = runSuite ? pickIds('--workloads', args.workloads, allWorkloads.map((w) => w.id)) : [];
const workloads = workloadIds.map((id) => describeWorkload(allWorkloads.find((w) => w.id === id)));
const netIds = runNetworks ? pickIds('--nets', args.nets, NETWORKS.map((n) => n.id)) : [];
const nets = netIds.map((id) => NETWORKS.find((n) => n.id === id));
const modes = args.modes ? list(args.modes) : MODES.slice();
// Quick runs time the networks in plain mode only, unless modes are asked for.
const networkModes = args.quick && !args.modes ? ['plain'] : modes;
const badModes = modes.filter((m) => !MODES.includes(m));
if (badModes.length) fail(`--modes: unknown mode(s) ${badModes.join(', ')}; known: ${MODES.join(', ')}`);

const suiteImpls = runSuite ? (args.impls ? list(args.impls) : DEFAULT_IMPLS.slice()) : [];
const networkImpls = runNetworks ? (args.impls ? list(args.impls) : NETWORK_IMPLS.slice()) : [];
const implNames = [...new Set([...suiteImpls, ...networkImpls])];
const unknownImpls = implNames.filter((n) => !IMPLS[n]);
if (unknownImpls.length) fail(`unknown implementation(s): ${unknownImpls.join(', ')}; known: ${Object.keys(IMPLS).join(', ')}`);
// An explicit-backend variant is compared with its base: run the base too.
for (const n of [...implNames]) {
  const base = IMPLS[n].variantOf;
  if (base && !implNames.includes(base)) log(`bench: ${n} runs on a Node only where its backend differs from ${base}'s; ${base} is not in this run, so ${n} runs everywhere`);
}

// ---------------------------------------------------------------------------------------------
// Environment: Node binaries, bench dependencies, the wasmconv build
// ---------------------------------------------------------------------------------------------

/** Resolves, installs if needed and probes every --node spec; drops the ones that fail. */
function resolveNodes(specs) {
  const found = [];
  for (const spec of specs) {
    try {
      const loc = locateNode(spec, join(here, '.node'));
      const err = installNode(loc, log);
      if (err) throw new Error(err);
      const info = probeNode(loc.path);
      if (found.some((f) => f.path === info.path)) continue;
      found.push({ spec, ...info });
    } catch (err) {
      log(`bench: --node ${spec}: ${err.message}; skipping it`);
    }
  }
  labelNodes(found).forEach((label, i) => { found[i].label = label; });
  return found;
}

/** Installs bench/node_modules from bench/package-lock.json on first use. */
function ensureDependencies() {
  if (existsSync(join(here, 'node_modules'))) return;
  log('bench: installing the benchmark dependencies into bench/node_modules (first run only)...');
  const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' }; // CPU build only, nothing to download
  const npm = (cmd) => spawnSync('npm', [cmd, '--no-audit', '--no-fund'], {
    cwd: here, env, stdio: ['ignore', 2, 2], shell: process.platform === 'win32',
  });
  let r = npm('ci');
  if (r.status !== 0) {
    log('bench: `npm ci` failed; trying `npm install`...');
    r = npm('install');
  }
  if (r.status !== 0) log('bench: installing the benchmark dependencies failed; the peers will be skipped.');
}

const nodes = resolveNodes(list(args.node));
if (!nodes.length) fail('bench: no usable Node binary');

const report = {
  machine: {
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    platform: process.platform,
    arch: process.arch,
    parentNode: process.version,
    date: new Date().toISOString(),
    loadavg: os.loadavg(),
  },
  nodes: nodes.map(({ label, spec, version, v8, relaxed, path }) => ({ label, spec, version, v8, relaxed, path: relative(root, path).startsWith('..') ? path : relative(root, path) })),
  config: {
    quick: args.quick,
    budgets: BUDGETS,
    modes,
    networkModes,
    suiteImpls,
    networkImpls,
    workloads: workloadIds,
    networks: netIds,
    tolerance: '1e-3 * (1 + max|reference|), max absolute error against a float64 reference',
    referenceMacs: REFERENCE_MACS,
  },
  impls: Object.fromEntries(implNames.map((n) => [n, { about: IMPLS[n].about, modes: IMPLS[n].modes.filter((m) => modes.includes(m)), perNode: {} }])),
  suite: [],
  networks: null,
};

if (implNames.some((n) => !IMPLS[n].wasmconv && n !== 'naive')) ensureDependencies();

const distFile = join(root, 'dist', 'index.js');
const noDist = implNames.some((n) => IMPLS[n].wasmconv) && !existsSync(distFile);
if (noDist) {
  log(`bench: ${relative(process.cwd(), distFile) || distFile} not found — build the library first with \`npm run build\` at the repository root (\`npm run bench\` does it). Skipping ${implNames.filter((n) => IMPLS[n].wasmconv).join(', ')}.`);
}

// ---------------------------------------------------------------------------------------------
// Children
// ---------------------------------------------------------------------------------------------

const REQUEST_TIMEOUT_MS = 10 * 60 * 1000;

class Child {
  constructor(name, node) {
    this.name = name;
    this.node = node;
    this.spec = IMPLS[name];
    const execArgv = this.spec.relaxed ? node.relaxedFlags : [];
    this.proc = fork(join(here, 'child.mjs'), [name], {
      cwd: here,
      execPath: node.path,
      execArgv,
      serialization: 'json', // parent and child may be different Node versions
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.seq = 0;
    this.pending = new Map();
    this.dead = null;
    const relay = (stream) => {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          log(`  [${name}@${node.label}] ${buf.slice(0, i)}`);
          buf = buf.slice(i + 1);
        }
      });
    };
    relay(this.proc.stdout);
    relay(this.proc.stderr);
    this.proc.on('message', (msg) => {
      const p = this.pending.get(msg.seq);
      if (!p) return;
      this.pending.delete(msg.seq);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg);
      else p.reject(Object.assign(new Error(msg.message), { na: msg.na, childStack: msg.stack }));
    });
    this.proc.on('exit', (code, signal) => {
      this.dead = `child exited (${signal ?? `code ${code}`})`;
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(this.dead));
      }
      this.pending.clear();
    });
  }

  request(type, payload = {}) {
    if (this.dead) return Promise.reject(new Error(this.dead));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error(`no answer to '${type}' within ${REQUEST_TIMEOUT_MS / 1000} s; stopping this implementation`));
        this.proc.kill();
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(seq, { resolve, reject, timer });
      this.proc.send({ type, seq, ...payload });
    });
  }

  close() {
    if (!this.dead && this.proc.connected) this.proc.disconnect();
  }
}

/** Starts every implementation on every Node; returns the children that answered init. */
async function startChildren() {
  const started = [];
  for (const node of nodes) {
    for (const name of implNames) {
      const per = report.impls[name].perNode;
      if (noDist && IMPLS[name].wasmconv) {
        per[node.label] = { skipped: 'dist/index.js not built' };
      } else if (IMPLS[name].relaxed && node.relaxed === 'none') {
        per[node.label] = { skipped: `Node ${node.version} has no relaxed SIMD` };
      } else {
        started.push(new Child(name, node));
      }
    }
  }
  // Children start in parallel (nothing is timed yet).
  const live = [];
  await Promise.all(started.map(async (c) => {
    try {
      const info = await c.request('init');
      delete info.seq;
      delete info.ok;
      report.impls[c.name].perNode[c.node.label] = { info };
      c.info = info;
      live.push(c);
    } catch (err) {
      report.impls[c.name].perNode[c.node.label] = { skipped: err.message };
      log(`bench: ${c.name} on Node ${c.node.label} is skipped: ${err.message}`);
      c.close();
    }
  }));
  // A variant that runs the same backend as its base on this Node measures nothing new.
  const kept = live.filter((c) => {
    const base = c.spec.variantOf && live.find((b) => b.name === c.spec.variantOf && b.node === c.node);
    if (base && base.info.backend === c.info.backend) {
      report.impls[c.name].perNode[c.node.label] = { skipped: `same backend (${c.info.backend}) as ${base.name} on Node ${c.node.label}`, info: c.info };
      c.close();
      return false;
    }
    return true;
  });
  // Keep the requested order (per Node) for the interleaving.
  kept.sort((a, b) => (nodes.indexOf(a.node) - nodes.indexOf(b.node)) || (implNames.indexOf(a.name) - implNames.indexOf(b.name)));
  return { all: started, live: kept };
}

/** The columns (child x mode) of a benchmark part; `part` 'networks' uses an implementation's networkModes if it has them. */
function columnsOf(live, names, part) {
  const cols = [];
  const wanted = part === 'networks' ? networkModes : modes;
  for (const node of nodes) {
    for (const name of names) {
      const c = live.find((v) => v.name === name && v.node === node);
      if (!c) continue;
      const own = part === 'networks' ? (c.spec.networkModes ?? c.spec.modes) : c.spec.modes;
      for (const mode of own) if (wanted.includes(mode)) cols.push({ child: c, mode, node: node.label, impl: name });
    }
  }
  return cols;
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const decode = (b64) => {
  const buf = Buffer.from(b64, 'base64');
  const out = new Float32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
};

/**
 * Measures one workload on every column: prepare and first call (checked), warm-up, interleaved
 * timed rounds. Returns { referenceMs, referenceChannels, results: node → impl → mode → result }.
 */
async function measure(wl, columns, budget, referenceMacs) {
  const results = {};
  const put = (col, r) => { ((results[col.node] ??= {})[col.impl] ??= {})[col.mode] = r; };
  const get = (col) => results[col.node][col.impl][col.mode];
  const data = makeData(wl);
  const tr = performance.now();
  const { ref, extract, channels } = boundedReference(wl, data, referenceMacs);
  const referenceMs = performance.now() - tr;

  const active = [];
  for (const col of columns) {
    if (col.child.dead) continue;
    try {
      const r = await col.child.request('prepare', { wl, mode: col.mode });
      const cmp = compare(ref, extract(decode(r.output)));
      const tolerance = 1e-3 * (1 + cmp.maxRef);
      const pass = cmp.maxErr <= tolerance;
      put(col, {
        status: pass ? 'ok' : 'fail',
        firstMs: r.firstMs,
        prepareMs: r.prepareMs,
        maxErr: cmp.maxErr,
        tolerance,
        ...(cmp.why ? { why: cmp.why } : {}),
        samples: [],
      });
      if (!pass) log(`  ${wl.id} ${col.impl} ${col.mode}@${col.node}: output differs from the reference (max error ${cmp.maxErr}, tolerance ${tolerance.toExponential(2)})${cmp.why ? `: ${cmp.why}` : ''}`);
      active.push(col);
    } catch (err) {
      put(col, { status: err.na ? 'n/a' : 'error', reason: err.message, ...(err.childStack ? { stack: err.childStack } : {}) });
      if (!err.na) log(`  ${wl.id} ${col.impl} ${col.mode}@${col.node}: error: ${err.message} (stack in latest.json)`);
    }
  }
  // Warm-up. The capped floor implementation is timed in one round only, after a warm-up of
  // 0.2 s (so the JIT has compiled it) where its first call was short; where it was long (0.1 s
  // or more: its loops were compiled during the call), that first call is its sample.
  let slowest = 0;
  for (const col of active) {
    const res = get(col);
    const capped = col.child.spec.capped;
    if (capped && res.firstMs >= 100) {
      res.samples.push(res.firstMs);
      res.fromFirstCall = true;
      continue;
    }
    const warm = capped ? { minCalls: 0, minMs: 200, capMs: 200, batchMs: 50 } : budget.warm;
    try {
      const r = await col.child.request('warmup', { mode: col.mode, ...warm });
      Object.assign(res, { warmupCalls: r.calls, batch: r.batch });
      if (!col.child.spec.capped) slowest = Math.max(slowest, r.estimateMs);
    } catch (err) {
      put(col, { status: 'error', reason: err.message });
    }
  }
  const rounds = budget.slowMs !== undefined && slowest > budget.slowMs ? budget.slowRounds : budget.rounds;
  // Timed rounds, interleaved A, B, C, A, B, C, ...
  for (let round = 0; round < rounds; round++) {
    for (const col of active) {
      const res = get(col);
      if (res.status === 'error' || (col.child.spec.capped && (round > 0 || res.fromFirstCall))) continue;
      try {
        const r = await col.child.request('round', { mode: col.mode });
        res.samples.push(r.perCallMs);
      } catch (err) {
        put(col, { status: 'error', reason: err.message });
      }
    }
  }
  for (const col of active) {
    const res = get(col);
    if (res.samples && res.samples.length) {
      res.medianMs = median(res.samples);
      res.minMs = Math.min(...res.samples);
      res.gflops = (2 * wl.macs) / (res.medianMs / 1e3) / 1e9;
    }
  }
  for (const child of new Set(columns.map((c) => c.child))) {
    try {
      await child.request('release');
    } catch { /* a dead child is reported by its next request */ }
  }
  return { referenceMs, referenceChannels: channels, results };
}

/** One progress line per Node: GFLOP/s of each column. */
function summarize(id, columns, results) {
  for (const node of nodes) {
    const parts = columns.filter((c) => c.node === node.label).map((c) => {
      const r = results[c.node]?.[c.impl]?.[c.mode];
      const name = `${c.impl}${c.child.spec.modes.length > 1 ? `/${c.mode}` : ''}`;
      if (!r) return `${name} –`;
      if (r.status === 'n/a' || r.status === 'error') return `${name} ${r.status}`;
      return `${name} ${r.gflops ? r.gflops.toFixed(2) : '?'}${r.status === 'fail' ? '✗' : ''}`;
    });
    if (parts.length) log(`  ${id.padEnd(5)} @${node.label} GFLOP/s: ${parts.join(' · ')}`);
  }
}

async function main() {
  const t0 = performance.now();
  const { all, live } = await startChildren();
  report.config.measured = live.map((c) => `${c.name}@${c.node.label}`);
  log(`bench: Node ${nodes.map((n) => `${n.label} (${n.version}, V8 ${n.v8}, relaxed SIMD ${n.relaxed})`).join(', ')}`);

  if (workloads.length) {
    const columns = columnsOf(live, suiteImpls, 'suite');
    log(`bench: suite: ${workloads.length} workload(s), ${columns.length} column(s), ${BUDGETS.suite.rounds} round(s) each${args.quick ? ' (quick)' : ''}`);
    for (const wl of workloads) {
      const m = await measure(wl, columns, BUDGETS.suite, Infinity);
      report.suite.push({
        id: wl.id,
        desc: wl.desc,
        op: wl.op,
        macs: wl.macs,
        gflop: (2 * wl.macs) / 1e9,
        shapes: { x: wl.xShape, w: wl.wShape, y: wl.yShape },
        referenceMs: m.referenceMs,
        results: m.results,
      });
      summarize(wl.id, columns, m.results);
    }
  }

  if (nets.length) {
    const columns = columnsOf(live, networkImpls, 'networks');
    // Distinct layer shapes over all chosen networks: each is timed once.
    const layers = new Map();
    for (const net of nets) {
      for (const d of distinctLayers(net)) {
        if (!layers.has(d.key)) layers.set(d.key, { key: d.key, layer: d.layer, usedBy: [] });
        layers.get(d.key).usedBy.push({ net: net.id, count: d.count, names: d.names });
      }
    }
    log(`bench: networks: ${nets.length} network(s), ${layers.size} distinct layer shape(s), ${columns.length} column(s)${args.quick ? ' (quick)' : ''}`);
    report.networks = { layers: [], nets: [] };
    let i = 0;
    for (const entry of layers.values()) {
      const l = entry.layer;
      const wl = describeWorkload({ ...l, id: entry.key, desc: l.name });
      const m = await measure(wl, columns, BUDGETS.networks, REFERENCE_MACS);
      report.networks.layers.push({
        key: entry.key,
        op: wl.op,
        macs: wl.macs,
        shapes: { x: wl.xShape, w: wl.wShape, y: wl.yShape },
        stride: wl.stride, pad: wl.pad, dilation: wl.dilation, groups: wl.groups,
        usedBy: entry.usedBy,
        referenceMs: m.referenceMs,
        referenceChannels: m.referenceChannels,
        results: m.results,
      });
      if (++i % 20 === 0 || i === layers.size) log(`  networks: ${i} of ${layers.size} layer shapes done (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
    const byKey = new Map(report.networks.layers.map((l) => [l.key, l]));
    for (const net of nets) {
      const distinct = distinctLayers(net);
      const totals = {};
      for (const col of columns) {
        let ms = 0;
        const missing = [];
        for (const d of distinct) {
          const r = byKey.get(d.key).results[col.node]?.[col.impl]?.[col.mode];
          if (r && r.status === 'ok' && Number.isFinite(r.medianMs)) ms += d.count * r.medianMs;
          else missing.push(`${d.names[0]}: ${r ? r.status : 'not measured'}`);
        }
        ((totals[col.node] ??= {})[col.impl] ??= {})[col.mode] = missing.length ? { ms: null, missing } : { ms };
      }
      report.networks.nets.push({
        id: net.id,
        name: net.name,
        source: net.source,
        input: net.input,
        layerCount: net.layers.length,
        distinct: distinct.length,
        macs: net.layers.reduce((s, l) => s + describeWorkload({ ...l, id: l.name }).macs, 0),
        layers: net.layers.map((l) => ({ name: l.name, key: layerKey(l) })),
        totals,
      });
    }
  }

  for (const c of all) c.close();
  report.machine.loadavgEnd = os.loadavg();
  report.config.seconds = +((performance.now() - t0) / 1000).toFixed(1);

  const outDir = args.out;
  mkdirSync(outDir, { recursive: true });
  const md = markdown(report);
  writeFileSync(join(outDir, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(outDir, 'latest.md'), md);
  writeFileSync(join(outDir, 'latest.svg'), svg(report));
  console.log(md);
  log(`bench: wrote ${relative(process.cwd(), join(outDir, 'latest'))}.{json,md,svg} in ${report.config.seconds} s`);
}

main().catch((err) => {
  log(err);
  process.exit(1);
});
