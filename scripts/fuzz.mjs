// The long fuzzing run: tests/fuzz.test.ts (the same properties the test suite runs) with many
// cases, on every backend this engine supports, with a fresh seed that is printed for replay.
//
//   npm run fuzz                                   100,000 cases per backend, random seed
//   npm run fuzz -- --runs 500000 --seed 1234      more cases, a given seed
//   npm run fuzz -- --backend simd                 one backend (simd, relaxed-simd, scalar or all)
//   npm run fuzz -- --backend simd --seed 1234 --only conv2d --path '17:3:0'
//                                                  replay one counterexample (a failure prints this line)
//
// Options may also come from WASMCONV_FUZZ_RUNS / WASMCONV_FUZZ_SEED. The test file reads
// WASMCONV_FUZZ_RUNS, WASMCONV_FUZZ_SEED, WASMCONV_FUZZ_ONLY and WASMCONV_FUZZ_PATH.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BACKENDS = ['simd', 'relaxed-simd', 'scalar'];

function usage(message) {
  if (message) console.error(`fuzz: ${message}`);
  console.error('usage: node scripts/fuzz.mjs [--runs N] [--seed S] [--backend simd|relaxed-simd|scalar|all] [--only PROPERTY] [--path PATH]');
  process.exit(2);
}

const args = { runs: process.env.WASMCONV_FUZZ_RUNS ?? '100000', seed: process.env.WASMCONV_FUZZ_SEED, backend: 'all', only: undefined, path: undefined };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const [flag, inline] = argv[i].split(/=(.*)/s, 2);
  const key = flag.replace(/^--/, '');
  if (flag === '--help' || flag === '-h') usage();
  if (!(key in args) || !flag.startsWith('--')) usage(`unknown argument '${argv[i]}'`);
  const value = inline ?? argv[++i];
  if (value === undefined) usage(`'${flag}' needs a value`);
  args[key] = value;
}
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) usage(`--runs must be a positive integer, got '${args.runs}'`);
const seed = args.seed === undefined ? randomInt(2 ** 31 - 1) : Number(args.seed);
if (!Number.isInteger(seed)) usage(`--seed must be an integer, got '${args.seed}'`);
const backends = args.backend === 'all' ? BACKENDS : [args.backend];
if (backends.some((b) => !BACKENDS.includes(b))) usage(`--backend must be one of ${BACKENDS.join(', ')} or all, got '${args.backend}'`);
if (args.path && !args.only) usage('--path replays one property: give its name with --only too');
if (!existsSync(join(root, 'src/generated/wasm.ts'))) usage("the wasm build is missing: run 'npm run build' first (npm run fuzz does)");

const replay = `npm run fuzz -- --seed ${seed} --runs ${runs} --backend ${args.backend}` +
  (args.only ? ` --only '${args.only}'` : '') + (args.path ? ` --path '${args.path}'` : '');
const what = args.path ? `a replay of property '${args.only}' at path ${args.path}` : `${runs} cases per backend${args.only ? ` of property '${args.only}'` : ''}`;
console.log(`fuzz: ${what} on ${backends.join(', ')}, seed ${seed}`);
console.log(`fuzz: replay this run with: ${replay}`);

const started = Date.now();
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', 'tests/fuzz.test.ts', ...backends.flatMap((b) => ['--project', b])], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    WASMCONV_FUZZ_RUNS: String(runs),
    WASMCONV_FUZZ_SEED: String(seed),
    ...(args.only ? { WASMCONV_FUZZ_ONLY: args.only } : {}),
    ...(args.path ? { WASMCONV_FUZZ_PATH: args.path } : {}),
  },
});
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (result.status === 0) {
  console.log(`fuzz: passed: ${what} on ${backends.join(', ')} in ${seconds} s (seed ${seed})`);
} else {
  console.log(`fuzz: FAILED after ${seconds} s (seed ${seed}).`);
  console.log('fuzz: each failing property above prints its counterexample and the command that replays exactly that case;');
  console.log(`fuzz: the whole run replays with: ${replay}`);
}
process.exit(result.status ?? 1);
