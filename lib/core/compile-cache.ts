import * as fs from 'fs';
import Module = require('module');
import * as path from 'path';
import * as vm from 'vm';

/**
 * A V8 code cache for the CommonJS modules of one program (the synth, the `cdk8s-cnpg` commands).
 *
 * Why: a synth process spends much of its time compiling JavaScript. Loading this library, cdk8s and cdk8s-plus-28
 * (the generated Kubernetes and CloudNativePG types are megabytes of code) and compiling the functions a synth calls
 * made up about 60 ms of the default environment's 220 ms on the project's 2-core machine (docs/benchmarks.md: the
 * first run against the next ones); with the bytecode of the previous run, V8 skips that work.
 *
 * Node.js ≥ 22.1 has this built in (`module.enableCompileCache`, https://nodejs.org/api/module.html#moduleenablecompilecachecachedir,
 * its result's `status` one of `module.constants.compileCacheStatus`), and that is what runs there (not exercised on
 * this project's Node.js 20 machines). On older versions (the project's Node.js 20) the same thing is done here with V8's
 * public code-cache API (`vm.Script` `cachedData`, `script.createCachedData()`): the bytecode is taken at exit, so it
 * holds every function the run compiled, not only the top level (which is all `produceCachedData` at compile time
 * holds; that gains almost nothing).
 *
 * The cache of one program is one file, `<directory>/<program>-<node version>-<arch>.cache`: the modules' bytecode
 * with each file's stamp (size, modification and change times, inode). A module whose file changed is compiled again
 * (the change time too, because copies and package managers may keep or fix a modification time, and V8 itself only
 * compares the source's length), and V8 rejects bytecode of another V8 or other flags. A run that compiled anything new rewrites the file at exit (write, then
 * rename: a concurrent run reads the old or the new file, never half of one).
 *
 * Left to Node.js (compiled as usual): the main module, ES modules, code that may use dynamic `import()` (Node.js 20
 * loses a script's import callback when the script comes from a code cache: `ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING`),
 * and everything when a debugger, source maps or a policy is active.
 */

/** Options of `enableCompileCache`. */
export interface CompileCacheOptions {
  /**
   * Where the cache files go.
   * @default - `CDK8S_CNPG_COMPILE_CACHE`, else `node_modules/.cache/cdk8s-cnpg/` of the project that installed the library
   */
  readonly directory?: string;
}

/** What `enableCompileCache` did. */
export interface CompileCacheResult {
  /** `native`: Node.js' own cache; `enabled`: this module's; `disabled`: neither (see `reason`). */
  readonly status: 'native' | 'enabled' | 'disabled';
  readonly directory?: string;
  readonly reason?: string;
}

interface CacheEntry {
  /** The file's stamp when the bytecode was made (`stampOf`). */
  readonly stamp: string;
  readonly data: Buffer;
}

/** What identifies a file's content without reading it: size, modification and change times, inode. */
function stampOf(stat: fs.Stats): string {
  return `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.ino}`;
}

/** Node.js ≥ 22.1's API (the project's @types/node is 20's). */
interface NativeCompileCache {
  enableCompileCache?(directory: string): { status: number; message?: string; directory?: string };
  constants?: { compileCacheStatus?: { ENABLED: number; ALREADY_ENABLED: number } };
}

/** The program's main module, for the `require.main` of the modules compiled here. */
const mainModule = require.main;

/** The cache file's extension: a new format gets a new name, so no run reads another format. */
const CACHE_FORMAT = 'cache2';

/** Options that hook into Node.js' own compiler: a debugger, source maps, a policy. */
const NEEDS_NODE_COMPILER = /^--(inspect|enable-source-maps|experimental-policy)/;

let enabled: CompileCacheResult | undefined;
const statistics = { cached: 0, compiled: 0 };

/** How many modules this process took from the cache, and how many it compiled for it (this module's cache only). */
export function compileCacheStatistics(): { readonly cached: number; readonly compiled: number } {
  return { ...statistics };
}

/**
 * Turns the code cache on for the rest of this process (once; later calls return the first result). Call it before
 * the modules it should cover are loaded: `import 'cdk8s-cnpg/compile-cache'` as the first line of a program does.
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off, as it does Node.js' own.
 */
export function enableCompileCache(options: CompileCacheOptions = {}): CompileCacheResult {
  enabled ??= enable(options);
  return enabled;
}

function enable(options: CompileCacheOptions): CompileCacheResult {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return { status: 'disabled', reason: 'NODE_DISABLE_COMPILE_CACHE is set' };
  const directory = options.directory ?? process.env.CDK8S_CNPG_COMPILE_CACHE ?? defaultDirectory();
  if (!directory) return { status: 'disabled', reason: 'no node_modules folder above the library to keep the cache in' };
  const node = Module as unknown as NativeCompileCache;
  if (node.enableCompileCache && node.constants?.compileCacheStatus) {
    const r = node.enableCompileCache(directory);
    const { ENABLED, ALREADY_ENABLED } = node.constants.compileCacheStatus;
    return r.status === ENABLED || r.status === ALREADY_ENABLED ? { status: 'native', directory: r.directory ?? directory } : { status: 'disabled', directory, reason: r.message ?? 'Node.js refused' };
  }
  const unsafe = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].find((a) => NEEDS_NODE_COMPILER.test(a));
  if (unsafe) return { status: 'disabled', reason: `${unsafe} needs Node.js' own compiler` };
  installCache(path.join(directory, `${programName()}-${process.version}-${process.arch}.${CACHE_FORMAT}`));
  return { status: 'enabled', directory };
}

/** `node_modules/.cache/cdk8s-cnpg` of the nearest node_modules folder holding (or above) this library. */
function defaultDirectory(): string | undefined {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (path.basename(dir) === 'node_modules') return path.join(dir, '.cache', 'cdk8s-cnpg');
    const nodeModules = path.join(dir, 'node_modules');
    if (fs.existsSync(nodeModules)) return path.join(nodeModules, '.cache', 'cdk8s-cnpg');
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The entry script's name plus a short hash of its path: each program keeps the bytecode of what it runs. */
function programName(): string {
  const main = path.resolve(process.argv[1] ?? 'node');
  let hash = 5381;
  for (let i = 0; i < main.length; i++) hash = ((hash * 33) ^ main.charCodeAt(i)) >>> 0;
  return `${path.basename(main).replace(/[^A-Za-z0-9._-]/g, '_')}-${hash.toString(16)}`;
}

function installCache(file: string): void {
  const cached = readCache(file);
  const fresh = new Map<string, { stamp: string; script: vm.Script }>();
  const used = new Set<string>();
  const moduleProto = Module.prototype as unknown as { _compile(content: string, filename: string, format?: string): unknown };
  const nodeCompile = moduleProto._compile;
  moduleProto._compile = function compileWithCache(this: Module, content: string, filename: string, format?: string): unknown {
    if (format === 'module' || this.id === '.' || !filename.endsWith('.js') || content.includes('import(')) {
      return nodeCompile.call(this, content, filename, format);
    }
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(filename);
    } catch {
      return nodeCompile.call(this, content, filename, format);
    }
    const hit = cached.get(filename);
    const stamp = stampOf(stat);
    const usable = hit?.stamp === stamp ? hit.data : undefined;
    // A hashbang is only valid at the very start of a script; in the wrapper it is a comment (same length: positions stay)
    const source = content.startsWith('#!') ? `//${content.slice(2)}` : content;
    const script = new vm.Script(Module.wrap(source), { filename, cachedData: usable });
    if (!usable || script.cachedDataRejected) {
      fresh.set(filename, { stamp, script });
      statistics.compiled++;
    } else {
      used.add(filename);
      statistics.cached++;
    }
    return runWrapper(this, script, filename);
  };
  process.once('exit', () => {
    if (fresh.size === 0) return;
    // Kept: what this run used, and what another run of the program used if its file is unchanged (the commands load
    // different modules per subcommand); dropped: the bytecode of files changed or gone since.
    const entries = new Map([...cached].filter(([filename, e]) => used.has(filename) || isCurrent(filename, e)));
    for (const [filename, f] of fresh) entries.set(filename, { stamp: f.stamp, data: f.script.createCachedData() });
    writeCache(file, entries);
  });
}

function isCurrent(filename: string, entry: CacheEntry): boolean {
  try {
    return stampOf(fs.statSync(filename)) === entry.stamp;
  } catch {
    return false;
  }
}

/** Runs a module's compiled wrapper the way Node.js' loader does (the `require` it gets is the loader's). */
function runWrapper(module: Module, script: vm.Script, filename: string): unknown {
  const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
  const mod = module as Module & { require(id: string): unknown };
  const moduleRequire = Object.assign((id: string) => mod.require(id), {
    resolve: Object.assign(
      (request: string, options?: { paths?: string[] }) => (Module as any)._resolveFilename(request, module, false, options),
      { paths: (request: string) => (Module as any)._resolveLookupPaths(request, module) },
    ),
    main: mainModule,
    extensions: (Module as any)._extensions,
    cache: (Module as any)._cache,
  });
  return wrapper.call(module.exports, module.exports, moduleRequire, module, filename, path.dirname(filename));
}

/**
 * The cache file: a 4-byte length, a JSON index (`[filename, stamp, offset, length][]`), then the bytecode.
 * Anything unreadable is an empty cache.
 */
function readCache(file: string): Map<string, CacheEntry> {
  const out = new Map<string, CacheEntry>();
  try {
    const buf = fs.readFileSync(file);
    const indexLength = buf.readUInt32LE(0);
    const index = JSON.parse(buf.toString('utf8', 4, 4 + indexLength)) as [string, string, number, number][];
    const base = 4 + indexLength;
    for (const [filename, stamp, offset, length] of index) {
      out.set(filename, { stamp, data: buf.subarray(base + offset, base + offset + length) });
    }
  } catch {
    out.clear();
  }
  return out;
}

function writeCache(file: string, entries: ReadonlyMap<string, CacheEntry>): void {
  const index: [string, string, number, number][] = [];
  let offset = 0;
  for (const [filename, e] of entries) {
    index.push([filename, e.stamp, offset, e.data.length]);
    offset += e.data.length;
  }
  const head = Buffer.from(JSON.stringify(index));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(head.length, 0);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, Buffer.concat([length, head, ...[...entries.values()].map((e) => e.data)]));
    fs.renameSync(tmp, file);
  } catch {
    // A cache that cannot be written (read-only node_modules, full disk) only costs the next run its compile time.
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing was written
    }
  }
}
