#!/usr/bin/env node
/**
 * `npm run seal -- --help`: seals credential values offline into the committed sealed store.
 * All logic is in lib/secrets/seal-command.ts; this file only wires the real process and catalog.
 */
import { readFileSync } from 'node:fs';
import { runSeal } from '../lib/secrets/seal-command';
import { credentialCatalog } from '../main';

/** Reads all of stdin. On a terminal, reads one line without echoing it (the value is a secret). */
function readStdin(): Promise<Buffer> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      stdin.on('data', (c: Buffer) => chunks.push(c));
      stdin.on('end', () => resolve(Buffer.concat(chunks)));
      stdin.on('error', reject);
    });
  }
  return new Promise((resolve, reject) => {
    process.stderr.write('value (input hidden, end with Enter): ');
    const chunks: number[] = [];
    stdin.setRawMode(true);
    stdin.resume();
    const done = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(Buffer.from(chunks));
    };
    const onData = (data: Buffer): void => {
      for (const b of data) {
        if (b === 0x03) return done(new Error('cancelled'));
        if (b === 0x0d || b === 0x0a || b === 0x04) return done();
        if (b === 0x7f || b === 0x08) {
          // Backspace: drop one whole UTF-8 character (continuation bytes, then the lead byte).
          while (chunks.length > 0 && (chunks[chunks.length - 1] & 0xc0) === 0x80) chunks.pop();
          chunks.pop();
        } else chunks.push(b);
      }
    };
    stdin.on('data', onData);
  });
}

runSeal(
  process.argv.slice(2),
  {
    stdin: readStdin,
    env: process.env,
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    readFile: (p) => readFileSync(p),
  },
  credentialCatalog,
).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`seal: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
