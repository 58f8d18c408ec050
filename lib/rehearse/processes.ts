/**
 * Child processes of a rehearsal: finding the real tools, running them (as the unprivileged server user when this
 * process is root, like the plugin's sidecar runs as the postgres user), and killing whatever is still running.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { serverUser } from './real-postgres';

/** The Barman Cloud tools the plugin runs (Debian package `barman-cli-cloud`). */
export const BARMAN_TOOLS = [
  'barman-cloud-wal-archive',
  'barman-cloud-backup',
  'barman-cloud-backup-list',
  'barman-cloud-restore',
  'barman-cloud-wal-restore',
] as const;
export type BarmanTool = (typeof BARMAN_TOOLS)[number];

/** A tool found on this machine. */
export interface ToolInfo {
  readonly name: string;
  readonly path: string;
  /** e.g. `3.4.0` (barman) or `1.18.0` (PgBouncer); empty when it did not say. */
  readonly version: string;
  /** Its `--help` text (empty for tools without one). */
  readonly help: string;
}

/** What the rehearsal needs that is missing, with the line that installs it. */
export interface MissingTools {
  readonly missing: string[];
  readonly install: string;
}

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The PATH the tools run with: the caller's PATH plus the system directories (Debian puts pgbouncer in /usr/sbin). */
export function toolPath(): string {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH_PATH];
  return [...new Set(dirs)].join(':');
}

/** The absolute path of an executable on `toolPath()`, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of toolPath().split(':')) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

const infoCache = new Map<string, Promise<ToolInfo | undefined>>();

/**
 * Finds a tool and asks it for its version (and, with `help`, its `--help` text). The Barman Cloud tools are Python
 * programs that take a good part of a second to start, so the questions run concurrently and the answers are cached
 * per process.
 */
export function toolInfo(name: string, options: { help?: boolean } = {}): Promise<ToolInfo | undefined> {
  const key = `${name}\0${options.help ? 'help' : ''}`;
  let cached = infoCache.get(key);
  if (!cached) {
    cached = describeTool(name, options.help ?? false);
    infoCache.set(key, cached);
  }
  return cached;
}

async function describeTool(name: string, help: boolean): Promise<ToolInfo | undefined> {
  const p = which(name);
  if (!p) return undefined;
  const env = { PATH: toolPath(), LC_ALL: 'C.UTF-8', HOME: os.tmpdir() };
  const ask = (arg: string) => runTool(p, [arg], { env, cwd: os.tmpdir(), timeoutMs: 15_000, asCurrentUser: true });
  const [v, h] = await Promise.all([ask('--version'), help ? ask('--help') : Promise.resolve(undefined)]);
  const version = /(\d+\.\d+(?:\.\d+)?)/.exec(`${v.stdout} ${v.stderr}`)?.[1] ?? '';
  return { name, path: p, version, help: h ? `${h.stdout}${h.stderr}` : '' };
}

/** The Barman Cloud tools and PgBouncer that are missing on this machine (empty lists when all are there). */
export function missingTools(options: { pgbouncer?: boolean } = {}): MissingTools {
  const missing: string[] = BARMAN_TOOLS.filter((t) => !which(t));
  const packages: string[] = missing.length ? ['barman-cli-cloud'] : [];
  if ((options.pgbouncer ?? true) && !which('pgbouncer')) {
    missing.push('pgbouncer');
    packages.push('pgbouncer');
  }
  return { missing, install: packages.length ? `apt-get install -y ${packages.join(' ')}` : '' };
}

/** The interpreter of a script (its `#!` line), e.g. `/usr/bin/python3` for the Barman Cloud tools. */
export function interpreterOf(scriptPath: string): string | undefined {
  try {
    const first = fs.readFileSync(scriptPath, 'utf8').split('\n', 1)[0];
    const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
    if (!m) return undefined;
    return m[1].endsWith('/env') && m[2] ? which(m[2]) : m[1];
  } catch {
    return undefined;
  }
}

/** The result of one tool run. */
export interface ToolRun {
  /** Exit code; null when killed. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time in milliseconds. */
  readonly ms: number;
  /** Killed because the time ran out or the rehearsal was aborted. */
  readonly killed: boolean;
}

/** Options of `runTool`. */
export interface RunToolOptions {
  /** The complete environment (nothing of this process' environment is passed unless included). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Data written to stdin. */
  readonly input?: string;
  /** Run as this process' own user even when it is root (for harmless questions such as --version). */
  readonly asCurrentUser?: boolean;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) signalGroup(c, 'SIGKILL');
});

/** Signals a child's process group (it leads one: `detached`), or the child alone when that fails. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** uid/gid options for spawn: the server user when this process is root, nothing otherwise. */
export function asServerUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const u = serverUser();
  return { uid: u.uid, gid: u.gid };
}

/** Runs a tool to completion (as the server user when root), bounded in time and abortable. */
export function runTool(file: string, args: readonly string[], options: RunToolOptions): Promise<ToolRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let killed = false;
    const child = spawn(file, [...args], {
      cwd: options.cwd,
      env: { ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.asCurrentUser ? {} : asServerUser()),
      // its own process group: barman-cloud-backup's upload workers go with it when it is stopped
      detached: true,
    });
    live.add(child);
    const kill = () => {
      if (killed || child.exitCode !== null || child.signalCode !== null) return;
      killed = true;
      signalGroup(child, 'SIGTERM');
      setTimeout(() => child.exitCode === null && child.signalCode === null && signalGroup(child, 'SIGKILL'), 2000).unref();
    };
    const timer = setTimeout(kill, options.timeoutMs);
    const onAbort = () => kill();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) kill();
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(options.input ?? '');
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      live.delete(child);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, killed });
    };
    child.on('error', (e) => {
      stderr += `${e.message}\n`;
      finish(127, null);
    });
    child.on('close', finish);
  });
}

/** A long-running child (s3 server, pgbouncer) registered for cleanup. */
export function track(child: ChildProcess): void {
  live.add(child);
  child.on('exit', () => live.delete(child));
}
