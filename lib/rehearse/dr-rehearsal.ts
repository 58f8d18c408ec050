/**
 * The disaster-recovery rehearsal: a primary site and its replica site, with the real tools on loopback.
 *
 * 1. a local S3 server (s3rver) holding both sites' archives;
 * 2. the primary: a real PostgreSQL with the primary site's parameters, archiving WAL with barman-cloud-wal-archive
 *    exactly as the Barman Cloud plugin runs it for the primary's ObjectStore; a base backup with barman-cloud-backup;
 * 3. the replica: barman-cloud-restore of that backup, then a standby (standby.signal) whose restore_command is
 *    barman-cloud-wal-restore with the arguments of the replica site's READ-ONLY copy of the primary's ObjectStore
 *    (its own sealed read credential), and whose archive_command is its own store's (archiving starts at promotion);
 * 4. rows written on the primary in batches, each batch's arrival on the standby timed (the WAL replay lag, with
 *    `archive_timeout` shortened for the rehearsal);
 * 5. the primary's loss: a last batch is committed after the last archived WAL, then the primary stops immediately;
 * 6. promotion (`pg_promote`) once the standby replayed everything archived, a write on the promoted side, and the
 *    measured data loss (the rows committed after the last archived WAL); the promoted side's new timeline goes to
 *    its own archive, never the primary's path.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  backupArgs, backupListArgs, Endpoint, flat, LIST_OBJECTS_PY, readStorePlan, restoreArgs, shellQuote, StorePlan, ToolArg, toolFailure, walArchiveArgs, walRestoreArgs,
} from './barman';
import { resolveCredentials } from './credentials';
import { IConstruct } from 'constructs';
import type { DrMember } from '../replication/disaster-recovery';
import type { SealedStore } from '../secrets/sealed-store';
import { inputsFromConstructs, Manifest, RehearsalError, RehearsalInputs } from './manifests';
import { interpreterOf, missingTools, runTool, toolPath, which } from './processes';
import { DR_HEARTBEAT_SQL } from '../replication/dr-heartbeat';
import { PostgresStartError, RealPostgres, serverUser, StartOptions } from './real-postgres';
import { CNPG_DEFAULT_PARAMETERS } from './rehearsal';
import { LocalS3Server } from './s3-server';

/** One site's inputs: the cluster, the ObjectStore the rehearsal uses and its server name, the sealed store. */
export interface DrSiteInputs extends RehearsalInputs {}

/** What `runDrRehearsal` takes. */
export interface DrRehearsalInputs {
  /** The primary site: its cluster and its own store (the archive). */
  readonly primary: DrSiteInputs;
  /** The replica site's read-only copy of the primary's store (`objectStore`, serverName = the primary's). */
  readonly replicaSource: DrSiteInputs;
  /** The replica site's own store (archive after promotion). */
  readonly replicaOwn: DrSiteInputs;
}

/** Options of `runDrRehearsal`. */
export interface DrRehearsalOptions {
  readonly demoKeyPem?: string;
  readonly demoKeyPath?: string;
  readonly processEnv?: Readonly<Record<string, string | undefined>>;
  /** Overall time limit. Default 90 s. */
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
  /** Batches written while both sites run. Default 3. */
  readonly batches?: number;
  /** Rows per batch. Default 50. */
  readonly rowsPerBatch?: number;
  /** `archive_timeout` of the rehearsal's primary (CloudNativePG's default is 5min). Default '2s'. */
  readonly archiveTimeout?: string;
}

/** What the rehearsal measured. */
export interface DrRehearsalResult {
  readonly passed: boolean;
  readonly verdict: string;
  readonly error?: Error;
  /** Replay lag per batch (ms from commit on the primary to visible on the standby). */
  readonly lagMs: number[];
  /** The heartbeat's transaction (dr-heartbeat.ts), and how long it took to be replayed on the replica (ms). */
  readonly heartbeat?: { readonly xid: string; readonly replayedAfterMs: number };
  /** Rows committed on the primary before its loss, and how many the promoted replica has. */
  readonly rows?: { readonly written: number; readonly onReplica: number; readonly lost: number; readonly lostAfterLastArchivedWal: number };
  /** The last WAL segment archived before the loss. */
  readonly lastArchivedWal?: string;
  /** The promoted side's timeline, and whether a write succeeded there. */
  readonly promoted?: { readonly timeline: number; readonly wrote: boolean; readonly ownArchiveHistory: boolean; readonly primaryPathUntouched: boolean };
  readonly durationMs: number;
}

const TABLE = 'dr_markers';

/** Runs the rehearsal; never throws for a failed rehearsal. */
export async function runDrRehearsal(inputs: DrRehearsalInputs, options: DrRehearsalOptions = {}): Promise<DrRehearsalResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const say = (l: string) => log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${l}`);
  const cleanups: Array<() => Promise<void> | void> = [];
  const lagMs: number[] = [];
  let rows: DrRehearsalResult['rows'];
  let heartbeat: DrRehearsalResult['heartbeat'];
  let lastArchivedWal: string | undefined;
  let promoted: DrRehearsalResult['promoted'];
  let error: Error | undefined;
  const timeoutMs = options.timeoutMs ?? 90_000;
  const deadline = started + timeoutMs;
  const left = () => Math.max(1000, deadline - Date.now());
  try {
    const missing = missingTools({ pgbouncer: false });
    if (missing.missing.length) throw new RehearsalError(`the rehearsal needs ${missing.missing.join(', ')}, which are not installed`, undefined, missing.install);
    const creds = (i: DrSiteInputs, plan: StorePlan) => resolveCredentials(plan, {
      realEndpoint: false, production: i.production, environment: i.environment, sealedStore: i.sealedStore, sealedStorePath: i.sealedStorePath,
      demoKeyPem: options.demoKeyPem, demoKeyPath: options.demoKeyPath, processEnv: options.processEnv ?? process.env,
    });
    const pPlan = readStorePlan(inputs.primary);
    const sPlan = readStorePlan(inputs.replicaSource);
    const oPlan = readStorePlan(inputs.replicaOwn);
    const [pCred, sCred, oCred] = [creds(inputs.primary, pPlan), creds(inputs.replicaSource, sPlan), creds(inputs.replicaOwn, oPlan)];
    say(`primary ${inputs.primary.environment}: ${inputs.primary.cluster.metadata.name} archives to ${pPlan.destinationPath}/${pPlan.serverName} (${pCred.source})`);
    say(`replica ${inputs.replicaSource.environment}: ${inputs.replicaOwn.cluster.metadata.name} replays ${sPlan.destinationPath}/${sPlan.serverName} through the read-only ObjectStore ${inputs.replicaSource.objectStore.metadata.name} (${sCred.source}); its own archive: ${oPlan.destinationPath}/${oPlan.serverName}`);
    if (sPlan.destinationPath !== pPlan.destinationPath || sPlan.serverName !== pPlan.serverName) {
      throw new RehearsalError(`the replica reads ${sPlan.destinationPath}/${sPlan.serverName}, but the primary archives to ${pPlan.destinationPath}/${pPlan.serverName}`, sPlan.destinationField);
    }
    if (`${oPlan.destinationPath}/${oPlan.serverName}` === `${pPlan.destinationPath}/${pPlan.serverName}`) {
      throw new RehearsalError('the replica would archive into the primary\'s path', oPlan.destinationField);
    }
    const buckets = [...new Set([pPlan.bucket, sPlan.bucket, oPlan.bucket])];
    if (buckets.length > 1 || pCred.env.AWS_ACCESS_KEY_ID !== sCred.env.AWS_ACCESS_KEY_ID || pCred.env.AWS_ACCESS_KEY_ID !== oCred.env.AWS_ACCESS_KEY_ID) {
      throw new RehearsalError(`the local S3 server holds one bucket with one key pair; the sites use ${buckets.join(', ')} with different credentials: rehearse them against the real endpoints`);
    }

    const user = serverUser();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-cnpg-dr-'));
    cleanups.push(() => fs.rmSync(work, { recursive: true, force: true }));
    for (const d of ['', 'home', 'tmp']) {
      fs.mkdirSync(path.join(work, d), { recursive: true });
      fs.chownSync(path.join(work, d), user.uid, user.gid);
    }
    fs.chmodSync(work, 0o755);
    const s3Dir = path.join(work, 's3');
    fs.mkdirSync(s3Dir);
    const s3 = await LocalS3Server.start({ bucket: pPlan.bucket, accessKeyId: pCred.env.AWS_ACCESS_KEY_ID, secretAccessKey: pCred.env.AWS_SECRET_ACCESS_KEY, directory: s3Dir });
    cleanups.push(() => s3.stop());
    const endpoint: Endpoint = { url: s3.endpoint, overridden: true };
    say(`object store: local S3 server ${s3.endpoint}, bucket "${pPlan.bucket}" (the synthesized endpoints are overridden)`);
    const baseEnv = {
      PATH: toolPath(), HOME: path.join(work, 'home'), TMPDIR: path.join(work, 'tmp'),
      AWS_CONFIG_FILE: path.join(work, 'no-aws-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(work, 'no-aws-credentials'), AWS_EC2_METADATA_DISABLED: 'true',
    };
    const envFor = (c: { env: Readonly<Record<string, string>> }) => ({ ...baseEnv, ...c.env });
    const tool = async (name: string, args: readonly ToolArg[], plan: StorePlan, env: Record<string, string>) => {
      const run = await runTool(which(name)!, flat(args), { env: { ...env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', TZ: 'UTC' }, cwd: work, timeoutMs: Math.min(60_000, left()) });
      if (run.code !== 0) throw toolFailure(name, run.code, `${run.stderr}\n${run.stdout}`, args, plan);
      return run;
    };
    const command = (name: string, args: readonly ToolArg[], tail: string) => [which(name)!, ...flat(args)].map((a) => shellQuote(a.replace(/%/g, '%%'))).join(' ') + tail;
    const major = inputs.primary.postgresMajor;
    if (inputs.replicaOwn.postgresMajor !== major) throw new RehearsalError(`the replica runs PostgreSQL ${inputs.replicaOwn.postgresMajor}, the primary ${major}`);
    const params = userParameters(inputs.primary.cluster);

    // --- the primary
    const archiveCommand = command('barman-cloud-wal-archive', walArchiveArgs(pPlan, endpoint), ' %p');
    const primary = await RealPostgres.start(major, {
      parameters: { ...CNPG_DEFAULT_PARAMETERS, ...params, archive_mode: 'on', archive_command: archiveCommand, archive_timeout: options.archiveTimeout ?? '2s', hot_standby: 'on', track_commit_timestamp: 'on' },
      hbaLines: ['local all all trust', 'host all all all scram-sha-256'], env: envFor(pCred), timeoutMs: Math.min(60_000, left()),
    });
    cleanups.push(() => primary.stop({ immediate: true }).catch(() => undefined));
    say(`primary PostgreSQL ${primary.version} archiving with archive_command = ${archiveCommand}, archive_timeout = ${options.archiveTimeout ?? '2s'} (CloudNativePG: 5min)`);
    await primary.query(`CREATE TABLE ${TABLE} (id integer PRIMARY KEY, batch text NOT NULL, committed_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await primary.query(`INSERT INTO ${TABLE} (id, batch) SELECT g, 'before-backup' FROM generate_series(1, 10) g`);
    await primary.query('CHECKPOINT');
    const backupName = `dr-rehearsal-${Date.now()}`;
    await tool('barman-cloud-backup', backupArgs(pPlan, endpoint, { host: primary.dir, port: primary.port, backupName }), pPlan, envFor(pCred));
    const list = await tool('barman-cloud-backup-list', backupListArgs(pPlan, endpoint), pPlan, envFor(pCred));
    const backupId = (JSON.parse(list.stdout).backups_list as Array<{ backup_id: string; backup_name?: string }>).find((b) => b.backup_name === backupName)?.backup_id;
    if (!backupId) throw new RehearsalError(`the base backup ${backupName} is not listed`);
    say(`base backup ${backupId} of the primary in ${pPlan.destinationPath}/${pPlan.serverName}/base/`);

    // --- the replica: restored with the replica's read-only copy of the primary's store, then a standby
    const dataDir = path.join(work, 'replica');
    fs.mkdirSync(dataDir, { mode: 0o700 });
    fs.chownSync(dataDir, user.uid, user.gid);
    await tool('barman-cloud-restore', restoreArgs(sPlan, endpoint, backupId, dataDir, sPlan.serverName), sPlan, envFor(sCred));
    fs.writeFileSync(path.join(dataDir, 'standby.signal'), '');
    fs.chownSync(path.join(dataDir, 'standby.signal'), user.uid, user.gid);
    const restoreCommand = command('barman-cloud-wal-restore', walRestoreArgs(sPlan, endpoint, sPlan.serverName), ' %f %p');
    // its own archive: with archive_mode on, a standby archives nothing until it is promoted
    const ownArchive = command('barman-cloud-wal-archive', walArchiveArgs(oPlan, endpoint), ' %p');
    const replicaEnv = { ...envFor(sCred) };
    const replica = await startStandby(major, {
      dataDir,
      standby: true,
      ssl: false,
      parameters: {
        ...CNPG_DEFAULT_PARAMETERS, ...userParameters(inputs.replicaOwn.cluster), hot_standby: 'on', restore_command: restoreCommand, archive_mode: 'on', archive_command: ownArchive,
        // the heartbeat's commit is recognised on the replica by its transaction id
        track_commit_timestamp: 'on',
      },
      env: replicaEnv,
      timeoutMs: Math.min(60_000, left()),
    });
    cleanups.push(() => replica.stop({ immediate: true }));
    const inRecovery = (await replica.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0].r;
    if (!inRecovery) throw new RehearsalError('the replica is not in recovery after start');
    say(`replica standby (standby.signal) replaying with restore_command = ${restoreCommand}`);

    // --- rows on the primary, arriving on the replica
    const batches = options.batches ?? 3;
    const perBatch = options.rowsPerBatch ?? 50;
    let nextId = 11;
    const count = async (pg: { query: RealPostgres['query'] }, batch: string) => Number((await pg.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${TABLE} WHERE batch = $1`, [batch]))[0].n);
    for (let b = 1; b <= batches; b++) {
      const batch = `batch-${b}`;
      await primary.query(`INSERT INTO ${TABLE} (id, batch) SELECT g, $1 FROM generate_series($2::int, $3::int) g`, [batch, nextId, nextId + perBatch - 1]);
      nextId += perBatch;
      const committed = Date.now();
      for (;;) {
        if (Date.now() > deadline) throw new RehearsalError(`${batch} did not arrive on the replica in time`);
        if (await count(replica, batch) === perBatch) break;
        await delay(100);
      }
      lagMs.push(Date.now() - committed);
      say(`${batch}: ${perBatch} rows committed on the primary arrived on the replica after ${(lagMs[lagMs.length - 1] / 1000).toFixed(1)}s (archive_timeout, then restore_command's next try)`);
    }

    // --- the heartbeat (dr-heartbeat.ts): its transaction alone reaches the replica, as a replayed commit
    const [{ x: heartbeatXid }] = await primary.query<{ x: string }>(`${DR_HEARTBEAT_SQL}::text AS x`);
    const beat = Date.now();
    for (;;) {
      if (Date.now() > deadline) throw new RehearsalError('the heartbeat\'s commit was not replayed on the replica in time');
      const [{ at }] = await replica.query<{ at: string | null }>('SELECT pg_xact_commit_timestamp(xid($1::xid8))::text AS at', [heartbeatXid]);
      if (at !== null) break;
      await delay(100);
    }
    heartbeat = { xid: heartbeatXid, replayedAfterMs: Date.now() - beat };
    say(`heartbeat (${DR_HEARTBEAT_SQL}, transaction ${heartbeatXid}) committed on the primary and replayed on the replica after ${(heartbeat.replayedAfterMs / 1000).toFixed(1)}s, with no other write`);

    // --- the primary is lost: a last batch after the last archived WAL
    await primary.query('ALTER SYSTEM SET archive_timeout = 0');
    await primary.query('SELECT pg_reload_conf()');
    const switched = (await primary.query<{ w: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS w'))[0].w;
    for (;;) {
      const s = (await primary.query<{ last: string | null }>('SELECT last_archived_wal AS last FROM pg_stat_archiver'))[0];
      if (s.last && s.last.slice(0, 24) >= switched) break;
      if (Date.now() > deadline) throw new RehearsalError(`WAL ${switched} was not archived in time`);
      await delay(50);
    }
    lastArchivedWal = switched;
    await primary.query(`INSERT INTO ${TABLE} (id, batch) SELECT g, 'after-last-archived-wal' FROM generate_series($1::int, $2::int) g`, [nextId, nextId + perBatch - 1]);
    const tailLsn = (await primary.query<{ l: string; w: string }>('SELECT pg_current_wal_lsn()::text AS l, pg_walfile_name(pg_current_wal_lsn()) AS w'))[0];
    const written = nextId + perBatch - 1;
    await primary.stop({ immediate: true });
    say(`primary LOST (immediate stop) after ${written} rows; the last archived WAL is ${switched}, the last ${perBatch} rows (up to ${tailLsn.l}, in ${tailLsn.w}) were never archived`);

    // --- promotion once everything archived was replayed
    const deadlineReplay = Date.now() + Math.min(30_000, left());
    for (;;) {
      if (new RegExp(`restored log file "${switched}" from archive`).test(replica.log)) break;
      if (Date.now() > deadlineReplay) throw new RehearsalError(`the replica did not restore ${switched}, the last archived WAL`);
      await delay(100);
    }
    await primary.stop({ immediate: true }).catch(() => undefined);
    const promoteStarted = Date.now();
    const ok = (await replica.query<{ p: boolean }>('SELECT pg_promote(true, 60) AS p'))[0].p;
    if (!ok) throw new RehearsalError('pg_promote did not promote the replica in 60 s');
    const tl = parseInt((await replica.query<{ w: string }>('SELECT pg_walfile_name(pg_current_wal_lsn()) AS w'))[0].w.slice(0, 8), 16);
    await replica.query(`INSERT INTO ${TABLE} (id, batch) VALUES (1000000, 'written-on-the-promoted-replica')`);
    const onReplica = Number((await replica.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${TABLE} WHERE id < 1000000`))[0].n);
    const tailOnReplica = await count(replica, 'after-last-archived-wal');
    say(`replica PROMOTED with pg_promote in ${((Date.now() - promoteStarted) / 1000).toFixed(1)}s; a write on it succeeded; ${onReplica}/${written} rows there`);
    // the new timeline goes to the replica's own archive, never the primary's path
    await replica.query('CHECKPOINT');
    await replica.query('SELECT pg_switch_wal()');
    const python = interpreterOf(which('barman-cloud-backup')!) ?? '/usr/bin/python3';
    const listing = async (plan: StorePlan) => {
      const prefix = `${plan.prefix ? `${plan.prefix}/` : ''}${plan.serverName}/wals/`;
      const r = await runTool(python, ['-c', LIST_OBJECTS_PY, JSON.stringify({ bucket: plan.bucket, prefix, endpoint: endpoint.url })], { env: envFor(oCred), cwd: work, timeoutMs: 30_000 });
      if (r.code !== 0) throw toolFailure('listing the bucket', r.code, r.stderr, [], plan);
      return (JSON.parse(r.stdout) as { objects: Array<{ key: string }> }).objects.map((o) => o.key);
    };
    let own: string[] = [];
    for (const until = Date.now() + Math.min(15_000, left()); Date.now() < until;) {
      own = await listing(oPlan);
      if (own.some((k) => /00000002\.history/.test(k))) break;
      await delay(200);
    }
    const primaryKeys = await listing(pPlan);
    promoted = {
      timeline: tl,
      wrote: true,
      ownArchiveHistory: own.some((k) => /00000002\.history/.test(k)),
      primaryPathUntouched: !primaryKeys.some((k) => /\/00000002/.test(k)),
    };
    rows = { written, onReplica, lost: written - onReplica, lostAfterLastArchivedWal: perBatch - tailOnReplica };
    say(`timeline ${tl}: history and WAL archived to ${oPlan.destinationPath}/${oPlan.serverName}/wals/ (${own.length} objects); the primary's path has no timeline-2 file: ${promoted.primaryPathUntouched}`);
    if (!promoted.ownArchiveHistory) throw new RehearsalError(`the promoted replica did not archive its timeline history to its own store ${oPlan.destinationPath}/${oPlan.serverName}`, oPlan.destinationField);
    if (!promoted.primaryPathUntouched) throw new RehearsalError('the promoted replica wrote into the primary\'s archive path', oPlan.destinationField);
    if (rows.lost !== rows.lostAfterLastArchivedWal) throw new RehearsalError(`${rows.lost} rows were lost, but only ${rows.lostAfterLastArchivedWal} were committed after the last archived WAL`);
  } catch (e) {
    error = e as Error;
  } finally {
    while (cleanups.length) {
      try {
        await cleanups.pop()!();
      } catch (e) {
        log(`cleanup: ${(e as Error).message}`);
      }
    }
  }
  const durationMs = Date.now() - started;
  const secs = (durationMs / 1000).toFixed(1);
  const verdict = error
    ? `DR REHEARSAL FAILED: ${error.message} (after ${secs}s)`
    : `DR REHEARSAL PASSED: WAL replay lag ${lagMs.map((l) => `${(l / 1000).toFixed(1)}s`).join(', ')} (max ${(Math.max(...lagMs) / 1000).toFixed(1)}s); ` +
      `the heartbeat alone replayed in ${(heartbeat!.replayedAfterMs / 1000).toFixed(1)}s; ` +
      `primary lost after ${rows!.written} rows, last archived WAL ${lastArchivedWal}; promoted on timeline ${promoted!.timeline} with ${rows!.onReplica}/${rows!.written} rows: ` +
      `data loss ${rows!.lost} rows, exactly those committed after the last archived WAL; a write on the promoted side succeeded, its new timeline archived to its own path in ${secs}s`;
  log(verdict);
  return { passed: !error, verdict, error, lagMs, heartbeat, rows, lastArchivedWal, promoted, durationMs };
}

/** The cluster's `postgresql.parameters` the embedded server can take (what the operator manages is left out). */
function userParameters(cluster: Manifest): Record<string, string> {
  const raw = (cluster.spec as any)?.postgresql?.parameters ?? {};
  const skip = /^(archive_|restore_command|shared_preload_libraries|hot_standby|pgaudit\.|pg_failover_slots\.)/;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !skip.test(k)).map(([k, v]) => [k, String(v)]));
}

function delay(n: number): Promise<void> {
  return new Promise((r) => setTimeout(r, n));
}

/** A built environment, as `buildEnvironment` returns it. */
export interface DrBuiltSite {
  readonly name: string;
  readonly production: boolean;
  readonly app: IConstruct;
  /** The environment's platform (a `PostgresPlatform`). */
  readonly platform: {
    readonly cluster: { readonly clusterName: string };
    readonly sealedValues: { readonly store: SealedStore; readonly storePath: string };
    readonly disasterRecovery?: DrMember;
  };
}

/**
 * The inputs of a DR rehearsal from two built environments of one `DisasterRecovery` topology: the primary's own
 * store, the replica's read-only copy of it and the replica's own store.
 */
export function drRehearsalInputs(primary: DrBuiltSite, replica: DrBuiltSite): DrRehearsalInputs {
  const inputsOf = (s: DrBuiltSite) => inputsFromConstructs(s.app, {
    environment: s.name, production: s.production, defaultCluster: s.platform.cluster.clusterName,
    sealedStore: s.platform.sealedValues.store, sealedStorePath: s.platform.sealedValues.storePath,
  });
  const p = inputsOf(primary);
  const r = inputsOf(replica);
  const member = replica.platform.disasterRecovery;
  if (!member || !primary.platform.disasterRecovery || member.topology !== primary.platform.disasterRecovery.topology) {
    throw new RehearsalError(`${primary.name} and ${replica.name} are not sites of one disaster-recovery topology (disasterRecovery)`);
  }
  const copy = member.peerStores.get(primary.name);
  if (!copy) throw new RehearsalError(`${replica.name} has no read-only copy of ${primary.name}'s store`);
  return {
    primary: p,
    replicaSource: { ...r, objectStore: copy.apiObject.toJson() as Manifest, serverName: p.serverName, serverNameField: p.serverNameField },
    replicaOwn: r,
  };
}

/** The replica's hot standby (`RealPostgres` on the restored data directory); its start failure as a rehearsal error. */
async function startStandby(major: number, options: StartOptions): Promise<RealPostgres> {
  try {
    return await RealPostgres.start(major, options);
  } catch (e) {
    if (e instanceof PostgresStartError) throw new RehearsalError(`the standby did not start: ${e.messages.join(' | ') || e.message}`);
    throw e;
  }
}
