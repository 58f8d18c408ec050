#!/usr/bin/env node
// Benchmark of synth (`npm run bench`): the time to synthesize every environment, in process, after the build.
// Measured here, never asserted in tests. Prints the median and spread of N runs, and the module load time.
const fs = require('fs');
const os = require('os');
const path = require('path');

const runs = Number(process.argv[2] ?? 20);
const t0 = process.hrtime.bigint();
const main = require(path.join(__dirname, '..', 'build', 'main.js'));
const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;

const times = [];
for (let i = 0; i < runs; i++) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-cnpg-bench-'));
  const start = process.hrtime.bigint();
  main.synthAll(out, { strict: true, updateChecks: false });
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  fs.rmSync(out, { recursive: true, force: true });
}
times.sort((a, b) => a - b);
const pct = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
console.log(`environments: ${main.ENVIRONMENTS.map((e) => e.name).join(', ')}`);
console.log(`module load (first require of build/main.js): ${loadMs.toFixed(1)} ms`);
console.log(`synth of all environments over ${runs} runs: median ${pct(0.5)} ms, min ${times[0].toFixed(1)} ms, p90 ${pct(0.9)} ms`);

// The update checks' share: reading the committed dist/ (one `git archive` per synth, shared by the environments)
// and comparing every environment with it, against apps built beforehand (not timed).
(async () => {
  const { PreviousManifests, checkAppUpdates } = require(path.join(__dirname, '..', 'build', 'lib', 'core', 'update-checks.js'));
  const dist = path.join(__dirname, '..', 'dist');
  const checks = [];
  let source = '';
  for (let i = 0; i < runs; i++) {
    const apps = main.ENVIRONMENTS.map((env) => ({ env, app: main.buildEnvironment(env, fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-cnpg-bench-'))).app }));
    const start = process.hrtime.bigint();
    for (const { env, app } of apps) {
      const previous = PreviousManifests.fromDist(dist, env.name);
      source = previous.source;
      checkAppUpdates(app, previous, { note: () => undefined });
    }
    checks.push(Number(process.hrtime.bigint() - start) / 1e6);
    for (const { app } of apps) fs.rmSync(path.dirname(app.outdir), { recursive: true, force: true });
    // a new synth reads git again (the read is shared within one synchronous run)
    await new Promise((r) => setImmediate(r));
  }
  checks.sort((a, b) => a - b);
  const median = (xs) => xs[Math.floor(xs.length / 2)];
  console.log(`update checks of all environments (the last read: ${source}): median ${median(checks).toFixed(1)} ms, `
    + `min ${checks[0].toFixed(1)} ms = ${((100 * median(checks)) / (median(checks) + median(times))).toFixed(0)} % of synth with the checks`);
})();
