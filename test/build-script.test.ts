import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './support/synth';

/**
 * scripts/build.sh --if-changed (what `npm run synth` and the commands run first): TypeScript only starts when an
 * input of the build is newer than the last successful build. Run in a copy of the script with a `tsc` that records
 * its calls.
 */
function project(): { dir: string; build(...args: string[]): { status: number | null; calls: string[] } } {
  const dir = tempDir('build-script-');
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.copyFileSync(path.join(__dirname, '..', 'scripts', 'build.sh'), path.join(dir, 'scripts', 'build.sh'));
  for (const f of ['main.ts', 'tsconfig.json', 'package.json', 'package-lock.json', 'lib/index.ts', 'lib/core/a.ts', 'imports/k.ts', 'bin/x.ts']) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), '');
  }
  fs.mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'node_modules', '.package-lock.json'), '{}');
  // the fake tsc: records its arguments, writes build info like tsc -b, fails when FAIL exists
  fs.writeFileSync(path.join(dir, 'node_modules', '.bin', 'tsc'), '#!/bin/sh\necho "$*" >> calls.txt\n[ -f FAIL ] && exit 2\nmkdir -p build && : > build/.tsbuildinfo\n', { mode: 0o755 });
  // Files written before the first build: a second apart, so that "newer" is unambiguous at any timestamp resolution.
  past(dir, '.');
  return {
    dir,
    build(...args) {
      const r = spawnSync('sh', ['scripts/build.sh', ...args], { cwd: dir, encoding: 'utf8' });
      const calls = fs.existsSync(path.join(dir, 'calls.txt')) ? fs.readFileSync(path.join(dir, 'calls.txt'), 'utf8').trim().split('\n') : [];
      return { status: r.status, calls };
    },
  };
}

/** Sets the times of `rel` (and, for a folder, of everything in it) ten seconds back. */
function past(dir: string, rel: string): void {
  const when = new Date(Date.now() - 10_000);
  const walk = (p: string) => {
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    fs.utimesSync(p, when, when);
  };
  walk(path.join(dir, rel));
}

test('the first build compiles everything (new dependencies: --force); with nothing changed, TypeScript does not start', () => {
  const p = project();
  expect(p.build('--if-changed')).toEqual({ status: 0, calls: ['-b tsconfig.json --force'] });
  expect(p.build('--if-changed').calls).toHaveLength(1);
  expect(p.build('--if-changed').calls).toHaveLength(1);
  // without --if-changed (npm run build, prepare) it always runs tsc -b
  expect(p.build().calls).toEqual(['-b tsconfig.json --force', '-b tsconfig.json']);
});

test.each([
  ['an edited source', (dir: string) => fs.writeFileSync(path.join(dir, 'lib/core/a.ts'), 'export {};')],
  ['a new file', (dir: string) => fs.writeFileSync(path.join(dir, 'lib/core/b.ts'), '')],
  ['a removed file', (dir: string) => fs.rmSync(path.join(dir, 'imports/k.ts'))],
  ['a renamed file keeping its time', (dir: string) => fs.renameSync(path.join(dir, 'bin/x.ts'), path.join(dir, 'bin/y.ts'))],
  ['a changed tsconfig.json', (dir: string) => fs.writeFileSync(path.join(dir, 'tsconfig.json'), '{}')],
])('%s builds again', (_, change) => {
  const p = project();
  p.build('--if-changed');
  past(p.dir, 'build');
  change(p.dir);
  expect(p.build('--if-changed').calls).toEqual(['-b tsconfig.json --force', '-b tsconfig.json']);
  expect(p.build('--if-changed').calls).toHaveLength(2);
});

test('a failed build leaves the stamp as it was: the next run tries again', () => {
  const p = project();
  fs.writeFileSync(path.join(p.dir, 'FAIL'), '');
  expect(p.build('--if-changed').status).toBe(2);
  expect(p.build('--if-changed').calls).toHaveLength(2);
  fs.rmSync(path.join(p.dir, 'FAIL'));
  expect(p.build('--if-changed').status).toBe(0);
  expect(p.build('--if-changed').calls).toHaveLength(3);
});
