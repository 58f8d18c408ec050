/**
 * The pooler check: a synthesized `Pooler` rendered into the pgbouncer.ini CloudNativePG writes for it
 * (pkg/management/pgbouncer/config: `[databases] * = host=…`, `pool_mode`, `auth_user`/`auth_query`/`auth_dbname`,
 * CloudNativePG's default parameters under the Pooler's own, the forced ones over them), loaded by a real
 * `pgbouncer` in front of a real PostgreSQL, and a query through it that shows the pool mode at work.
 *
 * Differences from the cluster, said in the report: PgBouncer listens on 127.0.0.1 and a free port (not `*:5432`),
 * its auth user logs in with a password (the operator uses a client certificate), and an `ro`/`r` pooler reaches the
 * only server there is, a primary.
 */
import { spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { Client } from 'pg';
import { PGBOUNCER_ALLOWED_PARAMETERS } from '../rules/pgbouncer';
import { at, fieldOf, isRecord, Manifest, objectName, RehearsalError } from './manifests';
import { asServerUser, toolInfo, toolPath, track } from './processes';
import { RealPostgres, serverUser } from './real-postgres';

/** The role PgBouncer runs its auth query as (CloudNativePG's `cnpg_pooler_pgbouncer`). */
export const POOLER_AUTH_USER = 'cnpg_pooler_pgbouncer';
/** CloudNativePG's default auth query. */
export const POOLER_AUTH_QUERY = 'SELECT usename, passwd FROM public.user_search($1)';
/** The database the auth query runs in. */
export const POOLER_AUTH_DBNAME = 'postgres';

/** PgBouncer parameters CloudNativePG sets unless the Pooler sets them. */
const DEFAULT_PARAMETERS: Readonly<Record<string, string>> = {
  log_stats: '0',
  auth_type: 'hba',
  client_tls_sslmode: 'prefer',
  server_tls_sslmode: 'verify-ca',
  ignore_startup_parameters: 'extra_float_digits,options',
};

/** Where PgBouncer of a rehearsal finds its files and its server. */
export interface PgbouncerLayout {
  /** Directory of pgbouncer.ini and the other files (and the Unix socket). */
  readonly dir: string;
  readonly listenPort: number;
  /** The PostgreSQL server PgBouncer forwards to. */
  readonly serverHost: string;
  readonly serverPort: number;
  /** Password of the auth user (written to userlist.txt). */
  readonly authPassword: string;
}

/** The files of one PgBouncer, and which ini parameter comes from which Pooler field. */
export interface PgbouncerFiles {
  readonly ini: string;
  readonly hba: string;
  readonly userlist: string;
  /** ini parameter → the Pooler field it comes from. */
  readonly fields: ReadonlyMap<string, string>;
}

/** Renders the pgbouncer.ini, pg_hba.conf and userlist.txt CloudNativePG would write for `pooler`. */
export function renderPgbouncerFiles(
  pooler: Manifest,
  layout: PgbouncerLayout,
  options: {
    /** Pooler parameters to leave out (unknown to the local PgBouncer). */
    readonly skip?: readonly string[];
    /** Write `auth_dbname` (PgBouncer 1.20 and later). Default true. */
    readonly authDbname?: boolean;
  } = {},
): PgbouncerFiles {
  const fields = new Map<string, string>();
  const poolMode = at(pooler, 'spec.pgbouncer.poolMode');
  const mode = typeof poolMode === 'string' && poolMode !== '' ? poolMode : 'session';
  fields.set('pool_mode', fieldOf(pooler, 'spec.pgbouncer.poolMode'));
  const userParams = at(pooler, 'spec.pgbouncer.parameters');
  const params: Record<string, string> = { ...DEFAULT_PARAMETERS };
  if (isRecord(userParams)) {
    for (const [k, v] of Object.entries(userParams)) {
      if (options.skip?.includes(k)) continue;
      const value = String(v);
      params[k] = k === 'ignore_startup_parameters' ? `${value},${DEFAULT_PARAMETERS.ignore_startup_parameters}` : value;
      fields.set(k, fieldOf(pooler, `spec.pgbouncer.parameters.${k}`));
    }
  }
  const d = layout.dir;
  Object.assign(params, {
    unix_socket_dir: d,
    listen_port: String(layout.listenPort),
    listen_addr: '127.0.0.1',
    admin_users: 'pgbouncer',
    auth_hba_file: path.join(d, 'pg_hba.conf'),
    server_tls_ca_file: path.join(d, 'server-ca.crt'),
    client_tls_cert_file: path.join(d, 'tls.crt'),
    client_tls_key_file: path.join(d, 'tls.key'),
    client_tls_ca_file: path.join(d, 'client-ca.crt'),
    auth_file: path.join(d, 'userlist.txt'),
  });
  const authQuery = at(pooler, 'spec.pgbouncer.authQuery');
  const ini = [
    '[databases]',
    `* = host=${layout.serverHost} port=${layout.serverPort}`,
    '',
    '[pgbouncer]',
    `pool_mode = ${mode}`,
    `auth_user = ${POOLER_AUTH_USER}`,
    `auth_query = ${typeof authQuery === 'string' && authQuery ? authQuery : POOLER_AUTH_QUERY}`,
    ...(options.authDbname ?? true ? [`auth_dbname = ${POOLER_AUTH_DBNAME}`] : []),
    '',
    ...Object.keys(params).sort().map((k) => `${k} = ${params[k]}`),
    '',
  ].join('\n');
  const userHba = at(pooler, 'spec.pgbouncer.pg_hba');
  const hba = [
    'local pgbouncer pgbouncer peer',
    ...(Array.isArray(userHba) ? userHba.map(String) : []),
    'host all all 0.0.0.0/0 md5',
    'host all all ::/0 md5',
    '',
  ].join('\n');
  const userlist = `"${POOLER_AUTH_USER}" "${layout.authPassword.replace(/"/g, '""')}"\n`;
  return { ini, hba, userlist, fields };
}

/**
 * Makes a rehearsal PostgreSQL ready for poolers, as the operator does: the auth role and the SECURITY DEFINER
 * `public.user_search` function in the auth database and in `databases` (a PgBouncer older than 1.20 has no
 * `auth_dbname` and runs the auth query in the database the client asks for). Returns the auth role's password.
 */
export async function preparePoolerAuth(pg: RealPostgres, databases: readonly string[] = []): Promise<string> {
  const password = crypto.randomBytes(18).toString('base64url');
  await pg.query(`DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${POOLER_AUTH_USER}') THEN CREATE ROLE ${POOLER_AUTH_USER} LOGIN; END IF;
  END $$`);
  await pg.query(`ALTER ROLE ${POOLER_AUTH_USER} PASSWORD '${password}'`);
  for (const db of [...new Set([POOLER_AUTH_DBNAME, ...databases])]) {
    const c = new Client({ ...pg.connection, database: db });
    await c.connect();
    try {
      await c.query(
        "CREATE OR REPLACE FUNCTION public.user_search(uname TEXT) RETURNS TABLE (usename name, passwd text) LANGUAGE sql SECURITY DEFINER AS " +
          "'SELECT usename, passwd FROM pg_catalog.pg_shadow WHERE usename=$1;'",
      );
      await c.query('REVOKE ALL ON FUNCTION public.user_search(text) FROM public');
      await c.query(`GRANT EXECUTE ON FUNCTION public.user_search(text) TO ${POOLER_AUTH_USER}`);
    } finally {
      await c.end();
    }
  }
  return password;
}

/** Whether a version string such as `1.18.0` is at least `major.minor`. */
export function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split('.').map(Number);
  return a > major || (a === major && (b ?? 0) >= minor);
}

/** Options of `checkPooler`. */
export interface PoolerCheckOptions {
  readonly pooler: Manifest;
  /** A server listening on TCP (`tcp: true`) with ssl, prepared with `preparePoolerAuth`. */
  readonly postgres: RealPostgres;
  readonly authPassword: string;
  /** The application role and database the query goes to. */
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** The query to run through the pooler (default `SELECT 1`). */
  readonly query?: string;
  /** Parent directory for PgBouncer's files (a subdirectory is made and removed). */
  readonly workDir: string;
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** What the pooler check showed. */
export interface PoolerCheckResult {
  readonly pooler: string;
  readonly poolMode: string;
  readonly pgbouncerVersion: string;
  /** Rows of the query, as returned through PgBouncer. */
  readonly rows: Array<Record<string, unknown>>;
  /** Server backend pids seen by two clients in turn: equal when pooled per transaction, different per session. */
  readonly backendPids: [number, number];
  /** Pooler parameters the local PgBouncer does not know (newer than it); not checked. */
  readonly unverified: string[];
  /** The pgbouncer.ini that was loaded. */
  readonly ini: string;
  readonly ms: number;
}

/**
 * Starts PgBouncer with the Pooler's configuration in front of `postgres`, sends the query through it, checks the
 * pool mode, and stops it. Throws `RehearsalError` naming the Pooler field PgBouncer rejected.
 */
export async function checkPooler(options: PoolerCheckOptions): Promise<PoolerCheckResult> {
  const started = Date.now();
  const tool = await toolInfo('pgbouncer');
  if (!tool) throw new RehearsalError('pgbouncer is not installed (apt-get install pgbouncer)');
  const pooler = options.pooler;
  const user = serverUser();
  const dir = fs.mkdtempSync(path.join(options.workDir, `pgbouncer-${pooler.metadata.name}-`));
  fs.chownSync(dir, user.uid, user.gid);
  fs.chmodSync(dir, 0o700);
  const unverified: string[] = [];
  const authDbname = versionAtLeast(tool.version, 1, 20);
  if (!authDbname) {
    options.log?.(`  pooler ${objectName(pooler)}: PgBouncer ${tool.version} here has no auth_dbname (1.20+): the auth query runs in the client's database, where user_search also exists`);
  }
  try {
    // TLS material: the server's self-signed certificate is its own CA (server_tls_sslmode verify-ca works).
    const crt = fs.readFileSync(path.join(options.postgres.dataDir, 'server.crt'));
    const key = fs.readFileSync(path.join(options.postgres.dataDir, 'server.key'));
    for (const [name, content] of [['server-ca.crt', crt], ['client-ca.crt', crt], ['tls.crt', crt], ['tls.key', key]] as const) {
      writeOwned(path.join(dir, name), content, user);
    }
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const files = renderPgbouncerFiles(pooler, {
        dir,
        listenPort: port,
        serverHost: '127.0.0.1',
        serverPort: options.postgres.port,
        authPassword: options.authPassword,
      }, { skip: unverified, authDbname });
      writeOwned(path.join(dir, 'pgbouncer.ini'), files.ini, user);
      writeOwned(path.join(dir, 'pg_hba.conf'), files.hba, user);
      writeOwned(path.join(dir, 'userlist.txt'), files.userlist, user);
      const bouncer = await startPgbouncer(tool.path, dir, port, options.timeoutMs ?? 15_000);
      if (!bouncer.ok) {
        const unknown = [...bouncer.log.matchAll(/unknown parameter: pgbouncer\/(\S+)/g)].map((m) => m[1]);
        const newer = unknown.filter((p) => files.fields.has(p) && PGBOUNCER_ALLOWED_PARAMETERS.includes(p) && !unverified.includes(p));
        if (newer.length && attempt < 5 && newer.length === unknown.length) {
          unverified.push(...newer);
          options.log?.(`  pooler ${objectName(pooler)}: PgBouncer ${tool.version} here does not know ${newer.join(', ')} (newer than it; CloudNativePG's image knows them): not checked`);
          continue;
        }
        throw poolerFailure(pooler, files, bouncer.log, tool.version);
      }
      try {
        const result = await queryThrough(port, options);
        const mode = String(at(pooler, 'spec.pgbouncer.poolMode') ?? 'session');
        const [a, b] = result.pids;
        if (mode === 'transaction' && a !== b) {
          throw new RehearsalError(
            `PgBouncer did not pool per transaction: two clients in turn got server backends ${a} and ${b}`,
            fieldOf(pooler, 'spec.pgbouncer.poolMode'),
          );
        }
        if (mode === 'session' && a === b) {
          throw new RehearsalError(
            `PgBouncer did not keep a server connection per client session: two connected clients shared backend ${a}`,
            fieldOf(pooler, 'spec.pgbouncer.poolMode'),
          );
        }
        return {
          pooler: objectName(pooler),
          poolMode: mode,
          pgbouncerVersion: tool.version,
          rows: result.rows,
          backendPids: result.pids,
          unverified,
          ini: files.ini,
          ms: Date.now() - started,
        };
      } catch (e) {
        if (e instanceof RehearsalError) throw e;
        const log = await bouncer.stop();
        throw new RehearsalError(
          `a query through PgBouncer failed: ${(e as Error).message}${significant(log) ? `; PgBouncer said: ${significant(log)}` : ''}`,
          objectName(pooler),
        );
      } finally {
        await bouncer.stop();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function writeOwned(file: string, content: string | Buffer, user: { uid: number; gid: number }): void {
  fs.writeFileSync(file, content, { mode: 0o600 });
  fs.chownSync(file, user.uid, user.gid);
}

interface RunningBouncer {
  readonly ok: boolean;
  readonly log: string;
  stop(): Promise<string>;
}

function startPgbouncer(binary: string, dir: string, port: number, timeoutMs: number): Promise<RunningBouncer> {
  return new Promise((resolve) => {
    let log = '';
    let exited = false;
    const child = spawn(binary, [path.join(dir, 'pgbouncer.ini')], {
      cwd: dir,
      env: { PATH: toolPath(), LC_ALL: 'C', TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...asServerUser(),
    });
    track(child);
    const exit = new Promise<void>((r) => child.on('exit', () => {
      exited = true;
      r();
    }));
    child.on('error', (e) => (log += `${e.message}\n`));
    child.stdout!.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    const stop = async () => {
      if (!exited) {
        child.kill('SIGINT');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exit;
        clearTimeout(t);
      }
      return log;
    };
    const deadline = Date.now() + timeoutMs;
    const poll = async () => {
      for (;;) {
        if (exited) {
          await delay(20);
          return resolve({ ok: false, log, stop });
        }
        if (/process up|listening on 127\.0\.0\.1/.test(log) && (await canConnect(port))) return resolve({ ok: true, log, stop });
        if (Date.now() > deadline) {
          await stop();
          return resolve({ ok: false, log: `${log}\n(PgBouncer did not come up in ${timeoutMs} ms)`, stop });
        }
        await delay(20);
      }
    };
    void poll();
  });
}

async function queryThrough(port: number, options: PoolerCheckOptions): Promise<{ rows: Array<Record<string, unknown>>; pids: [number, number] }> {
  const config = { host: '127.0.0.1', port, user: options.user, password: options.password, database: options.database, connectionTimeoutMillis: 10_000 };
  const c1 = new Client(config);
  const c2 = new Client(config);
  try {
    await c1.connect();
    const r = await c1.query(options.query ?? 'SELECT 1 AS ok');
    const p1 = await c1.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await c2.connect();
    const p2 = await c2.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return { rows: r.rows, pids: [p1.rows[0].pid, p2.rows[0].pid] };
  } finally {
    await c1.end().catch(() => undefined);
    await c2.end().catch(() => undefined);
  }
}

function poolerFailure(pooler: Manifest, files: PgbouncerFiles, log: string, version: string): RehearsalError {
  const invalid = /invalid value "([^"]*)" for parameter (\S+)/.exec(log);
  if (invalid) {
    const field = files.fields.get(invalid[2]);
    return new RehearsalError(`PgBouncer ${version} refuses the value "${invalid[1]}" of ${invalid[2]}: ${significant(log)}`, field ?? objectName(pooler));
  }
  const unknown = /unknown parameter: pgbouncer\/(\S+)/.exec(log);
  if (unknown) {
    return new RehearsalError(
      `PgBouncer ${version} does not know the parameter ${unknown[1]}`,
      files.fields.get(unknown[1]) ?? objectName(pooler),
      PGBOUNCER_ALLOWED_PARAMETERS.includes(unknown[1]) ? undefined : 'CloudNativePG allows only the parameters in PGBOUNCER_ALLOWED_PARAMETERS',
    );
  }
  const param = /parameter (\S+)/.exec(log)?.[1];
  return new RehearsalError(`PgBouncer ${version} did not start: ${significant(log) || '(no output)'}`, (param && files.fields.get(param)) || objectName(pooler));
}

function significant(log: string): string {
  return log.split('\n').filter((l) => /ERROR|FATAL|WARNING/.test(l)).map((l) => l.replace(/^\S+ \S+ \S+ \[\d+\] /, '')).join('; ');
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
