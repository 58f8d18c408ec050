#!/usr/bin/env node
/**
 * `node build/bin/backup.js --env default --cluster cnpg-ha`: prints an on-demand Backup manifest.
 * All logic is in lib/backup/backup-command.ts; this file only wires the real process and environments.
 */
import { tmpdir } from 'node:os';
import { runBackupCommand } from '../lib/backup/backup-command';
import { buildEnvironment, ENVIRONMENTS } from '../main';

process.exitCode = runBackupCommand(
  process.argv.slice(2),
  { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), now: () => new Date() },
  ENVIRONMENTS.map((env) => ({ name: env.name, build: () => buildEnvironment(env, tmpdir()).app })),
);
