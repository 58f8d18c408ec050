import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The V8 code cache (lib/core/compile-cache.ts) runs in child processes: a cache exists only across processes. Each
 * test gets a folder with the cache module (transpiled from its source), a small program and its modules.
 */

const SOURCE = path.join(__dirname, '..', 'lib', 'core', 'compile-cache.ts');

interface Program {
  readonly dir: string;
  readonly cacheDir: string;
  run(env?: Record<string, string>): { status: number | null; stdout: string; stderr: string; report: any };
}

function program(modules: Record<string, string>): Program {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compile-cache-'));
  const js = ts.transpileModule(fs.readFileSync(SOURCE, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
  fs.writeFileSync(path.join(dir, 'compile-cache.js'), js);
  const cacheDir = path.join(dir, 'cache');
  // The entry turns the cache on first, then loads the program; it reports what the cache did and what ran.
  fs.writeFileSync(path.join(dir, 'entry.js'), [
    "const cc = require('./compile-cache.js');",
    `const result = cc.enableCompileCache({ directory: process.env.CACHE_DIR ?? ${JSON.stringify(cacheDir)} });`,
    "const output = require('./app.js');",
    'process.on(\'exit\', () => console.log(JSON.stringify({ result, statistics: cc.compileCacheStatistics(), output })));',
  ].join('\n'));
  for (const [file, text] of Object.entries(modules)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return {
    dir,
    cacheDir,
    run(env = {}) {
      const r = spawnSync(process.execPath, ['entry.js'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '', NODE_OPTIONS: '', ...env } });
      const last = r.stdout.trim().split('\n').pop() ?? '';
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, report: last.startsWith('{') ? JSON.parse(last) : undefined };
    },
  };
}

const APP = {
  'app.js': [
    "const path = require('path');",
    "const lib = require('./lib.js');",
    "const data = require('./data.json');",
    'module.exports = {',
    '  value: lib.twice(21),',
    '  data: data.name,',
    "  mainIsEntry: require.main === process.mainModule && path.basename(require.main.filename) === 'entry.js',",
    "  resolved: path.basename(require.resolve('./lib.js')),",
    '  filename: path.basename(__filename),',
    '  dirnameOk: __dirname === path.dirname(__filename),',
    '  cycle: require(\'./cycle-a.js\').fromB,',
    '  thisIsExports: lib.thisIsExports,',
    "  stackLine: (() => { try { lib.fail(); } catch (e) { return /lib\\.js:(\\d+)/.exec(e.stack)[1]; } })(),",
    '};',
  ].join('\n'),
  'lib.js': [
    '#!/usr/bin/env node',
    'exports.thisIsExports = this === exports;',
    'exports.twice = (x) => x * 2;',
    "exports.fail = () => { throw new Error('boom'); };",
  ].join('\n'),
  'data.json': '{ "name": "json" }',
  'cycle-a.js': "exports.a = 'a'; exports.fromB = require('./cycle-b.js').seenA;",
  'cycle-b.js': "exports.seenA = require('./cycle-a.js').a;",
};

// lib.js starts with a hashbang, as a package's bin file required as a module does
const EXPECTED_OUTPUT = { value: 42, data: 'json', mainIsEntry: true, resolved: 'lib.js', filename: 'app.js', dirnameOk: true, cycle: 'a', thisIsExports: true, stackLine: '4' };

test('the first run compiles and writes the cache; the next run takes every module from it and behaves the same', () => {
  const p = program(APP);
  const first = p.run();
  expect(first.stderr).toBe('');
  expect(first.report.result).toEqual({ status: 'enabled', directory: p.cacheDir });
  expect(first.report.output).toEqual(EXPECTED_OUTPUT);
  // app, lib and the two cycle modules (JSON and the entry are Node.js' own)
  expect(first.report.statistics).toEqual({ cached: 0, compiled: 4 });
  const files = fs.readdirSync(p.cacheDir);
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(new RegExp(`^entry\\.js-[0-9a-f]+-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.cache2$`));

  const second = p.run();
  expect(second.report.output).toEqual(EXPECTED_OUTPUT);
  expect(second.report.statistics).toEqual({ cached: 4, compiled: 0 });
  const stamp = fs.statSync(path.join(p.cacheDir, files[0])).mtimeMs;
  p.run();
  expect(fs.statSync(path.join(p.cacheDir, files[0])).mtimeMs).toBe(stamp); // nothing new: not rewritten
});

test('a changed module is compiled again, even at the same length (V8 itself only compares the length)', () => {
  const p = program(APP);
  p.run();
  const lib = path.join(p.dir, 'lib.js');
  const before = fs.readFileSync(lib, 'utf8');
  const after = before.replace('x * 2', 'x * 3');
  expect(after.length).toBe(before.length);
  fs.writeFileSync(lib, after);
  const future = new Date(Date.now() + 5000);
  fs.utimesSync(lib, future, future);
  const r = p.run();
  expect(r.report.output.value).toBe(63);
  expect(r.report.statistics).toEqual({ cached: 3, compiled: 1 });
  expect(p.run().report.statistics).toEqual({ cached: 4, compiled: 0 });
});

test('a changed module is compiled again when a copy kept its size and modification time (V8 compares only the length)', () => {
  const p = program(APP);
  const lib = path.join(p.dir, 'lib.js');
  const fixed = new Date('2020-01-01T00:00:00Z'); // as `cp -p`, rsync -a or a package manager's fixed times leave it
  fs.utimesSync(lib, fixed, fixed);
  p.run();
  const before = fs.statSync(lib);
  fs.writeFileSync(lib, fs.readFileSync(lib, 'utf8').replace('x * 2', 'x * 5'));
  fs.utimesSync(lib, fixed, fixed);
  const after = fs.statSync(lib);
  expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
  const r = p.run();
  expect(r.report.output.value).toBe(105);
  expect(r.report.statistics).toEqual({ cached: 3, compiled: 1 });
});

test('NODE_DISABLE_COMPILE_CACHE turns it off, as it does Node.js\' own', () => {
  const p = program(APP);
  const r = p.run({ NODE_DISABLE_COMPILE_CACHE: '1' });
  expect(r.report.result).toEqual({ status: 'disabled', reason: 'NODE_DISABLE_COMPILE_CACHE is set' });
  expect(r.report.output).toEqual(EXPECTED_OUTPUT);
  expect(fs.existsSync(p.cacheDir)).toBe(false);
});

test('a damaged cache file is an empty cache, and is replaced', () => {
  const p = program(APP);
  p.run();
  const file = path.join(p.cacheDir, fs.readdirSync(p.cacheDir)[0]);
  fs.writeFileSync(file, Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3]));
  const r = p.run();
  expect(r.status).toBe(0);
  expect(r.report.output).toEqual(EXPECTED_OUTPUT);
  expect(r.report.statistics).toEqual({ cached: 0, compiled: 4 });
  expect(p.run().report.statistics).toEqual({ cached: 4, compiled: 0 });
});

test('a folder it cannot write costs only the compile time: the program runs and prints nothing', () => {
  const p = program(APP);
  fs.writeFileSync(path.join(p.dir, 'not-a-folder'), '');
  const r = p.run({ CACHE_DIR: path.join(p.dir, 'not-a-folder', 'cache') });
  expect(r.status).toBe(0);
  expect(r.stderr).toBe('');
  expect(r.report.output).toEqual(EXPECTED_OUTPUT);
  expect(fs.readdirSync(p.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

test('a module that may use import() is left to Node.js (a script from a code cache loses its import callback)', () => {
  const p = program({
    'app.js': "module.exports = require('./sub/lazy.js');",
    'sub/lazy.js': "module.exports = { lazy: 'pending' }; import('./esm.mjs').then((m) => { module.exports.lazy = m.value; });",
    'sub/esm.mjs': "export const value = 'from esm';",
  });
  expect(p.run().report).toMatchObject({ output: { lazy: 'from esm' }, statistics: { cached: 0, compiled: 1 } });
  const again = p.run();
  expect(again.stderr).toBe('');
  expect(again.report).toMatchObject({ output: { lazy: 'from esm' }, statistics: { cached: 1, compiled: 0 } });
});

test('source maps and debuggers keep Node.js\' own compiler', () => {
  const p = program(APP);
  const r = p.run({ NODE_OPTIONS: '--enable-source-maps' });
  expect(r.report.result).toEqual({ status: 'disabled', reason: '--enable-source-maps needs Node.js\' own compiler' });
  expect(r.report.output).toEqual(EXPECTED_OUTPUT);
});

test('the bytecode of a module that changed or is gone is dropped when the cache is written again', () => {
  const p = program({ ...APP, 'app.js': `${APP['app.js']}\nif (process.env.EXTRA) require('./extra.js');`, 'extra.js': 'module.exports = 1;' });
  expect(p.run({ EXTRA: '1' }).report.statistics).toEqual({ cached: 0, compiled: 5 });
  // a run without extra.js keeps its bytecode (another run of the program may need it: the commands load per subcommand)
  expect(p.run().report.statistics).toEqual({ cached: 4, compiled: 0 });
  expect(p.run({ EXTRA: '1' }).report.statistics).toEqual({ cached: 5, compiled: 0 });
  const file = path.join(p.cacheDir, fs.readdirSync(p.cacheDir)[0]);
  // the file's index: a 4-byte length, then [filename, size, mtime, offset, length] rows
  const cachedModules = () => {
    const buf = fs.readFileSync(file);
    return (JSON.parse(buf.toString('utf8', 4, 4 + buf.readUInt32LE(0))) as string[][]).map((row) => path.basename(row[0])).sort();
  };
  expect(cachedModules()).toEqual(['app.js', 'cycle-a.js', 'cycle-b.js', 'extra.js', 'lib.js']);
  // extra.js is gone and lib.js changes: the rewrite (for lib.js) drops extra.js
  fs.rmSync(path.join(p.dir, 'extra.js'));
  fs.appendFileSync(path.join(p.dir, 'lib.js'), '\n// changed\n');
  expect(p.run().report.statistics).toEqual({ cached: 3, compiled: 1 });
  expect(cachedModules()).toEqual(['app.js', 'cycle-a.js', 'cycle-b.js', 'lib.js']);
  expect(p.run().report.statistics).toEqual({ cached: 4, compiled: 0 });
});
