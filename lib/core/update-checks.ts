/**
 * Update checks: what the webhook (and good practice) forbids when an object that already exists changes.
 *
 * `dist/` in git is what Argo CD applies, so the deployed state of a Cluster is its manifest in the committed
 * `dist/<environment>/`. Synth compares every new `postgresql.cnpg.io` object with its committed version and fails on
 * breaking changes, with the safe sequence in the message. The rules themselves (U…, UL…, the immutable fields of
 * the other kinds) are the change table of the rules layer, `lib/rules/changes.ts`, installed here with
 * `installUpdateRules`; this file reads the previous state, runs the rules and records and acknowledges problems.
 *
 * A reviewer accepts an intended breaking change with an acknowledgement: the environment variable
 * `CDK8S_CNPG_ACK=<namespace>/<name>:<rule>[,…]` for one synth, or `acknowledgeBreakingChanges(construct, ['U4'])`
 * (the `acknowledgeBreakingChanges` prop of `CnpgCluster`). An acknowledgement that matches nothing is a warning, so
 * it does not silently accept the next breaking change.
 *
 * Where the previous state comes from (`PreviousManifests.fromDist`): the cdk8s CLI deletes `dist/` before it runs
 * the app, so the committed files are read from git: one `git archive <ref> -- dist` per synth, shared by all
 * environments (ref `HEAD`, or `CDK8S_CNPG_PREVIOUS_REF`, e.g. `origin/main` in CI where HEAD already holds the new
 * `dist/`; `none` turns the checks off). Only the documents of the kinds the checks read are parsed. Outside a git
 * checkout, or when the environment has no committed `dist/`, the files on disk are used when they exist; otherwise
 * there is nothing to compare with and the checks are skipped with a note.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Problem, Problems } from './problems';
import { rendered } from './render';
import { yamlParser } from './yaml-parser';
import { stringifyYamlDocuments } from './yaml-writer';

const CNPG_GROUP = 'postgresql.cnpg.io';

/** A breaking change found by an update rule; `severity` defaults to error. */
export interface UpdateProblem extends Problem {
  readonly rule: string;
  readonly severity?: 'error' | 'warning';
}

/** Context of an object's update check: the objects around it, before and after. */
export interface UpdateContext {
  /** Objects of the previous manifests (the ScheduledBackups of the cluster are read). */
  readonly previousObjects?: readonly any[];
  /** Every object of the new manifests. */
  readonly nextObjects?: readonly any[];
}

/**
 * The update rules `checkAppUpdates` applies. They live in the rules layer (`lib/rules/changes.ts`, which installs
 * them with `installUpdateRules` when it is loaded — every construct that renders a CloudNativePG object loads it);
 * this file only knows where the previous state comes from and how problems are recorded and acknowledged.
 */
export interface UpdateRules {
  /** The breaking changes from the deployed version of an object to the new one (wire JSON). */
  checkObject(previous: any, next: any, context: UpdateContext): UpdateProblem[];
  /** The problem of a deployed Cluster that is no longer synthesized (`namespace/name`). */
  removedCluster(key: string): UpdateProblem;
}

let installed: UpdateRules | undefined;

/** Installs the update rules (called once by `lib/rules/changes.ts`). */
export function installUpdateRules(rules: UpdateRules): void {
  installed = rules;
}

const DEPLOYED = Symbol.for('cdk8s-cnpg.admission.existing');

/**
 * Marks a construct's object as already deployed (it is in the deployed manifests), so create-only admission rules
 * are skipped. Called by `checkAppUpdates` before synth.
 */
export function markDeployed(construct: IConstruct): void {
  (construct as unknown as Record<symbol, boolean>)[DEPLOYED] = true;
}

/** Whether `markDeployed` marked the construct. */
export function isDeployed(construct: IConstruct): boolean {
  return (construct as unknown as Record<symbol, boolean>)[DEPLOYED] === true;
}

// ------------------------------------------------------------------------------------------------------------------
// the previous state

/** One object of the previous manifests. */
export interface PreviousObject {
  /** The file it came from, relative to the environment's folder (`database/database.yaml`). */
  readonly file: string;
  readonly object: any;
}

/**
 * App context naming the revision of the deployed manifests that constructs compare themselves with (`none`: off);
 * it overrides `CDK8S_CNPG_PREVIOUS_REF` for one app (`buildEnvironment` sets it when update checks are off).
 */
export const PREVIOUS_REF_CONTEXT = 'cdk8s-cnpg:previousRef';

/** Runs `git <args>` in `cwd` (injectable, so tests can count the processes). */
export type GitRunner = (args: readonly string[], cwd: string) => { status: number | null; stdout: Buffer; stderr: string };

/** Runs the `git` executable (messages in English: they are matched). */
export const spawnGit: GitRunner = (args, cwd) => {
  const r = spawnSync('git', ['-C', cwd, ...args], { maxBuffer: 1024 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } });
  return { status: r.status, stdout: r.stdout ?? Buffer.alloc(0), stderr: `${r.stderr?.toString() ?? ''}${r.error ? String(r.error) : ''}` };
};

/** Options of `PreviousManifests.fromDist`. */
export interface PreviousManifestsOptions {
  /**
   * `git`: the committed files only; `files`: the files on disk only; `auto`: git when the folder is committed
   * there, else the files on disk when they exist.
   * @default 'auto'
   */
  readonly source?: 'auto' | 'git' | 'files';
  /**
   * The git revision holding the deployed manifests.
   * @default - `CDK8S_CNPG_PREVIOUS_REF`, else `HEAD`
   */
  readonly ref?: string;
  /**
   * How git is run (for tests).
   * @default - the `git` executable
   */
  readonly git?: GitRunner;
}

/** One YAML document of a manifest file, parsed on first use. */
interface ManifestDoc {
  readonly file: string;
  readonly text?: string;
  /** The top-level `kind`, when it can be read without parsing (a line `kind: X` at column 0). */
  readonly kind?: string;
  objects?: readonly any[];
}

/**
 * The manifests of an environment as deployed (the committed `dist/<environment>/`).
 *
 * The files are kept as text and split into documents; a document is parsed only when a question needs it: `find`
 * and `ofKind` parse only the documents of that kind (the update checks need a few small CloudNativePG objects, not
 * the large dashboards and alert rules next to them); `objects` parses everything.
 */
export class PreviousManifests {
  /**
   * Reads `<distDir>/<environment>/**\/*.yaml` as committed in git (see the file comment), or from disk.
   * Never throws: a problem reading them gives empty manifests with a `note`.
   *
   * From git, the whole committed `<distDir>/` is read with one `git archive` process, shared by every environment
   * read in the same synchronous run (one synth), so a synth of N environments starts one `git` process, not one per
   * file.
   */
  public static fromDist(distDir: string, environment: string, options: PreviousManifestsOptions = {}): PreviousManifests {
    const source = options.source ?? 'auto';
    const ref = options.ref ?? process.env.CDK8S_CNPG_PREVIOUS_REF ?? 'HEAD';
    const envDir = path.resolve(distDir, environment);
    if (ref === 'none') return new PreviousManifests([], 'none', 'CDK8S_CNPG_PREVIOUS_REF=none: update checks are off');
    if (source !== 'files') {
      const fromGit = readFromGit(envDir, ref, options.git ?? spawnGit);
      if (fromGit.files) return new PreviousManifests(splitDocuments(fromGit.files), fromGit.description);
      if (source === 'git') return new PreviousManifests([], 'none', fromGit.note);
    }
    if (fs.existsSync(envDir)) {
      const files = listYaml(envDir).map((file) => ({ file, text: fs.readFileSync(path.join(envDir, file), 'utf8') }));
      return new PreviousManifests(splitDocuments(files), `files in ${envDir}`);
    }
    return new PreviousManifests([], 'none', `no deployed manifests of "${environment}" found (not in git ${ref}, not on disk): update checks skipped`);
  }

  /** Manifests from objects (for tests and tools). */
  public static fromObjects(objects: readonly any[], description = 'objects'): PreviousManifests {
    return new PreviousManifests(objects.map((object) => ({ file: '', objects: [object] })), description);
  }

  private all?: readonly PreviousObject[];
  private readonly byKind = new Map<string, readonly PreviousObject[]>();

  private constructor(
    private readonly docs: readonly ManifestDoc[],
    /** Where they came from, e.g. `git HEAD:dist/default`, or `none`. */
    public readonly source: string,
    /** Why there are none, when there are none. */
    public readonly note?: string,
  ) {}

  /** Every object (parses every document). */
  public get objects(): readonly PreviousObject[] {
    this.all ??= this.docs.flatMap((d) => parsedObjects(d).map((object) => ({ file: d.file, object })));
    return this.all;
  }

  /** The objects of `kind`, in file order (parses only the documents of that kind). */
  public ofKind(kind: string): readonly PreviousObject[] {
    let found = this.byKind.get(kind);
    if (!found) {
      found = this.docs
        .filter((d) => d.kind === undefined || d.kind === kind)
        .flatMap((d) => parsedObjects(d).filter((o) => o?.kind === kind).map((object) => ({ file: d.file, object })));
      this.byKind.set(kind, found);
    }
    return found;
  }

  /** The object of `kind` named `namespace/name`, if deployed. */
  public find(kind: string, namespace: string | undefined, name: string): PreviousObject | undefined {
    return this.ofKind(kind).find((o) => o.object?.metadata?.name === name
      && (o.object?.metadata?.namespace ?? undefined) === (namespace || undefined));
  }
}

function parsedObjects(d: ManifestDoc): readonly any[] {
  d.objects ??= parsedText(d.text ?? '');
  return d.objects;
}

/**
 * Documents of the current synchronous run (one synth) by their text: what was parsed, and what the app renders now
 * (`assumeRendered`). Cleared with the git reads, as soon as the run yields.
 */
const documentsByText = new Map<string, readonly any[]>();

function parsedText(chunk: string): readonly any[] {
  // A document after the first of a file starts with its `---` line; the writer's text of one document has none.
  const text = chunk.startsWith('---\n') ? chunk.slice('---\n'.length) : chunk;
  return documentsByText.get(text) ?? setForThisRun(documentsByText, text, parseYaml(text));
}

/**
 * Sets `key` in a map that holds what the current synchronous run (one synth) shares: the map empties itself as soon
 * as the run yields (a microtask), so a later synth, or a test that commits in between, reads afresh.
 */
function setForThisRun<K, V>(map: Map<K, V>, key: K, value: V): V {
  if (map.size === 0) void Promise.resolve().then(() => map.clear());
  map.set(key, value);
  return value;
}

/**
 * The objects the app renders now, for the reading of the deployed manifests: a committed document whose text is
 * exactly what synth writes for one of them is read as that object, without parsing. Parsing the committed YAML was
 * most of the cost of the update checks (the `yaml` package's load included); in a synth where nothing changed,
 * nothing is parsed now. Exact: the writer (`yaml-writer.ts`) writes what cdk8s' `yaml` writes, with YAML 1.1 as
 * `parseYaml` reads it, so the text parses back to the object (an `undefined` to `null`, as YAML writes it), but for
 * the two cases below, which are parsed.
 */
export function assumeRendered(objects: readonly any[]): void {
  for (const object of objects) {
    const text = stringifyYamlDocuments([object]);
    // Read back differently, so always parsed: YAML 1.1's merge key `<<`, and a kept block (`|+`) of blank lines, which
    // yaml 2.9 reads back without its blanks (test/yaml-writer.test.ts reads back thousands of random documents).
    if (documentsByText.has(text) || text.includes('<<') || text.includes('|+')) continue;
    setForThisRun(documentsByText, text, [JSON.parse(JSON.stringify(object, (_, v) => (v === undefined ? null : v)))]);
  }
}

/**
 * Splits files into YAML documents at `---` lines, noting each document's top-level kind when a single
 * `kind: <name>` line at column 0 gives it (in block YAML, only a top-level key starts at column 0). A document whose
 * kind is not evident that way is parsed whenever anything is asked. Files with directives or `...` end markers are
 * kept whole.
 */
function splitDocuments(files: ReadonlyArray<{ file: string; text: string }>): ManifestDoc[] {
  const out: ManifestDoc[] = [];
  for (const { file, text } of files) {
    if (/^(%|\.\.\.(\s|$))/m.test(text)) {
      out.push({ file, text });
      continue;
    }
    for (const chunk of text.split(/^(?=---(?:[ \t\r]|$))/m)) {
      const kinds = [...chunk.matchAll(/^kind[ \t]*:(?=[ \t\r]|$)[ \t]*(.*?)[ \t\r]*$/gm)];
      const value = kinds.length === 1 ? kinds[0][1].replace(/[ \t]+#.*$/, '').replace(/^(["'])([^"'\\]*)\1$/, '$2') : '';
      out.push({ file, text: chunk, kind: /^[A-Za-z][A-Za-z0-9._-]*$/.test(value) ? value : undefined });
    }
  }
  return out;
}

function listYaml(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.yaml') || e.name.endsWith('.yml')) out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** The working tree root above `dir` (the nearest folder with a `.git` entry), without starting git. */
function gitRoot(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** What one `git archive` gave: the regular files below a folder, by path from the repository root. */
type CommittedFiles = { files: Map<string, string> } | { missing: true } | { error: string };

/**
 * `git archive` results of the current synchronous run, by runner and `root, ref, folder`. Cleared as soon as the
 * run yields (a microtask), so a later synth, or a test that commits in between, reads git again; within one synth
 * every environment shares one read.
 */
const committedReads = new Map<GitRunner, Map<string, CommittedFiles>>();

/** The `git archive` of `folder` at `ref` (`--literal-pathspecs`: the folder is a path, not a pattern). */
function archiveArgs(ref: string, folder: string): string[] {
  return ['--literal-pathspecs', 'archive', '--format=tar', ref, '--', folder];
}

function readCommitted(root: string, ref: string, folder: string, runner: GitRunner): CommittedFiles {
  const reads = committedReads.get(runner) ?? setForThisRun(committedReads, runner, new Map());
  const key = `${root}\0${ref}\0${folder}`;
  let read = reads.get(key);
  if (!read) {
    const r = (runner === spawnGit ? awaitPrefetch(key) : undefined) ?? runner(archiveArgs(ref, folder), root);
    if (r.status === 0) {
      try {
        read = { files: untar(r.stdout) };
      } catch (e) {
        read = { error: `unreadable git archive output (${(e as Error).message})` };
      }
    } else if (/pathspec .* did not match any files/.test(r.stderr)) {
      read = { missing: true };
    } else {
      read = { error: r.stderr.trim() || `exit status ${r.status}` };
    }
    reads.set(key, read);
  }
  return read;
}

/** Where an environment's folder is in git: the checkout's root, the folder's path there, and the folder read. */
function locateInGit(envDir: string): { root: string; rel: string; folder: string } | { note: string } {
  let dir = envDir;
  while (!fs.existsSync(dir)) {
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const root = gitRoot(realpathOrSelf(dir));
  if (!root) return { note: `not a git checkout (${dir}): the committed manifests cannot be read` };
  const rel = path.relative(root, realpathOrSelf(envDir)).split(path.sep).join('/');
  if (rel === '' || rel.startsWith('..')) return { note: `${envDir} is outside the git checkout ${root}` };
  // the whole dist/ folder once for every environment (the environment's own folder when dist/ is the root)
  return { root, rel, folder: rel.includes('/') ? path.posix.dirname(rel) : rel };
}

function readFromGit(envDir: string, ref: string, runner: GitRunner): { files?: Array<{ file: string; text: string }>; description: string; note?: string } {
  const located = locateInGit(envDir);
  if ('note' in located) return { description: 'none', note: located.note };
  const { root, rel, folder } = located;
  const read = readCommitted(root, ref, folder, runner);
  if ('error' in read) return { description: 'none', note: `git archive ${ref} failed: ${read.error}` };
  const files = 'missing' in read ? [] : [...read.files]
    .filter(([f]) => f.startsWith(`${rel}/`) && (f.endsWith('.yaml') || f.endsWith('.yml')))
    .map(([f, text]) => ({ file: path.posix.relative(rel, f), text }));
  if (files.length === 0) return { description: 'none', note: `${rel}/ is not committed in ${ref}` };
  return { files, description: `git ${ref}:${rel}` };
}

/** `git archive` processes started ahead of need, by `root, ref, folder`: each writes into a folder of its own. */
const prefetches = new Map<string, { dir: string; pid: number }>();

/**
 * Starts reading the committed manifests below `distDir` (every environment's: one `git archive`) in the background,
 * so that git runs while the apps are built; the update checks then take its output instead of starting git and
 * waiting for it (about 8 ms of a synth). Nothing when the folder is not in a git checkout, the revision is `none`,
 * or there is no POSIX shell (the update checks then run git when they need it).
 */
export function prefetchCommittedManifests(distDir: string, ref: string = process.env.CDK8S_CNPG_PREVIOUS_REF ?? 'HEAD'): void {
  if (ref === 'none' || process.platform === 'win32') return;
  // Where any environment below distDir is read from: the whole folder, unless distDir is the checkout's root (each
  // environment's own folder then, not known yet: nothing is prefetched).
  const located = locateInGit(path.join(path.resolve(distDir), 'environment'));
  if ('note' in located || !located.rel.includes('/')) return;
  const key = `${located.root}\0${ref}\0${located.folder}`;
  if (prefetches.has(key)) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-cnpg-git-'));
  // The same git command as `spawnGit` runs; `status` appears (renamed into place) only once git has ended and its
  // output is complete.
  const script = 'git "$@" > "$0/out" 2> "$0/err"; echo $? > "$0/status.part" && mv "$0/status.part" "$0/status"';
  const child = spawn('sh', ['-c', script, dir, '-C', located.root, ...archiveArgs(ref, located.folder)], { stdio: 'ignore', env: { ...process.env, LC_ALL: 'C' } });
  child.on('error', () => undefined); // no shell: reported below, as no process
  child.unref();
  if (child.pid === undefined) {
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }
  prefetches.set(key, { dir, pid: child.pid });
}

/**
 * Drops the prefetched reads nobody took (a synth that failed before its update checks): their folders are removed,
 * a git still running there writes nowhere.
 */
export function discardPrefetchedManifests(): void {
  for (const { dir } of prefetches.values()) fs.rmSync(dir, { recursive: true, force: true });
  prefetches.clear();
}

/**
 * The output of a prefetched `git archive`, waiting for it to end; undefined when none was started or its shell ended
 * without a result (killed): the caller then runs git itself.
 */
function awaitPrefetch(key: string): ReturnType<GitRunner> | undefined {
  const started = prefetches.get(key);
  if (!started) return undefined;
  prefetches.delete(key);
  const status = path.join(started.dir, 'status');
  const tick = new Int32Array(new SharedArrayBuffer(4));
  try {
    for (let waited = 0; !fs.existsSync(status); waited++) {
      // Every 50 ms, whether the shell still runs (Linux: an ended one stays a zombie until the event loop reaps it);
      // where that cannot be told, git gets two minutes.
      if (waited % 50 === 49 && (!isRunning(started.pid) || waited > 120_000)) return fs.existsSync(status) ? readPrefetched(started.dir) : undefined;
      Atomics.wait(tick, 0, 0, 1); // a synchronous millisecond: the synth is synchronous, git runs beside it
    }
    return readPrefetched(started.dir);
  } finally {
    fs.rmSync(started.dir, { recursive: true, force: true });
  }
}

function readPrefetched(dir: string): ReturnType<GitRunner> {
  return { status: Number(fs.readFileSync(path.join(dir, 'status'), 'utf8')), stdout: fs.readFileSync(path.join(dir, 'out')), stderr: fs.readFileSync(path.join(dir, 'err'), 'utf8') };
}

/** Whether a process runs (not ended, not a zombie); true where that cannot be told. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** The regular files of a tar stream as `git archive` writes it (ustar with pax headers), in archive order. */
function untar(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  const field = (h: Buffer, from: number, to: number) => {
    const s = h.subarray(from, to);
    const end = s.indexOf(0);
    return (end < 0 ? s : s.subarray(0, end)).toString('utf8');
  };
  let pax: Record<string, string> = {};
  let off = 0;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const type = String.fromCharCode(h[156]);
    const headerSize = parseInt(field(h, 124, 136).trim() || '0', 8);
    const size = type !== 'x' && type !== 'g' && pax.size !== undefined ? Number(pax.size) : headerSize;
    if (!Number.isFinite(size) || size < 0 || off + 512 + size > buf.length) throw new Error(`bad entry at byte ${off}`);
    const body = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'g') continue;
    if (type === 'x') {
      pax = {};
      for (let i = 0; i < body.length;) {
        const space = body.indexOf(0x20, i);
        const len = parseInt(body.subarray(i, space).toString('ascii'), 10);
        if (space < 0 || !(len > 0)) throw new Error('bad pax record');
        const record = body.subarray(space + 1, i + len - 1).toString('utf8');
        const eq = record.indexOf('=');
        pax[record.slice(0, eq)] = record.slice(eq + 1);
        i += len;
      }
      continue;
    }
    const prefix = field(h, 257, 262) === 'ustar' ? field(h, 345, 500) : '';
    const name = pax.path ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    pax = {};
    if (type === '0' || type === '\0') out.set(name, body.toString('utf8'));
  }
  return out;
}

function realpathOrSelf(p: string): string {
  // dist/ may be deleted: resolve the nearest existing ancestor and re-append the rest
  const missing: string[] = [];
  let dir = p;
  while (!fs.existsSync(dir)) {
    missing.unshift(path.basename(dir));
    const up = path.dirname(dir);
    if (up === dir) return p;
    dir = up;
  }
  return path.join(fs.realpathSync(dir), ...missing);
}

// ------------------------------------------------------------------------------------------------------------------
// acknowledgements and wiring

const ACKS = Symbol.for('cdk8s-cnpg.update-checks.acknowledged');

/**
 * Accepts intended breaking changes of the object `construct` renders, by rule id (e.g. `['U4']`). Remove it once
 * the change is deployed: an acknowledgement that matches no change is a warning.
 */
export function acknowledgeBreakingChanges(construct: IConstruct, rules: readonly string[]): void {
  const host = construct as unknown as Record<symbol, string[]>;
  host[ACKS] = [...(host[ACKS] ?? []), ...rules];
}

/** Parses `CDK8S_CNPG_ACK`: `<namespace>/<name>:<rule>[,…]` (white space allowed). */
export function parseAcknowledgements(value: string | undefined): string[] {
  return (value ?? '').split(/[,\s]+/).map((s) => s.trim()).filter((s) => s !== '');
}

/** Options of `checkAppUpdates`. */
export interface AppUpdateCheckOptions {
  /**
   * Acknowledged breaking changes, `<namespace>/<name>:<rule>`.
   * @default - parsed from CDK8S_CNPG_ACK
   */
  readonly acknowledge?: readonly string[];
  /**
   * Where notes go (the source of the previous state, acknowledged changes).
   * @default - standard error
   */
  readonly note?: (message: string) => void;
}

/** What `checkAppUpdates` found. */
export interface AppUpdateReport {
  /** Unacknowledged problems, recorded on their constructs (errors fail synth). */
  readonly problems: UpdateProblem[];
  /** Acknowledged problems, as `<namespace>/<name>: …` lines. */
  readonly acknowledged: string[];
}

/**
 * Compares every `postgresql.cnpg.io` object of `app` with its deployed version and records the breaking changes on
 * the constructs (`Problems`), so synth reports them with every other error. Call it before synth (the app must be
 * complete). Objects that are deployed are marked so create-only admission rules are skipped.
 */
export function checkAppUpdates(app: App, previous: PreviousManifests, options: AppUpdateCheckOptions = {}): AppUpdateReport {
  const rules = installed;
  if (!rules) return { problems: [], acknowledged: [] }; // no construct of this library renders a CloudNativePG object
  const note = options.note ?? ((m: string) => process.stderr.write(`note: ${m}\n`));
  if (previous.note) note(previous.note);
  const envAcks = options.acknowledge ?? parseAcknowledgements(process.env.CDK8S_CNPG_ACK);
  const used = new Set<string>();
  const problems: UpdateProblem[] = [];
  const acknowledged: string[] = [];
  const apiObjects = app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  // Only the objects the rules read are rendered: the postgresql.cnpg.io ones (and any ScheduledBackup, for UL2).
  const nextObjects = apiObjects
    .filter((o) => o.apiVersion.startsWith(`${CNPG_GROUP}/`) || o.kind === 'ScheduledBackup')
    .map((o) => ({ o, json: rendered(o) }));
  const cnpgNext = nextObjects.filter(({ json }) => typeof json?.apiVersion === 'string' && json.apiVersion.startsWith(`${CNPG_GROUP}/`));
  if (previous.source !== 'none') assumeRendered(nextObjects.map((n) => n.json));
  // Only the kinds the rules read are parsed: the ScheduledBackups (UL2), the Clusters (UL3) and, through `find`, the
  // previous version of each new postgresql.cnpg.io object.
  const context: UpdateContext = { previousObjects: previous.ofKind('ScheduledBackup').map((p) => p.object), nextObjects: nextObjects.map((n) => n.json) };

  const record = (owner: IConstruct, key: string, ownAcks: readonly string[], found: UpdateProblem[]) => {
    for (const p of found) {
      const id = `${key}:${p.rule}`;
      if (envAcks.includes(id) || ownAcks.includes(p.rule)) {
        used.add(envAcks.includes(id) ? id : `${owner.node.path}:${p.rule}`);
        acknowledged.push(`${key}: ${p.field}: ${p.message} [rule ${p.rule}]`);
        continue;
      }
      problems.push(p);
      const { severity, ...rest } = p;
      const problem = { ...rest, fix: `${rest.fix ? `${rest.fix}; ` : ''}if the change is intended: CDK8S_CNPG_ACK=${id}` };
      if (severity === 'warning') Problems.of(owner).warn(problem);
      else Problems.of(owner).error(problem);
    }
  };

  const ownAckList: Array<{ owner: IConstruct; rule: string }> = [];
  for (const { o, json } of cnpgNext) {
    const owner = o.node.scope ?? o;
    const ownAcks = (owner as unknown as Record<symbol, string[]>)[ACKS] ?? [];
    for (const rule of ownAcks) if (!ownAckList.some((a) => a.owner === owner && a.rule === rule)) ownAckList.push({ owner, rule });
    const ns = json.metadata?.namespace;
    const name = json.metadata?.name;
    const prev = previous.find(json.kind, ns, name);
    if (!prev) continue;
    markDeployed(owner);
    record(owner, `${ns ?? ''}/${name}`, ownAcks, rules.checkObject(prev.object, json, context));
  }

  // UL3: a Cluster that is deployed but no longer synthesized (removed or renamed)
  for (const p of previous.ofKind('Cluster')) {
    const o = p.object;
    if (o?.kind !== 'Cluster' || typeof o?.apiVersion !== 'string' || !o.apiVersion.startsWith(`${CNPG_GROUP}/`)) continue;
    const still = cnpgNext.some(({ json }) => json.kind === 'Cluster' && json.metadata?.name === o.metadata?.name && json.metadata?.namespace === o.metadata?.namespace);
    if (still) continue;
    const chartId = p.file.split('/')[0];
    const owner: IConstruct = app.node.findAll().find((c) => Chart.isChart(c) && c.node.id === chartId) ?? app;
    const key = `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    record(owner, key, [], [rules.removedCluster(key)]);
  }

  for (const a of envAcks) {
    if (!used.has(a)) {
      Problems.of(app.node.findAll().find((c) => Chart.isChart(c)) ?? app).warn({
        field: 'CDK8S_CNPG_ACK', message: `the acknowledgement ${a} matches no breaking change`, fix: 'remove it, so it cannot accept a later breaking change unnoticed',
      });
    }
  }
  for (const { owner, rule } of ownAckList) {
    if (!used.has(`${owner.node.path}:${rule}`)) {
      Problems.of(owner).warn({ field: 'acknowledgeBreakingChanges', message: `the acknowledgement of ${rule} matches no breaking change`, value: rule, fix: 'remove it once the change is deployed' });
    }
  }
  if (previous.source !== 'none') note(`update checks against ${previous.source}`);
  for (const a of acknowledged) note(`acknowledged breaking change: ${a}`);
  return { problems, acknowledged };
}

/** The documents of YAML text, parsed as YAML 1.1 like cdk8s writes them (cdk8s' `Yaml.load` starts a process per file). */
function parseYaml(text: string): any[] {
  return yamlParser().parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS()).filter((o) => o !== null && o !== undefined);
}
