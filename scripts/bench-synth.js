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
