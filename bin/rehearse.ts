#!/usr/bin/env node
/**
 * `node build/bin/rehearse.js --env default`: rehearses an environment's backups (and poolers) with the real tools.
 * All logic is in lib/rehearse/; this file only wires the real process, environments and signals.
 */
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runRehearseCommand } from '../lib/rehearse/command';
import { buildEnvironment, ENVIRONMENTS, REPO_ROOT } from '../main';

const abort = new AbortController();
let signalled: NodeJS.Signals | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (signalled) return; // cleanup is already running
    signalled = sig;
    process.stderr.write(`\nrehearse: ${sig}: stopping every process and removing every temporary file…\n`);
    abort.abort();
  });
}

runRehearseCommand(
  process.argv.slice(2),
  { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), env: process.env },
  ENVIRONMENTS.map((env) => ({ name: env.name, production: env.production, build: () => buildEnvironment(env, tmpdir()) })),
  {
    demoKeyPath: path.join(REPO_ROOT, 'test', 'keys', 'demo-sealing-key.TEST-ONLY.pem'),
    signal: abort.signal,
    repoRoot: REPO_ROOT,
  },
).then(
  (code) => process.exit(signalled === 'SIGINT' ? 130 : signalled === 'SIGTERM' ? 143 : code),
  (e: Error) => {
    process.stderr.write(`rehearse: ${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
