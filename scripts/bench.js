#!/usr/bin/env node
// `npm run bench [-- --runs N] [--quick] [--write]`: an honest synth benchmark. Every case is a whole process (module
// load included), run in fresh output folders, the cases alternating round by round so a noisy machine slows them all
// alike; it prints medians, ranges and peak memory, and the ratios the project tracks. `--write` records the result in
// docs/benchmarks.md with the machine it ran on. Measured here, never asserted in tests (CI runs `--quick` to prove
// the benchmark itself works).
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const runs = Number(args[args.indexOf('--runs') + 1]) || (quick ? 1 : 5);
const [small, large] = quick ? [10, 20] : [100, 1000];
const rss = path.join(__dirname, 'bench', 'rss.js');
// Output goes to memory (tmpfs) where there is one: the benchmark measures synth, not a disk (this project's VMs
// rate-limit disk writes, and a fleet of 1,000 tenants writes about 90 MB).
const OUT_BASE = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const node = (...a) => [process.execPath, '--require', rss, ...a];
// The update checks compare with the committed dist/ (read from git): the cases that run them write into a copy of the
// project's committed dist/, committed in a git repository of its own on tmpfs, so that they read what they read in
// the project (one `git archive`), and write off the disk too.
const committed = fs.mkdtempSync(path.join(OUT_BASE, 'cdk8s-cnpg-bench-git-'));
process.on('exit', () => fs.rmSync(committed, { recursive: true, force: true }));
const git = (...a) => execFileSync('git', ['-C', committed, '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', ...a], { stdio: ['pipe', 'pipe', 'inherit'] });
git('init', '-q');
execFileSync('tar', ['-x', '-C', committed], { input: execFileSync('git', ['-C', root, 'archive', 'HEAD', 'dist'], { maxBuffer: 1 << 30 }) });
git('add', '-A');
git('commit', '-q', '-m', 'the project\'s committed dist/');
const COMMITTED_DIST = { CDK8S_OUTDIR: path.join(committed, 'dist') };
const cases = [
  { id: 'trivial', what: 'trivial cdk8s-plus-28 app (1 Namespace + 1 Deployment, compiled)', cmd: node('scripts/bench/trivial-app.js') },
  // For comparison: the trivial app with this library's compile cache (it gains a little: there is little to compile).
  { id: 'trivialcc', what: 'the trivial app with `cdk8s-cnpg/compile-cache` first', cmd: node('--require', './compile-cache.js', 'scripts/bench/trivial-app.js') },
  { id: 'default', what: 'default environment (library load, build, checks, first-sync model, write)', cmd: node('scripts/bench/default-env.js') },
  // The first run of a program, or CI on a fresh machine: nothing in the compile cache yet (it is written at exit).
  { id: 'cold', what: 'the same, first run (empty compile cache)', cmd: node('scripts/bench/default-env.js'), env: () => ({ CDK8S_CNPG_COMPILE_CACHE: fs.mkdtempSync(path.join(OUT_BASE, 'cdk8s-cnpg-bench-cache-')) }) },
  { id: 'all', what: 'every environment of main.ts with update checks (`node build/main.js`)', cmd: node('build/main.js'), env: COMMITTED_DIST, proves: /update checks against git HEAD:dist\/default/ },
  { id: 'nochecks', what: 'the same without update checks (`CDK8S_CNPG_PREVIOUS_REF=none`)', cmd: node('build/main.js'), env: { ...COMMITTED_DIST, CDK8S_CNPG_PREVIOUS_REF: 'none' } },
  ...(quick ? [] : [{ id: 'tsnode', what: 'the same with stock `ts-node main.ts`', cmd: node('node_modules/ts-node/dist/bin.js', 'main.ts'), env: COMMITTED_DIST }]),
  // The developer loop, npm's own start-up included: the build finds nothing to compile, then the app runs.
  { id: 'devloop', what: '`npm run synth` with nothing changed', cmd: [process.platform === 'win32' ? 'npm.cmd' : 'npm', 'run', '-s', 'synth'], env: { ...COMMITTED_DIST, NODE_OPTIONS: `--require ${rss}` } },
  { id: 'small', what: `fleet of ${small} tenants in one app`, cmd: node('scripts/bench/fleet-app.js', String(small)), tenants: small },
  { id: 'large', what: `fleet of ${large} tenants in one app`, cmd: node('scripts/bench/fleet-app.js', String(large)), tenants: large },
];

function run(c) {
  const out = fs.mkdtempSync(path.join(OUT_BASE, 'cdk8s-cnpg-bench-out-'));
  const rssFile = path.join(out, '.rss');
  const start = process.hrtime.bigint();
  const env = typeof c.env === 'function' ? c.env() : c.env;
  const r = spawnSync(c.cmd[0], c.cmd.slice(1), { cwd: root, env: { ...process.env, CDK8S_OUTDIR: path.join(out, 'dist'), ...env, BENCH_RSS_FILE: rssFile }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${c.what} failed (exit ${r.status}):\n${r.stderr}`);
  if (c.proves && !c.proves.test(r.stderr)) throw new Error(`${c.what} did not do what it measures (no ${c.proves} in its output):\n${r.stderr}`);
  const kib = Number(fs.readFileSync(rssFile, 'utf8'));
  fs.rmSync(out, { recursive: true, force: true });
  if (env?.CDK8S_CNPG_COMPILE_CACHE) fs.rmSync(env.CDK8S_CNPG_COMPILE_CACHE, { recursive: true, force: true });
  return { ms, mib: kib / 1024 };
}

// Seal the fleets' credentials first (not timed).
for (const n of [small, large]) {
  const r = spawnSync(process.execPath, ['scripts/bench/fleet-app.js', String(n), '--seal'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}

// One untimed run of each case first: the compile caches and the operating system's file cache are filled, so the
// timed rounds measure the steady state (the first run of a program has a case of its own, with an empty cache).
for (const c of cases) if (c.id !== 'cold') run(c);

const results = new Map(cases.map((c) => [c.id, []]));
for (let round = 0; round < runs; round++) {
  for (const c of cases) results.get(c.id).push(run(c));
  process.stderr.write(`round ${round + 1}/${runs} done\n`);
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const ms = (id) => median(results.get(id).map((r) => r.ms));
const fmt = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const lines = [];
lines.push(`| case | median | range | peak memory |`, `| --- | --- | --- | --- |`);
for (const c of cases) {
  const rs = results.get(c.id);
  const times = rs.map((r) => r.ms);
  lines.push(`| ${c.what} | ${fmt(median(times))} | ${fmt(Math.min(...times))} – ${fmt(Math.max(...times))} | ${Math.max(...rs.map((r) => r.mib)).toFixed(0)} MiB |`);
}
// The update checks' share of a whole synth of the three environments (reading the committed dist/ from git included).
const share = (ms('all') - ms('nochecks')) / ms('all');
const perTenant = (id, n) => ms(id) / n;
const ratios = [
  `- default environment vs the trivial app: **${(ms('default') / ms('trivial')).toFixed(2)}×** (goal ≤ 1.5×); vs the trivial app with the compile cache too: ${(ms('default') / ms('trivialcc')).toFixed(2)}×; first run (empty compile cache) vs the trivial app: ${(ms('cold') / ms('trivial')).toFixed(2)}×`,
  `- \`npm run synth\` with nothing changed vs the app alone: **${(ms('devloop') / ms('all')).toFixed(2)}×** (goal ≤ 2×)`,
  ...(quick ? [] : [`- stock ts-node vs this project's synth (every environment): **${(ms('tsnode') / ms('all')).toFixed(1)}×** slower`]),
  `- update checks: **${(100 * Math.max(0, share)).toFixed(0)} %** of synth (${fmt(ms('all') - ms('nochecks'))} of ${fmt(ms('all'))}, one git process; goal ≤ 10 %)`,
  `- per tenant: ${fmt(perTenant('small', small))} at ${small}, ${fmt(perTenant('large', large))} at ${large}: **${(perTenant('large', large) / perTenant('small', small)).toFixed(2)}×** (goal within 1.3×)`,
];
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const machine = `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node.js ${process.version}`;
const report = [`${runs} run(s) of each case, alternating; whole processes writing to ${OUT_BASE}. Machine: ${machine}.`, '', ...lines, '', ...ratios, ''].join('\n');
process.stdout.write(report);

if (args.includes('--write')) {
  fs.writeFileSync(path.join(root, 'docs', 'benchmarks.md'), [
    '# Synth benchmark',
    '',
    'The last output of `npm run bench -- --write` (scripts/bench.js): every case is a whole process, in a fresh output',
    'folder, the cases alternating round by round after one untimed round (which fills the compile caches: the first run',
    'of a program has a case of its own). The cases with update checks write into a copy of the committed `dist/`,',
    'committed in a git repository of its own, so that they compare with it as in the project (the benchmark fails when',
    'they do not). The fleets are built through the public fleet API (`defineEnvironment({ tenants })`,',
    'scripts/bench/fleet-app.js): each tenant has sealed credentials, a Cluster, a backup store and schedule, a pooler,',
    'monitoring, guardrails, network policies and Argo CD delivery, and synth runs every check and the first-sync model',
    'before writing. Compare ratios, not absolute times: the machine is shared.',
    '',
    report,
  ].join('\n'));
}
