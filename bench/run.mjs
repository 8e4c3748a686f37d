#!/usr/bin/env node
// Side-by-side convolution benchmark: wasmconv against tfjs and ONNX Runtime.
//
//   node bench/run.mjs [--quick] [--workloads r3,p1] [--impls wasmconv,ort-web] [--rounds N]
//
// Each implementation runs in its own child process (child.mjs), started once and kept for the
// whole run. Per workload the parent makes seeded data and a float64 reference, every child
// prepares (weights packed once) and makes a first, separately timed call whose output is checked
// against the reference, then warms up, then the timed rounds interleave the implementations
// (A, B, C, A, B, C, ...). One child computes at a time. Medians over rounds are reported.
// See README.md beside this file.
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { DEFAULT_IMPLS, IMPLS } from './lib/impls.mjs';
import { compare, describeWorkload, makeData, reference } from './lib/workload.mjs';
import { markdown, svg } from './lib/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const log = (...a) => console.error(...a);

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

const USAGE = `Usage: node bench/run.mjs [options]

  --quick              small budgets (about a minute for the default set)
  --workloads a,b      workload ids from bench/workloads.json (default: all)
  --impls a,b          implementations (default: ${DEFAULT_IMPLS.join(',')})
  --rounds N           timed rounds per workload and implementation (default 9, quick 3)
  --help               this text

Implementations: ${Object.keys(IMPLS).join(', ')}`;

let args;
try {
  args = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      workloads: { type: 'string' },
      impls: { type: 'string' },
      rounds: { type: 'string' },
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

// Budgets. warm: calls until minCalls and minMs are both reached, or capMs has passed (at least
// one call); batchMs: the length of one timed batch (one round) of one implementation.
const BUDGET = args.quick
  ? { rounds: 3, warm: { minCalls: 2, minMs: 100, capMs: 400, batchMs: 30 } }
  : { rounds: 9, warm: { minCalls: 5, minMs: 300, capMs: 2000, batchMs: 100 } };
const rounds = args.rounds === undefined ? BUDGET.rounds : Number(args.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  log(`--rounds must be a positive integer, got '${args.rounds}'`);
  process.exit(2);
}

const list = (s) => s.split(',').map((v) => v.trim()).filter(Boolean);
const allWorkloads = JSON.parse(readFileSync(join(here, 'workloads.json'), 'utf8')).workloads;
let workloadIds = allWorkloads.map((w) => w.id);
if (args.workloads) {
  const wanted = list(args.workloads);
  const unknown = wanted.filter((id) => !workloadIds.includes(id));
  if (unknown.length) {
    log(`unknown workload(s): ${unknown.join(', ')}; known: ${workloadIds.join(', ')}`);
    process.exit(2);
  }
  workloadIds = wanted;
}
const workloads = workloadIds.map((id) => describeWorkload(allWorkloads.find((w) => w.id === id)));

const implNames = args.impls ? list(args.impls) : DEFAULT_IMPLS.slice();
const unknownImpls = implNames.filter((n) => !IMPLS[n]);
if (unknownImpls.length) {
  log(`unknown implementation(s): ${unknownImpls.join(', ')}; known: ${Object.keys(IMPLS).join(', ')}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Environment: bench dependencies, the wasmconv build, relaxed SIMD
// ---------------------------------------------------------------------------------------------

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

/** Whether this engine accepts relaxed SIMD (a tiny module using f32x4.relaxed_madd). */
function relaxedSimdEnabled() {
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128 v128 v128) -> v128
    0x03, 0x02, 0x01, 0x00, // function 0 has type 0
    0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // relaxed_madd
  ]);
  return WebAssembly.validate(bytes);
}

const report = {
  machine: {
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    date: new Date().toISOString(),
    loadavg: os.loadavg(),
  },
  config: {
    quick: args.quick,
    rounds,
    warmup: BUDGET.warm,
    impls: implNames,
    workloads: workloadIds,
    tolerance: '1e-3 * (1 + max|reference|), max absolute error against a float64 reference',
  },
  impls: Object.fromEntries(implNames.map((n) => [n, { about: IMPLS[n].about }])),
  workloads: [],
};

const needPeers = implNames.some((n) => !IMPLS[n].wasmconv && n !== 'naive');
if (needPeers) ensureDependencies();

const distFile = join(root, 'dist', 'index.js');
if (implNames.some((n) => IMPLS[n].wasmconv) && !existsSync(distFile)) {
  const skipped = implNames.filter((n) => IMPLS[n].wasmconv);
  log(`bench: ${relative(process.cwd(), distFile) || distFile} not found — build the library first with \`npm run build\` at the repository root (\`npm run bench\` does it). Skipping ${skipped.join(', ')}.`);
  for (const n of skipped) report.impls[n].skipped = 'dist/index.js not built';
}

// ---------------------------------------------------------------------------------------------
// Children
// ---------------------------------------------------------------------------------------------

const REQUEST_TIMEOUT_MS = 10 * 60 * 1000;

class Child {
  constructor(name) {
    this.name = name;
    this.spec = IMPLS[name];
    const execArgv = [...process.execArgv];
    if (this.spec.relaxed && !relaxedSimdEnabled()) execArgv.push('--experimental-wasm-relaxed-simd');
    this.proc = fork(join(here, 'child.mjs'), [name], {
      cwd: here,
      execArgv,
      serialization: 'advanced',
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
          log(`  [${name}] ${buf.slice(0, i)}`);
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

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main() {
  const t0 = performance.now();
  const startable = implNames.filter((n) => !report.impls[n].skipped);
  const children = startable.map((n) => new Child(n));
  // Children start in parallel (nothing is timed yet).
  const live = [];
  await Promise.all(children.map(async (c) => {
    try {
      const info = await c.request('init');
      delete info.seq;
      delete info.ok;
      report.impls[c.name].info = info;
      live.push(c);
    } catch (err) {
      report.impls[c.name].skipped = err.message;
      log(`bench: ${c.name} is skipped: ${err.message}`);
      c.close();
    }
  }));
  // Keep the requested order for the interleaving.
  live.sort((a, b) => implNames.indexOf(a.name) - implNames.indexOf(b.name));
  report.config.measured = live.map((c) => c.name);
  log(`bench: ${live.map((c) => c.name).join(', ') || 'no implementation'} on ${workloads.length} workload(s), ${rounds} round(s) each${args.quick ? ' (quick)' : ''}`);

  for (const wl of workloads) {
    const entry = {
      id: wl.id,
      desc: wl.desc,
      op: wl.op,
      macs: wl.macs,
      gflop: (2 * wl.macs) / 1e9,
      shapes: { x: wl.xShape, w: wl.wShape, y: wl.yShape },
      results: {},
    };
    report.workloads.push(entry);
    const data = makeData(wl);
    const tr = performance.now();
    const ref = reference(wl, data.x, data.w, data.b);
    entry.referenceMs = performance.now() - tr;

    // Prepare and first call, one implementation at a time.
    const active = [];
    for (const c of live) {
      if (c.dead) continue;
      try {
        const r = await c.request('prepare', { wl, x: data.x, w: data.w, b: data.b });
        const cmp = compare(ref, r.output);
        const tolerance = 1e-3 * (1 + cmp.maxRef);
        const pass = cmp.maxErr <= tolerance;
        entry.results[c.name] = {
          status: pass ? 'ok' : 'fail',
          firstMs: r.firstMs,
          prepareMs: r.prepareMs,
          maxErr: cmp.maxErr,
          tolerance,
          ...(cmp.why ? { why: cmp.why } : {}),
          samples: [],
        };
        if (!pass) log(`  ${wl.id} ${c.name}: output differs from the reference (max error ${cmp.maxErr}, tolerance ${tolerance.toExponential(2)})${cmp.why ? `: ${cmp.why}` : ''}`);
        active.push(c);
      } catch (err) {
        entry.results[c.name] = { status: err.na ? 'n/a' : 'error', reason: err.message };
        if (err.childStack) entry.results[c.name].stack = err.childStack;
        if (!err.na) log(`  ${wl.id} ${c.name}: error: ${err.message} (stack in latest.json)`);
      }
    }
    // Warm-up. The capped floor implementation is timed in one round only, and warmed up (0.2 s,
    // so the JIT has compiled it) only where its first call was short.
    for (const c of active) {
      const fast = entry.results[c.name].firstMs < 100;
      const warm = !c.spec.capped ? BUDGET.warm
        : fast ? { minCalls: 0, minMs: 200, capMs: 200, batchMs: 50 }
          : { minCalls: 0, minMs: 0, capMs: 0, batchMs: 0 };
      try {
        const r = await c.request('warmup', warm);
        Object.assign(entry.results[c.name], { warmupCalls: r.calls, batch: r.batch });
      } catch (err) {
        entry.results[c.name] = { status: 'error', reason: err.message };
      }
    }
    // Timed rounds, interleaved A, B, C, A, B, C, ...
    for (let round = 0; round < rounds; round++) {
      for (const c of active) {
        const res = entry.results[c.name];
        if (res.status === 'error' || (c.spec.capped && round > 0)) continue;
        try {
          const r = await c.request('round');
          res.samples.push(r.perCallMs);
        } catch (err) {
          entry.results[c.name] = { status: 'error', reason: err.message };
        }
      }
    }
    for (const c of active) {
      const res = entry.results[c.name];
      if (res.samples && res.samples.length) {
        res.medianMs = median(res.samples);
        res.minMs = Math.min(...res.samples);
        res.gflops = (2 * wl.macs) / (res.medianMs / 1e3) / 1e9;
      }
      try {
        await c.request('release');
      } catch { /* a dead child is reported by its next request */ }
    }
    const summary = live.map((c) => {
      const r = entry.results[c.name];
      if (!r) return `${c.name} –`;
      if (r.status === 'n/a' || r.status === 'error') return `${c.name} ${r.status}`;
      return `${c.name} ${r.gflops ? r.gflops.toFixed(2) : '?'}${r.status === 'fail' ? '✗' : ''}`;
    });
    log(`  ${wl.id.padEnd(5)} GFLOP/s: ${summary.join(' · ')}`);
  }

  for (const c of children) c.close();
  report.machine.loadavgEnd = os.loadavg();
  report.config.seconds = +((performance.now() - t0) / 1000).toFixed(1);

  const outDir = join(here, 'results');
  mkdirSync(outDir, { recursive: true });
  const md = markdown(report);
  writeFileSync(join(outDir, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(outDir, 'latest.md'), md);
  writeFileSync(join(outDir, 'latest.svg'), svg(report));
  console.log(md);
  log(`bench: wrote bench/results/latest.{json,md,svg} in ${report.config.seconds} s`);
}

main().catch((err) => {
  log(err);
  process.exit(1);
});
