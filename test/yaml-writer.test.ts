import { execFileSync } from 'child_process';
import { isDeepStrictEqual as equal } from 'util';
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { saveYamlDocuments, stringifyYamlDocuments } from '../lib/core/yaml-writer';
import { tempDir } from './support/synth';

/**
 * The writer against the writer it replaces, cdk8s' `Yaml.stringify` (yaml 2.9 with `keepUndefined`, `lineWidth: 0`,
 * YAML 1.1): byte for byte, on the committed manifests and on random documents built from strings YAML treats
 * specially.
 */

const ROOT = path.join(__dirname, '..');
const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });

describe('the committed dist/', () => {
  // As committed (HEAD), not as in the work tree: a synth running alongside rewrites the work tree.
  const files = git('ls-tree', '-r', '--name-only', 'HEAD', '--', 'dist').split('\n').filter((f) => f.endsWith('.yaml'));

  test('is there to compare on', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  test.each(files)('%s: written byte for byte as cdk8s writes it, and as committed', (file) => {
    const text = git('show', `HEAD:${file}`);
    const docs = parseAllDocuments(text).map((d) => d.toJS());
    const ours = stringifyYamlDocuments(docs);
    expect(ours).toBe(Yaml.stringify(...docs));
    // cdk8s wrote these files from the same values: reading them back loses nothing
    expect(ours).toBe(text);
  });
});

/** A seeded PRNG (mulberry32): the same documents on every run, and a failing case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Strings that YAML reads as something else, or that need quoting, a block scalar or escapes somewhere. */
const TRICKY = [
  '', ' ', '  ', ' a', 'a ', ' a ', 'a: b', 'a:', ':a', 'a:b', 'a :b', 'a #b', 'a#b', '#', '# a', '-', '--', '- x', '-x',
  '-1', '?', '? x', '?x', '!', '!x', '&a', '*a', '|', '|-', '>', '>-', '%', '%x', '@x', '`x`', "'", '"', "a'b", 'a"b',
  `'"`, '{}', '[]', '{a}', '[a]', ',', 'a,b', 'a, b', '\n', 'a\n', '\na', 'a\nb', 'a\n\n', 'a\n\n\n', '\n\n', '\n\na',
  'a\n b', ' a\nb', 'a \nb', 'a\n\nb', 'a\n ', 'a\n \n', '\n \na', '\t', 'a\tb', '\ta', 'a\t', 'a\t\nb', 'é', 'ünïcödé',
  '日本語', '😀', '\ud800', '\u0000', '\u0007', '\u001b', '\u0085', '\u00a0', '\u2028', 'a\rb', '\r\n', 'a\r\n',
  'yes', 'Yes', 'YES', 'yEs', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'y', 'Y', 'n', 'N', '~', 'null',
  'Null', 'NULL', 'nUll', 'true', 'True', 'TRUE', 'tRue', 'false', 'False', '.inf', '-.inf', '+.inf', '.Inf', '.INF',
  '.nan', '.NaN', '.NAN', '<<', '<', '=', '1', '-1', '+1', '0', '-0', '00', '0777', '0o17', '0x1F', '0xG', '0b101',
  '1_000', '1e3', '1E3', '1e+3', '-1e-3', 'e5', 'E5', '.e5', '.', '-.', '._', '.5', '-.5', '1.', '1.2.3', '12:30:00',
  '190:20:30', '1:60', '12:30:00.5', '2024-01-01', '2024-1-1', '2024-01-01T10:00:00Z', '2024-01-01 10:00:00 +02:00',
  '2024-01-01t10:00:00.12-5', '40Gi', '512MB', '16.14', '0 0 * * *', '10.0.0.0/8', 'deadbeef', 'cafe', 'ee', 'Edge',
  '---', '--- a', '---a', 'a\n---', 'a\n--- b', '...', '... a', 'a\n...', '%YAML', 'a\n%b', '=a', '$(VAR)', 'a\\b', '\\',
  'http://x:8000/p?q=1#f', 'key=value', 'a=b,c=d', "it's", 'say "hi"', `both ' and "`, 'x'.repeat(100),
  `${'long line '.repeat(30)}\n${'more '.repeat(40)}`, 'a'.repeat(1030), `${'\u0001'.repeat(300)}`,
  // minified JSON (a dashboard in a ConfigMap), and what makes yaml quote it otherwise
  '{"a":1}', '["a",1]', '{"a":"b c: d #e"}', '{"a":"it\'s"}', '{"a":"x\u0001"}', '{"a":"x\u0085"}', '{"a":"\u00e9"}',
  '{"a":\n1}', '{"a":"b"} ', '{"a":"b"}:', '{a}"', '{}"', '["---"]', '{"a":"\\n"}', `{"a":"${'x'.repeat(2000)}"}`,
  // multi-line text (scripts, queries, Lua): literal blocks, and what keeps yaml from writing one
  'a\n\n\nb\n', 'l1\n  indented\nl3', 'x\ty\nz', 'say "hi"\nit\'s\n', '# c\nd', '- a\nb', 'a:\n b', 'a\n#b', 'a\n- b\n',
  '%x\ny', 'a\n---\nb\n', 'tab\t\nx', 'x\n\t', 'x\n ', 'x \n', 'x\n\n', '\tx\ny', 'x\ny\t', '"\n"', "'\n'", '{"a":1}\n',
];

/** Fragments to glue random strings together from, so that tricky parts also appear in the middle and at the ends. */
const PIECES = [...TRICKY.filter((s) => s.length < 40), 'a', 'b', 'name', ' ', ':', '#', '\n', '\t', '-', "'", '"'];

const NUMBERS = [0, -0, 1, -1, 42, 0.1, -2.5, 1e21, 1e-7, 123456789012, Number.MAX_SAFE_INTEGER, 3.14159, NaN, Infinity, -Infinity];

function randomString(rand: () => number): string {
  const r = rand();
  if (r < 0.5) return TRICKY[Math.floor(rand() * TRICKY.length)];
  if (r < 0.6) return 'plain-' + Math.floor(rand() * 1000);
  let s = '';
  for (let n = 1 + Math.floor(rand() * 4); n > 0; n--) s += PIECES[Math.floor(rand() * PIECES.length)];
  return s;
}

function randomValue(rand: () => number, depth: number): unknown {
  const r = rand();
  if (depth < 5 && r < 0.3) {
    const n = Math.floor(rand() * 4);
    const obj: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) obj[randomString(rand)] = randomValue(rand, depth + 1);
    return obj;
  }
  if (depth < 5 && r < 0.5) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
  if (r < 0.8) return randomString(rand);
  if (r < 0.9) return NUMBERS[Math.floor(rand() * NUMBERS.length)];
  return [true, false, null, undefined][Math.floor(rand() * 4)];
}

/** A top-level document: mostly a mapping, as a manifest is, sometimes a sequence. */
function randomDocument(rand: () => number): unknown {
  const doc = randomValue(rand, 0);
  if (doc !== null && typeof doc === 'object') return doc;
  return rand() < 0.8 ? { [randomString(rand)]: doc, nested: { deeper: [doc, { key: doc }] } } : [doc, [doc]];
}

describe('random documents of tricky strings', () => {
  test('are written byte for byte as cdk8s writes them', () => {
    const rand = prng(20240601);
    const mismatches: { case: number; doc: unknown; ours: string; cdk8s: string }[] = [];
    for (let i = 0; i < 4000; i++) {
      const doc = randomDocument(rand);
      const ours = stringifyYamlDocuments([doc]);
      const cdk8s = Yaml.stringify(doc);
      if (ours !== cdk8s && mismatches.length < 3) mismatches.push({ case: i, doc, ours, cdk8s });
    }
    expect(mismatches).toEqual([]);
  });

  // The update checks read a committed document whose text is what the writer writes for an object as that object,
  // without parsing (update-checks.ts `assumeRendered`): reading it back with YAML 1.1 must give the object again.
  test('read back with YAML 1.1 (as the update checks read), give the same values, undefined as null', () => {
    const rand = prng(20261207);
    const asRead = (v: unknown): unknown => (v === undefined ? null : Array.isArray(v) ? v.map(asRead)
      : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asRead(x)])) : v);
    const mismatches: { case: number; doc: unknown; text: string; read: unknown }[] = [];
    let compared = 0;
    for (let i = 0; i < 4000; i++) {
      const doc = randomDocument(rand);
      const text = stringifyYamlDocuments([doc]);
      // YAML 1.1's merge key `<<`, and kept blocks of blank lines (`|+`), which yaml itself reads back without the
      // blanks: such a text is always parsed (assumeRendered leaves it out)
      if (text.includes('<<') || text.includes('|+')) continue;
      compared++;
      const read = parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS())[0];
      if (!equal(read, asRead(doc)) && mismatches.length < 3) mismatches.push({ case: i, doc, text, read });
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(3000);
  });

  const title = (s: string) => JSON.stringify(s.length > 30 ? `${s.slice(0, 30)}… (${s.length})` : s);
  test.each(TRICKY.map((s) => [title(s), s]))('%s as a key and a value at every depth', (_, s) => {
    const doc = {
      [s]: s,
      seq: [s, [s, [s]], { [s]: [s, { [s]: s }] }],
      map: { [s]: { [s]: { [s]: s, list: [s] } } },
    };
    expect(stringifyYamlDocuments([doc, [s, { [s]: s }]])).toBe(Yaml.stringify(doc, [s, { [s]: s }]));
  });
});

describe('documents', () => {
  test('several, with an undefined one (empty), top-level scalars, empty collections', () => {
    const docs = [{ a: 1 }, undefined, [], {}, 'text', 'a\nb', '--- a', 42, null, true, [undefined, null], { u: undefined }];
    expect(stringifyYamlDocuments(docs)).toBe(Yaml.stringify(...docs));
    expect(stringifyYamlDocuments([])).toBe(Yaml.stringify());
  });

  test('what the writer leaves to yaml: a shared object (anchors), a Map, a Date, a class instance', () => {
    const shared = { app: 'db' };
    class Labels { app = 'db'; }
    const docs = [
      { metadata: { labels: shared }, spec: { selector: { matchLabels: shared } } },
      { data: new Map([['a', 1]]) },
      { at: new Date(0) },
      { labels: new Labels() },
      { list: [shared, shared] },
    ];
    expect(stringifyYamlDocuments(docs)).toBe(Yaml.stringify(...docs));
    expect(stringifyYamlDocuments(docs)).toContain('*a1');
  });

  test('where yaml writes a string differently by depth: both depths as yaml does', () => {
    // a document marker starting a key is quoted in the top-level mapping only
    expect(stringifyYamlDocuments([{ '---x': { '---x': 1 } }])).toBe('"---x":\n  ---x: 1\n');
    // a block scalar's lines take the depth's indentation; the indentation indicator stays 2
    const nested = { a: { b: [' x\ny\n\n'] } };
    expect(stringifyYamlDocuments([nested])).toBe('a:\n  b:\n    - |2+\n       x\n      y\n\n');
    expect(stringifyYamlDocuments([nested])).toBe(Yaml.stringify(nested));
  });

  test('saveYamlDocuments writes what Yaml.save writes', () => {
    const dir = tempDir();
    const docs = [{ kind: 'ConfigMap', data: { 'a.sh': '#!/bin/sh\necho "hi"\n', port: '5432' } }, undefined, ['x']];
    saveYamlDocuments(path.join(dir, 'ours.yaml'), docs);
    Yaml.save(path.join(dir, 'cdk8s.yaml'), docs);
    expect(fs.readFileSync(path.join(dir, 'ours.yaml'))).toEqual(fs.readFileSync(path.join(dir, 'cdk8s.yaml')));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('loading yaml', () => {
  /** Whether writing `docs` with a fresh copy of the writer loads the project's own `yaml` package. */
  function loadsYaml(docs: readonly unknown[]): boolean {
    let loaded = false;
    jest.isolateModules(() => {
      jest.doMock('yaml', () => {
        loaded = true;
        return jest.requireActual('yaml');
      });
      const writer: typeof import('../lib/core/yaml-writer') = require('../lib/core/yaml-writer');
      writer.stringifyYamlDocuments(docs);
    });
    jest.dontMock('yaml');
    return loaded;
  }

  test('strings yaml must quote go to cdk8s\' copy, which synth has loaded anyway: the project\'s own is never loaded', () => {
    const manifest = {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: 'cnpg-ha', namespace: 'data-infra', labels: { 'app.kubernetes.io/name': 'cnpg-ha' } },
      spec: { instances: 3, imageName: 'ghcr.io/cloudnative-pg/postgresql:16.14-standard-bookworm', storage: { size: '40Gi' }, enableSuperuserAccess: false, x: null },
    };
    expect(loadsYaml([manifest, undefined, [manifest]])).toBe(false);
    expect(loadsYaml([{ ...manifest, port: '5432', script: 'a\nb\n', 'key: x': new Date(0) }])).toBe(false);
  });
});
